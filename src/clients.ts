/**
 * The API clients a run builds: from the resolved settings (the profile's, with its key read
 * from the OS keychain only here), from explicit credentials (login checks a key before saving
 * it), and for bulk runs (a hook hears every 429). Every client gets the run's guard
 * (safety/guard.ts), so no write is ever sent unguarded or unaudited. Context hands these out.
 */
import { createApiClient, type ApiClient, type WriteGuard } from './api/client.js';
import { checkBaseUrl } from './api/base-url.js';
import { userAgent } from './version.js';
import { createWire, type Wire } from './api/transport.js';
import { requireCredentials, resolveSettings, type Resolved } from './config/resolve.js';
import { PSA_MAX_RESPONSE_BYTES, type PsaHttpSettings } from './psa/http.js';
import type { Credentials, Guard } from './safety/guard.js';
import { AuthError, UsageError } from './errors.js';
import { byteSize } from './api/size.js';

export interface ClientsInit {
  env: Record<string, string | undefined>;
  nodeVersion: string;
  /** The global flags the clients honour, read when a client is built (they are parsed after Context is made). */
  options: () => { timeout: number; retries: number; debug: boolean; maxResponseSize?: number | undefined };
  /** Settings from flags, environment and the stored profile. */
  resolved: () => Promise<Resolved>;
  guard: Guard;
  /** Replaces the wire under the HTTP engine (tests that must force a rare failure). */
  wire?: Wire | undefined;
  /** A --debug line (only called with --debug). */
  debug: (line: string) => void;
  warn: (line: string) => void;
}

/** Hooks a client may carry besides the guard. */
export interface ClientExtras {
  onRateLimited?: ((retryAfterMs: number) => void) | undefined;
  guard?: WriteGuard | undefined;
}

export class Clients {
  /**
   * Secrets this run holds (API keys read from the keychain): the audit log and the report of a
   * bug hide them even in a runtime's own message.
   */
  readonly secretsInUse = new Set<string>();
  readonly #init: ClientsInit;
  #api: ApiClient | undefined;
  #wire: Wire | undefined;
  #psaWire: Wire | undefined;

  constructor(init: ClientsInit) {
    this.#init = init;
    this.#wire = init.wire;
  }

  /** The API client for the resolved profile; exit 4 when there are no credentials. */
  async api(options: { auth?: 'required' | 'optional' } = {}): Promise<ApiClient> {
    if (this.#api) return this.#api;
    const resolved = await this.#init.resolved();
    if (resolved.overriddenEnv.length) {
      this.#init.warn(
        `--profile ${resolved.profile?.value} overrides ${resolved.overriddenEnv.join(', ')} from the environment`,
      );
    }
    if (options.auth === 'optional' && (!resolved.partnerId || !resolved.apiKey)) {
      return this.apiFor({ partnerId: '', apiKey: '', baseUrl: resolved.baseUrl.value });
    }
    this.#api = await this.#clientFor(resolved, {});
    return this.#api;
  }

