/**
 * The audit log: one JSON line per request that changed something (or was refused for being a
 * change on a read-only profile), per partner account, in the config directory, mode 0600.
 * Each line is one write(2) on a file opened O_APPEND, so several processes appending at once
 * never interleave or lose a line. Never a key, secret, token, body or query string. Written
 * exact: masking (--mask-pii) applies to what is displayed, never to this file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WriteOutcome, WriteRecord } from '../api/client.js';
import { redactBody, redactText, REDACTED } from '../api/redact.js';
import { appendRecord, openAppendLog } from '../io/append-log.js';
import { isoTime, remembered } from '../bounded-cache.js';
import { accountFile, accountKey } from '../io/account-files.js';

/** Who asked for the change: the command line, or a tool of the MCP server. */
export interface AuditOrigin {
  via: 'cli' | 'mcp';
  /** The MCP tool's name, when `via` is mcp. */
  tool?: string | undefined;
}

/** One line of the log, as `safeweb audit --json` prints it. */
export interface AuditEntry {
  /** When the request was sent (ISO 8601, UTC). */
  time: string;
  user: string;
  host: string;
  pid: number;
  profile: string | null;
  partnerId: string;
  baseUrl: string;
  via: AuditOrigin['via'];
  tool?: string | undefined;
  /** The command line, secrets removed. */
  command: string;
  /** What the person acknowledged for this run's changes (apply's count of addresses no longer monitored). */
  note?: string | undefined;
  method: string;
  path: string;
  /** The path table's name for the operation ("customerOffboard"), null for an unknown `api` call. */
  operation: string | null;
  customerRef: string | null;
  customerId: string | null;
  /** A breach status change: the breach instance's uuid (matched to its customer by `audit --customer`). */
  breachId?: string | undefined;
  /** A write at a PSA: which connection, what was done to which ticket, and the tool's ticket key. */
  psa?:
    | { connection: string | null; farSide: string; action: string; ticket: number | null; key: string | null }
    | undefined;
  status: number | null;
  outcome: WriteOutcome;
  error?: string | undefined;
  durationMs: number;
}

/** Everything about the run that an entry needs besides the request itself. */
export interface AuditRun {
  configDir: string;
  partnerId: string;
  baseUrl: string;
  profile: string | undefined;
  origin: AuditOrigin;
  /** Said in each entry of the run: see AuditEntry.note. */
  note?: string | undefined;
  argv: readonly string[];
  /** Secrets this run holds (the API key): removed from the command line and error texts. */
  secrets: readonly string[];
  /** When the request was sent. */
  now: Date;
}

/** The longest command line kept: one entry stays one small write. */
const MAX_COMMAND = 2000;

/** The log of an account (config/account.ts: one key, whichever profile or spelling of the URL names it). */
function auditPath(configDir: string, account: string): string {
  return accountFile(path.join(configDir, 'audit'), account, '.ndjson', 'audit log');
}

/** The entry for one write, ready to append. */
export function auditEntry(run: AuditRun, record: WriteRecord, customerRef: string | undefined): AuditEntry {
  const entry: AuditEntry = {
    time: isoTime(run.now),
    user: (cachedUser ??= osUser()),
    host: (cachedHost ??= os.hostname()),
    pid: process.pid,
    profile: run.profile ?? null,
    partnerId: run.partnerId,
    baseUrl: run.baseUrl,
    via: run.origin.via,
    ...(run.origin.tool ? { tool: run.origin.tool } : {}),
    command: commandLines(`${run.argv.join('\0')}\n${run.secrets.join('\0')}`, () =>
      commandLine(run.argv, run.secrets),
    ),
    ...(run.note ? { note: run.note } : {}),
    method: record.method,
    path: redactText(record.path, run.secrets),
    operation: record.operation ?? null,
    customerRef: record.customerRef ?? customerRef ?? null,
    customerId: record.customerId ?? null,
    ...(record.breachId ? { breachId: record.breachId } : {}),
    status: record.status,
    outcome: record.outcome,
    ...(record.error ? { error: redactText(record.error, run.secrets).slice(0, 500) } : {}),
    durationMs: record.durationMs,
  };
  return entry;
}

/** Redacted command lines and log paths: a bulk run's thousands of entries share one of each. */
const commandLines = remembered<string>(8);
const logFiles = remembered<string>();

/** Open logs, by path: a bulk run appends thousands of entries and opens the file once. */
const openLogs = new Map<string, { fd: number; ino: number; checkedFor: object }>();

