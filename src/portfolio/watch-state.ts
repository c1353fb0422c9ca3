/**
 * The state `portfolio watch` keeps between runs, and what changed since: a pure comparison of
 * the saved state with this run's reads. A customer whose reads failed keeps its saved state
 * (so its changes are reported once it can be read again, never twice); one that left the book
 * is reported removed and dropped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { canonicalAccount } from '../io/account-files.js';
import { replaceFile } from '../io/safe-write.js';
import { bookEvent, type BookEvent, type EventFacts } from '../findings/event.js';
import { errorOf, type Breach, type CustomerRead } from './book.js';
import { bandOf, type Band } from './exposure.js';

const KIND = 'safeweb-portfolio-state';

interface SavedBreach {
  name: string;
  title: string;
  resolved: boolean;
  emails: string[];
  breachDate: string;
}

interface SavedCustomer {
  reference: string;
  companyName: string;
  threatScore: number;
  band: Band;
  domains: string[];
  emails: string[];
  breaches: Record<string, SavedBreach>;
}

export interface WatchState {
  kind: typeof KIND;
  version: 1;
  /** The partner account (partner ID at host) it was recorded for. */
  account: string;
  savedAt: string;
  /** By customer ID. */
  customers: Record<string, SavedCustomer>;
}

/** What watch emits: the book's events (findings/event.ts), keyed. */
export type WatchEvent = BookEvent;

/** The saved state, undefined when the file does not exist yet; anything else there is exit 2. */
export function readWatchState(file: string, account: string): WatchState | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UsageError(`cannot use ${file}: ${String(error)}`);
    if (!fs.existsSync(path.dirname(path.resolve(file))))
      throw new UsageError(`the directory of ${file} does not exist`, 'Create it first, or give another --state path.');
    return undefined;
  }
  if (stat.isSymbolicLink())
    throw new UsageError(`${file} is a symbolic link; the state is never written through a link`);
  if (!stat.isFile()) throw new UsageError(`${file} is not a regular file`);
  let data: Partial<WatchState>;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<WatchState>;
  } catch {
    data = {};
  }
  if (data?.kind !== KIND || data.version !== 1 || typeof data.customers !== 'object' || data.customers === null)
    throw new UsageError(
      `${file} is not a portfolio state file; it was left untouched`,
      'Give the file an earlier `safeweb portfolio watch` wrote, or a new path.',
    );
  // A state saved under another spelling of the same account (`localhost` for `127.0.0.1`) is
  // the same book; the next save writes today's spelling.
  if (typeof data.account !== 'string' || canonicalAccount(data.account) !== account)
    throw new UsageError(
      `${file} records the book of ${data.account}, not of ${account}`,
      'Use one state file per partner account (check --profile), or a new path.',
    );
  return data as WatchState;
}

/** Saves the state for the next run: replaced whole and atomically (io/safe-write.ts), 0600, never through a link. */
export function saveWatchState(file: string, state: WatchState): void {
  replaceFile(file, `${JSON.stringify(state, null, 2)}\n`, { kind: 'portfolio state', mayReplace: true });
}

function breachKey(b: Breach): string {
  return b.uuid ?? b.id;
}

function saved(read: Required<Pick<CustomerRead, 'snapshot'>> & CustomerRead): SavedCustomer {
  const s = read.snapshot;
  return {
    reference: read.entry.reference,
    companyName: read.entry.companyName,
    threatScore: s.threatScore,
    band: bandOf(s.threatScore),
    domains: [...s.domains],
    emails: [...s.emails],
    breaches: Object.fromEntries(
      s.breaches.map((b) => [
        breachKey(b),
        {
          name: b.breachName,
          title: b.title || b.breachName,
          resolved: b.resolved,
          emails: b.emails,
          breachDate: b.breachDate.slice(0, 10),
        },
      ]),
    ),
  };
}

function added(now: string[], before: string[]): string[] {
  const seen = new Set(before.map((x) => x.toLowerCase()));
  return now.filter((x) => !seen.has(x.toLowerCase()));
}

export interface WatchDiff {
  events: WatchEvent[];
  next: WatchState;
  /** Customers read this run. */
  read: number;
}

type Ref = Pick<EventFacts, 'reference' | 'customerId'>;
type Change = EventFacts;

/** What changed for one customer read this run; `before` undefined: all of it is new. */
function changesOf(before: SavedCustomer | undefined, now: SavedCustomer, ref: Ref): Change[] {
  const events: Change[] = [];
  const old = before ?? { breaches: {} as Record<string, SavedBreach>, emails: now.emails, domains: now.domains };
  for (const [breachId, b] of Object.entries(now.breaches)) {
    const was = old.breaches[breachId];
    const about = { breachId, breachName: b.name, breachDate: b.breachDate, emails: b.emails };
    if (!was) {
      if (!b.resolved) events.push({ type: 'breach.new', ...ref, ...about });
    } else if (was.resolved !== b.resolved) {
      events.push({ type: b.resolved ? 'breach.resolved' : 'breach.unresolved', ...ref, ...about });
    }
  }
  for (const [breachId, was] of Object.entries(old.breaches))
    if (!now.breaches[breachId])
      events.push({ type: 'breach.removed', ...ref, breachId, breachName: was.name, emails: was.emails });
  const lists = [
    ['email', now.emails, old.emails],
    ['domain', now.domains, old.domains],
  ] as const;
  for (const [kind, nowList, oldList] of lists) {
    const plus = added(nowList, oldList);
    const minus = added(oldList, nowList);
    const key = kind === 'email' ? 'emails' : 'domains';
    if (plus.length) events.push({ type: `${kind}.added`, ...ref, [key]: plus });
    if (minus.length) events.push({ type: `${kind}.removed`, ...ref, [key]: minus });
  }
  if (before && before.band !== now.band)
    events.push({ type: 'band.changed', ...ref, from: before.band, to: now.band, threatScore: now.threatScore });
  return events;
}

/**
 * What changed between `previous` (undefined: the first run, when every unresolved breach is
 * new) and this run's reads, and the state to save. Failed customers keep their saved entry.
 */
export function compare(
  previous: WatchState | undefined,
  reads: CustomerRead[],
  context: { account: string; partnerId: string; at: string },
): WatchDiff {
  const { at } = context;
  const events: WatchEvent[] = [];
  const emit = (facts: EventFacts) => events.push(bookEvent(context.partnerId, facts, at));
  const customers: Record<string, SavedCustomer> = {};
  const covered = new Set<string>();
  let read = 0;
  for (const r of reads) {
    const id = r.entry.customerId;
    const ref: Ref = { reference: r.entry.reference, customerId: id };
    if (id !== null) covered.add(id);
    const before = id !== null ? previous?.customers[id] : undefined;
    if (!r.snapshot) {
      emit({ type: 'customer.error', ...ref, ...(r.error ? { error: errorOf(r.error) } : {}) });
      if (id !== null && before) customers[id] = before;
      continue;
    }
    read++;
    const now = saved({ ...r, snapshot: r.snapshot });
    customers[id!] = now;
    if (previous && !before) emit({ type: 'customer.added', ...ref });
    for (const change of changesOf(before, now, ref)) emit(change);
  }
  for (const [id, was] of Object.entries(previous?.customers ?? {}))
    if (!covered.has(id)) emit({ type: 'customer.removed', reference: was.reference, customerId: id });
  return { events, next: { kind: KIND, version: 1, account: context.account, savedAt: at, customers }, read };
}
