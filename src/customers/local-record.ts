/**
 * The local record of customers. The API cannot list customers, and operators think in their own
 * references, so every customer this tool onboards is recorded here: one append-only NDJSON
 * file per partner account (partner ID at host), in the config directory, mode 0600.
 *
 * Append-only because bulk onboarding records thousands of customers: each is one small
 * O_APPEND write (atomic on a local file system, so concurrent processes interleave whole
 * lines), never a rewrite of the whole file. Reading folds the lines into the current state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { appendRecord, appendToLog, openAppendLog } from '../io/append-log.js';
import { isoTime } from '../bounded-cache.js';
import { accountFile, canonicalAccount, keyFromFileName } from '../io/account-files.js';

export interface RecordEntry {
  reference: string;
  /**
   * null when the customer surely exists but its ID is not known: a resumed bulk run settled
   * it as "already onboarded by an earlier attempt" (the API answered 409, not the ID). Fix it
   * with `safeweb customer link REF --id UUID`.
   */
  id: string | null;
  companyName: string;
  onboardedAt: string;
  status: 'active' | 'offboarded';
  updatedAt: string;
  /** What was sent at onboarding besides the assets (contact, price, plan …): the API cannot read it back. */
  fields?: Record<string, unknown> | undefined;
}

export interface RecordFile {
  account: string;
  customers: RecordEntry[];
  /**
   * Creates sent whose outcome is not known yet (a timeout, a lost connection, a kill before the
   * answer): the next onboarding of the reference settles them (a duplicate answer then means it
   * was created). Not customers: they are listed apart.
   */
  pending: PendingEntry[];
}

/** A create this tool sent and has not heard back about. */
interface PendingEntry {
  reference: string;
  companyName: string;
  sentAt: string;
}

/** What the record is told of a newly known customer. */
export interface OnboardedEntry {
  reference: string;
  id: string | null;
  companyName: string;
  fields?: Record<string, unknown> | undefined;
}

type RecordLine =
  | ({ op: 'onboarded'; at: string } & OnboardedEntry)
  | { op: 'sending'; reference: string; companyName: string; at: string }
  | { op: 'not-sent'; reference: string; at: string }
  | { op: 'linked'; reference: string; id: string; at: string }
  | { op: 'changed'; id: string; status?: RecordEntry['status']; companyName?: string; at: string }
  | { op: 'fields'; reference: string; companyName?: string; fields: Record<string, unknown>; at: string };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The record of an account (io/account-files.ts: one key, whichever profile or spelling of the URL names it). */
export function recordPath(configDir: string, account: string): string {
  return accountFile(path.join(configDir, 'ledger'), account, '.ndjson', 'local customer record');
}

export function readRecord(configDir: string, account: string): RecordFile {
  return readRecordFile(recordPath(configDir, account), account);
}

/**
 * The other accounts of this config directory whose record holds active customers: a book
 * command that finds none for its own account names them (the wrong profile, or a base URL
 * that names another service).
 */
export function otherRecords(configDir: string, account: string): Array<{ account: string; customers: number }> {
  const dir = path.join(configDir, 'ledger');
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.ndjson'));
  } catch {
    return [];
  }
  const counts = new Map<string, number>();
  for (const name of names) {
    const key = canonicalAccount(keyFromFileName(name, '.ndjson'));
    if (key === account) continue;
    let active = 0;
    try {
      active = readRecordFile(path.join(dir, name), key).customers.filter((c) => c.status === 'active').length;
    } catch {
      continue; // a corrupt record of another account is that account's business
    }
    if (active) counts.set(key, (counts.get(key) ?? 0) + active);
  }
  return [...counts].map(([key, customers]) => ({ account: key, customers })).sort((a, b) => b.customers - a.customers);
}

function readRecordFile(file: string, account: string): RecordFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { account, customers: [], pending: [] };
    throw new ConfigError(`cannot read the local record ${file}: ${(error as Error).message}`);
  }
  // One entry per reference (unique per partner): a later onboarding of the same reference
  // replaces the earlier one.
  const byReference = new Map<string, RecordEntry>();
  const pending = new Map<string, PendingEntry>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let entry: RecordLine;
    try {
      entry = JSON.parse(line) as RecordLine;
    } catch {
      // A torn last line (a crash mid-write) is skipped; anything else is corruption.
      if (i >= lines.length - 2) return;
      throw new ConfigError(
        `the local record ${file} is corrupt at line ${i + 1}`,
        'Fix or move it aside; it was left untouched.',
      );
    }
    fold({ byReference, pending }, entry);
  });
  return { account, customers: [...byReference.values()], pending: [...pending.values()] };
}

