/**
 * `safeweb mcp`: a Model Context Protocol server on stdin/stdout (the official SDK's low-level
 * Server, so the tools listed and the tools callable are decided by one gate in session.ts).
 * stdout carries protocol messages only: the verbs behind the tools write to a context whose
 * stdout is stderr. Runs until the client closes stdin (the requests read by then are answered),
 * or SIGINT/SIGTERM. Every request gets an answer, malformed ones a JSON-RPC error:
 * stdio-transport.ts frames and checks the lines, gateRequests the lifecycle and params.
 */
import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Context } from '../context.js';
import type { Outcome } from '../outcome.js';
import { maskPii } from '../safety/mask.js';
import { readOnlyFromEnv } from '../safety/read-only.js';
import { version } from '../version.js';
import { isWriteTool, type ToolName } from './names.js';
import { LineTransport, RPC_ERROR, rpcError } from './stdio-transport.js';

export interface McpOptions {
  allowWrites: boolean;
  tools?: ToolName[] | undefined;
  maskPii: boolean;
}

/** What the assistant is told at initialize: what the tools are for, and this session's rules. */
function instructions(opts: McpOptions): string {
  return [
    'SafeWeb partner tools: customers, their monitored assets, threat scores and breaches, breach checks and the ' +
      'breach catalogue, for the partner account the user configured.',
    opts.maskPii
      ? 'Personal data (email addresses) in results is masked.'
      : 'Personal data in results is NOT masked in this session: do not repeat it needlessly.',
    opts.allowWrites
      ? 'customer_offboard and asset removals answer first with a preview and a confirmationToken: show the ' +
        'preview to the user and call again with the token only if they agree.'
      : 'This server is read-only: the user did not allow changes (safeweb mcp --allow-writes).',
  ].join(' ');
}

export async function runMcp(opts: McpOptions, ctx: Context): Promise<Outcome<undefined>> {
  const stderr = ctx.streams.stderr;
  const say = (line: string) => stderr.write(`safeweb mcp: ${line}\n`);
  const [sdk, { McpSession }] = await Promise.all([import('./sdk.js'), import('./session.js')]);
  const { Server, CallToolRequestSchema, ListToolsRequestSchema, JSONRPCMessageSchema } = sdk;
  const session = new McpSession(ctx, opts, maskPii);
  const server = new Server(
    { name: 'safeweb', version: version() },
    {
      capabilities: { tools: {} },
      instructions: instructions(opts),
      // This server never asks the client for input (elicitation), the one use of a JSON Schema
      // validator on this side: skip building one.
      jsonSchemaValidator: {
        getValidator: () => () => ({ valid: false, data: undefined, errorMessage: 'not used by this server' }),
      },
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: (await session.list()) as never[] }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    // An unknown tool is a protocol error (MCP tools, "Error Handling"); a known one this session
    // refuses, or arguments its schema rejects, are tool errors the assistant can act on.
    const unknown = await session.unknownTool(request.params.name);
    if (unknown) throw rpcError(RPC_ERROR.invalidParams, unknown);
    return session.call(request.params.name, request.params.arguments ?? {});
  });
  server.onerror = (error) => say(`protocol error: ${printable(error.message)}`);

  const stdin = ctx.streams.stdin as NodeJS.ReadableStream & Readable;
  const transport = new LineTransport(stdin, ctx.streams.stdout as Writable, {
    isMessage: (value): value is JSONRPCMessage => JSONRPCMessageSchema.safeParse(value).success,
  });
  const ended = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    stdin.once('end', resolve);
    stdin.once('close', resolve);
  });
  const closed = ended.then(() => transport.answered());
  await server.connect(transport);
  gateRequests(transport, sdk, say);
  say(
    `serving ${opts.allowWrites ? 'reads and writes' : 'reads only (start with --allow-writes for changes)'}` +
      `${opts.tools ? `, tools ${opts.tools.join(', ')}` : ''}; stop with Ctrl+C or by closing stdin`,
  );
  const blocked = opts.allowWrites ? [] : (opts.tools ?? []).filter((name) => isWriteTool(name));
  if (blocked.length) say(`${blocked.join(', ')} change data: without --allow-writes they are refused`);
  await sayReadOnly(opts, ctx, say);
  if (!opts.maskPii) say('personal data is NOT masked in tool results (--no-mask-pii): it reaches the assistant as is');
  const signal = await Promise.race([closed.then(() => undefined), ctx.waitForSignal()]);
  await server.close();
  if (signal) say(`stopped (${signal})`);
  return { data: undefined };
}

/**
 * Requests the SDK's Server would take as they come, refused first: anything but `initialize` and
 * `ping` before `initialize` (MCP lifecycle: the client must not send them, and the server has no
 * client capabilities yet to answer by), and params its schemas reject, as -32602 with what is
 * wrong (the Server answers those as -32603, an internal error, with the schema's issues as JSON).
 * Installed after connect, in front of the handler the Server put on the transport.
 */
function gateRequests(transport: LineTransport, sdk: typeof import('./sdk.js'), say: (line: string) => void): void {
  const schemas: Record<string, { safeParse: (value: unknown) => { success: boolean; error?: ZodLikeError } }> = {
    initialize: sdk.InitializeRequestSchema,
    ping: sdk.PingRequestSchema,
    'tools/list': sdk.ListToolsRequestSchema,
    'tools/call': sdk.CallToolRequestSchema,
  };
  let initialized = false;
  const deliver = transport.onmessage;
  transport.onmessage = (message) => {
    if (!('method' in message && 'id' in message)) return deliver?.(message);
    const { id, method } = message;
    // The method as the client wrote it is not repeated raw, here or in the server log.
    const named = printable(method.slice(0, 64));
    const refuse = (code: number, text: string) => {
      say(`refused ${named}: ${text}`);
      transport.send({ jsonrpc: '2.0', id, error: { code, message: text } }).catch(() => {});
    };
    const checked = Object.hasOwn(schemas, method) ? schemas[method]?.safeParse(message) : undefined;
    if (checked && !checked.success) return refuse(RPC_ERROR.invalidParams, `Invalid params: ${issues(checked.error)}`);
    if (method === 'initialize') initialized = true;
    else if (!initialized && method !== 'ping')
      return refuse(RPC_ERROR.invalidRequest, `Invalid Request: ${named} before initialize; send initialize first`);
    deliver?.(message);
  };
}

interface ZodLikeError {
  issues: { path: PropertyKey[]; message: string }[];
}

/** A schema's complaints in one line: "params.name: expected string; ...". */
function issues(error: ZodLikeError | undefined): string {
  const said = (error?.issues ?? []).map((i) => `${i.path.map(String).join('.') || '(message)'}: ${i.message}`);
  return printable(said.slice(0, 5).join('; ') || 'not as the method takes them');
}

/** Text from the client as it may go in an answer or a log line: one line, no control characters, bounded. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

/** With --allow-writes on a read-only profile, the writes are listed but will be refused: say so at start. */
async function sayReadOnly(opts: McpOptions, ctx: Context, say: (line: string) => void): Promise<void> {
  if (!opts.allowWrites) return;
  try {
    if (readOnlyFromEnv(ctx.env)) return say('SAFEWEB_READ_ONLY is set: every write will be refused');
    const resolved = await ctx.resolved();
    if (resolved.readOnly) say(`profile "${resolved.profile?.value}" is read-only: every write will be refused`);
  } catch {
    /* no usable settings: each call will say so */
  }
}
