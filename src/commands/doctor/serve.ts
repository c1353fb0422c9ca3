/**
 * 9. The receiver (`safeweb serve`) of the account on this machine, when one ever ran: whether it
 * runs, where it listens, what it accepted and refused, its last catch-up, and what its /readyz
 * says. A receiver that runs but is not ready fails (exit 5); one that ended without stopping
 * cleanly (killed, crashed) passes with a warning: the next start resumes from the outbox.
 */
import type { Context } from '../../context.js';
import { ExitCode } from '../../exit-codes.js';
import type { CheckLine } from './checks.js';

export async function checkServe(ctx: Context, account: string, add: (line: CheckLine) => void): Promise<void> {
  const { readServeStatus } = await import('../../serve/status.js');
  const status = await readServeStatus(ctx.configDir, account);
  if (!status) return;
  const counts = `${status.accepted} accepted, ${status.refused} refused, last delivery ${status.lastDelivery ?? 'none'}`;
  const catchUp = status.lastCatchUp
    ? `; last catch-up ${status.lastCatchUp.at} (${status.lastCatchUp.read} customers read, ${status.lastCatchUp.enqueued} new)`
    : '';
  if (status.alive === null) {
    add({ check: 'serve', ok: true, detail: `last seen on ${status.host} (PID ${status.pid}), ${status.updatedAt}` });
    return;
  }
  if (!status.alive) {
    const crashed = status.state === 'running';
    add({
      check: 'serve',
      ok: true,
      warning: crashed,
      detail: crashed
        ? `not running: PID ${status.pid} ended without stopping (last seen ${status.updatedAt}); the next start routes what it had accepted`
        : `not running (stopped ${status.updatedAt}; ${counts})`,
    });
    return;
  }
  const ready = status.ready ?? { ok: false, detail: 'not asked' };
  add({
    check: 'serve',
    ok: ready.ok,
    ...(ready.ok ? {} : { code: ExitCode.Unavailable }),
    detail:
      `running (PID ${status.pid}) since ${status.startedAt} on ${status.url}, ${status.secrets} secret(s); ${counts}` +
      `${catchUp}; ${ready.ok ? 'ready' : `not ready: ${ready.detail}`}`,
  });
}
