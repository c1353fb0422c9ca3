/**
 * Profiles on disk. Reads parse the JSON file directly (conf's import costs several Node
 * start-ups, and every API command reads the config); writes go through conf, which writes
 * atomically with mode 0600, under a lock so two processes adding profiles lose neither.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { withLock } from './lock.js';

export interface Profile {
  partnerId: string;
  /** The key itself for a file-stored profile; empty when it lives in the keychain (`keyring`). */
  apiKey: string;
  baseUrl: string;
  /** Where the key sits in the OS keychain; only this reference is in the file. */
  keyring?: { service: string; account: string } | undefined;
  /** Every request that would change something is refused before it is sent. */
  readOnly?: boolean | undefined;
  /** Personal data is masked in everything displayed (--no-mask-pii shows it for one command). */
  maskPii?: boolean | undefined;
  /** The partner's name as its reports show it (`portfolio report`), e.g. "Contoso IT". */
  displayName?: string | undefined;
}

export interface ConfigData {
  activeProfile?: string | undefined;
  profiles: Record<string, Profile>;
  /** Per-profile remembered answers (currency, locale...), used by later wizards. */
  preferences?: Record<string, Record<string, string>>;
}

const CONFIG_FILE = 'config.json';

/** SAFEWEB_CONFIG_DIR, else the platform's config directory (as conf/env-paths choose it). */
export function configDirFor(env: Record<string, string | undefined>): string {
  if (env['SAFEWEB_CONFIG_DIR']) return path.resolve(env['SAFEWEB_CONFIG_DIR']);
  const home = env['HOME'] ?? os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Preferences', 'safeweb');
  if (process.platform === 'win32')
    return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'safeweb', 'Config');
  return path.join(env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), 'safeweb');
}

export function configPath(dir: string): string {
  return path.join(dir, CONFIG_FILE);
}

/** The stored config; an empty one when the file does not exist yet. */
export function readConfig(dir: string): ConfigData {
  const file = configPath(dir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new ConfigError(
      `cannot read config file ${file}: ${(error as Error).message}`,
      'Check its permissions (it should be yours, mode 0600).',
    );
  }
  return parseConfig(text, file);
}

function parseConfig(text: string, file: string): ConfigData {
  let data: unknown;
  try {
    data = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `config file ${file} is not valid JSON (${(error as Error).message})`,
      'Fix it by hand, or move it aside and run `safeweb login` again; it was left untouched.',
    );
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(
      `config file ${file} does not hold a JSON object`,
      'Fix it by hand, or move it aside and run `safeweb login` again; it was left untouched.',
    );
  }
  const record = data as Record<string, unknown>;
  const profiles = (record['profiles'] ?? {}) as Record<string, unknown>;
  if (typeof profiles !== 'object' || Array.isArray(profiles)) {
    throw new ConfigError(
      `config file ${file}: "profiles" must be an object`,
      'Fix it by hand, or move it aside; it was left untouched.',
    );
  }
  for (const [name, profile] of Object.entries(profiles)) {
    const p = profile as Record<string, unknown> | null;
    if (
      !p ||
      typeof p['partnerId'] !== 'string' ||
      typeof p['apiKey'] !== 'string' ||
      typeof p['baseUrl'] !== 'string'
    ) {
      throw new ConfigError(
        `config file ${file}: profile "${name}" needs string partnerId, apiKey and baseUrl`,
        'Fix it by hand, or remove it with `safeweb profile remove`.',
      );
    }
    const ref = p['keyring'] as Record<string, unknown> | undefined;
    if (ref !== undefined && (typeof ref?.['service'] !== 'string' || typeof ref['account'] !== 'string')) {
      throw new ConfigError(
        `config file ${file}: profile "${name}" has a keyring reference without service and account`,
        'Fix it by hand, or store the key again with `safeweb profile add NAME --force`.',
      );
    }
    for (const flag of ['readOnly', 'maskPii']) {
      if (p[flag] !== undefined && typeof p[flag] !== 'boolean') {
        throw new ConfigError(
          `config file ${file}: profile "${name}": ${flag} must be true or false`,
          `Fix it by hand, or set it with \`safeweb profile set ${name}\`.`,
        );
      }
    }
    if (p['displayName'] !== undefined && typeof p['displayName'] !== 'string')
      throw new ConfigError(
        `config file ${file}: profile "${name}": displayName must be a string`,
        `Fix it by hand, or set it with \`safeweb profile set ${name} --display-name TEXT\`.`,
      );
  }
  return record as unknown as ConfigData;
}

/**
 * Read-modify-write under a lock. `mutate` gets the current data and changes it in place.
 * The directory is created 0700 and the file written 0600.
 */
export async function updateConfig(dir: string, mutate: (data: ConfigData) => void): Promise<ConfigData> {
  return withLock(dir, 'config', async () => {
    const data = readConfig(dir);
    data.profiles ??= {};
    mutate(data);
    await writeJsonStore(dir, 'config', data);
    return data;
  });
}

/**
 * `<dir>/<name>.json` written whole by conf: atomically, the directory 0700, the file 0600 (also
 * when it existed with a looser mode). The caller holds the file's lock (lock.ts).
 */
export async function writeJsonStore(dir: string, name: string, data: object): Promise<void> {
  const { default: Conf } = await import('conf');
  const store = new Conf<Record<string, unknown>>({
    projectName: 'safeweb',
    projectSuffix: '',
    cwd: dir,
    configName: name,
    configFileMode: 0o600,
    clearInvalidConfig: false,
  });
  store.store = data as Record<string, unknown>;
  fs.chmodSync(path.join(dir, `${name}.json`), 0o600);
}
