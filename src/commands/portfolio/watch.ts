/**
 * `portfolio watch --state FILE`: for cron. Reads the book, compares it with the state the last
 * run saved and prints only what changed, one event a line (NDJSON with --json); then saves the
 * new state atomically. Events are printed before the state is saved, so a run killed between
 * the two repeats them next time rather than losing them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../../context.js';
import { UnavailableError, UsageError } from '../../errors.js';
import { holdingLock } from '../../io/lock.js';
import { emptyBookWarning } from '../../customers/reads.js';
import { detail, hint, info, styled, warn, type Note, type Outcome, type Text } from '../../outcome.js';
import { readBook, selectBook, type CustomerRead } from '../../portfolio/book.js';
import { integrationSettings } from '../../services.js';
import { compare, readWatchState, saveWatchState, type WatchEvent } from '../../portfolio/watch-state.js';
import { Outbox } from '../../findings/outbox.js';
import { eventSinks } from '../../findings/sinks.js';
import { scoreBand } from '../../customers/score-band.js';

export interface PortfolioWatchOptions {
  state: string;
  /** Record the state and print nothing (the first run of a new cron job). */
  baseline?: boolean | undefined;
  concurrency?: number | undefined;
  /** A check: exit 8 on changes, so an empty book while another account has customers is exit 2. */
  exitStatus?: boolean | undefined;
}

/** An event as a line for people: "breach.new  ACME-1  Adobe (2013-10-04): ceo@acme.co". */
function eventLine(e: WatchEvent): Text {
  const what = (() => {
    switch (e.type) {
      case 'breach.new':
      case 'breach.resolved':
      case 'breach.unresolved':
      case 'breach.removed':
        return `${e.breachName}${e.breachDate ? ` (${e.breachDate})` : ''}${e.emails?.length ? `: ${e.emails.join(', ')}` : ''}`;
      case 'email.added':
      case 'email.removed':
        return (e.emails ?? []).join(', ');
      case 'domain.added':
      case 'domain.removed':
        return (e.domains ?? []).join(', ');
      case 'band.changed':
        return `${e.from} → ${e.to} (score ${e.threatScore})`;
      case 'customer.error':
        return e.error?.message ?? '';
      default:
        return e.customerId ?? '';
    }
  })();
  const type =
    e.type === 'breach.new' ? styled('bad', e.type) : e.type === 'customer.error' ? styled('caution', e.type) : e.type;
  return [type, `\t${e.reference}\t${what}`];
}

/**
 * One run at a time per state file (a lock file beside it, io/lock.ts): two overlapping cron runs
 * would report the same changes twice and one would lose the other's state. A second run refuses
 * at once, naming the first; a lock left by a run that was killed is taken over at once.
 */
async function withStateLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  if (!fs.existsSync(path.dirname(path.resolve(file))))
    throw new UsageError(`the directory of ${file} does not exist`, 'Create it first, or give another --state path.');
  const lock = { what: file, command: 'safeweb portfolio watch', consequence: '; nothing was sent' };
  return holdingLock(`${file}.lock`, lock, fn);
}

export async function runPortfolioWatch(opts: PortfolioWatchOptions, ctx: Context): Promise<Outcome<undefined>> {
  const account = await ctx.account();
  return withStateLock(opts.state, () => watchBook(opts, ctx, account));
}

