import { checkBaseUrl } from '../../api/base-url.js';
import { checkProfileName } from '../../config/profile-name.js';
import { saveProfileKeyed, type KeyStore } from '../../config/profiles.js';
import type { Context } from '../../context.js';
import { ENVIRONMENTS } from '../../environments.js';
import { UsageError } from '../../errors.js';
import { readSecret } from '../../io/read-secret.js';
import { hint, success, warn, type Outcome } from '../../outcome.js';
import { verifyCredentials } from '../verify-credentials.js';

export interface ProfileAddOptions {
  name: string;
  apiKeyStdin: boolean;
  apiKeyFile?: string | undefined;
  env?: 'production' | 'staging' | undefined;
  use: boolean;
  force: boolean;
  verify: boolean;
  /** Where the key is kept: the config file (default) or the OS keychain. */
  store: KeyStore;
  readOnly: boolean;
}

export async function runProfileAdd(opts: ProfileAddOptions, ctx: Context): Promise<Outcome> {
  const name = checkProfileName(opts.name);
  const partnerId = ctx.globals.partnerId?.trim();
  if (!partnerId)
    throw new UsageError(
      '--partner-id is required',
      `Run: safeweb profile add ${name} --partner-id ID --api-key-stdin`,
    );
  const baseUrl = checkBaseUrl(ctx.globals.baseUrl ?? ENVIRONMENTS[opts.env ?? 'production']).href.replace(/\/$/, '');
  if (!opts.apiKeyStdin && !opts.apiKeyFile) {
    throw new UsageError(
      'the API key is needed',
      'Pass --api-key-stdin (and pipe it in) or --api-key-file FILE; keys are never taken as flag values.',
    );
  }
  const apiKey = await readSecret(
    { file: opts.apiKeyFile, stdin: opts.apiKeyStdin },
    ctx.streams.stdin,
    'API key',
    (t) => ctx.out.warn(t),
  );

  if (opts.verify) {
    await verifyCredentials(ctx, { partnerId, apiKey, baseUrl });
  }
  const maskPii = ctx.globals.maskPii === true;
  const saved = await saveProfileKeyed(
    ctx.configDir,
    name,
    { partnerId, apiKey, baseUrl, readOnly: opts.readOnly || undefined, maskPii: maskPii || undefined },
    opts.store,
    { activate: opts.use, replace: opts.force },
  );
  const mode = [opts.readOnly && 'read-only', maskPii && 'masking personal data'].filter(Boolean).join(', ');
  const what =
    `profile "${name}" (${partnerId} at ${baseUrl}${mode ? `; ${mode}` : ''}) in ${saved.file}` +
    `${opts.store === 'keyring' ? ', its key in the OS keychain' : ''}${saved.active ? ', now active' : ''}`;
  return {
    data: {
      name,
      partnerId,
      baseUrl,
      active: saved.active,
      file: saved.file,
      store: opts.store,
      readOnly: opts.readOnly,
      maskPii,
    },
    notes: [
      success(`${saved.replaced ? 'Replaced' : 'Saved'} ${what}.`),
      ...(saved.warning ? [warn(saved.warning)] : []),
      ...((await keychainAnswers(opts.store, ctx.env))
        ? [
            hint(
              `The key is in a plain file; keep it in the OS keychain with: safeweb profile set ${name} --store keyring`,
            ),
          ]
        : []),
      ...(saved.active ? [] : [hint(`Use it with --profile ${name}, or make it active: safeweb profile use ${name}`)]),
    ],
  };
}

/**
 * Whether to suggest the keychain for a key saved in the file: only where one answers (the probe
 * doctor makes), so a server or container without a Secret Service is not sent to a dead end.
 */
async function keychainAnswers(store: string, env: Record<string, string | undefined>): Promise<boolean> {
  if (store !== 'file') return false;
  const { probeKeychain } = await import('../../config/keyring.js');
  return (await probeKeychain(env)).ok;
}
