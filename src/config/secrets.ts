/**
 * Integration secrets (PSA keys, channel URLs that carry their own signature, routing keys, SMTP
 * passwords, signing secrets), named like `psa/connectwise` or `notify/teams-ops`, kept per profile
 * by the API key's rules: in a file of the config directory (secrets.json, mode 0600, written as
 * config.json is: through conf, atomically, under a lock) by default, or in the OS keychain with only a reference in that file. A service
 * without either gives them headless: a file named by SAFEWEB_SECRET_<NAME>_FILE, or systemd's
 * LoadCredential directory ($CREDENTIALS_DIRECTORY). Values are never listed, and never come from
 * a flag value.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import type { KeyRef } from './keyring.js';
import { withLock } from './lock.js';
import { writeJsonStore } from './store.js';

/**
 * A kind (letters and digits) and a name (letters, digits, inner "-"), lower case: upper-casing
 * for a variable and "/", "-" -> "_" then stay one-to-one (the first "_" is always the "/").
 */
const NAME = /^[a-z][a-z0-9]{0,15}\/[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Where a value is kept or was found, in the order a read looks. */
type SecretSource = 'env' | 'credentials' | 'keyring' | 'file';

/** Where `secret set` keeps a value. */
export type SecretStore = 'file' | 'keyring';

/** Whose secrets: the config directory, the profile (stored secrets need one), the environment. */
export interface SecretScope {
  configDir: string;
  profile: string | undefined;
  env: Record<string, string | undefined>;
}

type StoredSecret = { value: string; updated: string } | { keyring: KeyRef; updated: string };

interface SecretsFile {
  profiles: Record<string, Record<string, StoredSecret>>;
}

const FILE = 'secrets.json';

/** The name, or exit 2 saying what a name looks like. */
export function checkSecretName(name: string): string {
  if (NAME.test(name)) return name;
  throw new UsageError(
    `invalid secret name "${name}"`,
    'Use KIND/NAME in lower case, e.g. psa/connectwise or notify/teams-ops (letters, digits, and "-" inside the name).',
  );
}

/** SAFEWEB_SECRET_PSA_CONNECTWISE_FILE for psa/connectwise. */
export function secretVariable(name: string): string {
  return `SAFEWEB_SECRET_${name.toUpperCase().replace(/[/-]/g, '_')}_FILE`;
}

/** psa.connectwise for psa/connectwise: the credential's name in systemd's LoadCredential=. */
export function credentialName(name: string): string {
  return name.replace('/', '.');
}

function secretsPath(configDir: string): string {
  return path.join(configDir, FILE);
}

function readStore(configDir: string): SecretsFile {
  const file = secretsPath(configDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, 'It should be yours, mode 0600.');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${file} is not valid JSON (${(error as Error).message})`,
      'Fix it by hand, or move it aside and set the secrets again; it was left untouched.',
    );
  }
  const profiles = (data as { profiles?: unknown } | null)?.profiles;
  if (!profiles || typeof profiles !== 'object' || Array.isArray(profiles))
    throw new ConfigError(`${file} does not hold {"profiles": {...}}`, 'Fix it by hand, or move it aside.');
  for (const [profile, secrets] of Object.entries(profiles as Record<string, unknown>)) {
    for (const [name, entry] of Object.entries((secrets ?? {}) as Record<string, unknown>)) {
      const e = entry as Record<string, unknown> | null;
      const ref = e?.['keyring'] as Record<string, unknown> | undefined;
      const ok =
        typeof e?.['value'] === 'string' ||
        (typeof ref?.['service'] === 'string' && typeof ref['account'] === 'string');
      if (!ok)
        throw new ConfigError(
          `${file}: secret "${name}" of profile "${profile}" has neither a value nor a keychain reference`,
          `Fix it by hand, or set it again: safeweb secret set ${name} --profile ${profile}`,
        );
    }
  }
  return data as SecretsFile;
}

/**
 * Read-modify-write of secrets.json under a lock, written whole and atomically with mode 0600 by
 * conf, as store.ts writes config.json (config/ sits beside io/ in the layers, so not safe-write).
 */
async function updateStore<T>(configDir: string, mutate: (data: SecretsFile) => T): Promise<T> {
  return withLock(configDir, 'secrets', async () => {
    const data = readStore(configDir);
    const result = mutate(data);
    for (const [profile, secrets] of Object.entries(data.profiles))
      if (Object.keys(secrets).length === 0) delete data.profiles[profile];
    await writeJsonStore(configDir, 'secrets', data);
    return result;
  });
}

/** The profile whose store a command changes, or exit 2 asking for one. */
export function secretProfile(scope: SecretScope): string {
  if (scope.profile) return scope.profile;
  throw new UsageError(
    'stored secrets belong to a profile, and none is in use',
    'Choose one with --profile NAME (or `safeweb profile use NAME`); a service can give secrets in SAFEWEB_SECRET_<NAME>_FILE files instead.',
  );
}

/**
 * Stores `value` under `name` for the scope's profile, replacing what was there. In the
 * keychain it is written and read back before the reference is saved; a keychain entry it
 * replaces is deleted afterwards (a warning is returned when that fails).
 */
export async function setSecret(
  scope: SecretScope,
  name: string,
  value: string,
  options: { store: SecretStore; now: Date },
): Promise<{ file: string; replaced: boolean; warning?: string }> {
  const profile = secretProfile(scope);
  checkSecretName(name);
  const updated = options.now.toISOString();
  let entry: StoredSecret = { value, updated };
  const keyring = options.store === 'keyring' ? await import('./keyring.js') : undefined;
  if (keyring) {
    const ref = keyring.newSecretRef(profile, name);
    await keyring.writeKey(ref, value, `storing the secret ${name}`);
    entry = { keyring: ref, updated };
  }
  let previous: StoredSecret | undefined;
  try {
    previous = await updateStore(scope.configDir, (data) => {
      const secrets = (data.profiles[profile] ??= {});
      const old = secrets[name];
      secrets[name] = entry;
      return old;
    });
  } catch (error) {
    if ('keyring' in entry && keyring) await keyring.deleteKey(entry.keyring).catch(() => false);
    throw error;
  }
  const warning = previous && 'keyring' in previous ? await forget(previous.keyring, name) : undefined;
  return { file: secretsPath(scope.configDir), replaced: Boolean(previous), ...(warning ? { warning } : {}) };
}

async function forget(ref: KeyRef, name: string): Promise<string | undefined> {
  try {
    const { deleteKey } = await import('./keyring.js');
    await deleteKey(ref, `deleting the secret ${name}`);
    return undefined;
  } catch (error) {
    return `the old keychain entry of ${name} (${ref.service} / ${ref.account}) could not be deleted: ${(error as Error).message}`;
  }
}

/** A secret found, and where. */
export interface LoadedSecret {
  value: string;
  source: SecretSource;
  /** The variable, the file or the keychain entry it came from. */
  location: string;
}

/** A file's content as a secret: one trailing newline dropped; empty or several lines refused. */
function secretFromFile(file: string, name: string, origin: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the secret ${name} from ${file} (${origin}): ${(error as Error).message}`,
      'Check the path and its permissions.',
    );
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.trim() === '' || /[\r\n]/.test(value))
    throw new ConfigError(
      `the secret ${name} in ${file} (${origin}) is ${value.trim() === '' ? 'empty' : 'more than one line'}`,
      'Put only the value in the file.',
    );
  return value;
}

