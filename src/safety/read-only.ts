/** Read-only profiles: a write is refused before anything is sent (api/client.ts enforces it). */
import { UsageError } from '../errors.js';

/** Why this run may not change anything, and how to make it able to. */
export interface ReadOnlyReason {
  /** The profile marked read-only, when that is the reason. */
  profile?: string | undefined;
  /** The environment variable that made the run read-only, when that is the reason. */
  variable?: string | undefined;
}

/** A change asked of a read-only profile (or a run with SAFEWEB_READ_ONLY set): exit 2, nothing sent. */
export class ReadOnlyError extends UsageError {
  constructor(reason: ReadOnlyReason, what: string) {
    super(
      reason.profile !== undefined
        ? `profile "${reason.profile}" is read-only; ${what} was not sent`
        : `this run is read-only (${reason.variable ?? 'SAFEWEB_READ_ONLY'} is set); ${what} was not sent`,
      reason.profile !== undefined
        ? `switch with \`safeweb profile set ${reason.profile} --read-write\`, or pick another profile with --profile`
        : `unset ${reason.variable ?? 'SAFEWEB_READ_ONLY'} to allow changes`,
    );
  }
}

/** SAFEWEB_READ_ONLY=1 (or true/yes) makes any run read-only, whatever the profile says. */
export function readOnlyFromEnv(env: Record<string, string | undefined>): boolean {
  const value = (env['SAFEWEB_READ_ONLY'] ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false' && value !== 'no';
}
