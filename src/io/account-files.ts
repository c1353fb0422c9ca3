/**
 * The partner account a run acts for, "P123@connect.safeweb.co": it names the files kept per
 * account (the local record, the audit log, the apply journals, the run locks) and is written in
 * a watch state. One account, one key: the base URL is reduced to its host, lower case, without
 * a default port (what `new URL` does), and the loopback names `localhost`, `127.0.0.1` and
 * `::1` are one host, spelled `127.0.0.1` — the same sandbox reached as `localhost` is the same
 * book, not an empty one.
 *
 * Files written before this rule under another loopback spelling are adopted on first use
 * (`accountFile`): renamed when the new name is free, merged line by line otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { adoptLog } from './adopt-log.js';

const LOOPBACK = new Set(['localhost', 'localhost.', '127.0.0.1', '[::1]']);
const LOOPBACK_HOST = '127.0.0.1';
/** The spellings an earlier version could have written for the loopback host. */
const OLD_LOOPBACK = ['localhost', '[::1]', 'localhost.'];

function hostOf(url: URL): string {
  const name = LOOPBACK.has(url.hostname) ? LOOPBACK_HOST : url.hostname;
  return url.port ? `${name}:${url.port}` : name;
}

/** "P123@connect.safeweb.co", the same for every spelling of the base URL. */
export function accountKey(partnerId: string, baseUrl: string): string {
  return `${partnerId}@${hostOf(new URL(baseUrl))}`;
}

/** A key as an earlier version may have written it (a watch state), in today's spelling. */
export function canonicalAccount(key: string): string {
  const at = key.lastIndexOf('@');
  if (at < 0) return key;
  try {
    return `${key.slice(0, at)}@${hostOf(new URL(`http://${key.slice(at + 1)}`))}`;
  } catch {
    return key;
  }
}

/** The file name part for a key: anything but letters, digits and `@._-` becomes `_`. */
export function accountFileName(key: string): string {
  return key.replace(/[^A-Za-z0-9@._-]/g, '_');
}

/** The other spellings the same account's files may have had. */
function oldKeys(key: string): string[] {
  const at = key.lastIndexOf('@');
  const host = key.slice(at + 1);
  const [name, port] = host.split(/:(?=\d+$)/);
  if (at < 0 || name !== LOOPBACK_HOST) return [];
  return OLD_LOOPBACK.map((old) => `${key.slice(0, at)}@${old}${port ? `:${port}` : ''}`);
}

/**
 * The path of an append-only log kept per account in `dir` (`<dir>/<key><suffix>`), after the
 * same account's log under an older spelling, if any, has been adopted into it. Looked for each
 * time (a stat for each older spelling, loopback accounts only), not once a process: a long-lived
 * process (the MCP server) would otherwise miss a file an older version wrote meanwhile.
 */
export function accountFile(dir: string, key: string, suffix: string, kind: string): string {
  const file = path.join(dir, `${accountFileName(key)}${suffix}`);
  for (const old of oldKeys(key)) {
    const source = path.join(dir, `${accountFileName(old)}${suffix}`);
    if (fs.existsSync(source)) adoptLog(file, source, kind);
  }
  return file;
}

/** A file of `dir` named for an account, back to the key it was named for (`_4010` is a port). */
export function keyFromFileName(name: string, suffix: string): string {
  return name.slice(0, -suffix.length).replace(/_(\d+)$/, ':$1');
}
