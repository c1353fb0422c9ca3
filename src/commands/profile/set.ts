import { updateConfig, readConfig, type Profile } from '../../config/store.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { info, success, type Note, type Outcome } from '../../outcome.js';
import { unknownProfile } from './use.js';

export interface ProfileSetOptions {
  name: string;
  /** true: --read-only; false: --read-write. */
  readOnly?: boolean | undefined;
  /** true: --mask-pii; false: --no-mask-pii. */
  maskPii?: boolean | undefined;
  store?: 'file' | 'keyring' | undefined;
  /** --display-name: the partner's name in reports; '' removes it. */
  displayName?: string | undefined;
}

export interface ProfileSettings {
  name: string;
  readOnly: boolean;
  maskPii: boolean;
  store: 'file' | 'keyring';
  displayName?: string | undefined;
}

/** Changes how a stored profile behaves; moving the key keeps the old copy until the new one reads back. */
export async function runProfileSet(opts: ProfileSetOptions, ctx: Context): Promise<Outcome<ProfileSettings>> {
  const { name } = opts;
  if (
    opts.readOnly === undefined &&
    opts.maskPii === undefined &&
    opts.store === undefined &&
    opts.displayName === undefined
  )
    throw new UsageError(
      'nothing to change',
      `Give one or more of --read-only, --read-write, --mask-pii, --no-mask-pii, --store keyring|file, --display-name TEXT.`,
    );
  const before = (await ctx.config()).profiles[name];
  if (!before) throw unknownProfile(name, Object.keys((await ctx.config()).profiles));
  const notes: Note[] = [];
  if (opts.store) notes.push(await moveKey(ctx, name, before, opts.store));
  const data = await updateConfig(ctx.configDir, (config) => {
    const profile = config.profiles[name];
    if (!profile) throw unknownProfile(name, Object.keys(config.profiles));
    if (opts.readOnly !== undefined) profile.readOnly = opts.readOnly || undefined;
    if (opts.maskPii !== undefined) profile.maskPii = opts.maskPii || undefined;
    if (opts.displayName !== undefined) profile.displayName = opts.displayName.trim() || undefined;
  });
  const after = data.profiles[name]!;
  const settings: ProfileSettings = {
    name,
    readOnly: Boolean(after.readOnly),
    maskPii: Boolean(after.maskPii),
    store: after.keyring ? 'keyring' : 'file',
    ...(after.displayName ? { displayName: after.displayName } : {}),
  };
  if (opts.readOnly !== undefined)
    notes.push(
      success(
        settings.readOnly
          ? `Profile "${name}" is read-only: commands that would change something are refused before sending.`
          : `Profile "${name}" may change things again.`,
      ),
    );
  if (opts.maskPii !== undefined)
    notes.push(
      success(
        settings.maskPii
          ? `Profile "${name}" masks personal data in everything shown (--no-mask-pii shows it for one command).`
          : `Profile "${name}" shows personal data unmasked.`,
      ),
    );
  if (opts.displayName !== undefined)
    notes.push(
      success(
        settings.displayName
          ? `Reports of profile "${name}" say they are from ${settings.displayName}.`
          : `Reports of profile "${name}" name the partner by its ID.`,
      ),
    );
  return { data: settings, notes };
}

/** Moves the key to `store`: written, read back, recorded in the config, and only then the old copy removed. */
async function moveKey(ctx: Context, name: string, profile: Profile, store: 'file' | 'keyring'): Promise<Note> {
  const keyring = await import('../../config/keyring.js');
  if (store === 'keyring') {
    if (profile.keyring) return info(`The key of profile "${name}" is in the keychain already.`);
    const ref = keyring.newKeyRef(name, profile.partnerId);
    await keyring.writeKey(ref, profile.apiKey);
    try {
      await updateConfig(ctx.configDir, (config) => {
        const p = config.profiles[name];
        if (!p || p.apiKey !== profile.apiKey) throw new UsageError(`profile "${name}" changed meanwhile; try again`);
        p.apiKey = '';
        p.keyring = ref;
      });
    } catch (error) {
      await keyring.deleteKey(ref).catch(() => false);
      throw error;
    }
    return success(
      `Moved the key of profile "${name}" into ${keyring.keychainName()}; the config file keeps a reference only.`,
    );
  }
  if (!profile.keyring) return info(`The key of profile "${name}" is in the config file already.`);
  const old = profile.keyring;
  const key = await keyring.readKey(old);
  if (!key) throw new UsageError(`the key of profile "${name}" is not in the keychain any more; nothing was changed`);
  await updateConfig(ctx.configDir, (config) => {
    const p = config.profiles[name];
    if (!p?.keyring || p.keyring.account !== old.account)
      throw new UsageError(`profile "${name}" changed meanwhile; try again`);
    p.apiKey = key;
    p.keyring = undefined;
  });
  if (readConfig(ctx.configDir).profiles[name]?.apiKey !== key)
    throw new UsageError(`the key could not be read back from the config file; the keychain copy was kept`);
  await keyring.deleteKey(old);
  return success(`Moved the key of profile "${name}" into the config file (mode 0600) and deleted the keychain entry.`);
}