/** The file of `name` in $CREDENTIALS_DIRECTORY, when there is one. */
function credentialFile(env: SecretScope['env'], name: string): string | undefined {
  const dir = env['CREDENTIALS_DIRECTORY'];
  if (!dir) return undefined;
  const file = path.join(dir, credentialName(name));
  return fs.existsSync(file) ? file : undefined;
}

/**
 * The value of `name`, looked for in order: the file SAFEWEB_SECRET_<NAME>_FILE names,
 * $CREDENTIALS_DIRECTORY/<kind.name>, then the profile's store (the keychain, or secrets.json).
 * Undefined when none has it; a source that names it but cannot give it is an error, never a
 * silent fall-through to an older value.
 */
export async function getSecret(scope: SecretScope, name: string): Promise<LoadedSecret | undefined> {
  checkSecretName(name);
  const variable = secretVariable(name);
  const named = scope.env[variable];
  if (named) return { value: secretFromFile(named, name, variable), source: 'env', location: variable };
  const credential = credentialFile(scope.env, name);
  if (credential)
    return {
      value: secretFromFile(credential, name, 'CREDENTIALS_DIRECTORY'),
      source: 'credentials',
      location: credential,
    };
  if (!scope.profile) return undefined;
  const entry = readStore(scope.configDir).profiles[scope.profile]?.[name];
  if (!entry) return undefined;
  if ('value' in entry) return { value: entry.value, source: 'file', location: secretsPath(scope.configDir) };
  const { readKey } = await import('./keyring.js');
  const value = await readKey(entry.keyring, `reading the secret ${name}`);
  if (!value)
    throw new ConfigError(
      `the secret ${name} of profile "${scope.profile}" is not in the keychain any more`,
      `Store it again: safeweb secret set ${name} --store keyring --value-stdin`,
    );
  return { value, source: 'keyring', location: `${entry.keyring.service} / ${entry.keyring.account}` };
}

