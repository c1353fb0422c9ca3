/**
 * API keys in the operating system's credential store (macOS Keychain, Windows Credential
 * Manager, the Secret Service on Linux) through @napi-rs/keyring, whose prebuilt binaries ship
 * inside the npm package. The binding is loaded only when a key is read or written, never on
 * start-up, and then in a child process (see `call`) with a 3 s time limit: a store that does
 * not answer (a locked keyring waiting for a prompt nobody sees, a D-Bus that hangs) is a clear
 * error naming the store, never a process that waits forever.
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

/** A fresh reference for an integration secret of a profile (config/secrets.ts). */
export function newSecretRef(profile: string, name: string): KeyRef {
  return { service: SERVICE, account: `secret/${profile}/${name}/${randomBytes(6).toString('hex')}` };
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

/**
 * The child that makes one keychain call: the binding's constructor talks to the store
 * synchronously (a hung D-Bus blocks it, measured), and a thread stuck in native code keeps
 * even process.exit() waiting; a child process can be killed. The request (the key included,
 * for a write) goes over stdin, never argv or the environment.
 */
const CHILD = `
const { AsyncEntry } = require(process.argv[1]);
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c)).on('end', async () => {
  let answer;
  try {
    const q = JSON.parse(input);
    const entry = new AsyncEntry(q.service, q.account, { linux: { store: 'secret-service' } });
    const value =
      q.op === 'get' ? await entry.getPassword() : q.op === 'set' ? await entry.setPassword(q.password) : await entry.deletePassword();
    answer = { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    answer = { ok: false, error: String((error && error.message) || error) };
  }
  process.stdout.write(JSON.stringify(answer));
});
`;

type Request = { op: 'get' | 'delete'; service: string; account: string } | ({ op: 'set'; password: string } & KeyRef);

/**
 * One keychain call in a child process, killed if it has not answered within the time limit.
 * On Linux the entry is pinned to the Secret Service: the binding would otherwise fall back to
 * the kernel keyring, which forgets keys at logout — a silent fallback nobody asked for.
 */
async function call(what: string, request: Request): Promise<unknown> {
  const [{ spawn }, { createRequire }] = await Promise.all([import('node:child_process'), import('node:module')]);
  let binding: string;
  try {
    binding = createRequire(import.meta.url).resolve('@napi-rs/keyring');
  } catch (error) {
    throw new KeychainUnavailableError(`the keychain binding is not installed (${(error as Error).message})`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, binding], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new KeychainTimeoutError(what));
    }, TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new KeychainUnavailableError(`the keychain helper could not start (${error.message})`));
    });
    child.on('close', () => {
      clearTimeout(timer);
      let answer: { ok: boolean; value?: unknown; error?: string };
      try {
        answer = JSON.parse(out) as typeof answer;
      } catch {
        const why =
          err
            .trim()
            .split('\n')
            .find((l) => /Error/.test(l)) ??
          (err.trim() || 'no answer');
        reject(new KeychainUnavailableError(`the keychain binding failed (${why.slice(0, 300)})`));
        return;
      }
      if (answer.ok) resolve(answer.value);
      else reject(new KeychainUnavailableError(describe(answer.error)));
    });
    child.stdin.end(JSON.stringify(request));
  });
}

function describe(error: unknown): string {
  const message = typeof error === 'string' ? error : error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim() || 'the keychain refused the request';
}

/** The key stored under `ref`, or null when there is none. */
export async function readKey(ref: KeyRef, what = 'reading the API key'): Promise<string | null> {
  const value = await call(what, { op: 'get', ...ref });
  return typeof value === 'string' ? value : null;
}

/** Stores `key` under `ref`, then reads it back: a store that says yes but keeps nothing is an error. */
export async function writeKey(ref: KeyRef, key: string, what = 'storing the API key'): Promise<void> {
  await call(what, { op: 'set', ...ref, password: key });
  const back = await readKey(ref, what);
  if (back !== key) throw new KeychainUnavailableError('the key stored could not be read back');
}

/** Deletes the entry; false when there was none. */
export async function deleteKey(ref: KeyRef, what = 'deleting the API key'): Promise<boolean> {
  return (await call(what, { op: 'delete', ...ref })) === true;
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