async function watchBook(
  opts: PortfolioWatchOptions,
  ctx: Context,
  account: { key: string; partnerId: string },
): Promise<Outcome<undefined>> {
  // The state file is checked before anything is sent.
  const previous = readWatchState(opts.state, account.key);
  const book = selectBook(ctx.configDir, account.key, {});
  const elsewhere = emptyBookWarning(ctx.configDir, account.key, {
    check: opts.exitStatus ? '--exit-status would pass without checking anything' : undefined,
  });
  const result = await readBook(ctx, book, { concurrency: opts.concurrency ?? 8, label: 'Watching' });
  if (result.interrupted)
    return {
      data: undefined,
      notes: [info(`Interrupted: nothing was reported and ${opts.state} was not changed.`)],
      failures: result.failures,
    };

  const at = ctx.now().toISOString();
  const diff = compare(previous, result.reads, { account: account.key, partnerId: account.partnerId, at });
  const changes = diff.events.filter((e) => e.type !== 'customer.error');
  const errors = diff.events.filter((e) => e.type === 'customer.error');
  const notes: Note[] = [];
  // A run that read nothing at all (the API down, the record empty) changes nothing.
  if (diff.read === 0) {
    for (const e of errors) ctx.sink.event(e, eventLine(e));
    const why = book.length === 0 ? 'there are no active customers in the local record' : 'no customer could be read';
    notes.push(warn(`Nothing was read (${why}); ${opts.state} was not changed and nothing is reported as new.`));
    if (elsewhere) notes.push(warn(elsewhere));
    else if (book.length === 0)
      notes.push(hint('`safeweb customer import --file FILE` adds customers onboarded elsewhere.'));
    return { data: undefined, notes, failures: result.failures };
  }
  if (!opts.baseline) for (const e of [...changes, ...errors]) ctx.sink.event(e, eventLine(e));
  // The events reach the reader before the state says they were reported: a kill while a slow
  // reader is behind (a full pipe, a slow `mail`) repeats them next time, and never loses one.
  try {
    await ctx.sink.flushed();
  } catch (error) {
    throw new UnavailableError(
      `the events could not be written (${(error as Error).message}); ${opts.state} was not changed, so the next run reports them again`,
    );
  }
  // Then into the outbox, on disk before the state moves on, for the sinks the settings name.
  if (!opts.baseline) await enqueueForSinks(ctx, account, [...changes, ...errors], result.reads, previous?.savedAt);
  saveWatchState(opts.state, diff.next);

  const failed = errors.length ? ` ${errors.length} could not be read and keep their previous state.` : '';
  if (opts.baseline)
    notes.push(info(`Baseline recorded in ${opts.state}: ${diff.read} customers; nothing reported.${failed}`));
  else if (previous === undefined)
    notes.push(
      info(`First run: ${changes.length} unresolved breaches reported as new; state saved to ${opts.state}.${failed}`),
    );
  else {
    // Quiet when nothing changed and nothing failed, so cron mails only news (--verbose says it).
    const said = `${changes.length ? `${changes.length} change${changes.length === 1 ? '' : 's'}` : 'No changes'} since ${
      previous.savedAt
    } across ${diff.read} customers.${failed}`;
    notes.push(changes.length || errors.length ? info(said) : detail(said));
  }
  return {
    data: undefined,
    notes,
    finding: !opts.baseline && changes.length ? `${changes.length} changes` : undefined,
    failures: result.failures,
  };
}

/**
 * The events, into the account's outbox for the sinks configured (PSA connections, routed
 * channels). The occurrence is the state this run compared against: the same run redone after a
 * kill is recognised there, a later change with the same key is not mistaken for it.
 */
async function enqueueForSinks(
  ctx: Context,
  account: { key: string },
  events: readonly WatchEvent[],
  reads: readonly CustomerRead[],
  base: string | undefined,
): Promise<void> {
  if (events.length === 0) return;
  const { settings } = await integrationSettings({}, ctx);
  if (!settings.psa?.connections && !settings.notify?.routes) return;
  const bands = new Map(
    reads.filter((r) => r.snapshot).map((r) => [r.entry.reference, scoreBand(r.snapshot!.threatScore).name]),
  );
  const outbox = new Outbox({
    configDir: ctx.configDir,
    account: account.key,
    now: ctx.now,
    command: 'safeweb portfolio watch',
  });
  await outbox.enqueue(events, (e) => eventSinks(settings, e, bands.get(e.reference) ?? null), base ?? 'first');
}
