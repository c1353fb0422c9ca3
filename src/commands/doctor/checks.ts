/** The doctor's checks, one function per area; each adds its lines and returns what the next needs. */
import { existsSync, statSync } from 'node:fs';
import { checkBaseUrl } from '../../api/base-url.js';
import type { ApiClient } from '../../api/client.js';
import { getPartnerAnalytics } from '../../api/partner.js';
import { pathFor } from '../../api/paths.js';
import { maskSecret, redactText } from '../../api/redact.js';
import { proxyFor } from '../../api/transport.js';
import type { Resolved } from '../../config/resolve.js';
import { configPath } from '../../config/store.js';
import type { Context } from '../../context.js';
import { gapNotes, recordGaps } from '../../customers/reads.js';
import { recordPath, readRecord } from '../../customers/local-record.js';
import { CliError } from '../../errors.js';
import type { Note } from '../../outcome.js';
import { ExitCode, type ExitCodeValue } from '../../exit-codes.js';
import { plainFileWarning } from '../../config/key-store.js';

export interface CheckLine {
  check: string;
  ok: boolean;
  detail: string;
  /** The exit code this failure stands for. */
  code?: ExitCodeValue;
  /** Passed, with a warning (a key in a plain file). */
  warning?: boolean;
}

type Add = (line: CheckLine) => void;

const MAX_SKEW_MS = 60_000;

function modeProblem(path: string, want: number): string | undefined {
  const mode = statSync(path).mode & 0o777;
  return mode & ~want
    ? `mode ${mode.toString(8)}, should be ${want.toString(8)} (chmod ${want.toString(8)} ${path})`
    : undefined;
}

const describeError = (error: unknown) =>
  error instanceof CliError ? `${error.message}${error.hint ? ` — ${error.hint}` : ''}` : String(error);

/** 1. The config file and its permissions; the resolved settings when they can be read. */
export async function checkConfig(ctx: Context, add: Add): Promise<Resolved | undefined> {
  const file = configPath(ctx.configDir);
  try {
    const resolved = await ctx.resolved();
    if (!existsSync(file)) {
      add({
        check: 'config',
        ok: true,
        detail: `no config file yet (${file}); settings come from flags and environment`,
      });
      return resolved;
    }
    const problem = modeProblem(ctx.configDir, 0o700) ?? modeProblem(file, 0o600);
    add(
      problem
        ? { check: 'config', ok: false, detail: `${file}: ${problem}`, code: ExitCode.Usage }
        : { check: 'config', ok: true, detail: `${file} (dir 0700, file 0600)` },
    );
    return resolved;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    add({ check: 'config', ok: false, detail, code: ExitCode.Usage });
    return undefined;
  }
}

/** Where a setting came from, in words: "from SAFEWEB_API_KEY", "from the profile", "the active profile". */
function fromWhere(s: { source: string; origin: string }): string {
  if (s.source === 'flag' || s.source === 'env') return `from ${s.origin}`;
  if (s.source === 'profile') return s.origin === 'active profile' ? 'the active profile' : 'from the profile';
  return `the default (${s.origin})`;
}

/** 2. The profile, and where the credentials come from. */
export function checkCredentials(resolved: Resolved, add: Add): void {
  const { profile, partnerId, apiKey } = resolved;
  const who = profile ? `profile "${profile.value}" (${fromWhere(profile)})` : 'no profile';
  if (partnerId && apiKey) {
    const id = `partner ID ${partnerId.value}`;
    const key = resolved.keyring ? 'API key' : `API key ${maskSecret(apiKey.value)}`;
    // One source named once: "partner ID P and API key k… from the profile".
    const detail =
      fromWhere(partnerId) === fromWhere(apiKey)
        ? `${id} and ${key} ${fromWhere(apiKey)}`
        : `${id} ${fromWhere(partnerId)}; ${key} ${fromWhere(apiKey)}`;
    add({ check: 'credentials', ok: true, detail: `${who}; ${detail}` });
  } else {
    const state = (label: string, s: { source: string; origin: string } | undefined) =>
      s ? `${label} ${fromWhere(s)}` : `no ${label}`;
    add({
      check: 'credentials',
      ok: false,
      detail:
        `${who}; ${state('partner ID', partnerId)}; ${state('API key', apiKey)} — ` +
        'run `safeweb login` or set SAFEWEB_PARTNER_ID and SAFEWEB_API_KEY',
      code: ExitCode.Auth,
    });
  }
  if (resolved.overriddenEnv.length)
    add({ check: 'environment', ok: true, detail: `--profile overrides ${resolved.overriddenEnv.join(', ')}` });
}

