/**
 * What `plan` compares the manifest with for existence, status and the info fields the API cannot
 * read back: the local record of the account (customers/local-record.ts) by default, or a state file
 * (`--state FILE`: JSON, written atomically, kept beside the manifest or as a CI artifact) holding
 * what the record holds for the manifest's customers, so CI sees what the operator's machine sees.
 */
import fs from 'node:fs';
import { UsageError } from '../errors.js';
import { LocalRecord, readRecord, type RecordEntry, type OnboardedEntry } from '../customers/local-record.js';
import type { CustomerRecord } from '../customers/service.js';
import { replaceFile } from '../io/safe-write.js';

interface StateFile {
  version: 1;
  account: string;
  customers: RecordEntry[];
}

/**
 * The record `apply` writes: the local record, and the state file kept in step with it. It is
 * what the customer service (customers/service.ts) records every change in.
 */
export class BookState implements CustomerRecord {
  readonly entries: Map<string, RecordEntry>;
  /** The local record: every change goes there too, state file or not. */
  readonly #record: LocalRecord;

  private constructor(
    readonly account: string,
    readonly configDir: string,
    /** The --state file, or undefined for the local record. */
    readonly file: string | undefined,
    entries: RecordEntry[],
    /** The state file did not exist yet. */
    readonly fresh: boolean,
  ) {
    this.entries = new Map(entries.map((e) => [e.reference, { ...e }]));
    this.#record = new LocalRecord(configDir, account);
  }

  entry(reference: string): RecordEntry | undefined {
    return this.entries.get(reference);
  }

  /** What the local record itself holds (a state file may not know a customer the record does). */
  recorded(reference: string): RecordEntry | undefined {
    return this.#record.entry(reference);
  }

  isPending(reference: string): boolean {
    return this.#record.isPending(reference);
  }

  sending(reference: string, companyName: string, at: Date): void {
    this.#record.sending(reference, companyName, at);
  }

  notSent(reference: string, at: Date): void {
    this.#record.notSent(reference, at);
  }

  /** "the local record" or "the state file FILE", for what is said. */
  get name(): string {
    return this.file ? `the state file ${this.file}` : 'the local record';
  }

  static read(configDir: string, account: string, file?: string): BookState {
    if (!file) return new BookState(account, configDir, undefined, readRecord(configDir, account).customers, false);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new BookState(account, configDir, file, [], true);
      throw new UsageError(`cannot read the state file ${file}: ${(error as Error).message}`);
    }
    const data = parseStateFile(text, file);
    if (data.account !== account)
      throw new UsageError(
        `${file} is the state of ${data.account}, not of the account in use (${account})`,
        'Use the profile of that account (--profile), or another state file.',
      );
    return new BookState(account, configDir, file, data.customers, false);
  }

  /** A customer the tool created: into the record (and the state file). */
  onboarded(entry: OnboardedEntry, now: Date): void {
    this.#record.onboarded(entry, now);
    const at = now.toISOString();
    this.entries.set(entry.reference, {
      reference: entry.reference,
      id: entry.id,
      companyName: entry.companyName,
      onboardedAt: at,
      status: 'active',
      updatedAt: at,
      ...(entry.fields ? { fields: entry.fields } : {}),
    });
    this.#save();
  }

  /**
   * A customer the local record knows already (with its ID) that a create met as a duplicate:
   * the state file takes the record's entry; the record itself is left as it is.
   */
  adopt(entry: RecordEntry): void {
    this.entries.set(entry.reference, { ...entry });
    this.#save();
  }

  statusChanged(
    customer: { id: string; reference?: string | undefined },
    status: RecordEntry['status'],
    now: Date,
  ): void {
    this.#record.statusChanged(customer, status, now);
    if (customer.reference) this.#update(customer.reference, { status, updatedAt: now.toISOString() });
  }

  fieldsChanged(
    reference: string,
    change: { companyName?: string | undefined; fields: Record<string, unknown> },
    now: Date,
  ): void {
    this.#record.fieldsChanged(reference, change, now);
    const known = this.entries.get(reference);
    this.#update(reference, {
      ...(change.companyName ? { companyName: change.companyName } : {}),
      fields: { ...known?.fields, ...change.fields },
      updatedAt: now.toISOString(),
    });
  }

  #update(reference: string, change: Partial<RecordEntry>): void {
    const known = this.entries.get(reference);
    if (known) Object.assign(known, change);
    this.#save();
  }

  #save(): void {
    if (this.file) writeStateFile(this.file, this.account, [...this.entries.values()], true);
  }
}

function parseStateFile(text: string, file: string): StateFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not a state file: ${(error as Error).message}`,
      'Give the file `export --state` or `apply --state` wrote.',
    );
  }
  const d = data as Partial<StateFile> | null;
  const fine =
    d !== null &&
    typeof d === 'object' &&
    d.version === 1 &&
    typeof d.account === 'string' &&
    Array.isArray(d.customers) &&
    d.customers.every(
      (c) => c && typeof c.reference === 'string' && (c.status === 'active' || c.status === 'offboarded'),
    );
  if (!fine)
    throw new UsageError(
      `${file} is not a state file of this version`,
      'Give the file `export --state` or `apply --state` wrote.',
    );
  return d as StateFile;
}

/** Writes a state file whole and atomically (0600; an existing file only with `mayReplace`). */
export function writeStateFile(file: string, account: string, customers: RecordEntry[], mayReplace: boolean): void {
  const data: StateFile = { version: 1, account, customers };
  replaceFile(file, `${JSON.stringify(data, null, 2)}\n`, { kind: 'state file', mayReplace, allowedBy: '--force' });
}
