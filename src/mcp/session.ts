/**
 * One MCP server session: which tools it offers, and each call from the gate to the answer.
 * The gate is here, where calls are executed, not only in the listing: a tool left out by
 * --tools, or a writing tool without --allow-writes, is refused by name with a tool error that
 * says which flag allows it, before its arguments are read or anything is sent. Every answer
 * and error has known secrets (the API key) and secret-looking URL parts redacted and, unless
 * --no-mask-pii, personal data masked; the magic link's own URL is the one exception.
 */
import { Readable } from 'node:stream';
import { redactText } from '../api/redact.js';
import { Context } from '../context.js';
import { CliError, UsageError, ValidationError } from '../errors.js';
import { plainText, type Note } from '../outcome.js';
import { ConfirmationTokens } from './confirm.js';
import { isWriteTool, type ToolName } from './names.js';
import type { ToolAnswer, ToolDef } from './tools.js';

export interface SessionOptions {
  allowWrites: boolean;
  /** --tools: only these. */
  tools?: readonly ToolName[] | undefined;
  maskPii: boolean;
}

interface TextContent {
  type: 'text';
  text: string;
}

export interface CallResult {
  [key: string]: unknown;
  content: TextContent[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** A deep copy with every string passed through `fn`. */
function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

/** A name from the client as it may go in a log line: no line breaks or escapes. */
function printable(name: string): string {
  return name.replace(/[^\w.-]/g, '?').slice(0, 64);
}

/** Personal data as --mask-pii shows it (wired to safety/mask.ts). */
type Masker = (value: unknown) => unknown;

export class McpSession {
  readonly #ctx: Context;
  readonly #options: SessionOptions;
  readonly #tokens = new ConfirmationTokens();
  readonly #mask: Masker;
  #registry: Promise<Map<string, ToolDef>> | undefined;

  constructor(ctx: Context, options: SessionOptions, mask: Masker) {
    this.#ctx = ctx;
    this.#options = options;
    this.#mask = mask;
  }

  /** Zod and the tool definitions load with the first list or call, not at start. */
  #tools(): Promise<Map<string, ToolDef>> {
    return (this.#registry ??= (async () => {
      const [{ z }, { readTools }, { writeTools }] = await Promise.all([
        import('zod'),
        import('./tools-read.js'),
        import('./tools-write.js'),
      ]);
      return new Map([...readTools(z, this.#ctx.configDir), ...writeTools(z)].map((def) => [def.name, def]));
    })());
  }

  /** Why this session refuses a tool by that name, or undefined when it offers it. */
  #refusal(name: string): CliError | undefined {
    const { tools, allowWrites } = this.#options;
    if (tools && !(tools as readonly string[]).includes(name))
      return new UsageError(
        `${name} is not enabled in this server: it was started with --tools ${tools.join(',')}; nothing was sent`,
        `Add ${name} to --tools in the assistant's server configuration to allow it.`,
      );
    if (isWriteTool(name) && !allowWrites)
      return new UsageError(
        `${name} changes data and this server is read-only; nothing was sent`,
        'Start it with `safeweb mcp --allow-writes` (and a profile that may write) to allow changes.',
      );
    return undefined;
  }

  /** The tools this session offers, as tools/list answers. */
  async list(): Promise<object[]> {
    const tools = await this.#tools();
    return [...tools.values()]
      .filter((def) => !this.#refusal(def.name))
      .map((def) => ({
        name: def.name,
        title: def.title,
        description: def.description,
        inputSchema: def.inputSchema,
        outputSchema: def.outputSchema,
        annotations: { title: def.title, ...def.annotations },
      }));
  }

  /**
   * The protocol error's message when there is no tool by that name at all (a tool this session
   * leaves out is known: call refuses it with the flag that allows it), else undefined.
   */
  async unknownTool(name: string): Promise<string | undefined> {
    if ((await this.#tools()).has(name)) return undefined;
    this.#log(name, 'refused, no such tool');
    const offered = (await this.list()).map((tool) => (tool as { name: string }).name);
    return `Unknown tool: ${JSON.stringify(name.slice(0, 64))}; this server's tools are ${offered.join(', ')}`;
  }

  async call(name: string, args: unknown): Promise<CallResult> {
    const secrets = new Set<string>();
    const ctx = await this.#callContext();
    try {
      const def = (await this.#tools()).get(name);
      if (!def) {
        const known = [...(await this.#tools()).keys()].join(', ');
        throw new UsageError(`there is no tool named "${name}"; nothing was sent`, `The tools are ${known}.`);
      }
      const refusal = this.#refusal(name);
      if (refusal) throw refusal;
      const parsed = def.parse(args);
      // The audit log marks every write this call makes with the tool that made it.
      ctx.guard.auditOrigin = { via: 'mcp', tool: name };
      const answer = await def.run(parsed, { ctx, tokens: this.#tokens });
      await this.#collectSecrets(ctx, secrets);
      this.#log(name, answer.structured['confirmationRequired'] === true ? 'preview, nothing changed' : 'ok');
      return this.#answer(answer, secrets);
    } catch (error) {
      await this.#collectSecrets(ctx, secrets);
      this.#log(name, error instanceof CliError ? `error (exit code ${error.exitCode} in the CLI)` : 'failed');
      return this.#error(name, error, secrets);
    }
  }

  /** One line per call on stderr, for the server log an assistant keeps: the tool and how it went, no arguments. */
  #log(name: string, how: string): void {
    this.#ctx.streams.stderr.write(`safeweb mcp: ${printable(name)}: ${how}\n`);
  }

  /**
   * A context of its own for each call: no prompts, no colour, no stdin (the protocol's), and
   * stdout pointed at stderr, so nothing a verb says can reach the protocol stream.
   */
  async #callContext(): Promise<Context> {
    const parent = this.#ctx;
    const ctx = new Context({
      stdin: Readable.from([]),
      stdout: parent.streams.stderr,
      stderr: parent.streams.stderr,
      env: parent.env,
      nodeVersion: parent.nodeVersion,
      now: parent.now,
      waitForSignal: () => new Promise(() => {}),
    });
    ctx.argv = parent.argv;
    await ctx.setGlobals({
      ...parent.globals,
      json: true,
      csv: false,
      fields: undefined,
      input: false,
      color: false,
      ndjson: false,
      findingAsked: false,
      // What the verbs say on stderr is masked as the results are.
      maskPii: this.#options.maskPii,
    });
    return ctx;
  }

  /** The API key in use (and any other secret the call's client held), to redact from every message. */
  async #collectSecrets(ctx: Context, into: Set<string>): Promise<void> {
    for (const s of [this.#ctx.env['SAFEWEB_API_KEY'], ...ctx.clients.secretsInUse]) if (s) into.add(s);
    try {
      const key = (await ctx.resolved()).apiKey?.value;
      if (key) into.add(key);
    } catch {
      /* no usable settings: no key to hide */
    }
  }

  #clean(value: unknown, secrets: Set<string>): unknown {
    const redacted = mapStrings(value, (text) => redactText(text, [...secrets]));
    return this.#options.maskPii ? this.#mask(redacted) : redacted;
  }

  #answer(answer: ToolAnswer, secrets: Set<string>): CallResult {
    let structured: Record<string, unknown>;
    if (answer.credential) {
      // The magic link's URL is what was asked for: the one value left as it is.
      const { url, ...rest } = answer.structured;
      structured = { ...(this.#clean(rest, secrets) as Record<string, unknown>), url };
    } else structured = this.#clean(answer.structured, secrets) as Record<string, unknown>;
    const said = (answer.notes ?? []).filter((n: Note) => n.tone !== 'detail').map((n) => plainText(n.text));
    const notes = this.#clean(said, secrets) as string[];
    return {
      content: [
        { type: 'text', text: JSON.stringify(structured) },
        ...(notes.length ? [{ type: 'text' as const, text: notes.join('\n') }] : []),
      ],
      structuredContent: structured,
    };
  }

  #error(name: string, error: unknown, secrets: Set<string>): CallResult {
    let lines: string[];
    if (error instanceof CliError) {
      lines = [`error: ${error.message}`];
      if (error instanceof ValidationError) lines.push(...error.lines.map((p) => `  - ${p}`));
      if (error.hint) lines.push(error.hint);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      lines = [`error: unexpected: ${message}`, 'This is a bug in safeweb; please report it.'];
      this.#ctx.streams.stderr.write(
        `safeweb mcp: ${printable(name)} failed unexpectedly: ${redactText(message, [...secrets])}\n`,
      );
    }
    const text = (this.#clean(lines, secrets) as string[]).join('\n');
    return { content: [{ type: 'text', text }], isError: true };
  }
}
