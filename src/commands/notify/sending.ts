/**
 * What `notify send` and `notify plan` share: the settings (the profile's, or a manifest's with
 * --file), refused when they route nothing; the account's outbox; the comparison (notify/source.ts)
 * and the sink's dependencies wired from the Context; the lines that say what a run found.
 */
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { collectEvents, type Collected } from '../../notify/source.js';
import type { NotifyDeps } from '../../notify/run.js';
import type { Message, Skip } from '../../notify/plan.js';
import { hint, info, warn, type Cell, type Note } from '../../outcome.js';
import { integrationSettings, notifyDeps } from '../../services.js';
import { Outbox } from '../../findings/outbox.js';

export interface SourceOptions {
  file?: string | undefined;
  concurrency: number;
  includeExisting?: boolean | undefined;
  since?: string | undefined;
}

export interface Opened {
  deps: NotifyDeps;
  collected: Collected;
  account: string;
}

/** Compares (keeping what it finds unless `dryRun`) and wires the sink, for the profile's account. */
export async function openNotify(ctx: Context, opts: SourceOptions, command: string, dryRun: boolean): Promise<Opened> {
  const source = await integrationSettings({ file: opts.file }, ctx);
  const notify = source.settings.notify;
  if (!Object.keys(notify?.channels ?? {}).length || !notify?.routes?.length)
    throw new UsageError(
      `${source.file} ${notify?.channels ? 'has no notify.routes' : 'has no notification channels'}: nothing would be sent`,
      'Add a channel with `safeweb notify add KIND NAME`, then a route under notify.routes (docs/notify.md).',
    );
  const account = await ctx.account();
  const outbox = new Outbox({ configDir: ctx.configDir, account: account.key, now: ctx.now, command });
  const collected = await collectEvents(
    ctx,
    {
      configDir: ctx.configDir,
      account: account.key,
      partnerId: account.partnerId,
      settings: source.settings,
      outbox,
      now: ctx.now,
    },
    { ...opts, dryRun },
  );
  const deps = await notifyDeps(ctx, {
    settings: source.settings,
    account: account.key,
    outbox,
    reads: collected.reads,
  });
  return { deps, collected, account: account.key };
}

/** What the comparison found, said once. */
export function sourceNotes(collected: Collected, verb: string, kept: boolean): Note[] {
  const notes: Note[] = [];
  if (collected.interrupted)
    notes.push(warn(`Interrupted: nothing was compared; ${collected.stateFile} was not changed.`));
  else if (collected.read === 0)
    notes.push(warn(`No customer could be read: nothing was compared; ${collected.stateFile} was not changed.`));
  if (collected.baseline)
    notes.push(
      info(
        `First run: ${kept ? 'a baseline was recorded' : 'a baseline would be recorded'} (${collected.baseline.customers} customers); ` +
          `their ${collected.baseline.events} existing events are not sent.`,
      ),
      hint(`\`safeweb ${verb} --include-existing\` (or --since DATE) on the first run sends them too.`),
    );
  return notes;
}

/** Which customers a `to: contact` route skips, said once with a hint. */
export function skippedNotes(
  skipped: ReadonlyArray<Pick<Skip, 'reference'> & { reason: string }>,
  done: boolean,
): Note[] {
  const notes: Note[] = [];
  for (const [reason, why] of [
    ['no contact', 'no known contact: imported, or onboarded without one'],
    ['opted out', 'opted out: notify.optOut'],
  ] as const) {
    const refs = [...new Set(skipped.filter((s) => s.reason === reason).map((s) => s.reference))];
    if (refs.length)
      notes.push(
        warn(
          `${done ? 'Skipped' : 'Would skip'} by a \`to: contact\` route (${why}): ` +
            `${refs.slice(0, 10).join(', ')}${refs.length > 10 ? `, and ${refs.length - 10} more` : ''}`,
        ),
      );
  }
  if (skipped.some((s) => s.reason === 'no contact'))
    notes.push(hint('`safeweb customer update REF --contact-email ADDRESS` records a contact.'));
  return notes;
}

/** A message as a row of MESSAGE_COLUMNS. */
export function messageRow(
  m: Pick<Message, 'channel' | 'route' | 'id' | 'window' | 'to'> & { events: number; when: string },
): Cell[] {
  return [m.channel, m.route, m.when, m.events, m.to.join(', '), m.window ?? '', m.id];
}
