/**
 * "Already onboarded by this tool": the references the local record (local-record.ts) holds for the
 * account in use. The one check behind the wizard's reference question, a single onboarding
 * and the rows of a file, so they refuse the same references with the same words.
 */
import { readRecord, type RecordEntry } from './local-record.js';

export class RecordedReferences {
  readonly #byReference: ReadonlyMap<string, RecordEntry>;

  private constructor(entries: readonly RecordEntry[]) {
    this.#byReference = new Map(entries.map((e) => [e.reference, e]));
  }

  /** The record of one account. */
  static of(configDir: string, account: string): RecordedReferences {
    return new RecordedReferences(readRecord(configDir, account).customers);
  }

  /** No record (no account is known). */
  static none(): RecordedReferences {
    return new RecordedReferences([]);
  }

  /** The record's entry for a reference (exact match: the API's uniqueness is by the string). */
  entry(reference: string): RecordEntry | undefined {
    return this.#byReference.get(reference);
  }

  /** Why `reference` cannot be onboarded again, or undefined. */
  problem(reference: string): string | undefined {
    const known = this.#byReference.get(reference);
    if (!known) return undefined;
    const when = `onboarded ${known.onboardedAt.slice(0, 10)}`;
    return known.status === 'offboarded'
      ? `${reference} is already in your local record (${when}, offboarded; \`safeweb customer reactivate ` +
          `${reference}\` brings it back)`
      : `${reference} is already in your local record (${when})`;
  }
}
