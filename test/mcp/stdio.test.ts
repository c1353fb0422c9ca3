/**
 * The stdio contract, on the built binary spoken to by hand: stdout carries JSON-RPC messages
 * only (even with --debug tracing every request, and when a call fails), diagnostics go to
 * stderr; without credentials the server still starts and lists, and each call says to log in.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, tempDir } from '../helpers/cli.js';
import { connectMcp, textOf, useMcpSandbox } from './helpers.js';

const fixture = useMcpSandbox();

/** Sends `requests` one per line, waits for an answer to each, closes stdin, and resolves with the streams. */
function converse(
  args: string[],
  env: Record<string, string | undefined>,
  requests: object[],
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'mcp', ...args], { env: env as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    const expected = requests.filter((r) => 'id' in r).length;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const answered = stdout.split('\n').filter((line) => /"id":\d/.test(line)).length;
      if (answered >= expected) child.stdin.end();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
    for (const request of requests) child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...request })}\n`);
  });
}

const INITIALIZE = {
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'by-hand', version: '1' } },
};

describe('stdout is the protocol stream', () => {
  it('every stdout line is a JSON-RPC message, with --debug and a failing call; talk is on stderr', async () => {
    const { stdout, stderr, code } = await converse(['--debug', '--allow-writes'], fixture().env, [
      INITIALIZE,
      { method: 'notifications/initialized' },
      { id: 2, method: 'tools/list' },
      { id: 3, method: 'tools/call', params: { name: 'partner_analytics', arguments: {} } },
      { id: 4, method: 'tools/call', params: { name: 'customer_get', arguments: { reference: 'NOPE-1' } } },
      { id: 5, method: 'tools/call', params: { name: 'breach_check', arguments: { emails: ['ceo@acme.co'] } } },
    ]);
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    const answers = lines.map((line) => JSON.parse(line) as { id: number; result: Record<string, unknown> });
    expect(answers.find((a) => a.id === 4)?.result).toMatchObject({ isError: true });
    expect(answers.find((a) => a.id === 1)?.result['instructions']).toContain('confirmationToken');
    // The requests were traced, on stderr; the server said it was serving, on stderr.
    expect(stderr).toContain('[debug]');
    expect(stderr).toContain('safeweb mcp: serving');
    expect(stdout).not.toContain('[debug]');
    expect(stdout + stderr).not.toContain(fixture().sandbox.apiKey);
  });
});

describe('not logged in', () => {
  it('starts, lists its tools, and answers each call with a tool error that says to log in', async () => {
    const { dir, cleanup } = tempDir();
    const mcp = await connectMcp([], cleanEnv({ SAFEWEB_CONFIG_DIR: dir }));
    try {
      expect((await mcp.tools()).length).toBeGreaterThan(0);
      for (const name of ['customer_list', 'partner_analytics', 'customer_get']) {
        const result = await mcp.call(name, name === 'customer_get' ? { reference: 'ACME-001' } : {});
        expect(result.isError).toBe(true);
        expect(textOf(result)).toContain('safeweb login');
      }
    } finally {
      await mcp.close();
      cleanup();
    }
  });

  it('names a --profile that does not exist, in each call', async () => {
    const { dir, cleanup } = tempDir();
    const mcp = await connectMcp(['--profile', 'reporting'], cleanEnv({ SAFEWEB_CONFIG_DIR: dir }));
    try {
      const result = await mcp.call('partner_analytics');
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('no profile named "reporting"');
    } finally {
      await mcp.close();
      cleanup();
    }
  });
});
