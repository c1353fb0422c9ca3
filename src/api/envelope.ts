/**
 * The one rule for --json (docs/output.md, "The --json rule"): a built-in command prints the resource,
 * not the API's envelope. `success` belongs to the envelope, so it goes; an answer that says
 * `success: false` is an error, even with a 2xx status, and never reaches stdout.
 */
import { ApiRejectedError, SAFEWEB } from '../errors.js';

/** The answer without its `success` flag; exit 3 with the API's words when that flag is false. */
export function unwrapEnvelope<T extends object>(answer: T, where: string): Omit<T, 'success'> {
  const { success, ...rest } = answer as T & { success?: unknown };
  if (success === false) {
    const said = (answer as { error?: unknown; message?: unknown }).error ?? (answer as { message?: unknown }).message;
    const message = typeof said === 'string' && said.trim() ? said.trim() : 'the API answered success: false';
    throw new ApiRejectedError(`${message} (${SAFEWEB} refused ${where})`, 200, answer);
  }
  return rest as Omit<T, 'success'>;
}
