/**
 * Everything a verb needs, injected: streams and TTY facts, environment, clock, config,
 * prompter, fetch, and a lazy API client. Verbs never touch `process` themselves.
 */
import type { ApiClient, WriteGuard, WriteRecord, WriteRequest } from './api/client.js';
import type { Wire } from './api/transport.js';
import { UsageError } from './errors.js';
import { colorLevel, loadColors, plainColors, type Colors } from './output/color.js';
import { Output, type WritableLike } from './output/output.js';
import { createSink, type Sink } from './output/sink.js';
import { maskingStream } from './safety/mask.js';
import type { Outcome } from './outcome.js';
import type { Prompter } from './prompt/prompter.js';
import { configDirFor, readConfig, type ConfigData } from './config/store.js';
import type { Resolved } from './config/resolve.js';
import type { AuditOrigin } from './safety/audit.js';

export interface GlobalOptions {
  json: boolean;
  /** --csv: table-shaped output as CSV (output/render.ts). */
  csv?: boolean | undefined;
  /** --fields: the columns to show, in order. */
  fields?: string[] | undefined;
  /** --verbose: `detail` notes are said too. */
  verbose?: boolean | undefined;
  debug: boolean;
  color?: boolean | undefined;
  input: boolean;
  profile?: string | undefined;
  partnerId?: string | undefined;
  baseUrl?: string | undefined;
  timeout: number;
  retries: number;
  /** The verb's own --ndjson: stream events are JSON lines (see output/sink.ts). */
  ndjson: boolean;
  /** The verb was given --exit-status or --fail-on: a finding exits 8. */
  findingAsked: boolean;
  /** --mask-pii (true) or --no-mask-pii (false); undefined: the profile's `maskPii` decides. */
  maskPii?: boolean | undefined;
}

export interface Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  stdout: WritableLike & NodeJS.WritableStream;
  stderr: WritableLike & NodeJS.WritableStream;
}

export interface ContextInit extends Streams {
  env: Record<string, string | undefined>;
  nodeVersion: string;
  now?: () => Date;
  /** Replaces the wire under the HTTP engine (node:http) in tests that must force a rare failure. */
  wire?: Wire;
  /** Replaces @inquirer/prompts in tests that script answers. */
  prompter?: Prompter;
  /** Resolves with the first of SIGINT / SIGTERM; injected so nothing below main listens to process. */
  waitForSignal: () => Promise<NodeJS.Signals>;
}

const DEFAULT_GLOBALS: GlobalOptions = {
  json: false,
  debug: false,
  input: true,
  timeout: 30_000,
  retries: 3,
  ndjson: false,
  findingAsked: false,
};

export class Context {
  readonly env: Record<string, string | undefined>;
  readonly streams: Streams;
  readonly nodeVersion: string;
  readonly now: () => Date;
  readonly waitForSignal: () => Promise<NodeJS.Signals>;
  #globals: GlobalOptions = { ...DEFAULT_GLOBALS };

  get globals(): GlobalOptions {
    return this.#globals;
  }

  /** Called once the flags are parsed: output then honours --json and --no-color. */
  async setGlobals(value: GlobalOptions): Promise<void> {
    this.#globals = value;
    this.#maskPii = value.maskPii ?? (await this.#profileMasks());
    const [color, errColor] = await Promise.all([
      loadColors(colorLevel(this.streams.stdout, this.env, value.color)),
      loadColors(colorLevel(this.streams.stderr, this.env, value.color)),
    ]);
    this.#out = this.#makeOutput(color, errColor);
  }

