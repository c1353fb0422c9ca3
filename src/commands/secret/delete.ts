import { checkSecretName, deleteSecret, secretProfile } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';

export interface SecretDeleteOptions {
  name: string;
  yes: boolean;
}

export async function runSecretDelete(opts: SecretDeleteOptions, ctx: Context): Promise<Outcome> {
  const name = checkSecretName(opts.name);
  const scope = await ctx.secretScope();
  const profile = secretProfile(scope);
  if (!opts.yes) {
    const hint = 'Pass --yes to delete it without asking.';
    if (!ctx.interactive) throw new UsageError(`deleting the secret ${name} needs confirmation`, hint);
    const prompter = await ctx.prompter(hint);
    if (!(await prompter.confirm({ message: `Delete the secret ${name} of profile "${profile}"?`, default: false })))
      throw new CancelledError('Nothing deleted.');
  }
  const store = await deleteSecret(scope, name);
  return {
    data: { deleted: name, profile, store },
    notes: [success(`Deleted ${name} of profile "${profile}"${store === 'keyring' ? ' and its keychain entry' : ''}.`)],
  };
}
