/** Profile operations shared by `profile add`, `login` and `sandbox start --save-profile`. */
import { UsageError } from '../errors.js';
import { configPath, readConfig, updateConfig, type Profile } from './store.js';

export interface SaveResult {
  file: string;
  active: boolean;
  replaced: boolean;
}

/**
 * Stores a profile. The first profile becomes active; later ones only with `activate`.
 * An existing name is refused unless `replace`.
 */
export async function saveProfile(
  dir: string,
  name: string,
  profile: Profile,
  options: { activate?: boolean; replace?: boolean },
): Promise<SaveResult> {
  let replaced = false;
  let active = false;
  await updateConfig(dir, (data) => {
    if (data.profiles[name] && !options.replace) {
      throw new UsageError(
        `a profile named "${name}" already exists`,
        'Choose another name, or pass --force to replace it.',
      );
    }
    replaced = Boolean(data.profiles[name]);
    data.profiles[name] = profile;
    if (options.activate || !data.activeProfile || !data.profiles[data.activeProfile]) data.activeProfile = name;
    active = data.activeProfile === name;
  });
  return { file: configPath(dir), active, replaced };
}

/** Where a profile's key is kept: the config file (mode 0600) or the OS keychain. */
export type KeyStore = 'file' | 'keyring';

/**
 * Stores a profile with its key in `store`. In the keychain, the key is written and read back
 * before the profile (with only a reference) is saved; a profile it replaces loses its old
 * keychain entry. Returns a warning when an old entry could not be deleted.
 */
export async function saveProfileKeyed(
  dir: string,
  name: string,
  profile: Profile,
  store: KeyStore,
  options: { activate?: boolean; replace?: boolean },
): Promise<SaveResult & { warning?: string }> {
  const previous = readConfig(dir).profiles[name]?.keyring;
  if (previous && !options.replace) return saveProfile(dir, name, profile, options); // refused there, with its message
  if (store === 'file') {
    const saved = await saveProfile(dir, name, { ...profile, keyring: undefined }, options);
    return { ...saved, ...(await forget(previous)) };
  }
  const keyring = await import('./keyring.js');
  const ref = keyring.newKeyRef(name, profile.partnerId);
  await keyring.writeKey(ref, profile.apiKey);
  let saved: SaveResult;
  try {
    saved = await saveProfile(dir, name, { ...profile, apiKey: '', keyring: ref }, options);
  } catch (error) {
    await keyring.deleteKey(ref).catch(() => false);
    throw error;
  }
  return { ...saved, ...(await forget(previous)) };
}

/** Deletes a replaced profile's keychain entry; says so when it cannot. */
async function forget(ref: Profile['keyring']): Promise<{ warning?: string }> {
  if (!ref) return {};
  try {
    const { deleteKey } = await import('./keyring.js');
    await deleteKey(ref);
    return {};
  } catch (error) {
    return {
      warning: `the replaced profile's keychain entry (${ref.service} / ${ref.account}) could not be deleted: ${(error as Error).message}`,
    };
  }
}