/**
 * The log's descriptor, opened by io/append-log.ts (O_APPEND, a symlink in its place refused,
 * the directory made 0700 and the file 0600, again if someone loosened it). Reused while the path still names the
 * same regular file — checked once per run (`run`: the command's Context), not per entry —
 * and opened again when it was moved, removed or replaced.
 */
function logDescriptor(file: string, run: object): number {
  const cached = openLogs.get(file);
  if (cached) {
    if (cached.checkedFor === run) return cached.fd;
    const now = fs.lstatSync(file, { throwIfNoEntry: false });
    if (now?.isFile() && now.ino === cached.ino) {
      if ((now.mode & 0o077) !== 0) fs.fchmodSync(cached.fd, 0o600);
      cached.checkedFor = run;
      return cached.fd;
    }
    openLogs.delete(file);
    fs.closeSync(cached.fd);
  }
  const { fd, ino } = openAppendLog(file, 'audit log');
  openLogs.set(file, { fd, ino, checkedFor: run });
  return fd;
}

/**
 * Appends one entry as one write on an O_APPEND descriptor (atomic against other appenders).
 * Throws on failure: the caller warns, and the command goes on.
 */
export function appendAudit(configDir: string, entry: AuditEntry, run: object): string {
  const file = logFiles(`${configDir}\n${entry.partnerId}\n${entry.baseUrl}`, () =>
    auditPath(configDir, accountKey(entry.partnerId, entry.baseUrl)),
  );
  appendRecord(logDescriptor(file, run), `${JSON.stringify(entry)}\n`, file);
  return file;
}

export interface AuditQuery {
  since?: Date | undefined;
  /** A customer reference or customer ID. */
  customer?: string | undefined;
}

/**
 * The entries of one account's log, oldest first, filtered. A line that is not a whole entry (a
 * hand edit, a disk that filled up) is skipped and counted, never fatal.
 */
export function readAudit(
  configDir: string,
  account: string,
  query: AuditQuery = {},
): { file: string; entries: AuditEntry[]; skipped: number } {
  const file = auditPath(configDir, account);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, entries: [], skipped: 0 };
    throw error;
  }
  const entries: AuditEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: AuditEntry;
    try {
      entry = JSON.parse(line) as AuditEntry;
    } catch {
      skipped++;
      continue;
    }
    if (typeof entry?.time !== 'string' || typeof entry.method !== 'string') {
      skipped++;
      continue;
    }
    if (query.since && !(Date.parse(entry.time) >= query.since.getTime())) continue;
    if (query.customer && entry.customerRef !== query.customer && entry.customerId !== query.customer) continue;
    entries.push(entry);
  }
  return { file, entries, skipped };
}

let cachedUser: string | undefined;
let cachedHost: string | undefined;

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the uid still says who.
    return process.env['USER'] ?? process.env['USERNAME'] ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** Flags whose value is a secret (none take one today; a future one, or a typo, must not leak). */
const SECRET_FLAG = /^--?(?:[a-z-]*(?:secret|token|password|passwd|api-?key|apikey))$/i;

/**
 * `safeweb customer offboard ACME-001 --yes`: the command line as typed, with every known secret,
 * secret flag value, secret query parameter and secret JSON field replaced by [REDACTED].
 */
export function commandLine(argv: readonly string[], secrets: readonly string[]): string {
  const known = secrets.filter(Boolean);
  const out: string[] = ['safeweb'];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      out.push(REDACTED);
      hideNext = false;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('-') ? (eq === -1 ? arg : arg.slice(0, eq)) : undefined;
    if (flag && SECRET_FLAG.test(flag) && !/-(?:file|stdin)$/.test(flag)) {
      if (eq === -1) hideNext = true;
      out.push(eq === -1 ? arg : `${flag}=${REDACTED}`);
      continue;
    }
    out.push(quote(redactArg(arg, known)));
  }
  const line = out.join(' ');
  return line.length > MAX_COMMAND ? `${line.slice(0, MAX_COMMAND)}…` : line;
}

function redactArg(arg: string, known: readonly string[]): string {
  const trimmed = arg.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return redactBody(arg, known);
  const eq = arg.indexOf('=');
  if (arg.startsWith('--') && eq !== -1) {
    const value = arg.slice(eq + 1).trim();
    if (value.startsWith('{') || value.startsWith('[')) return `${arg.slice(0, eq + 1)}${redactBody(value, known)}`;
  }
  return redactText(arg, known);
}

function quote(arg: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
