import { checkBaseUrl, ENVIRONMENTS } from '../../api/base-url.js';
import { checkProfileName } from '../../config/profile-name.js';
import { saveProfile } from '../../config/profiles.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readSecret } from '../../io/read-secret.js';
import { hint, success, type Outcome } from '../../outcome.js';

export interface ProfileAddOptions {
  name: string;
  apiKeyStdin: boolean;
  apiKeyFile?: string | undefined;
  env?: 'production' | 'staging' | undefined;
  use: boolean;
  force: boolean;
  verify: boolean;
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
    const { verifyCredentials } = await import('../login/verify.js');
    await verifyCredentials(ctx, { partnerId, apiKey, baseUrl });
  }
  const saved = await saveProfile(
    ctx.configDir,
    name,
    { partnerId, apiKey, baseUrl },
    { activate: opts.use, replace: opts.force },
  );
  const what = `profile "${name}" (${partnerId} at ${baseUrl}) in ${saved.file}${saved.active ? ', now active' : ''}`;
  return {
    data: { name, partnerId, baseUrl, active: saved.active, file: saved.file },
    notes: [
      success(`${saved.replaced ? 'Replaced' : 'Saved'} ${what}.`),
      ...(saved.active ? [] : [hint(`Use it with --profile ${name}, or make it active: safeweb profile use ${name}`)]),
    ],
  };
}
