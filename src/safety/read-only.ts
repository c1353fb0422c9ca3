/**
 * Read-only runs: a write is refused before anything is sent (api/client.ts enforces it with
 * the reason decided here; the error itself is errors.ts `ReadOnlyError`).
 */
import type { Resolved } from '../config/resolve.js';
import type { ReadOnlyReason } from '../errors.js';

/** SAFEWEB_READ_ONLY=1 (or true/yes) makes any run read-only, whatever the profile says. */
export function readOnlyFromEnv(env: Record<string, string | undefined>): boolean {
  const value = (env['SAFEWEB_READ_ONLY'] ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false' && value !== 'no';
}

/** Why a run with these settings may not change anything (the variable first), or undefined. */
export function readOnlyReason(
  env: Record<string, string | undefined>,
  resolved: Pick<Resolved, 'readOnly' | 'profile'>,
): ReadOnlyReason | undefined {
  if (readOnlyFromEnv(env)) return { variable: 'SAFEWEB_READ_ONLY' };
  if (resolved.readOnly) return { profile: resolved.profile?.value };
  return undefined;
}
