import { checkBaseUrl, ENVIRONMENTS } from '../../api/base-url.js';
import { profileNameProblem } from '../../config/profile-name.js';
import { saveProfile } from '../../config/profiles.js';
import type { Context } from '../../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { hint, success, type Outcome } from '../../outcome.js';
import { verifyCredentials } from './verify.js';

export interface LoginOptions {
  verify: boolean;
}

const NON_INTERACTIVE_HINT =
  'login asks questions; in a script use `safeweb profile add NAME --partner-id ID --api-key-stdin` instead.';

export async function runLogin(opts: LoginOptions, ctx: Context): Promise<Outcome> {
  if (!ctx.interactive) throw new UsageError('`safeweb login` needs a terminal', NON_INTERACTIVE_HINT);
  const prompter = await ctx.prompter(NON_INTERACTIVE_HINT);
  const config = await ctx.config();

  const name = await prompter.input({
    message: 'Profile name',
    default: ctx.globals.profile ?? (config.activeProfile ? undefined : 'default'),
    validate: (v) => profileNameProblem(v.trim()) ?? true,
  });
  const profileName = name.trim();
  if (config.profiles[profileName]) {
    const replace = await prompter.confirm({
      message: `Profile "${profileName}" exists (${config.profiles[profileName]!.partnerId}). Replace it?`,
      default: false,
    });
    if (!replace) throw new CancelledError('Nothing saved.');
  }

  const env = await prompter.select<'production' | 'staging' | 'custom'>({
    message: 'Environment',
    choices: [
      { name: `Production (${ENVIRONMENTS.production})`, value: 'production' },
      { name: `Staging (${ENVIRONMENTS.staging})`, value: 'staging' },
      { name: 'Custom URL (a local sandbox, a proxy…)', value: 'custom' },
    ],
    default: 'production',
  });
  let baseUrl: string = env === 'custom' ? '' : ENVIRONMENTS[env];
  if (env === 'custom') {
    const raw = await prompter.input({
      message: 'Base URL',
      default: 'http://127.0.0.1:4010',
      validate: (v) => urlProblem(v.trim()) ?? true,
    });
    baseUrl = checkBaseUrl(raw.trim()).href.replace(/\/$/, '');
  }
  const partnerId = (
    await prompter.input({
      message: 'Partner ID',
      validate: (v) => (v.trim() ? true : 'The partner ID SafeWeb gave you is needed.'),
    })
  ).trim();
  const apiKey = (
    await prompter.password({
      message: 'API key',
      validate: (v) =>
        !v.trim() ? 'The API key is needed.' : /\s/.test(v.trim()) ? 'An API key has no spaces.' : true,
    })
  ).trim();

  if (opts.verify) await verifyCredentials(ctx, { partnerId, apiKey, baseUrl });
  const saved = await saveProfile(
    ctx.configDir,
    profileName,
    { partnerId, apiKey, baseUrl },
    { activate: true, replace: true },
  );
  const where = `"${profileName}" (${partnerId} at ${baseUrl}) in ${saved.file}, mode 0600`;
  return {
    data: { name: profileName, partnerId, baseUrl, active: true, verified: opts.verify, file: saved.file },
    notes: [
      success(`${opts.verify ? 'Credentials accepted. ' : ''}Saved profile ${where}; it is now active.`),
      hint('Try: safeweb partner analytics'),
    ],
  };
}

function urlProblem(value: string): string | undefined {
  try {
    checkBaseUrl(value);
    return undefined;
  } catch (error) {
    return (error as UsageError).message + (error instanceof UsageError && error.hint ? ` — ${error.hint}` : '');
  }
}
