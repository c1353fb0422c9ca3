/**
 * One run of a kind per account: a multi-step run that changes the book (`apply`, bulk
 * onboarding, `customer import`, and the ticket and notification runs) holds the account's lock
 * for its kind, so two at once cannot both create the same webhook endpoint or lose each other's
 * customer IDs. A second run of the same kind is refused (exit 2, naming the running one: PID,
 * host, command, start time), or waits with --wait; a lock whose process is gone is taken over at
 * once (io/lock.ts). Single-call verbs (`breach resolve`, `customer update`) take none.
 */
import path from 'node:path';
import { accountFileName } from '../io/account-files.js';
import { holdingLock } from '../io/lock.js';
import { ensurePrivateDir } from '../io/private-dir.js';

/**
 * The kinds of run that take the lock; a kind's runs exclude each other, not other kinds. A
 * ticket sync is per connection (`psa-sync:<connection>`), and so is a receiver per instance
 * (`serve:<instance>`): two connections sync side by side, one connection never twice at once.
 */
export type RunKind =
  'apply' | 'bulk-onboard' | 'customer-import' | 'notify-send' | `psa-sync:${string}` | `serve:${string}`;

function commandOf(kind: RunKind): string {
  if (kind.startsWith('psa-sync:')) return `safeweb psa sync ${kind.slice('psa-sync:'.length)}`;
  if (kind.startsWith('serve:')) return `safeweb serve (${kind.slice('serve:'.length)})`;
  const fixed: Record<string, string> = {
    apply: 'safeweb apply',
    'bulk-onboard': 'safeweb customer onboard --file (bulk)',
    'customer-import': 'safeweb customer import',
    'notify-send': 'safeweb notify send',
  };
  return fixed[kind] ?? `safeweb ${kind}`;
}

export interface RunLockOptions {
  configDir: string;
  /** The account key ("P123@connect.safeweb.co"). */
  account: string;
  kind: RunKind;
  /** --wait: how long to wait for a running one (ms; Infinity: as long as it takes); 0 refuses at once. */
  waitMs?: number | undefined;
}

/** The lock file of an account's runs of one kind, in the config directory (0700). */
function lockFile(configDir: string, account: string, kind: RunKind): string {
  const dir = path.join(configDir, 'locks');
  ensurePrivateDir(dir, 'run locks');
  return path.join(dir, `${accountFileName(account)}.${kind.replace(':', '.')}.lock`);
}

/** Runs `fn` holding the account's lock for `kind`, released however `fn` ends. */
export function holdingRunLock<T>(options: RunLockOptions, fn: () => Promise<T>): Promise<T> {
  const command = commandOf(options.kind);
  return holdingLock(
    lockFile(options.configDir, options.account, options.kind),
    {
      what: `the account ${options.account}`,
      command,
      waitMs: options.waitMs,
      consequence: '; nothing was sent',
      hint: 'Let that run finish, or pass --wait [DURATION] to wait for it.',
    },
    fn,
  );
}

/** --wait as given: absent (refuse at once), alone (wait as long as it takes), or a duration in ms. */
export function waitMs(wait: boolean | number | undefined): number {
  return wait === true ? Infinity : typeof wait === 'number' ? wait : 0;
}
