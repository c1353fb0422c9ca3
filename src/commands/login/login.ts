import { checkBaseUrl } from '../../api/base-url.js';
import { profileNameProblem } from '../../config/profile-name.js';
import { saveProfileKeyed, type KeyStore } from '../../config/profiles.js';
import type { Context } from '../../context.js';
import { ENVIRONMENTS } from '../../environments.js';
import { AuthError, CancelledError, CliError, UnavailableError, UsageError } from '../../errors.js';
import { hint, success, type Outcome } from '../../outcome.js';
import type { Prompter } from '../../prompt/prompter.js';
import { verifyCredentials } from '../verify-credentials.js';

export interface LoginOptions {
  verify: boolean;
  /** Where the key is kept: the config file or the OS keychain. */
  store: KeyStore;
}

const NON_INTERACTIVE_HINT =
  'login asks questions; in a script use `safeweb profile add NAME --partner-id ID --api-key-stdin` instead.';

/** How many keys a person may type before being offered to save without checking. */
const KEY_TRIES = 3;

export async function runLogin(opts: LoginOptions, ctx: Context): Promise<Outcome> {
  if (!ctx.interactive) throw new UsageError('`safeweb login` needs a terminal', NON_INTERACTIVE_HINT);
  if (opts.store === 'keyring') {
    // Before any question: no one should type a key for a store that is not there.
    const { KeychainUnavailableError, probeKeychain } = await import('../../config/keyring.js');
    const probe = await probeKeychain(ctx.env);
    if (!probe.ok) throw new KeychainUnavailableError(probe.reason);
  }
  const prompter = await ctx.prompter(NON_INTERACTIVE_HINT);
  const profileName = await askProfileName(prompter, ctx);
  const baseUrl = await askBaseUrl(prompter);
  const partnerId = (
    await prompter.input({
      message: 'Partner ID',
      validate: (v) => (v.trim() ? true : 'The partner ID SafeWeb gave you is needed.'),
    })
  ).trim();
  const { apiKey, verified } = await askKey(prompter, ctx, { partnerId, baseUrl, verify: opts.verify });
  const saved = await saveProfileKeyed(ctx.configDir, profileName, { partnerId, apiKey, baseUrl }, opts.store, {
    activate: true,
    replace: true,
  });
  const where =
    `"${profileName}" (${partnerId} at ${baseUrl}) in ${saved.file}, mode 0600` +
    (opts.store === 'keyring' ? ', its key in the OS keychain' : '');
  return {
    data: { name: profileName, partnerId, baseUrl, active: true, verified, file: saved.file, store: opts.store },
    notes: [
      success(`${verified ? 'Credentials accepted. ' : ''}Saved profile ${where}; it is now active.`),
      hint(verified ? 'Try: safeweb partner analytics' : 'Check them later with: safeweb doctor'),
    ],
  };
}

/** The profile name: --profile, else "default"; replacing an existing one is confirmed. */
async function askProfileName(prompter: Prompter, ctx: Context): Promise<string> {
  const config = await ctx.config();
  const name = (
    await prompter.input({
      message: 'Profile name',
      default: ctx.globals.profile ?? 'default',
      validate: (v) => profileNameProblem(v.trim()) ?? true,
    })
  ).trim();
  if (config.profiles[name]) {
    const replace = await prompter.confirm({
      message: `Profile "${name}" exists (${config.profiles[name]!.partnerId}). Replace it?`,
      default: false,
    });
    if (!replace) throw new CancelledError('Nothing saved.');
  }
  return name;
}

async function askBaseUrl(prompter: Prompter): Promise<string> {
  const env = await prompter.select<'production' | 'staging' | 'custom'>({
    message: 'Environment',
    choices: [
      { name: `Production (${ENVIRONMENTS.production})`, value: 'production' },
      { name: `Staging (${ENVIRONMENTS.staging})`, value: 'staging' },
      { name: 'Custom URL (a local sandbox, a proxy…)', value: 'custom' },
    ],
    default: 'production',
  });
  if (env !== 'custom') return ENVIRONMENTS[env];
  const raw = await prompter.input({
    message: 'Base URL',
    default: 'http://127.0.0.1:4010',
    validate: (v) => urlProblem(v.trim()) ?? true,
  });
  return checkBaseUrl(raw.trim()).href.replace(/\/$/, '');
}

/**
 * The key, checked with a real request unless --no-verify. A rejected key is asked for again
 * (KEY_TRIES in all); after that, or when the API cannot be reached, the person may save it
 * unchecked. Declining is the error itself: exit 4 or 5, nothing saved.
 */
async function askKey(
  prompter: Prompter,
  ctx: Context,
  creds: { partnerId: string; baseUrl: string; verify: boolean },
): Promise<{ apiKey: string; verified: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const apiKey = (
      await prompter.password({
        message: attempt === 1 ? 'API key' : `API key (try ${attempt} of ${KEY_TRIES})`,
        validate: (v) =>
          !v.trim() ? 'The API key is needed.' : /\s/.test(v.trim()) ? 'An API key has no spaces.' : true,
      })
    ).trim();
    if (!creds.verify) return { apiKey, verified: false };
    let failure: CliError;
    try {
      await verifyCredentials(ctx, { partnerId: creds.partnerId, apiKey, baseUrl: creds.baseUrl });
      return { apiKey, verified: true };
    } catch (error) {
      if (!(error instanceof AuthError || error instanceof UnavailableError)) throw error;
      failure = error;
    }
    ctx.out.warn(failure.message);
    if (failure instanceof AuthError && attempt < KEY_TRIES) {
      ctx.out.info('The API did not accept this partner ID and key. Type the key again.');
      continue;
    }
    const save = await prompter.confirm({ message: 'Save the profile without verifying it?', default: false });
    if (save) return { apiKey, verified: false };
    throw failure instanceof AuthError
      ? new AuthError(
          failure.message,
          'Nothing was saved: check the partner ID and API key SafeWeb gave you.',
          failure.status,
        )
      : failure;
  }
}

function urlProblem(value: string): string | undefined {
  try {
    checkBaseUrl(value);
    return undefined;
  } catch (error) {
    return (error as UsageError).message + (error instanceof UsageError && error.hint ? ` — ${error.hint}` : '');
  }
}
