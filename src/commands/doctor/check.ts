import type { Outcome } from '../../outcome.js';
import { existsSync, statSync } from 'node:fs';
import { checkBaseUrl } from '../../api/base-url.js';
import type { ApiClient } from '../../api/client.js';
import { getPartnerAnalytics } from '../../api/partner.js';
import { pathFor } from '../../api/paths.js';
import { maskSecret } from '../../api/redact.js';
import type { Resolved } from '../../config/resolve.js';
import { configPath } from '../../config/store.js';
import type { Context } from '../../context.js';
import { CliError } from '../../errors.js';
import { ExitCode, type ExitCodeValue } from '../../exit-codes.js';

export type DoctorOptions = Record<string, never>;

export interface CheckLine {
  check: string;
  ok: boolean;
  detail: string;
  /** The exit code this failure stands for. */
  code?: ExitCodeValue;
}

const MAX_SKEW_MS = 60_000;

function modeProblem(path: string, want: number): string | undefined {
  const mode = statSync(path).mode & 0o777;
  return mode & ~want
    ? `mode ${mode.toString(8)}, should be ${want.toString(8)} (chmod ${want.toString(8)} ${path})`
    : undefined;
}

export async function runDoctor(_opts: DoctorOptions, ctx: Context): Promise<Outcome | void> {
  const lines: CheckLine[] = [];
  const add = (line: CheckLine) => lines.push(line);

  // 1. Config file and permissions.
  const file = configPath(ctx.configDir);
  let resolved: Resolved | undefined;
  try {
    resolved = await ctx.resolved();
    if (!existsSync(file))
      add({
        check: 'config',
        ok: true,
        detail: `no config file yet (${file}); settings come from flags and environment`,
      });
    else {
      const problem = modeProblem(ctx.configDir, 0o700) ?? modeProblem(file, 0o600);
      add(
        problem
          ? { check: 'config', ok: false, detail: `${file}: ${problem}`, code: ExitCode.Usage }
          : { check: 'config', ok: true, detail: `${file} (dir 0700, file 0600)` },
      );
    }
  } catch (error) {
    add({
      check: 'config',
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
      code: ExitCode.Usage,
    });
  }

  // 2. Profile and where the credentials come from.
  if (resolved) {
    const from = (s: { source: string; origin: string } | undefined) => (s ? `${s.source}: ${s.origin}` : 'not set');
    const who = resolved.profile ? `profile "${resolved.profile.value}" (${from(resolved.profile)})` : 'no profile';
    if (resolved.partnerId && resolved.apiKey) {
      add({
        check: 'credentials',
        ok: true,
        detail: `${who}; partner ID ${resolved.partnerId.value} (${from(resolved.partnerId)}); API key ${maskSecret(resolved.apiKey.value)} (${from(resolved.apiKey)})`,
      });
    } else {
      add({
        check: 'credentials',
        ok: false,
        detail: `${who}; partner ID ${from(resolved.partnerId)}; API key ${from(resolved.apiKey)} — run \`safeweb login\` or set SAFEWEB_PARTNER_ID and SAFEWEB_API_KEY`,
        code: ExitCode.Auth,
      });
    }
    if (resolved.overriddenEnv.length)
      add({ check: 'environment', ok: true, detail: `--profile overrides ${resolved.overriddenEnv.join(', ')}` });
  }

  // 3. Base URL and proxy.
  let baseOk = false;
  if (resolved) {
    try {
      const url = checkBaseUrl(resolved.baseUrl.value);
      baseOk = true;
      add({
        check: 'base URL',
        ok: true,
        detail: `${url.origin} (${resolved.baseUrl.source}: ${resolved.baseUrl.origin})`,
      });
      const vars = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'].filter(
        (v) => ctx.env[v],
      );
      if (vars.length === 0) add({ check: 'proxy', ok: true, detail: 'none configured' });
      else {
        const { getProxyForUrl } = await import('proxy-from-env');
        const proxy = getProxyForUrl(url.href);
        const { redactText } = await import('../../api/redact.js');
        add({
          check: 'proxy',
          ok: true,
          detail: proxy
            ? `requests to ${url.host} go through ${redactText(proxy)} (${vars.join(', ')})`
            : `set (${vars.join(', ')}), but ${url.host} is not proxied`,
        });
      }
    } catch (error) {
      add({
        check: 'base URL',
        ok: false,
        detail: error instanceof CliError ? `${error.message}${error.hint ? ` — ${error.hint}` : ''}` : String(error),
        code: ExitCode.Usage,
      });
    }
  }

  // 4. Reachability, latency and clock; 5. credentials accepted.
  if (resolved && baseOk) {
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
      const date = res.headers.get('date');
      if (!date) add({ check: 'clock', ok: true, detail: 'the server sent no Date header to compare with' });
      else {
        // The Date header has one-second resolution: allow for it and the round trip.
        const skew = ctx.now().getTime() - Date.parse(date);
        const seconds = Math.round(skew / 1000);
        const ok = Math.abs(skew) <= MAX_SKEW_MS + ms + 1000;
        add({
          check: 'clock',
          ok,
          detail: ok
            ? `within ${Math.max(1, Math.abs(seconds))} s of the server`
            : `${Math.abs(seconds)} s ${skew > 0 ? 'ahead of' : 'behind'} the server — fix the system clock (billing dates and signatures depend on it)`,
          ...(ok ? {} : { code: ExitCode.Usage }),
        });
      }
    } catch (error) {
      add({
        check: 'reachable',
        ok: false,
        detail: error instanceof CliError ? `${error.message}${error.hint ? ` — ${error.hint}` : ''}` : String(error),
        code: error instanceof CliError ? error.exitCode : ExitCode.Unavailable,
      });
    }
    if (creds.apiKey && lines.find((l) => l.check === 'reachable')?.ok) {
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
  }

  if (ctx.globals.json) ctx.out.printJson(lines.map(({ code: _code, ...rest }) => rest));
  else {
    const c = ctx.out.color;
    for (const l of lines)
      ctx.out.line(`${l.ok ? c.green('✓') : c.red('✗')} ${c.bold(l.check.padEnd(13))} ${l.detail}`);
  }
  const failed = lines.filter((l) => !l.ok);
  if (failed.length) {
    if (!ctx.globals.json) ctx.out.info(`${failed.length} check${failed.length === 1 ? '' : 's'} failed.`);
  }
  return { data: undefined, failures: failed.map((l) => l.code as ExitCodeValue) };
}
