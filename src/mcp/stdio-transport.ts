/**
 * The stdio framing of `safeweb mcp`: one JSON-RPC message per line, as the SDK's
 * StdioServerTransport reads it, without its two silences. That transport drops a line that is
 * not JSON or not JSON-RPC after telling only `onerror` (the client waits for its timeout), and a
 * message over its 10 MiB buffer closes the transport, which ended the server with exit 0. Here
 * each such line gets its JSON-RPC error answer, and a line over the limit is skipped up to its
 * newline (JSON text never holds a raw newline, so the next line is the next message) and
 * answered, and the server goes on serving. A line is never held beyond the limit.
 *
 * No SDK import here: it is bundled apart (dist/sdk.js, see sdk.ts) and reaches this module
 * through serve.ts, as the `isMessage` check.
 */
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * The largest message read, in bytes of its line: far above any tool call this server takes (a
 * manifest of 100 000 customers is a file path, not an argument), small enough that a runaway
 * client cannot make the server hold much.
 */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The JSON-RPC 2.0 error codes this server answers with. */
export const RPC_ERROR = {
  parse: -32700,
  invalidRequest: -32600,
  invalidParams: -32602,
} as const;

type Id = string | number | null;

/** An error a request handler throws to answer with that JSON-RPC code (the SDK's Protocol sends `code` as is). */
export function rpcError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}

export interface LineTransportOptions {
  /** Whether a parsed line is a JSON-RPC message (the SDK's schema). */
  isMessage: (value: unknown) => value is JSONRPCMessage;
  maxMessageBytes?: number;
}

export class LineTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  readonly #stdin: Readable;
  readonly #stdout: Writable;
  readonly #isMessage: (value: unknown) => value is JSONRPCMessage;
  readonly #max: number;
  /** The pieces of the line read so far, and their length. */
  #parts: Buffer[] = [];
  #size = 0;
  /** In a line over the limit, already answered: its bytes are dropped up to its newline. */
  #skipping = false;
  /** The requests read and not yet answered, and who waits for there to be none. */
  readonly #pending = new Set<string | number>();
  #waiting: (() => void)[] = [];

  constructor(stdin: Readable, stdout: Writable, options: LineTransportOptions) {
    this.#stdin = stdin;
    this.#stdout = stdout;
    this.#isMessage = options.isMessage;
    this.#max = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  }

  readonly #ondata = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(0x0a, start);
      const piece = bytes.subarray(start, newline === -1 ? bytes.length : newline);
      if (!this.#skipping) {
        if (this.#size + piece.length > this.#max) this.#tooLarge(piece);
        else {
          this.#parts.push(piece);
          this.#size += piece.length;
        }
      }
      if (newline === -1) break;
      const line = this.#skipping ? undefined : Buffer.concat(this.#parts, this.#size);
      this.#reset();
      if (line) this.#line(line);
      start = newline + 1;
    }
  };

  readonly #onerror = (error: Error) => this.onerror?.(error);

  async start(): Promise<void> {
    this.#stdin.on('data', this.#ondata);
    this.#stdin.on('error', this.#onerror);
  }

  async close(): Promise<void> {
    this.#stdin.off('data', this.#ondata);
    this.#stdin.off('error', this.#onerror);
    // Paused, not destroyed: stdin is the process's, and may have other readers.
    if (this.#stdin.listenerCount('data') === 0) this.#stdin.pause();
    this.#reset();
    // Nothing more can be answered.
    this.#answered(...this.#pending);
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await this.#write(message);
    if ('id' in message && !('method' in message) && message.id !== undefined) this.#answered(message.id);
  }

  /**
   * Resolves once every request read so far has its answer written: a client that writes its
   * requests and closes stdin (`echo ... | safeweb mcp`) still gets them, where the server used
   * to stop at the end of its input with the answers still being worked out.
   */
  answered(): Promise<void> {
    return this.#pending.size ? new Promise((resolve) => this.#waiting.push(resolve)) : Promise.resolve();
  }

  #answered(...ids: (string | number)[]): void {
    for (const id of ids) this.#pending.delete(id);
    if (this.#pending.size) return;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  #write(message: object): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.#stdout.once('drain', resolve);
    });
  }

  #reset(): void {
    this.#parts = [];
    this.#size = 0;
    this.#skipping = false;
  }

  /** Answers a line over the limit as soon as it is, with its id when its start names one, and skips the rest. */
  #tooLarge(piece: Buffer): void {
    const head = Buffer.concat([...this.#parts, piece]).subarray(0, 64 * 1024);
    this.#reset();
    this.#skipping = true;
    const mib = Math.round((this.#max / 1024 / 1024) * 100) / 100;
    this.#refuse(
      leadingId(head.toString('utf8')),
      RPC_ERROR.invalidRequest,
      `Invalid Request: the message is larger than ${mib} MiB, the most this server reads; it was skipped`,
    );
  }

  #line(bytes: Buffer): void {
    const text = bytes.toString('utf8');
    // Blank lines (and a CRLF's CR) are framing, not messages.
    if (!text.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#refuse(null, RPC_ERROR.parse, 'Parse error: the line is not JSON');
    }
    if (!this.#isMessage(value))
      return this.#refuse(
        idOf(value),
        RPC_ERROR.invalidRequest,
        'Invalid Request: not a JSON-RPC 2.0 request, notification or response (MCP sends one object per line)',
      );
    if ('method' in value) {
      if ('id' in value) this.#pending.add(value.id);
      // A cancelled request is not answered (MCP): it is not waited for either.
      else if (value.method === 'notifications/cancelled') {
        const id = idOf({ id: value.params?.['requestId'] });
        if (id !== null) this.#answered(id);
      }
    }
    this.onmessage?.(value);
  }

  #refuse(id: Id, code: number, message: string): void {
    this.onerror?.(new Error(`${message}${id === null ? '' : ` (id ${JSON.stringify(id)})`}`));
    this.#write({ jsonrpc: '2.0', id, error: { code, message } }).catch(() => {});
  }
}

/** The id of a parsed line that is not a valid message, if it has one a client could match. */
function idOf(value: unknown): Id {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const id = (value as Record<string, unknown>)['id'];
  return typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)) ? id : null;
}

/**
 * The top-level "id" of a JSON object cut short, when it comes before the cut (JSON.stringify
 * of a request puts it before the params that make a message large), else null: so the client
 * whose request was too large gets its answer now, not at its timeout.
 */
export function leadingId(text: string): Id {
  const start = text.search(/\S/);
  if (start === -1 || text[start] !== '{') return null;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end === -1) return null;
      if (depth === 1 && end === i + 3 && text.slice(i, end + 1) === '"id"') {
        const value = /^\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")\s*[,}]/.exec(text.slice(end + 1, end + 260))?.[1];
        if (value !== undefined) return idOf({ id: JSON.parse(value) as unknown });
      }
      i = end;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return null;
}

/** The index of the quote that closes the JSON string opening at `open`, or -1 if the text ends first. */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
