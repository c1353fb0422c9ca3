/**
 * API keys in the operating system's credential store (macOS Keychain, Windows Credential
 * Manager, the Secret Service on Linux) through @napi-rs/keyring, whose prebuilt binaries ship
 * inside the npm package. The binding is loaded only when a key is read or written, never on
 * start-up. Every call is the binding's asynchronous one raced against a 3 s timer: a store that
 * does not answer (a locked keyring waiting for a prompt nobody sees, a D-Bus that hangs) is a
 * clear error naming the store, never a process that waits forever.
 */
import { randomBytes } from 'node:crypto';
import { UnavailableError, UsageError } from '../errors.js';

/** Where a profile's key sits in the keychain: only this reference is in the config file. */
export interface KeyRef {
  service: string;
  account: string;
}

/** The time each keychain call gets. */
const TIMEOUT_MS = 3000;

const SERVICE = 'safeweb-cli';

/** The store's name on this platform, for messages. */
export function keychainName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'the Windows Credential Manager';
  return 'the Secret Service (the desktop keyring)';
}

/** A fresh reference for a profile: unique per store, so two config directories never share an entry. */
export function newKeyRef(profile: string, partnerId: string): KeyRef {
  return { service: SERVICE, account: `${profile}/${partnerId}/${randomBytes(6).toString('hex')}` };
}

/** No keychain on this machine (or it refused): exit 2, saying why. Never a silent fallback. */
export class KeychainUnavailableError extends UsageError {
  readonly reason: string;
  constructor(reason: string, hint = 'Keep the key in the config file (--store file), or start a keychain first.') {
    super(`no OS keychain is available here: ${reason}`, hint);
    this.reason = reason;
  }
}

/** The keychain did not answer in time: exit 5, naming the store. */
class KeychainTimeoutError extends UnavailableError {
  constructor(what: string) {
    super(
      `${keychainName()} did not answer within ${TIMEOUT_MS / 1000} s (${what})`,
      undefined,
      'Unlock the keyring (or answer its prompt) and try again; `safeweb doctor` checks it.',
    );
    this.outcomeUnknown = false;
  }
}

interface Binding {
  AsyncEntry: new (
    service: string,
    account: string,
    options?: { linux?: { store?: 'secret-service' | 'keyutils' } },
  ) => {
    getPassword(signal?: AbortSignal): Promise<string | null>;
    setPassword(password: string, signal?: AbortSignal): Promise<void>;
    deletePassword(signal?: AbortSignal): Promise<boolean>;
  };
}

let binding: Promise<Binding> | undefined;

async function load(): Promise<Binding> {
  binding ??= import('@napi-rs/keyring').then((m) => m as unknown as Binding);
  try {
    return await binding;
  } catch (error) {
    binding = undefined;
    throw new KeychainUnavailableError(`the keychain binding could not be loaded (${(error as Error).message})`);
  }
}

/**
 * Runs one keychain call with the time limit. On timeout the call is abandoned: a native call
 * cannot be interrupted and would keep Node running, so once main has chosen the exit code the
 * process exits (the one place below main that ends the process, for that reason only).
 */
async function limited<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new KeychainTimeoutError(what));
      const exitWhenDone = setInterval(() => {
        // eslint-disable-next-line no-restricted-properties -- a hung native call cannot be cancelled (see above)
        if (process.exitCode !== undefined) process.exit();
      }, 50);
      exitWhenDone.unref();
    }, TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } catch (error) {
    if (error instanceof KeychainTimeoutError) throw error;
    throw new KeychainUnavailableError(describe(error));
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim() || 'the keychain refused the request';
}

/**
 * On Linux the Secret Service only: the binding's default falls back to the kernel keyring,
 * which forgets keys at logout — a silent fallback the user did not ask for.
 */
function entry(AsyncEntry: Binding['AsyncEntry'], ref: KeyRef) {
  return new AsyncEntry(ref.service, ref.account, { linux: { store: 'secret-service' } });
}

/** The key stored under `ref`, or null when there is none. */
export async function readKey(ref: KeyRef): Promise<string | null> {
  const { AsyncEntry } = await load();
  return limited('reading the API key', (signal) => entry(AsyncEntry, ref).getPassword(signal));
}

/** Stores `key` under `ref`, then reads it back: a store that says yes but keeps nothing is an error. */
export async function writeKey(ref: KeyRef, key: string): Promise<void> {
  const { AsyncEntry } = await load();
  await limited('storing the API key', (signal) => entry(AsyncEntry, ref).setPassword(key, signal));
  const back = await readKey(ref);
  if (back !== key) throw new KeychainUnavailableError('the key stored could not be read back');
}

/** Deletes the entry; false when there was none. */
export async function deleteKey(ref: KeyRef): Promise<boolean> {
  const { AsyncEntry } = await load();
  return limited('deleting the API key', (signal) => entry(AsyncEntry, ref).deletePassword(signal));
}

/** Whether a keychain answers here: a read of an entry that does not exist. */
export async function probeKeychain(
  env: Record<string, string | undefined>,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform === 'linux' && !env['DBUS_SESSION_BUS_ADDRESS'] && !env['XDG_RUNTIME_DIR'])
    return { ok: false, reason: 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service' };
  try {
    await readKey({ service: SERVICE, account: 'probe (safeweb doctor)' });
    return { ok: true };
  } catch (error) {
    if (error instanceof KeychainUnavailableError) return { ok: false, reason: error.reason };
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
