/**
 * Where the API key in effect is kept, and the warning for one in a plain file: `profile show`,
 * `whoami` and `doctor` say it in the same words.
 */
import type { Resolved } from './resolve.js';

/** Where the key in effect is kept: the keychain, the config file, or outside any store (env, flag). */
export function keyStoreOf(resolved: Resolved): 'keyring' | 'file' | 'env' | null {
  if (!resolved.apiKey) return null;
  if (resolved.keyring) return 'keyring';
  return resolved.apiKey.source === 'profile' ? 'file' : 'env';
}

/** The warning for a key in a plain file, saying whether the keychain here could take it. */
export async function plainFileWarning(
  env: Record<string, string | undefined>,
  profile: string | undefined,
): Promise<string> {
  const { probeKeychain } = await import('./keyring.js');
  const probe = await probeKeychain(env);
  const name = profile ?? 'NAME';
  return probe.ok
    ? `the API key of profile "${name}" sits in a plain file; move it to the OS keychain: safeweb profile set ${name} --store keyring`
    : `the API key of profile "${name}" sits in a plain file, and no OS keychain is available here (${probe.reason})`;
}
