/**
 * The local customer ledger. The API cannot list customers, and operators think in their own
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

export interface LedgerEntry {
  reference: string;
  id: string;
  companyName: string;
  onboardedAt: string;
  status: 'active' | 'offboarded';
  updatedAt: string;
}

export interface LedgerFile {
  account: string;
  customers: LedgerEntry[];
}

type LedgerLine =
  | { op: 'onboarded'; reference: string; id: string; companyName: string; at: string }
  | { op: 'changed'; id: string; status?: LedgerEntry['status']; companyName?: string; at: string };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "P123@connect.safeweb.co": the ledger belongs to the account, whichever profile names it. */
export function accountKey(partnerId: string, baseUrl: string): string {
  return `${partnerId}@${new URL(baseUrl).host}`;
}

export function ledgerPath(configDir: string, account: string): string {
  return path.join(configDir, 'ledger', `${account.replace(/[^A-Za-z0-9@._-]/g, '_')}.ndjson`);
}

export function readLedger(configDir: string, account: string): LedgerFile {
  const file = ledgerPath(configDir, account);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { account, customers: [] };
    throw new ConfigError(`cannot read the customer ledger ${file}: ${(error as Error).message}`);
  }
  const byId = new Map<string, LedgerEntry>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let entry: LedgerLine;
    try {
      entry = JSON.parse(line) as LedgerLine;
    } catch {
      // A torn last line (a crash mid-write) is skipped; anything else is corruption.
      if (i >= text.split('\n').length - 2) return;
      throw new ConfigError(
        `the customer ledger ${file} is corrupt at line ${i + 1}`,
        'Fix or move it aside; it was left untouched.',
      );
    }
    if (entry.op === 'onboarded') {
      for (const [id, e] of byId) if (e.reference === entry.reference) byId.delete(id);
      byId.set(entry.id, {
        reference: entry.reference,
        id: entry.id,
        companyName: entry.companyName,
        onboardedAt: entry.at,
        status: 'active',
        updatedAt: entry.at,
      });
    } else if (entry.op === 'changed') {
      const e = byId.get(entry.id);
      if (e)
        Object.assign(
          e,
          entry.status ? { status: entry.status } : {},
          entry.companyName ? { companyName: entry.companyName } : {},
          { updatedAt: entry.at },
        );
    }
  });
  return { account, customers: [...byId.values()] };
}

function appendLines(configDir: string, account: string, lines: LedgerLine[]): void {
  const file = ledgerPath(configDir, account);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.appendFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''), { mode: 0o600 });
}

/** Records a new customer (replacing any older entry with the same reference). */
export async function recordOnboarded(
  configDir: string,
  account: string,
  entry: { reference: string; id: string; companyName: string },
  now: Date,
): Promise<void> {
  appendLines(configDir, account, [{ op: 'onboarded', ...entry, at: now.toISOString() }]);
}

/** Updates what the ledger knows of a customer; a customer it does not know is ignored. */
export async function recordChange(
  configDir: string,
  account: string,
  id: string,
  change: Partial<Pick<LedgerEntry, 'status' | 'companyName'>>,
  now: Date,
): Promise<void> {
  appendLines(configDir, account, [{ op: 'changed', id, ...change, at: now.toISOString() }]);
}

/**
 * For bulk runs: an appender that records each onboarded customer as it succeeds. Lines are
 * gathered and written together at most every 200 ms (and at close): a synchronous write per
 * row cost as much CPU as the request itself. The results file, not the ledger, is what a
 * resumed run relies on, so a crash that loses the last fraction of a second of ledger lines
 * loses no customer.
 */
export function ledgerAppender(
  configDir: string,
  account: string,
): { onboarded(entry: { reference: string; id: string; companyName: string }, at: Date): void; close(): void } {
  const file = ledgerPath(configDir, account);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, 'a', 0o600);
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (pending.length) fs.writeSync(fd, pending.join(''));
    pending = [];
  };
  return {
    onboarded: (entry, at) => {
      pending.push(`${JSON.stringify({ op: 'onboarded', ...entry, at: at.toISOString() } satisfies LedgerLine)}\n`);
      timer ??= setTimeout(flush, 200);
    },
    close: () => {
      if (timer) clearTimeout(timer);
      flush();
      fs.closeSync(fd);
    },
  };
}

/**
 * A customer argument: a UUID is used as it is; anything else is a reference looked up in the
 * ledger (exact match first, then case-insensitive). Unknown references are a usage error.
 */
export function resolveCustomerArg(
  configDir: string,
  account: string,
  arg: string,
): { id: string; entry?: LedgerEntry | undefined } {
  const ledger = readLedger(configDir, account);
  if (UUID_RE.test(arg))
    return { id: arg, entry: ledger.customers.find((c) => c.id.toLowerCase() === arg.toLowerCase()) };
  const exact = ledger.customers.find((c) => c.reference === arg);
  const loose = ledger.customers.filter((c) => c.reference.toLowerCase() === arg.toLowerCase());
  const entry = exact ?? (loose.length === 1 ? loose[0] : undefined);
  if (!entry) {
    throw new UsageError(
      `no customer with reference "${arg}" in the local record for ${account}`,
      'Run `safeweb customer list` to see the references this tool knows, or pass the customer ID (a UUID).',
    );
  }
  return { id: entry.id, entry };
}
