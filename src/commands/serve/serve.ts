/**
 * `safeweb serve`: the receiver (serve/receiver.ts) wired from this run — the account and its
 * credentials, the integration settings, the PSA connections and their run locks, where the
 * secrets are — and what it says: one event per delivery on the sink (NDJSON with --json), talk
 * on stderr with every address masked and every secret hidden. Runs until SIGTERM (exit 0) or
 * Ctrl+C (exit 130); SIGHUP reads the secrets and settings again.
 */
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { styled, type Outcome, type Text } from '../../outcome.js';
import { maskEmail } from '../../safety/mask.js';
import type { DeliveryReport } from '../../serve/accept.js';
import { runReceiver, type ReceiverOptions } from '../../serve/receiver.js';
import type { Integrations } from '../../config/integrations.js';
import { integrationSettings, notifyDeps, psaPlanSource, withRunLock } from '../../services.js';
import { sendDue, type SendReport } from '../../notify/run.js';

export interface ServeOptions extends ReceiverOptions {
  secretFiles: string[];
  secretDir?: string | undefined;
}

/** How long a PSA sync of the receiver waits for another sync of the same connection. */
const PSA_LOCK_WAIT_MS = 30_000;

/** One line for people per delivery: when, what, for whom, what became of it. */
function describe(d: DeliveryReport): Text {
  const time = d.receivedAt.slice(11, 19);
  if (d.status !== 200)
    return [
      `${time}  `,
      styled(d.status === 503 ? 'caution' : 'bad', `✗ ${d.status}`),
      `  ${d.type ?? d.protocol}  ${d.reason ?? ''}`,
    ];
  return [
    `${time}  `,
    styled('good', '✓'),
    ' ',
    styled('strong', d.type ?? '?'),
    d.customer ? `  ${d.customer}` : '',
    d.duplicate ? styled('caution', '  (replay: answered as before, not routed again)') : '',
    `  ${d.events.length} event(s), ${d.kept} kept for a sink`,
    d.unresolved?.length ? styled('caution', `  not found in the customer's breaches: ${d.unresolved.join(', ')}`) : '',
    styled('dim', `  ${d.ms} ms`),
  ];
}

/**
 * What a notification pass came to, for the router's log and metrics: the messages the far side
 * took, and what failed — a message, or a channel that could not be opened (its secret unreadable),
 * which is a failure but no message.
 */
function notifyCounts(report: Pick<SendReport, 'messages' | 'failures'>): { acked: number; failed: number } {
  return { acked: report.messages.filter((m) => m.outcome === 'sent').length, failed: report.failures.length };
}

export async function runServe(opts: ServeOptions, ctx: Context): Promise<Outcome> {
  const account = await ctx.account();
  const scope = await ctx.secretScope();
  // Said on stderr, masked: an address in a reason or a customer's reference never shows whole.
  const say = (tone: 'info' | 'warn', text: string) => ctx.out[tone](maskEmail(text));
  if (opts.secretFiles.includes('-'))
    throw new UsageError('serve reads its secrets again on SIGHUP, so they must be files, not stdin');
  const stopped = ctx.waitForSignal();
  // The receiver's integration settings as it last read them (at its start, on each SIGHUP): the
  // notification sink uses the same, rather than reading and checking the file again each pass.
  let settings: Integrations | undefined;
  const readSettings = async () => (settings = (await integrationSettings({}, ctx)).settings);
  // The lines of the deliveries answered together (one group commit) are written together, at the
  // end of the turn's current work: before any of their answers goes out (those come further down
  // the same chain of promises), and as one write, not one each.
  // Written from a microtask of its own, so a stdout that refuses the write (a full disk under a
  // redirect) is said, not thrown where nothing catches it: the deliveries are in the outbox anyway.
  let lines: DeliveryReport[] = [];
  let refused = false;
  const writeLines = () => {
    const reports = lines;
    lines = [];
    try {
      ctx.sink.batch(() => {
        for (const report of reports) ctx.sink.event(report, describe(report));
      });
    } catch (error) {
      if (!refused) say('warn', `the deliveries' lines could not be written to stdout: ${(error as Error).message}`);
      refused = true;
    }
  };
  const summary = await runReceiver(opts, {
    configDir: ctx.configDir,
    account: account.key,
    partnerId: account.partnerId,
    secrets: { files: opts.secretFiles, dir: opts.secretDir, scope },
    now: ctx.now,
    api: () => ctx.api(),
    bulkApi: (extra) => ctx.bulkApi(extra),
    settings: readSettings,
    psa: {
      source: (connection) => psaPlanSource(ctx, connection, { command: 'safeweb serve' }),
      locked: (connection, fn) => withRunLock(ctx, `psa-sync:${connection}`, PSA_LOCK_WAIT_MS, fn),
    },
    notify: async (outbox, sinks, signal) => {
      const [account, current] = await Promise.all([ctx.account(), settings ?? readSettings()]);
      const deps = await notifyDeps(ctx, { settings: current, account: account.key, outbox });
      const report = await withRunLock(ctx, 'notify-send', PSA_LOCK_WAIT_MS, () => sendDue(deps, { sinks, signal }));
      return notifyCounts(report);
    },
    hold: (value) => ctx.holdSecret(value),
    delivery: (report) => {
      if (lines.length === 0) queueMicrotask(writeLines);
      lines.push(report);
    },
    info: (text) => say('info', text),
    warn: (text) => say('warn', text),
    stopped,
    hangup: () => ctx.waitForSignal(['SIGHUP']),
  });
  say(
    'info',
    `Stopped: ${summary.accepted} deliveries accepted, ${summary.refused} refused` +
      `${summary.cutShort ? `; the drain ran out of time (what was not finished is retried at the next start)` : ''}.`,
  );
  // Nothing more on stdout: with --json it holds the deliveries' NDJSON and nothing else.
  return { data: undefined, failures: summary.signal === 'SIGINT' ? [ExitCode.Cancelled] : [] };
}