  /** A client for bulk runs: the same engine, and a hook that hears every 429 as it arrives. */
  async bulkApi(extra: Pick<ClientExtras, 'onRateLimited'>): Promise<ApiClient> {
    return this.#clientFor(await this.#init.resolved(), extra);
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
      const name = resolved.profile?.value ?? 'NAME';
      throw new AuthError(
        `the API key of profile "${name}" is not in the keychain any more`,
        `Store it again: safeweb profile add ${name} --force --store keyring --partner-id ID --api-key-stdin`,
      );
    }
    this.secretsInUse.add(key);
    return { ...resolved, apiKey: { ...resolved.apiKey, value: key } };
  }

  /** A client for explicit credentials (login verifies before saving); guarded like every other. */
  async apiFor(creds: Credentials, extra: ClientExtras = {}): Promise<ApiClient> {
    const wire = await this.#transport();
    const options = this.#init.options();
    return createApiClient({
      baseUrl: checkBaseUrl(creds.baseUrl),
      partnerId: creds.partnerId,
      apiKey: creds.apiKey,
      userAgent: userAgent(this.#init.nodeVersion),
      timeoutMs: options.timeout,
      retries: options.retries,
      wire,
      trace: options.debug ? this.#init.debug : undefined,
      onRateLimited: extra.onRateLimited,
      // Explicit credentials (login's check) still get the guard: writes are never unaudited.
      guard: extra.guard ?? (creds.partnerId ? this.#guardFor(await this.#settledOrNone(), creds) : undefined),
    });
  }

  /**
   * How this run talks to a PSA (psa/http.ts): the same engine settings as the API client
   * (--timeout, --retries, --debug), a wire whose answers are capped at the PSA's own size
   * (unless --max-response-size says otherwise), and the read-only guard of the profile in use,
   * so every PSA write of a read-only run is refused before it is sent, and every one sent is in
   * the account's audit log.
   */
  async psaHttp(extra: Pick<ClientExtras, 'onRateLimited'> = {}): Promise<PsaHttpSettings> {
    const resolved = await this.#init.resolved();
    const options = this.#init.options();
    return {
      wire: await this.#psaTransport(),
      trace: options.debug ? this.#init.debug : undefined,
      timeoutMs: options.timeout,
      retries: options.retries,
      userAgent: userAgent(this.#init.nodeVersion),
      guard: this.#init.guard.forPsa(
        resolved,
        resolved.partnerId ? { partnerId: resolved.partnerId.value, baseUrl: resolved.baseUrl.value } : undefined,
        this.secretsInUse,
      ),
      onRateLimited: extra.onRateLimited,
    };
  }

  /** The PSA's wire: a test's wire when one is given, else node:http(s) with the PSA's answer cap. */
  async #psaTransport(): Promise<Wire> {
    if (this.#wire) return this.#wire;
    if (!this.#psaWire) {
      const limit = (await this.#maxResponseBytes()) ?? PSA_MAX_RESPONSE_BYTES;
      this.#psaWire = createWire({ env: this.#init.env, maxResponseBytes: limit });
    }
    return this.#psaWire;
  }

  /** The client for resolved settings: credentials required (exit 4), the key read where it lives. */
  async #clientFor(resolved: Resolved, extra: ClientExtras): Promise<ApiClient> {
    // Missing credentials are said before the keychain is asked for a key.
    requireCredentials({ ...resolved, apiKey: resolved.apiKey && { ...resolved.apiKey, value: 'x' } });
    const creds = requireCredentials(await this.withKey(resolved));
    return this.apiFor(creds, { ...extra, guard: this.#guardFor(resolved, creds) });
  }

  #guardFor(resolved: Resolved, creds: Credentials): WriteGuard {
    return this.#init.guard.forClient(resolved, creds, this.secretsInUse);
  }

  /** What every API request is sent on: node:http(s), proxies from the environment. */
  async #transport(): Promise<Wire> {
    if (!this.#wire) {
      this.#wire = createWire({ env: this.#init.env, maxResponseBytes: await this.#maxResponseBytes() });
    }
    return this.#wire;
  }

  /** --max-response-size, else SAFEWEB_MAX_RESPONSE_SIZE (checked like the flag: exit 2), else the wire's default. */
  async #maxResponseBytes(): Promise<number | undefined> {
    const flag = this.#init.options().maxResponseSize;
    const variable = this.#init.env['SAFEWEB_MAX_RESPONSE_SIZE'];
    if (flag !== undefined || !variable) return flag;
    const bytes = byteSize(variable);
    if (typeof bytes === 'string') throw new UsageError(`SAFEWEB_MAX_RESPONSE_SIZE=${variable}: ${bytes}`);
    return bytes;
  }

  /** The resolved settings when they resolve (a profile being created does not yet). */
  async #settledOrNone(): Promise<Resolved> {
    try {
      return await this.#init.resolved();
    } catch {
      return resolveSettings({}, {}, { profiles: {} });
    }
  }
}
