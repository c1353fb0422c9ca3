import { listSecrets, secretProfile, setSecret, checkSecretName, type SecretStore } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readSecret } from '../../io/read-secret.js';
import { success, warn, type Outcome } from '../../outcome.js';

export interface SecretSetOptions {
  name: string;
  valueStdin: boolean;
  fromFile?: string | undefined;
  store: SecretStore;
  /** Flags (or a second argument) that tried to carry the value: refused, never echoed. */
  valueGiven: string[];
}

const SAFE_WAYS = 'Pipe it in with --value-stdin, give --from-file FILE, or leave both out to be asked (input hidden).';

export async function runSecretSet(opts: SecretSetOptions, ctx: Context): Promise<Outcome> {
  if (opts.valueGiven.length)
    throw new UsageError(
      `a secret is never taken on the command line (${opts.valueGiven.join(', ')}): it would stay in shell history and process lists`,
      SAFE_WAYS,
    );
  const name = checkSecretName(opts.name);
  const scope = await ctx.secretScope();
  const profile = secretProfile(scope);
  const value = await readValue(opts, name, ctx);
  ctx.holdSecret(value);
  const saved = await setSecret(scope, name, value, { store: opts.store, now: ctx.now() });
  const where = opts.store === 'keyring' ? 'the OS keychain' : `${saved.file} (mode 0600)`;
  const shadow = listSecrets(scope).find((s) => s.name === name && s.inEffect && s.source !== opts.store);
  return {
    data: { name, profile, store: opts.store, file: saved.file, replaced: saved.replaced },
    notes: [
      success(`${saved.replaced ? 'Replaced' : 'Stored'} ${name} for profile "${profile}" in ${where}.`),
      ...(saved.warning ? [warn(saved.warning)] : []),
      ...(shadow ? [warn(`${shadow.location} gives ${name} here, and is read before the stored value`)] : []),
    ],
  };
}

async function readValue(opts: SecretSetOptions, name: string, ctx: Context): Promise<string> {
  if (opts.valueStdin || opts.fromFile)
    return readSecret(
      { file: opts.fromFile, stdin: opts.valueStdin },
      ctx.streams.stdin,
      `value of ${name}`,
      (t) => ctx.out.warn(t),
      { spaces: true },
    );
  const prompter = await ctx.prompter(
    `Pipe the value of ${name} in with --value-stdin, or give --from-file FILE; never as a flag value.`,
  );
  return prompter.password({
    message: `Value of ${name}`,
    validate: (v) => (v.trim() === '' ? 'Give the value.' : /[\r\n]/.test(v) ? 'One line only.' : true),
  });
}