/** The record as read so far: its customers and its creates still pending. */
interface Folded {
  byReference: Map<string, RecordEntry>;
  pending: Map<string, PendingEntry>;
}

/** One line of the record applied to what the lines before it made. */
function fold({ byReference, pending }: Folded, line: RecordLine): void {
  foldPending(pending, line);
  apply(byReference, line);
}

/** What a line says of the creates in flight. */
function foldPending(pending: Map<string, PendingEntry>, line: RecordLine): void {
  if (line.op === 'sending')
    pending.set(line.reference, { reference: line.reference, companyName: line.companyName, sentAt: line.at });
  else if (line.op === 'not-sent' || line.op === 'onboarded') pending.delete(line.reference);
}

function apply(byReference: Map<string, RecordEntry>, line: RecordLine): void {
  if (line.op === 'onboarded') {
    byReference.set(line.reference, {
      reference: line.reference,
      id: line.id ?? null,
      companyName: line.companyName,
      onboardedAt: line.at,
      status: 'active',
      updatedAt: line.at,
      ...(line.fields ? { fields: line.fields } : {}),
    });
  } else if (line.op === 'linked') {
    const e = byReference.get(line.reference);
    if (e) Object.assign(e, { id: line.id, updatedAt: line.at });
  } else if (line.op === 'changed') {
    for (const e of byReference.values()) {
      if (e.id !== line.id) continue;
      if (line.status) e.status = line.status;
      if (line.companyName) e.companyName = line.companyName;
      e.updatedAt = line.at;
    }
  } else if (line.op === 'fields') {
    const e = byReference.get(line.reference);
    if (e) {
      e.fields = { ...e.fields, ...line.fields };
      if (line.companyName) e.companyName = line.companyName;
      e.updatedAt = line.at;
    }
  }
}

/** All `lines` in one O_APPEND write (io/append-log.ts): no other process's line lands inside the batch. */
function appendLines(configDir: string, account: string, lines: RecordLine[]): void {
  appendToLog(
    recordPath(configDir, account),
    lines.map((l) => `${JSON.stringify(l)}\n`).join(''),
    'local customer record',
  );
}

/** Records a new customer (replacing any older entry with the same reference). */
export async function recordOnboarded(
  configDir: string,
  account: string,
  entry: OnboardedEntry,
  now: Date,
): Promise<void> {
  appendLines(configDir, account, [{ op: 'onboarded', ...entry, at: now.toISOString() }]);
}

/** Gives a recorded customer its ID (`customer link`). */
export async function recordLinked(
  configDir: string,
  account: string,
  reference: string,
  id: string,
  now: Date,
): Promise<void> {
  appendLines(configDir, account, [{ op: 'linked', reference, id, at: now.toISOString() }]);
}

/** Updates what the record knows of a customer; a customer it does not know is ignored. */
export async function recordChange(
  configDir: string,
  account: string,
  id: string,
  change: Partial<Pick<RecordEntry, 'status' | 'companyName'>>,
  now: Date,
): Promise<void> {
  appendLines(configDir, account, [{ op: 'changed', id, ...change, at: now.toISOString() }]);
}

/** A customer onboarded elsewhere, verified by `customer import`. */
export interface ImportedEntry {
  reference: string;
  id: string;
  companyName: string;
  status: RecordEntry['status'];
  /** The record already holds the reference without its ID: it is given the ID (as `customer link` does). */
  link: boolean;
}

/** Records customers `customer import` verified, in one append (whole lines, like every write here). */
export async function recordImported(
  configDir: string,
  account: string,
  entries: ImportedEntry[],
  now: Date,
): Promise<void> {
  if (entries.length === 0) return;
  const at = now.toISOString();
  const lines: RecordLine[] = entries.flatMap((e): RecordLine[] => [
    e.link
      ? { op: 'linked', reference: e.reference, id: e.id, at }
      : { op: 'onboarded', reference: e.reference, id: e.id, companyName: e.companyName, at },
    ...(e.status === 'offboarded' || e.link ? [{ op: 'changed' as const, id: e.id, status: e.status, at }] : []),
  ]);
  appendLines(configDir, account, lines);
}

