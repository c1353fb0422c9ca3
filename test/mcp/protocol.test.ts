/**
 * The JSON-RPC edges of `safeweb mcp`, spoken to line by line on the built binary: every line
 * the server cannot take gets an error answer (not silence until the client's timeout, nor an
 * exit), requests before `initialize` are refused, malformed params are -32602, a message over
 * the 4 MiB limit is answered and skipped, and the server goes on serving after each.
 */
import { describe, expect, it } from 'vitest';
import { rawMcp, requestsSince, useMcpSandbox, type RawMcp } from './helpers.js';

const fixture = useMcpSandbox();

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 'init',
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'by-hand', version: '1' } },
};

function request(id: number | string, method: string, params?: object): object {
  return { jsonrpc: '2.0', id, method, ...(params ? { params } : {}) };
}

/** A server past initialize, as a client leaves it. */
async function initialized(): Promise<RawMcp> {
  const mcp = rawMcp([], fixture().env);
  mcp.send(INITIALIZE);
  expect(await mcp.answer('init')).toHaveProperty('result.serverInfo.name', 'safeweb');
  mcp.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return mcp;
}

describe('lines that are not requests', () => {
  it('answers a line that is not JSON with -32700 and id null, and JSON that is not JSON-RPC with -32600', async () => {
    const mcp = await initialized();
    mcp.send('garbage {');
    expect(await mcp.answer(null)).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
    mcp.send('{"jsonrpc":"2.0","id":1}');
    expect(await mcp.answer(1)).toMatchObject({ error: { code: -32600, message: /Invalid Request/ } });
    mcp.send('[1, 2]');
    expect(await mcp.answer(null)).toMatchObject({ error: { code: -32600 } });
    // JSON-RPC's own example: params must be an object or an array.
    mcp.send('{"jsonrpc":"2.0","id":"s","method":"tools/call","params":"bar"}');
    expect(await mcp.answer('s')).toMatchObject({ error: { code: -32600 } });
    // Still serving.
    mcp.send(request(2, 'tools/list'));
    expect(await mcp.answer(2)).toHaveProperty('result.tools');
    const { code, stderr, messages } = await mcp.end();
    expect(code).toBe(0);
    expect(messages.filter((m) => 'error' in m)).toHaveLength(4);
    expect(stderr).toContain('Parse error');
  });

  it('answers an unknown method with -32601', async () => {
    const mcp = await initialized();
    mcp.send(request(3, 'resources/list'));
    expect(await mcp.answer(3)).toMatchObject({ error: { code: -32601 } });
    expect((await mcp.end()).code).toBe(0);
  });
});

describe('a message over the size limit', () => {
  it('is answered with -32600 under the id it starts with, skipped, and the server goes on', async () => {
    const mcp = await initialized();
    const before = fixture().requests.length;
    // 5 MiB: over this server's 4 MiB, under the 10 MiB the SDK's own transport allowed.
    const emails = Array.from({ length: 100_000 }, (_, i) => `user${i}@${'x'.repeat(40)}.example`);
    mcp.send(request(7, 'tools/call', { name: 'breach_check', arguments: { emails } }));
    expect(await mcp.answer(7)).toMatchObject({ error: { code: -32600, message: /larger than 4 MiB/ } });
    // Over the SDK's 10 MiB with no id to be found: id null; it used to end the server with exit 0.
    mcp.send(`{"jsonrpc":"2.0","method":"tools/call","params":{"name":"${'y'.repeat(11 * 1024 * 1024)}"}}`);
    expect(await mcp.answer(null)).toMatchObject({ error: { code: -32600 } });
    mcp.send(request(8, 'ping'));
    expect(await mcp.answer(8)).toMatchObject({ result: {} });
    mcp.send(request(9, 'tools/call', { name: 'breach_check', arguments: { emails: ['ceo@acme.co'] } }));
    expect(await mcp.answer(9)).toHaveProperty('result.structuredContent');
    const { code, stderr } = await mcp.end();
    expect(code).toBe(0);
    expect(stderr).toContain('larger than 4 MiB');
    // The oversized call sent nothing; the one after it did.
    expect(requestsSince(fixture(), before)).toHaveLength(1);
  });
});

describe('before initialize', () => {
  it('refuses tools/list and tools/call with -32600 and sends nothing; ping is answered', async () => {
    const mcp = rawMcp([], fixture().env);
    const before = fixture().requests.length;
    mcp.send(request(1, 'tools/list'));
    mcp.send(request(2, 'tools/call', { name: 'partner_analytics', arguments: {} }));
    mcp.send(request(3, 'ping'));
    expect(await mcp.answer(1)).toMatchObject({ error: { code: -32600, message: /initialize/ } });
    expect(await mcp.answer(2)).toMatchObject({ error: { code: -32600, message: /initialize/ } });
    expect(await mcp.answer(3)).toMatchObject({ result: {} });
    // Then initialize opens the session as usual.
    mcp.send(INITIALIZE);
    await mcp.answer('init');
    mcp.send(request(4, 'tools/list'));
    expect(await mcp.answer(4)).toHaveProperty('result.tools');
    expect((await mcp.end()).code).toBe(0);
    expect(requestsSince(fixture(), before)).toEqual([]);
  });
});

describe('params', () => {
  it.each([
    ['no tool name', { arguments: {} }, /params\.name/],
    ['arguments that are not an object', { name: 'customer_get', arguments: ['ACME-001'] }, /params\.arguments/],
    ['an unknown tool', { name: 'customer_delete_everything', arguments: {} }, /Unknown tool.*customer_list/],
  ])('answers tools/call with %s with -32602', async (_, params, message) => {
    const mcp = await initialized();
    mcp.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params });
    expect(await mcp.answer(5)).toMatchObject({ error: { code: -32602, message } });
    expect((await mcp.end()).code).toBe(0);
  });

  it("answers a tool's argument of the wrong type with a tool error the assistant can correct (SEP-1303)", async () => {
    const mcp = await initialized();
    mcp.send(request(6, 'tools/call', { name: 'customer_get', arguments: { reference: 42 } }));
    const answer = await mcp.answer(6);
    expect(answer).toMatchObject({ result: { isError: true } });
    expect(JSON.stringify(answer)).toContain('reference');
    expect((await mcp.end()).code).toBe(0);
  });
});

describe('the end of input', () => {
  it('answers every request read before stdin closed, then exits 0', async () => {
    const mcp = rawMcp([], fixture().env);
    mcp.send(INITIALIZE);
    mcp.send(request(1, 'tools/list'));
    mcp.send(request(2, 'tools/call', { name: 'breach_check', arguments: { emails: ['ceo@acme.co'] } }));
    const { code, messages } = await mcp.end();
    expect(code).toBe(0);
    expect(messages.map((m) => m.id).sort()).toEqual([1, 2, 'init']);
    expect(messages.every((m) => 'result' in m)).toBe(true);
  });
});
