/**
 * "Already onboarded by this tool": the references the local record (ledger.ts) holds for the
 * account in use. The one check behind the wizard's reference question, a single onboarding
 * and the rows of a file, so they refuse the same references with the same words.
 */
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { readLedger, type LedgerEntry } from './ledger.js';

export class RecordedReferences {
  readonly #byReference: ReadonlyMap<string, LedgerEntry>;

  private constructor(entries: readonly LedgerEntry[]) {
    this.#byReference = new Map(entries.map((e) => [e.reference, e]));
  }

  /**
   * The record of the account the credentials name. Without usable credentials there is no
   * account, so nothing is known: a dry run still checks the file, and a real run stops at the
   * credentials before it sends anything.
   */
  static async load(ctx: Context): Promise<RecordedReferences> {
    let account: string;
    try {
      account = (await ctx.account()).key;
    } catch (error) {
      if (error instanceof CliError) return new RecordedReferences([]);
      throw error;
    }
    return new RecordedReferences(readLedger(ctx.configDir, account).customers);
  }

  /** The record's entry for a reference (exact match: the API's uniqueness is by the string). */
  entry(reference: string): LedgerEntry | undefined {
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
