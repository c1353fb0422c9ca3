/**
 * `safeweb mcp`: a Model Context Protocol server on stdin/stdout (the official SDK's low-level
 * Server, so the tools listed and the tools callable are decided by one gate in session.ts).
 * stdout carries protocol messages only: the verbs behind the tools write to a context whose
 * stdout is stderr. Runs until the client closes stdin, or SIGINT/SIGTERM.
 */
import type { Context } from '../context.js';
import type { Outcome } from '../outcome.js';
import { maskPii } from '../safety/mask.js';
import { readOnlyFromEnv } from '../safety/read-only.js';
import { version } from '../version.js';
import { isWriteTool, type ToolName } from './names.js';

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
  const [{ Server, StdioServerTransport, CallToolRequestSchema, ListToolsRequestSchema }, { McpSession }] =
    await Promise.all([import('./sdk.js'), import('./session.js')]);
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
  server.setRequestHandler(CallToolRequestSchema, async (request) =>
    session.call(request.params.name, request.params.arguments ?? {}),
  );
  server.onerror = (error) => say(`protocol error: ${error.message}`);

  const stdin = ctx.streams.stdin as NodeJS.ReadableStream & import('node:stream').Readable;
  const transport = new StdioServerTransport(stdin, ctx.streams.stdout as import('node:stream').Writable);
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    stdin.once('end', resolve);
    stdin.once('close', resolve);
  });
  await server.connect(transport);
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
