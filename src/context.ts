/**
 * Everything a verb needs, injected: streams and TTY facts, environment, clock, config,
 * prompter, output, the run's guard and its API clients, each made on first use. Wiring only:
 * the policy is safety/guard.ts, the clients clients.ts. Verbs never touch `process` themselves.
 */
import type { ApiClient } from './api/client.js';
import { redactText } from './api/redact.js';
import type { Wire } from './api/transport.js';
import { Clients, type ClientExtras } from './clients.js';
import { UsageError } from './errors.js';
import { colorLevel, loadColors, plainColors, type Colors } from './output/color.js';
import { Output, type WritableLike } from './output/output.js';
import { createSink, type Sink } from './output/sink.js';
import { maskingStream } from './safety/mask.js';
import type { Outcome } from './outcome.js';
import { createInquirerPrompter, type Prompter } from './prompt/prompter.js';
import { configDirFor, readConfig, type ConfigData } from './config/store.js';
import { resolveSettings, requireCredentials, type Resolved } from './config/resolve.js';
import { requireSecret, type SecretScope } from './config/secrets.js';
import { Guard, type Credentials } from './safety/guard.js';
import { DEFAULT_GLOBALS, type GlobalOptions } from './globals.js';
import { accountKey } from './io/account-files.js';
import { readRecord } from './customers/local-record.js';

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
  /**
   * Resolves with the first of SIGINT / SIGTERM (or of `signals`, as serve waits for SIGHUP);
   * injected so nothing below main listens to process.
   */
  waitForSignal: (signals?: readonly NodeJS.Signals[]) => Promise<NodeJS.Signals>;
}

export class Context {
  readonly env: Record<string, string | undefined>;
  readonly streams: Streams;
  readonly nodeVersion: string;
  readonly now: () => Date;
  readonly waitForSignal: (signals?: readonly NodeJS.Signals[]) => Promise<NodeJS.Signals>;
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
  /** What the verb returned, for main to render; set by done(). */
  outcome: Outcome | undefined;
  #out: Output | undefined;
  #sink: Sink | undefined;
  #guard: Guard | undefined;
  #clients: Clients | undefined;
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
    return resolveSettings(this.globals, this.env, await this.config());
  }

  /** A prompter, or exit 2 naming `flagHint` when no one can answer. */
  async prompter(flagHint: string): Promise<Prompter> {
    if (this.#prompter) return this.#prompter;
    if (!this.interactive) {
      throw new UsageError(`a prompt is needed but this run is not interactive`, flagHint);
    }
    const output = this.streams.stderr.isTTY ? this.streams.stderr : this.streams.stdout;
    this.#prompter = await createInquirerPrompter({ input: this.streams.stdin, output });
    return this.#prompter;
  }

  /**
   * Debug lines on stderr, only with --debug (masked with the rest of the display). Every secret
   * the run holds (a keychain key, an integration secret it loaded) is hidden from every line,
   * whoever wrote it.
   */
  debug(line: string): void {
    if (!this.globals.debug) return;
    const known = this.#clients?.secretsInUse;
    const text = known?.size ? redactText(line, [...known]) : line;
    this.out.stderr.write(`${this.out.errColor.dim(`[debug] ${text}`)}\n`);
  }

  /** Whose integration secrets a command reads and writes: the profile in use (config/secrets.ts). */
  async secretScope(): Promise<SecretScope> {
    const resolved = await this.resolved();
    return { configDir: this.configDir, profile: resolved.profile?.value, env: this.env };
  }

  /**
   * Adds a value to the run's secrets: from then on the audit log's command lines, --debug lines
   * and error messages hide it (they all read the clients' list when they write).
   */
  holdSecret(value: string): void {
    this.clients.secretsInUse.add(value);
  }

  /**
   * An integration secret's value (config/secrets.ts: SAFEWEB_SECRET_<NAME>_FILE, then
   * $CREDENTIALS_DIRECTORY, then the profile's keychain entry or secrets.json), or exit 2 naming
   * the ways to give it. The value is held (holdSecret) before it is returned.
   */
  async secret(name: string): Promise<string> {
    const found = await requireSecret(await this.secretScope(), name);
    this.holdSecret(found.value);
    return found.value;
  }

  /**
   * The run's policy around every change (safety/guard.ts): read-only refusal, where a
   * production write goes, the audit log. The MCP server sets its `auditOrigin` per tool call.
   */
  get guard(): Guard {
    return (this.#guard ??= new Guard({
      env: this.env,
      configDir: this.configDir,
      now: this.now,
      argv: () => this.argv,
      info: (line) => this.out.info(line),
      warn: (line) => this.out.warn(line),
      // The audit log names a customer by its reference: the local record knows it.
      recordedCustomers: async (partnerId, baseUrl) => {
        return readRecord(this.configDir, accountKey(partnerId, baseUrl)).customers;
      },
    }));
  }

  /** The API clients this run builds (clients.ts), all with the guard. */
  get clients(): Clients {
    return (this.#clients ??= new Clients({
      env: this.env,
      nodeVersion: this.nodeVersion,
      options: () => this.globals,
      resolved: () => this.resolved(),
      guard: this.guard,
      wire: this.#wire,
      debug: (line) => this.debug(line),
      warn: (line) => this.out.warn(line),
    }));
  }

  // The clients' surface, as verbs have always called it.
  /** The API client for the resolved profile; exit 4 when there are no credentials. */
  readonly api = (options?: { auth?: 'required' | 'optional' }): Promise<ApiClient> => this.clients.api(options);
  /** The resolved settings with the key read from the OS keychain when it lives there. */
  readonly withKey = (resolved: Resolved): Promise<Resolved> => this.clients.withKey(resolved);
  /** A client for explicit credentials (login verifies before saving). */
  readonly apiFor = (creds: Credentials, extra?: ClientExtras): Promise<ApiClient> => this.clients.apiFor(creds, extra);
  /** A client for bulk runs: the same engine, and a hook that hears every 429 as it arrives. */
  readonly bulkApi = (extra: Pick<ClientExtras, 'onRateLimited'>): Promise<ApiClient> => this.clients.bulkApi(extra);

  /**
   * The partner account the resolved credentials belong to (keys the local record and the
   * remembered wizard answers), and the profile name when one is in use. Needs no key.
   */
  async account(): Promise<{ key: string; partnerId: string; profile: string | undefined }> {
    const resolved = await this.resolved();
    // The key is checked when a request is sent; a keychain key is not read just for this.
    const creds = requireCredentials({ ...resolved, apiKey: resolved.apiKey && { ...resolved.apiKey, value: 'x' } });
    return {
      key: accountKey(creds.partnerId, creds.baseUrl),
      partnerId: creds.partnerId,
      profile: resolved.profile?.value,
    };
  }
}
