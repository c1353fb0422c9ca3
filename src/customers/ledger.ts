/**
 * The local customer ledger. The API cannot list customers, and operators think in their own
 * references, so every customer this tool onboards is recorded here: one file per partner
 * account (partner ID at host), in the config directory, mode 0600.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withLock } from '../config/lock.js';
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

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "P123@connect.safeweb.co": the ledger belongs to the account, whichever profile names it. */
export function accountKey(partnerId: string, baseUrl: string): string {
  return `${partnerId}@${new URL(baseUrl).host}`;
}

export function ledgerPath(configDir: string, account: string): string {
  return path.join(configDir, 'ledger', `${account.replace(/[^A-Za-z0-9@._-]/g, '_')}.json`);
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
  try {
    const data = JSON.parse(text) as LedgerFile;
    if (!Array.isArray(data.customers)) throw new Error('no customers array');
    return data;
  } catch (error) {
    throw new ConfigError(`the customer ledger ${file} is corrupt (${(error as Error).message})`, 'Fix or move it aside; it was left untouched.');
  }
}

/** Read-modify-write under a lock; written atomically with mode 0600. */
export async function updateLedger(configDir: string, account: string, mutate: (ledger: LedgerFile) => void): Promise<void> {
  const file = ledgerPath(configDir, account);
  await withLock(path.dirname(file), 'ledger', () => {
    const ledger = readLedger(configDir, account);
    mutate(ledger);
    const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, `${JSON.stringify(ledger, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  });
}

/** Records a new customer (or refreshes an entry with the same reference). */
export async function recordOnboarded(configDir: string, account: string, entry: { reference: string; id: string; companyName: string }, now: Date): Promise<void> {
  await updateLedger(configDir, account, (ledger) => {
    ledger.customers = ledger.customers.filter((c) => c.reference !== entry.reference && c.id !== entry.id);
    ledger.customers.push({ ...entry, onboardedAt: now.toISOString(), status: 'active', updatedAt: now.toISOString() });
  });
}

/** Updates what the ledger knows of a customer, when it knows it at all. */
export async function recordChange(configDir: string, account: string, id: string, change: Partial<Pick<LedgerEntry, 'status' | 'companyName'>>, now: Date): Promise<void> {
  if (!readLedger(configDir, account).customers.some((c) => c.id === id)) return;
  await updateLedger(configDir, account, (ledger) => {
    for (const c of ledger.customers) if (c.id === id) Object.assign(c, change, { updatedAt: now.toISOString() });
  });
}

/**
 * A customer argument: a UUID is used as it is; anything else is a reference looked up in the
 * ledger (exact match first, then case-insensitive). Unknown references are a usage error.
 */
export function resolveCustomerArg(configDir: string, account: string, arg: string): { id: string; entry?: LedgerEntry | undefined } {
  const ledger = readLedger(configDir, account);
  if (UUID_RE.test(arg)) return { id: arg, entry: ledger.customers.find((c) => c.id.toLowerCase() === arg.toLowerCase()) };
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
