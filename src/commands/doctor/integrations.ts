/**
 * The doctor's checks of what sits between the book and the far sides beyond SafeWeb: the outbox
 * (what the sinks still owe) and each integration's reachability (a PSA, a channel).
 */
import { existsSync } from 'node:fs';
import type { Context } from '../../context.js';
import { CliError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { readOutboxStatus } from '../../findings/outbox-status.js';
import { Outbox, type SinkSummary } from '../../findings/outbox.js';
import type { Integrations } from '../../config/integrations.js';
import { integrationSettings, psaConnection } from '../../services.js';
import type { CheckLine } from './checks.js';

type Add = (line: CheckLine) => void;

/**
 * 7. The outbox of the account: per sink what is pending, retrying and dead-lettered, and the
 * last error. A dead-lettered item passes with a warning: the setup works, but something was
 * given up on and waits for a person (`outbox retry` or `outbox drop`). A journal that cannot be
 * read fails (exit 2): nothing could act on it.
 */
export function checkOutbox(ctx: Context, account: string, add: Add): void {
  let outbox: Outbox;
  try {
    outbox = new Outbox({ configDir: ctx.configDir, account, now: ctx.now });
    if (!existsSync(outbox.file)) {
      add({ check: 'outbox', ok: true, detail: `no outbox yet (${outbox.file})` });
      return;
    }
    const { items: held, sinks } = readOutboxStatus(outbox, ctx.now());
    add({
      check: 'outbox',
      ok: true,
      detail:
        `${held} event${held === 1 ? '' : 's'} (${outbox.file})` +
        (sinks.length ? '' : '; no sinks are configured, so nothing acts on them'),
    });
    for (const sink of sinks) add(sinkLine(sink));
  } catch (error) {
    const detail = error instanceof CliError ? error.message : String(error);
    add({ check: 'outbox', ok: false, detail, code: error instanceof CliError ? error.exitCode : ExitCode.Usage });
  }
}

function sinkLine(s: SinkSummary): CheckLine {
  const counts = `${s.pending} pending, ${s.held} held, ${s.retrying} retrying, ${s.dead} dead-lettered, ${s.acked} acknowledged`;
  const last = s.lastError ? `; last error ${s.lastError.at} (${s.lastError.key}): ${s.lastError.error}` : '';
  const repair =
    s.dead > 0
      ? ` — \`safeweb outbox retry --sink ${s.sink}\` tries them again, \`safeweb outbox drop ID…\` gives up`
      : '';
  return { check: `outbox ${s.sink}`, ok: true, warning: s.dead > 0, detail: `${counts}${last}${repair}` };
}

/**
 * 8. Every integration's reachability: each PSA connection with the harmless read that proves its
 * credentials (`/system/info`); each channel with a connection to its host and nothing sent (a
 * channel's only real test is a message: `safeweb notify test NAME`). Failures carry exit 3, 4 or
 * 5, naming the far side, as SafeWeb's do.
 */
export async function checkIntegrations(ctx: Context, add: Add): Promise<void> {
  let settings: Integrations;
  try {
    settings = (await integrationSettings({}, ctx)).settings;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    add({ check: 'integrations', ok: false, detail: error.message, code: error.exitCode });
    return;
  }
  const psa = Object.keys(settings.psa?.connections ?? {});
  const channels = Object.entries(settings.notify?.channels ?? {});
  if (psa.length === 0 && channels.length === 0) {
    add({
      check: 'integrations',
      ok: true,
      detail: 'no integrations configured (safeweb psa add, safeweb notify add)',
    });
    return;
  }
  for (const name of psa) {
    try {
      const { client } = await psaConnection(ctx, name);
      const info = await client.systemInfo();
      add({ check: `psa ${name}`, ok: true, detail: `${client.farSide} answers (version ${info.version})` });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      add({ check: `psa ${name}`, ok: false, detail: error.message, code: error.exitCode });
    }
  }
  for (const [name, channel] of channels) add(await channelLine(ctx, name, channel));
}

/** Where a channel sends, as host and port, when the settings say it without its secret (email, webhook). */
function channelTarget(channel: Record<string, unknown>): { host: string; port: number } | undefined {
  if (channel['kind'] === 'email' && typeof channel['host'] === 'string')
    return { host: channel['host'], port: typeof channel['port'] === 'number' ? channel['port'] : 587 };
  const url = typeof channel['url'] === 'string' ? channel['url'] : undefined;
  if (!url || !URL.canParse(url)) return undefined;
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
}

async function channelLine(ctx: Context, name: string, channel: object): Promise<CheckLine> {
  const target = channelTarget(channel as Record<string, unknown>);
  const kind = String((channel as { kind?: unknown }).kind);
  if (!target)
    return {
      check: `channel ${name}`,
      ok: true,
      detail: `${kind}: its address is in the secret store; \`safeweb notify test ${name}\` sends a labelled sample`,
    };
  const { connect } = await import('node:net');
  const timeout = ctx.globals.timeout;
  const reached = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    const done = (why?: string) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(timeout, () => done(`no answer within ${timeout} ms`));
    socket.once('connect', () => done());
    socket.once('error', (e) => done(e.message));
  });
  return reached === undefined
    ? {
        check: `channel ${name}`,
        ok: true,
        detail: `${kind}: ${target.host}:${target.port} accepts connections (nothing sent)`,
      }
    : {
        check: `channel ${name}`,
        ok: false,
        detail: `${kind}: cannot reach ${target.host}:${target.port}: ${reached}`,
        code: ExitCode.Unavailable,
      };
}
