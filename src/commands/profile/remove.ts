import { updateConfig } from '../../config/store.js';
import type { Context } from '../../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { hint, success, type Outcome } from '../../outcome.js';
import { unknownProfile } from './use.js';
import { deleteSecret, listSecrets } from '../../config/secrets.js';

export interface ProfileRemoveOptions {
  name: string;
  yes: boolean;
}

export async function runProfileRemove(opts: ProfileRemoveOptions, ctx: Context): Promise<Outcome> {
  const current = await ctx.config();
  if (!current.profiles[opts.name]) throw unknownProfile(opts.name, Object.keys(current.profiles));
  if (!opts.yes) {
    if (!ctx.interactive)
      throw new UsageError(
        `removing profile "${opts.name}" needs confirmation`,
        'Pass --yes to remove it without asking.',
      );
    const prompter = await ctx.prompter('Pass --yes to remove it without asking.');
    const ok = await prompter.confirm({
      message: `Remove profile "${opts.name}" (${current.profiles[opts.name]!.partnerId})?`,
      default: false,
    });
    if (!ok) throw new CancelledError('Nothing removed.');
  }
  // The keychain entry goes first: if the keychain cannot delete it, the profile (and its
  // reference to the entry) is kept, so nothing is left behind that no command can reach.
  const ref = current.profiles[opts.name]!.keyring;
  let keychainEntry = false;
  if (ref) {
    const { deleteKey } = await import('../../config/keyring.js');
    keychainEntry = await deleteKey(ref);
  }
  // Its integration secrets go with it (keychain entries included): nothing is left that no
  // profile can reach.
  const scope = { configDir: ctx.configDir, profile: opts.name, env: {} };
  const stored = listSecrets(scope).filter((s) => s.source === 'file' || s.source === 'keyring');
  for (const secret of stored) await deleteSecret(scope, secret.name);
  let wasActive = false;
  await updateConfig(ctx.configDir, (data) => {
    if (!data.profiles[opts.name]) throw unknownProfile(opts.name, Object.keys(data.profiles));
    delete data.profiles[opts.name];
    if (data.preferences) delete data.preferences[opts.name];
    if (data.activeProfile === opts.name) {
      wasActive = true;
      data.activeProfile = undefined;
    }
  });
  return {
    data: { removed: opts.name, wasActive, keychainEntryDeleted: keychainEntry, secretsDeleted: stored.length },
    notes: [
      success(
        `Removed profile "${opts.name}"${keychainEntry ? ' and its API key from the keychain' : ''}` +
          `${stored.length ? `, with its ${stored.length} stored secret${stored.length === 1 ? '' : 's'}` : ''}.`,
      ),
      ...(wasActive ? [hint('It was the active profile; pick another with `safeweb profile use NAME`.')] : []),
    ],
  };
}