  /** Colours for stderr even when the flags were never parsed (an error in parsing them). */
  async prepareErrorOutput(): Promise<void> {
    if (this.#out) return;
    const errColor = await loadColors(colorLevel(this.streams.stderr, this.env, this.#globals.color));
    this.#out = this.#makeOutput(plainColors, errColor);
  }

  #makeOutput(color: Colors, errColor: Colors): Output {
    const [stdout, stderr] = this.#maskPii
      ? [maskingStream(this.streams.stdout), maskingStream(this.streams.stderr)]
      : [this.streams.stdout, this.streams.stderr];
    return new Output(stdout, stderr, color, errColor, this.#globals.json, {
      verbose: Boolean(this.#globals.verbose),
      maskPii: this.#maskPii,
    });
  }

  /**
   * Personal data is masked in everything displayed (--mask-pii, or the profile's maskPii,
   * --no-mask-pii overriding): tables, lines, JSON, progress, errors, --debug. Never in files.
   */
  get maskPii(): boolean {
    return this.#maskPii;
  }
  #maskPii = false;

  /** The profile in use masks personal data; a config that cannot be read is for the command to report. */
  async #profileMasks(): Promise<boolean> {
    try {
      const config = await this.config();
      if (!Object.values(config.profiles).some((p) => p.maskPii)) return false;
      const { resolveSettings } = await import('./config/resolve.js');
      return resolveSettings(this.#globals, this.env, config).maskPii;
    } catch {
      return false;
    }
  }

  /**
   * The command line as typed (main sets it): the audit log keeps it, secrets removed. A
   * --mask-pii in it masks even what is said before the flags are parsed (a usage error).
   */
  get argv(): readonly string[] {
    return this.#argv;
  }
  set argv(value: readonly string[]) {
    this.#argv = value;
    const end = value.indexOf('--');
    if ((end === -1 ? value : value.slice(0, end)).includes('--mask-pii')) this.#maskPii = true;
  }
  #argv: readonly string[] = [];
  /**
   * Who asks for the changes this run makes: the CLI, or (set by the MCP server per tool call)
   * an MCP tool. Read when each write is logged, so it may change between calls.
   */
  auditOrigin: AuditOrigin = { via: 'cli' };
  /** Operations already said to be going to production in this run (safety/where.ts). */
  readonly announced = new Set<string>();
  #auditWarned = false;
  /** The audit log's module, imported with the run's first write (a bulk run makes thousands). */
  #auditModule: Promise<typeof import('./safety/audit.js')> | undefined;
  #references: Map<string, string> | undefined;
  /**
   * Customer IDs and their references a verb knows beyond the local record (apply's --state
   * file): the audit log names the customer of a write by them first.
   */
  readonly knownReferences = new Map<string, string>();
  /**
   * Secrets this run holds (API keys of the clients it built): the report of a bug hides them
   * even in a runtime's own message.
   */
  readonly secretsInUse = new Set<string>();
  /** What the verb returned, for main to render; set by done(). */
  outcome: Outcome | undefined;
  #out: Output | undefined;
  #sink: Sink | undefined;
  #api: ApiClient | undefined;
  #wire: Wire | undefined;
  #prompter: Prompter | undefined;

  constructor(init: ContextInit) {
    this.env = init.env;
    this.streams = { stdin: init.stdin, stdout: init.stdout, stderr: init.stderr };
    this.nodeVersion = init.nodeVersion;
    this.now = init.now ?? (() => new Date());
    this.waitForSignal = init.waitForSignal;
    this.#wire = init.wire;
    this.#prompter = init.prompter;
  }

  /** Output bound to the global flags (see setGlobals). */
  get out(): Output {
    // Before setGlobals (commander reporting a bad flag) the output has no colour.
    return (this.#out ??= this.#makeOutput(plainColors, plainColors));
  }

  /** Called by each command's action with what its verb returned. */
  done(outcome: Outcome | void): void {
    this.outcome = outcome ?? undefined;
  }

  /** Where long-running verbs send what happens while they run (see output/sink.ts). */
  get sink(): Sink {
    return (this.#sink ??= createSink(this.out, this.globals.ndjson));
  }

  /** Stdin and stdout are terminals, and neither --no-input nor CI says otherwise. */
  get interactive(): boolean {
    const ci = this.env['CI'];
    return (
      Boolean(this.streams.stdin.isTTY && this.streams.stdout.isTTY) &&
      this.globals.input &&
      !(ci && ci !== 'false' && ci !== '0')
    );
  }

  get configDir(): string {
    return (this.#configDir ??= configDirFor(this.env));
  }
  #configDir: string | undefined;

  async config(): Promise<ConfigData> {
    return readConfig(this.configDir);
  }

  /** Settings from flags, environment and the stored profile (see config/resolve.ts). */
  async resolved(): Promise<Resolved> {
    const { resolveSettings } = await import('./config/resolve.js');
    return resolveSettings(this.globals, this.env, await this.config());
  }

  /** What every API request is sent on: node:http(s), proxies from the environment. */
  async transport(): Promise<Wire> {
    if (!this.#wire) {
      const { createWire } = await import('./api/transport.js');
      this.#wire = createWire({ env: this.env });
    }
    return this.#wire;
  }

  /** A prompter, or exit 2 naming `flagHint` when no one can answer. */
  async prompter(flagHint: string): Promise<Prompter> {
    if (this.#prompter) return this.#prompter;
    if (!this.interactive) {
      throw new UsageError(`a prompt is needed but this run is not interactive`, flagHint);
    }
    const { createInquirerPrompter } = await import('./prompt/prompter.js');
    const output = this.streams.stderr.isTTY ? this.streams.stderr : this.streams.stdout;
    this.#prompter = await createInquirerPrompter({ input: this.streams.stdin, output });
    return this.#prompter;
  }

  /** Debug lines on stderr, only with --debug (masked with the rest of the display). */
  debug(line: string): void {
    if (this.globals.debug) this.out.stderr.write(`${this.out.errColor.dim(`[debug] ${line}`)}\n`);
  }

  /** The API client for the resolved profile; exit 4 when there are no credentials. */
  async api(options: { auth?: 'required' | 'optional' } = {}): Promise<ApiClient> {
    if (this.#api) return this.#api;
    const resolved = await this.resolved();
    if (resolved.overriddenEnv.length) {
      this.out.warn(
        `--profile ${resolved.profile?.value} overrides ${resolved.overriddenEnv.join(', ')} from the environment`,
      );
    }
    if (options.auth === 'optional' && (!resolved.partnerId || !resolved.apiKey)) {
      return this.apiFor({ partnerId: '', apiKey: '', baseUrl: resolved.baseUrl.value });
    }
    this.#api = await this.#clientFor(resolved, {});
    return this.#api;
  }

  /**
   * The resolved settings with the key read from the OS keychain when it lives there (the
   * binding is loaded only here, by commands that send a request or reveal the key).
   */
  async withKey(resolved: Resolved): Promise<Resolved> {
    if (!resolved.keyring || !resolved.apiKey || resolved.apiKey.value) return resolved;
    const { readKey } = await import('./config/keyring.js');
    const key = await readKey(resolved.keyring);
    if (!key) {
      const { AuthError } = await import('./errors.js');
      const name = resolved.profile?.value ?? 'NAME';
      throw new AuthError(
        `the API key of profile "${name}" is not in the keychain any more`,
        `Store it again: safeweb profile add ${name} --force --store keyring --partner-id ID --api-key-stdin`,
      );
    }
    this.secretsInUse.add(key);
    return { ...resolved, apiKey: { ...resolved.apiKey, value: key } };
  }

  /** The client for resolved settings, with the write guard (read-only, audit, production lines). */
  async #clientFor(resolved: Resolved, extra: { onRateLimited?: (retryAfterMs: number) => void }): Promise<ApiClient> {
    const { requireCredentials } = await import('./config/resolve.js');
    requireCredentials({ ...resolved, apiKey: resolved.apiKey && { ...resolved.apiKey, value: 'x' } });
    const creds = requireCredentials(await this.withKey(resolved));
    return this.apiFor(creds, { ...extra, guard: await this.#guard(resolved, creds) });
  }

  async #guard(resolved: Resolved, creds: { partnerId: string; apiKey: string; baseUrl: string }): Promise<WriteGuard> {
    const [{ readOnlyFromEnv }, { isProduction }] = await Promise.all([
      import('./safety/read-only.js'),
      import('./safety/where.js'),
    ]);
    // The profile's rules apply to its own account; other credentials (login's check) have none.
    const ours = resolved.partnerId?.value === creds.partnerId;
    const profile = ours ? resolved.profile?.value : undefined;
    const readOnly = readOnlyFromEnv(this.env)
      ? { variable: 'SAFEWEB_READ_ONLY' }
      : ours && resolved.readOnly
        ? { profile }
        : undefined;
    const target = { partnerId: creds.partnerId, profile, production: isProduction(creds.baseUrl) };
    return {
      readOnly,
      beforeWrite: (write) => this.#announce(write, target),
      afterWrite: (record) => this.#audit(record, creds, profile),
    };
  }

  /** A write to production says where it goes on stderr, once per kind of change in a run. */
  async #announce(
    write: WriteRequest,
    target: { partnerId: string; profile: string | undefined; production: boolean },
  ) {
    if (!target.production) return;
    const key = write.operation ?? `${write.method} ${write.path}`;
    if (this.announced.has(key)) return;
    this.announced.add(key);
    const { changeLine } = await import('./safety/where.js');
    this.out.info(changeLine(write, target));
  }

  /** Appends the write to the account's audit log; a failure warns (once) and never fails the command. */
  async #audit(record: WriteRecord, creds: { partnerId: string; apiKey: string; baseUrl: string }, profile?: string) {
    try {
      const { appendAudit, auditEntry } = await (this.#auditModule ??= import('./safety/audit.js'));
      const id = record.customerId;
      const ref =
        record.customerRef ?? (id ? (this.knownReferences.get(id) ?? (await this.#referenceOf(creds, id))) : undefined);
      const run = {
        configDir: this.configDir,
        partnerId: creds.partnerId,
        baseUrl: creds.baseUrl,
        profile,
        origin: this.auditOrigin,
        argv: this.argv,
        secrets: [creds.apiKey, ...this.secretsInUse],
        // When the request was sent: its answer came durationMs later.
        now: new Date(this.now().getTime() - record.durationMs),
      };
      appendAudit(this.configDir, auditEntry(run, record, ref), this);
    } catch (error) {
      if (this.#auditWarned) return;
      this.#auditWarned = true;
      const why = error instanceof Error ? error.message : String(error);
      this.out.warn(`the audit log could not be written (${why}); the command went on`);
    }
  }

  /** The customer reference the local record knows for an ID (read once per run). */
  async #referenceOf(creds: { partnerId: string; baseUrl: string }, id: string): Promise<string | undefined> {
    if (!this.#references) {
      this.#references = new Map();
      try {
        const { accountKey, readLedger } = await import('./customers/ledger.js');
        for (const c of readLedger(this.configDir, accountKey(creds.partnerId, creds.baseUrl)).customers)
          if (c.id) this.#references.set(c.id, c.reference);
      } catch {
        /* no record, or one that cannot be read: the entry has the ID alone */
      }
    }
    return this.#references.get(id);
  }

  /**
   * The partner account the resolved credentials belong to (keys the local ledger and the
   * remembered wizard answers), and the profile name when one is in use. Needs no key.
   */
  async account(): Promise<{ key: string; profile: string | undefined }> {
    const resolved = await this.resolved();
    const [{ requireCredentials }, { accountKey }] = await Promise.all([
      import('./config/resolve.js'),
      import('./customers/ledger.js'),
    ]);
    // The key is checked when a request is sent; a keychain key is not read just for this.
    const creds = requireCredentials({ ...resolved, apiKey: resolved.apiKey && { ...resolved.apiKey, value: 'x' } });
    return { key: accountKey(creds.partnerId, creds.baseUrl), profile: resolved.profile?.value };
  }

  /** A client for explicit credentials (login verifies before saving). */
  async apiFor(
    creds: { partnerId: string; apiKey: string; baseUrl: string },
    extra: { onRateLimited?: ((retryAfterMs: number) => void) | undefined; guard?: WriteGuard | undefined } = {},
  ): Promise<ApiClient> {
    const [{ createApiClient }, { checkBaseUrl }, { userAgent }, wire] = await Promise.all([
      import('./api/client.js'),
      import('./api/base-url.js'),
      import('./version.js'),
      this.transport(),
    ]);
    return createApiClient({
      baseUrl: checkBaseUrl(creds.baseUrl),
      partnerId: creds.partnerId,
      apiKey: creds.apiKey,
      userAgent: userAgent(this.nodeVersion),
      timeoutMs: this.globals.timeout,
      retries: this.globals.retries,
      wire,
      trace: this.globals.debug ? (line) => this.debug(line) : undefined,
      onRateLimited: extra.onRateLimited,
      // Explicit credentials (login's check) still get the guard: writes are never unaudited.
      guard: extra.guard ?? (creds.partnerId ? await this.#guard(await this.#settledOrNone(), creds) : undefined),
    });
  }

  /** The resolved settings when they resolve (a profile being created does not yet). */
  async #settledOrNone(): Promise<Resolved> {
    try {
      return await this.resolved();
    } catch {
      const { resolveSettings } = await import('./config/resolve.js');
      return resolveSettings({}, {}, { profiles: {} });
    }
  }

  /** A client for bulk runs: the same engine, and a hook that hears every 429 as it arrives. */
  async bulkApi(extra: { onRateLimited?: (retryAfterMs: number) => void }): Promise<ApiClient> {
    return this.#clientFor(await this.resolved(), extra);
  }
}
