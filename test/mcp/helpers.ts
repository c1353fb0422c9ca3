/**
 * The MCP server end to end: the SDK's own client over stdio, spawning the built binary
 * (`bin/safeweb.js mcp`), against a sandbox in this process whose every request is logged.
 */
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, JSONRPCMessage, Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { BIN, cleanEnv, tempDir } from '../helpers/cli.js';

export interface McpFixture {
  sandbox: Sandbox;
  configDir: string;
  /** SAFEWEB_* pointing at the sandbox, and the config dir. */
  env: Record<string, string | undefined>;
  /** "METHOD /path → status" for every request the sandbox answered, in order. */
  requests: string[];
}

/** A sandbox with a request log and an empty config dir, for the file or describe block. */
export function useMcpSandbox(): () => McpFixture {
  let fx: McpFixture | undefined;
  let cleanup = () => {};
  beforeAll(async () => {
    const requests: string[] = [];
    const sandbox = await startSandbox({ port: 0, log: (line) => requests.push(line) });
    const temp = tempDir('safeweb-mcp-');
    cleanup = temp.cleanup;
    fx = {
      sandbox,
      configDir: temp.dir,
      requests,
      env: cleanEnv({
        SAFEWEB_CONFIG_DIR: temp.dir,
        SAFEWEB_BASE_URL: sandbox.url,
        SAFEWEB_PARTNER_ID: sandbox.partnerId,
        SAFEWEB_API_KEY: sandbox.apiKey,
      }),
    };
  });
  afterAll(async () => {
    await fx?.sandbox.close();
    cleanup();
  });
  return () => {
    if (!fx) throw new Error('the sandbox fixture is not started yet');
    return fx;
  };
}

export interface McpSessionUnderTest {
  client: Client;
  /** Every JSON-RPC message either way, in order. */
  messages: JSONRPCMessage[];
  /** Resolves with stderr once it contains `text` (the server's start-up notes come on their own pipe). */
  stderrWith: (text: string) => Promise<string>;
  tools: () => Promise<Tool[]>;
  call: (name: string, args?: Record<string, unknown>) => Promise<CallToolResult>;
  close: () => Promise<void>;
}

/** `safeweb mcp ...args` as a child process, connected (initialized) with the SDK's client. */
export async function connectMcp(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<McpSessionUnderTest> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...args],
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stderrWith = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!stderr.includes(text)) return false;
        transport.stderr?.off('data', check);
        clearTimeout(timer);
        resolve(stderr);
        return true;
      };
      const timer = setTimeout(() => reject(new Error(`stderr never said "${text}":\n${stderr}`)), 10_000);
      if (!check()) transport.stderr?.on('data', check);
    });
  const messages: JSONRPCMessage[] = [];
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage) => {
    messages.push(message);
    return send(message);
  };
  let receive: ((message: JSONRPCMessage) => void) | undefined;
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    // Undefined until the client sets its handler, so the client does not chain to this recorder.
    get: () =>
      receive &&
      ((message: JSONRPCMessage) => {
        messages.push(message);
        receive?.(message);
      }),
    set: (fn: typeof receive) => (receive = fn),
  });
  const client = new Client({ name: 'safeweb-tests', version: '0.0.0' });
  await client.connect(transport);
  return {
    client,
    messages,
    stderrWith,
    tools: async () => (await client.listTools()).tools,
    call: async (name, callArgs = {}) => (await client.callTool({ name, arguments: callArgs })) as CallToolResult,
    close: () => client.close(),
  };
}

/** The text of a tool result (every text block). */
export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Requests the sandbox answered after `from` (an index into the log). */
export function requestsSince(fx: McpFixture, from: number): string[] {
  return fx.requests.slice(from);
}

type Message = Record<string, unknown> & { id?: unknown };

export interface RawMcp {
  /** Writes one line: a string as it is, an object as JSON; the newline is added. */
  send: (line: string | object) => void;
  /** The first message on stdout, not yet taken, with this id (null: the answers to lines without one). */
  answer: (id: string | number | null) => Promise<Message>;
  /** Closes stdin and resolves once the server has exited: its code, every stdout message, stderr. */
  end: () => Promise<{ code: number | null; messages: Message[]; stderr: string }>;
}

/**
 * `safeweb mcp ...args` spoken to line by line, for what the SDK's client never sends: broken
 * lines, oversized messages, requests out of order. Every stdout line must be JSON (it throws).
 */
export function rawMcp(args: string[], env: Record<string, string | undefined>): RawMcp {
  const child = spawn(process.execPath, [BIN, 'mcp', ...args], { env: env as NodeJS.ProcessEnv });
  let stdout = '';
  let stderr = '';
  const messages: Message[] = [];
  const taken = new Set<Message>();
  let waiters: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.split('\n');
    stdout = lines.pop() ?? '';
    for (const line of lines) messages.push(JSON.parse(line) as Message);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const wake of waiters.splice(0)) wake();
  });
  const answer = (id: string | number | null): Promise<Message> =>
    new Promise((resolve, reject) => {
      const look = () => {
        const found = messages.find((m) => !taken.has(m) && m.id === id);
        if (found) {
          taken.add(found);
          return resolve(found);
        }
        if (gone) return reject(new Error(`the server exited with no answer for id ${id}; stderr:\n${stderr}`));
        waiters.push(look);
      };
      look();
    });
  return {
    send: (line) => child.stdin.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`),
    answer,
    end: async () => {
      child.stdin.end();
      const code = await exited;
      waiters = [];
      return { code, messages, stderr };
    },
  };
}
