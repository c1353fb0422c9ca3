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

/** One integration's reachability check: adds its lines (failures carry exit 3, 4 or 5 like SafeWeb's). */
type IntegrationCheck = (ctx: Context, add: Add) => Promise<void>;

/**
 * The configured integrations' checks. None exist yet: the PSA and notification sinks, when they
 * come, add one per connection and channel from the integration settings, each reaching its far
 * side as `checkApi` reaches SafeWeb. Until then the doctor says so rather than pretend to check.
 */
function integrationChecks(): IntegrationCheck[] {
  return [];
}

/** 8. Every integration's reachability, or that none is configured. */
export async function checkIntegrations(ctx: Context, add: Add): Promise<void> {
  const checks = integrationChecks();
  if (checks.length === 0) {
    add({
      check: 'integrations',
      ok: true,
      detail: 'no integrations configured (PSA tickets and notification channels are to come)',
    });
    return;
  }
  for (const check of checks) await check(ctx, add);
}