/** 3. The base URL and the proxy; false when the URL is unusable. */
export async function checkBaseUrlAndProxy(ctx: Context, resolved: Resolved, add: Add): Promise<boolean> {
  let url: URL;
  try {
    url = checkBaseUrl(resolved.baseUrl.value);
  } catch (error) {
    add({ check: 'base URL', ok: false, detail: describeError(error), code: ExitCode.Usage });
    return false;
  }
  add({ check: 'base URL', ok: true, detail: `${url.origin} (${fromWhere(resolved.baseUrl)})` });
  const vars = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'].filter(
    (v) => ctx.env[v],
  );
  if (vars.length === 0) {
    add({ check: 'proxy', ok: true, detail: 'none configured' });
    return true;
  }
  const proxy = proxyFor(url);
  add({
    check: 'proxy',
    ok: true,
    detail: proxy
      ? `requests to ${url.host} go through ${redactText(proxy)} (${vars.join(', ')})`
      : `set (${vars.join(', ')}), but ${url.host} is not proxied`,
  });
  return true;
}

/** 4. Reachability, latency and clock; 5. the credentials accepted (when there are some). */
export async function checkApi(ctx: Context, resolved: Resolved, add: Add): Promise<void> {
  const creds =
    resolved.partnerId && resolved.apiKey
      ? { partnerId: resolved.partnerId.value, apiKey: resolved.apiKey.value }
      : { partnerId: '', apiKey: '' };
  const api: ApiClient = await ctx.apiFor({ ...creds, baseUrl: resolved.baseUrl.value });
  const started = performance.now();
  try {
    const res = await api.request({ method: 'GET', path: pathFor('health') });
    const ms = Math.round(performance.now() - started);
    add({ check: 'reachable', ok: true, detail: `${api.baseUrl.origin} answered ${res.status} in ${ms} ms` });
    checkClock(ctx, res.headers.get('date'), ms, add);
  } catch (error) {
    const code = error instanceof CliError ? error.exitCode : ExitCode.Unavailable;
    add({ check: 'reachable', ok: false, detail: describeError(error), code });
    return;
  }
  if (!creds.apiKey) return;
  try {
    await getPartnerAnalytics(api);
    add({ check: 'authenticated', ok: true, detail: 'the API accepted the partner ID and API key' });
  } catch (error) {
    add({
      check: 'authenticated',
      ok: false,
      detail: error instanceof CliError ? error.message : String(error),
      code: error instanceof CliError ? error.exitCode : ExitCode.Unavailable,
    });
  }
}

function checkClock(ctx: Context, date: string | null, roundTripMs: number, add: Add): void {
  if (!date) {
    add({ check: 'clock', ok: true, detail: 'the server sent no Date header to compare with' });
    return;
  }
  // The Date header has one-second resolution: allow for it and the round trip.
  const skew = ctx.now().getTime() - Date.parse(date);
  const seconds = Math.abs(Math.round(skew / 1000));
  if (Math.abs(skew) <= MAX_SKEW_MS + roundTripMs + 1000) {
    add({ check: 'clock', ok: true, detail: `within ${Math.max(1, seconds)} s of the server` });
    return;
  }
  add({
    check: 'clock',
    ok: false,
    detail:
      `${seconds} s ${skew > 0 ? 'ahead of' : 'behind'} the server — ` +
      'fix the system clock (billing dates and signatures depend on it)',
    code: ExitCode.Usage,
  });
}

/**
 * 2b. Where the key lives: read from the keychain (the settings then carry it for the checks
 * after), or a warning for a plain file, saying whether a keychain here could take it.
 */
export async function checkKeyStore(ctx: Context, resolved: Resolved, add: Add): Promise<Resolved> {
  if (!resolved.apiKey) return resolved;
  const { keychainName } = await import('../../config/keyring.js');
  if (resolved.keyring) {
    try {
      const loaded = await ctx.withKey(resolved);
      add({ check: 'key store', ok: true, detail: `the API key is in ${keychainName()} (read just now)` });
      return loaded;
    } catch (error) {
      const code = error instanceof CliError ? error.exitCode : ExitCode.Unavailable;
      add({ check: 'key store', ok: false, detail: describeError(error), code });
      return { ...resolved, apiKey: undefined };
    }
  }
  if (resolved.apiKey.source !== 'profile') {
    add({ check: 'key store', ok: true, detail: `the API key comes from ${resolved.apiKey.origin}; it is not stored` });
    return resolved;
  }
  add({
    check: 'key store',
    ok: true,
    warning: true,
    detail: await plainFileWarning(ctx.env, resolved.profile?.value),
  });
  return resolved;
}

/**
 * 6. The local record of the account: customers it holds without an ID, and creates still pending
 * — passed with a warning, each named with what closes it (the same notes `customer list` says).
 */
export async function checkRecord(ctx: Context, add: Add): Promise<Note[]> {
  let account: string;
  try {
    account = (await ctx.account()).key;
  } catch {
    return [];
  }
  const gaps = recordGaps(ctx.configDir, account);
  const { customers } = readRecord(ctx.configDir, account);
  const open = gaps.idless.length + gaps.pending.length;
  add({
    check: 'local record',
    ok: true,
    warning: open > 0,
    detail:
      `${customers.length} customer${customers.length === 1 ? '' : 's'} (${recordPath(ctx.configDir, account)})` +
      (open ? `; ${gaps.idless.length} without an ID, ${gaps.pending.length} create(s) pending (see below)` : ''),
  });
  return gapNotes(gaps);
}
