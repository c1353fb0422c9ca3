/** Profile operations shared by `profile add`, `login` and `sandbox start --save-profile`. */
import { UsageError } from '../errors.js';
import { configPath, updateConfig, type Profile } from './store.js';

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
