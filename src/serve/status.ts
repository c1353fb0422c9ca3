/**
 * What a running receiver tells the rest of the machine (`doctor`): a small file per account,
 * `<configDir>/serve/<account>.status.json`, replaced whole as it changes — who runs it (PID,
 * host), where it listens, how many secrets it holds, what it accepted and refused, the last
 * catch-up. `readServeStatus` adds whether that process is still alive and, when it is, what its
 * /readyz says.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { accountFile } from '../io/account-files.js';
import { pidAlive } from '../io/lock.js';
import { replaceFile } from '../io/safe-write.js';

export interface ServeStatus {
  pid: number;
  host: string;
  startedAt: string;
  updatedAt: string;
  /** "running", or "stopped" once it shut down cleanly. */
  state: 'running' | 'stopped';
  url: string;
  adminUrl: string;
  secrets: number;
  accepted: number;
  refused: number;
  lastDelivery: string | null;
  lastCatchUp: { at: string; read: number; enqueued: number; failed: number } | null;
}

const KIND = 'receiver status';

export function statusFile(configDir: string, account: string): string {
  return accountFile(path.join(configDir, 'serve'), account, '.status.json', KIND);
}

export function writeServeStatus(file: string, status: ServeStatus): void {
  replaceFile(file, `${JSON.stringify(status, null, 2)}\n`, { kind: KIND, mayReplace: true });
}

export interface ServeStatusView extends ServeStatus {
  /** The process is alive on this machine (a status from another host cannot be checked). */
  alive: boolean | null;
  /** What /readyz answered (status code), or why it did not. */
  ready?: { ok: boolean; detail: string } | undefined;
}

/** The account's receiver status, or undefined when no receiver ever ran for it here. */
export async function readServeStatus(configDir: string, account: string): Promise<ServeStatusView | undefined> {
  let status: ServeStatus;
  try {
    status = JSON.parse(fs.readFileSync(statusFile(configDir, account), 'utf8')) as ServeStatus;
  } catch {
    return undefined;
  }
  const alive = status.host === os.hostname() ? status.state === 'running' && pidAlive(status.pid) : null;
  return { ...status, alive, ...(alive ? { ready: await probe(`${status.adminUrl}/readyz`) } : {}) };
}

/** One GET, two seconds at most; never rejects. */
function probe(url: string): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: res.statusCode === 200, detail: `/readyz answered ${res.statusCode}` }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', (e) => resolve({ ok: false, detail: `/readyz: ${e.message}` }));
  });
}
