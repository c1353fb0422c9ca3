/**
 * An hourly request budget for one PSA connection (Autotask: every integration of a database
 * shares 10 000 requests a rolling hour, then the database is suspended for a while; the tool keeps
 * to its own, smaller share: --max-per-hour, 3000 by default). Each request sent is one line in
 * `<configDir>/psa/<account>.<connection>.budget` (its time in ms), appended as it goes, so
 * consecutive runs — and a plan beside a sync — count against one hour. A run whose budget is
 * spent stops before its next request (BudgetError, exit 5); the next run, once the hour has
 * rolled on, continues.
 *
 * The window is kept in memory and the file read again every few seconds, so another process's
 * requests are counted too without reading the file on every request. Lines older than an hour
 * are dropped when a run starts and the file has grown (a line another process appends in that
 * instant may be lost: an undercount of a request or two, far inside the database's margin).
 */
import fs from 'node:fs';
import path from 'node:path';
import { accountFileName } from '../io/account-files.js';
import { ensurePrivateDir } from '../io/private-dir.js';
import { replaceFile } from '../io/safe-write.js';
import { UnavailableError } from '../errors.js';

const HOUR_MS = 60 * 60 * 1000;
/** How stale the window may be before the file is read again (another process's requests). */
const REREAD_MS = 5_000;
const KIND = 'PSA request budget';

/** The budget of this hour is spent: nothing more is sent this run (exit 5). */
export class BudgetError extends UnavailableError {
  readonly max: number;
  constructor(farSide: string, connection: string, max: number, freesAt: Date) {
    super(
      `budget reached: ${max} requests to ${farSide} connection "${connection}" in the last hour (--max-per-hour ${max})`,
      undefined,
      `The next run continues; the budget frees up as the hour rolls on (the first request ages out at ${freesAt.toISOString()}). ` +
        `Raise it with --max-per-hour N or \`safeweb psa set ${connection} maxPerHour=N\` (${farSide} allows 10 000 an hour per database, shared by every integration).`,
      farSide,
    );
    // Nothing was sent: a create refused here surely made no ticket.
    this.outcomeUnknown = false;
    this.max = max;
  }
}

export interface RequestBudget {
  readonly max: number;
  /** Throws BudgetError when this hour's requests have reached the budget. */
  check(): void;
  /** Counts one request sent (each attempt, retries too: each reaches the PSA). */
  spend(): void;
  /** Requests counted in the last hour. */
  used(): number;
}

/** The budget file of a connection of an account. */
export function budgetFile(configDir: string, account: string, connection: string): string {
  return path.join(configDir, 'psa', `${accountFileName(account)}.${connection}.budget`);
}

function readTimes(file: string): number[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const times: number[] = [];
  for (const line of text.split('\n')) {
    const t = Number(line);
    if (line !== '' && Number.isFinite(t)) times.push(t);
  }
  return times;
}

export function hourlyBudget(options: {
  file: string;
  max: number;
  farSide: string;
  connection: string;
  now?: () => number;
}): RequestBudget {
  const { file, max } = options;
  const now = options.now ?? Date.now;
  ensurePrivateDir(path.dirname(file), 'PSA settings');
  let all = readTimes(file);
  let window = all.filter((t) => t > now() - HOUR_MS).sort((a, b) => a - b);
  if (all.length > window.length && all.length > 2 * max + 100)
    replaceFile(file, window.map((t) => `${t}\n`).join(''), { kind: KIND, mayReplace: true });
  all = [];
  let readAt = now();
  const fresh = () => {
    const at = now();
    if (at - readAt >= REREAD_MS) {
      // The file has every process's requests, ours among them.
      window = readTimes(file).filter((t) => t > at - HOUR_MS);
      window.sort((a, b) => a - b);
      readAt = at;
    }
    const since = at - HOUR_MS;
    while (window.length && window[0]! <= since) window.shift();
    return window;
  };
  return {
    max,
    used: () => fresh().length,
    check() {
      const current = fresh();
      if (current.length >= max)
        throw new BudgetError(options.farSide, options.connection, max, new Date(current[0]! + HOUR_MS));
    },
    spend() {
      const at = now();
      fs.appendFileSync(file, `${at}\n`, { mode: 0o600 });
      window.push(at);
    },
  };
}
