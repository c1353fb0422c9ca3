/**
 * The line framing on its own, over in-memory streams: messages split across chunks or several
 * in one, a limit crossed mid-chunk, and the id found at the start of a message cut short.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LineTransport, leadingId } from '../../src/mcp/stdio-transport.js';

async function framed(chunks: string[], maxMessageBytes?: number) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const transport = new LineTransport(stdin, stdout, {
    isMessage: (value): value is JSONRPCMessage => JSONRPCMessageSchema.safeParse(value).success,
    maxMessageBytes,
  });
  const received: unknown[] = [];
  transport.onmessage = (message) => received.push(message);
  await transport.start();
  for (const chunk of chunks) stdin.write(chunk);
  await new Promise((resolve) => setImmediate(resolve));
  await transport.close();
  const answers = String(stdout.read() ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: unknown; error: { code: number } });
  return { received, answers };
}

describe('LineTransport', () => {
  it('reads messages split across chunks and several to a chunk, CRLF and blank lines too', async () => {
    const { received, answers } = await framed([
      '{"jsonrpc":"2.0","id":1,"meth',
      'od":"ping"}\r\n\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n{"jsonrpc":"2.0",',
      '"method":"notifications/initialized"}\n',
    ]);
    expect(received).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ]);
    expect(answers).toEqual([]);
  });

  it('answers a line over the limit once, under its id, skips to its newline and reads on', async () => {
    const big = `{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"x":"${'a'.repeat(300)}"}}`;
    const { received, answers } = await framed(
      [big.slice(0, 100), big.slice(100, 250), `${big.slice(250)}\n{"jsonrpc":"2.0","id":3,"method":"ping"}\n`],
      200,
    );
    expect(answers).toEqual([expect.objectContaining({ id: 'big', error: expect.objectContaining({ code: -32600 }) })]);
    expect(received).toEqual([{ jsonrpc: '2.0', id: 3, method: 'ping' }]);
  });

  it('finds the top-level id before the cut, and only that one', () => {
    expect(leadingId('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"na')).toBe(7);
    expect(leadingId(' {"id" : "a\\"b", "x')).toBe('a"b');
    expect(leadingId('{"params":{"id":5},"method":"id","x":"\\"id\\":6","id":8,')).toBe(8);
    expect(leadingId('{"params":{"id":5,"arguments":{"text":"')).toBeNull();
    expect(leadingId('[{"id":1}')).toBeNull();
    expect(leadingId('{"id":1.5,')).toBeNull();
  });
});