/**
 * A customer argument: a UUID is used as it is; anything else is a reference looked up in the
 * local record (exact match first, then case-insensitive). Unknown references are a usage error.
 */
export function resolveCustomerArg(
  configDir: string,
  account: string,
  arg: string,
): { id: string; entry?: RecordEntry | undefined } {
  const record = readRecord(configDir, account);
  if (UUID_RE.test(arg))
    return { id: arg, entry: record.customers.find((c) => c.id?.toLowerCase() === arg.toLowerCase()) };
  const exact = record.customers.find((c) => c.reference === arg);
  const loose = record.customers.filter((c) => c.reference.toLowerCase() === arg.toLowerCase());
  const entry = exact ?? (loose.length === 1 ? loose[0] : undefined);
  if (!entry) {
    throw new UsageError(
      `no customer with reference "${arg}" in the local record for ${account}`,
      'Run `safeweb customer list` to see the references this tool knows, or pass the customer ID (a UUID).',
    );
  }
  if (entry.id === null) {
    throw new UsageError(
      `the customer ID of ${entry.reference} is not known: an earlier bulk run's answer was lost, ` +
        'and the resumed run found the customer already onboarded',
      `Find its ID in the SafeWeb portal, then run \`safeweb customer link ${entry.reference} --id UUID\`.`,
    );
  }
  return { id: entry.id, entry };
}

/**
 * The local record of one account as the customer service writes it (service.ts `CustomerRecord`):
 * read once, on first use; every change one appended line. `openForRun` keeps the file open for a
 * run of many rows (bulk), one write per customer.
 */
export class LocalRecord {
  #folded: Folded | undefined;
  #fd: number | undefined;
  #file = '';

  constructor(
    readonly configDir: string,
    readonly account: string,
  ) {}

  /** A record that appends on one open file descriptor until `close` (bulk runs). */
  static openForRun(configDir: string, account: string): LocalRecord {
    const record = new LocalRecord(configDir, account);
    record.#file = recordPath(configDir, account);
    record.#fd = openAppendLog(record.#file, 'local customer record').fd;
    return record;
  }

  #read(): Folded {
    if (!this.#folded) {
      const { customers, pending } = readRecord(this.configDir, this.account);
      this.#folded = {
        byReference: new Map(customers.map((c) => [c.reference, c])),
        pending: new Map(pending.map((p) => [p.reference, p])),
      };
    }
    return this.#folded;
  }

  entry(reference: string): RecordEntry | undefined {
    return this.#read().byReference.get(reference);
  }

  isPending(reference: string): boolean {
    return this.#read().pending.has(reference);
  }

  sending(reference: string, companyName: string, at: Date): void {
    this.#append({ op: 'sending', reference, companyName, at: isoTime(at) });
  }

  notSent(reference: string, at: Date): void {
    this.#append({ op: 'not-sent', reference, at: isoTime(at) });
  }

  onboarded(entry: OnboardedEntry, at: Date): void {
    this.#append({ op: 'onboarded', ...entry, at: isoTime(at) });
  }

  statusChanged(customer: { id: string }, status: RecordEntry['status'], at: Date): void {
    this.#append({ op: 'changed', id: customer.id, status, at: isoTime(at) });
  }

  fieldsChanged(
    reference: string,
    change: { companyName?: string | undefined; fields: Record<string, unknown> },
    at: Date,
  ): void {
    const { companyName, fields } = change;
    this.#append({ op: 'fields', reference, ...(companyName ? { companyName } : {}), fields, at: isoTime(at) });
  }

  /**
   * Written, then applied to what was read (other processes' lines are not seen until a new record
   * is made). A run's record (`openForRun`) applies only its creates in flight: a bulk file names
   * each reference once (a duplicate is refused before anything is sent), so no row looks up a
   * customer its own run recorded, and keeping each one would make the run's memory grow with
   * the file.
   */
  #append(line: RecordLine): void {
    if (this.#fd === undefined) appendLines(this.configDir, this.account, [line]);
    else appendRecord(this.#fd, `${JSON.stringify(line)}\n`, this.#file);
    if (!this.#folded) return;
    if (this.#fd === undefined) fold(this.#folded, line);
    else foldPending(this.#folded.pending, line);
  }

  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }
}