/** The value of `name`, or exit 2 naming every way to give it. */
export async function requireSecret(scope: SecretScope, name: string): Promise<LoadedSecret> {
  const found = await getSecret(scope, name);
  if (found) return found;
  throw new UsageError(
    `no secret named ${name}${scope.profile ? ` for profile "${scope.profile}"` : ''}`,
    `Store it with \`safeweb secret set ${name}\`, or point ${secretVariable(name)} at a file, or give it to the service as the credential ${credentialName(name)} (systemd LoadCredential=).`,
  );
}

/**
 * Removes `name` from the profile's store: the keychain entry first, so a keychain that cannot
 * delete leaves the reference (and the command can be run again). Returns where it was kept.
 */
export async function deleteSecret(scope: SecretScope, name: string): Promise<SecretStore> {
  const profile = secretProfile(scope);
  checkSecretName(name);
  const entry = readStore(scope.configDir).profiles[profile]?.[name];
  if (!entry)
    throw new UsageError(
      `profile "${profile}" stores no secret named ${name}`,
      'See what it stores: safeweb secret list',
    );
  if ('keyring' in entry) {
    const { deleteKey } = await import('./keyring.js');
    await deleteKey(entry.keyring, `deleting the secret ${name}`);
  }
  await updateStore(scope.configDir, (data) => {
    delete data.profiles[profile]?.[name];
  });
  return 'keyring' in entry ? 'keyring' : 'file';
}

/** One place a secret is given; the first of a name (in lookup order) is the one in effect. */
export interface SecretListing {
  name: string;
  source: SecretSource;
  location: string;
  inEffect: boolean;
  /** When it was stored (the profile's store only). */
  updated: string | null;
}

const ORDER: SecretSource[] = ['env', 'credentials', 'keyring', 'file'];

/** Every secret the scope can see and where each lives; never a value (nothing is read). */
export function listSecrets(scope: SecretScope): SecretListing[] {
  const found: Omit<SecretListing, 'inEffect'>[] = [];
  for (const [key, value] of Object.entries(scope.env)) {
    const match = /^SAFEWEB_SECRET_([A-Z0-9]+)_([A-Z0-9_]+)_FILE$/.exec(key);
    if (!match || !value) continue;
    const name = `${match[1]!.toLowerCase()}/${match[2]!.toLowerCase().replace(/_/g, '-')}`;
    if (NAME.test(name)) found.push({ name, source: 'env', location: key, updated: null });
  }
  const dir = scope.env['CREDENTIALS_DIRECTORY'];
  if (dir) {
    for (const file of safeReaddir(dir)) {
      const name = file.replace('.', '/');
      if (NAME.test(name)) found.push({ name, source: 'credentials', location: path.join(dir, file), updated: null });
    }
  }
  if (scope.profile) {
    const stored = readStore(scope.configDir).profiles[scope.profile] ?? {};
    for (const [name, entry] of Object.entries(stored)) {
      found.push(
        'keyring' in entry
          ? {
              name,
              source: 'keyring',
              location: `${entry.keyring.service} / ${entry.keyring.account}`,
              updated: entry.updated,
            }
          : { name, source: 'file', location: secretsPath(scope.configDir), updated: entry.updated },
      );
    }
  }
  found.sort((a, b) => a.name.localeCompare(b.name) || ORDER.indexOf(a.source) - ORDER.indexOf(b.source));
  return found.map((f, i) => ({ ...f, inEffect: i === 0 || found[i - 1]!.name !== f.name }));
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
