/**
 * The book's current findings, for `safeweb findings` and the MCP findings_list tool:
 * each unresolved breach of each customer, with the key every sink joins on (findings/keys.ts).
 * Read with the bulk runner, as `portfolio status` reads the book; a customer whose reads fail
 * is counted among the failures and named, and the rest go on.
 */
import type { BulkRun } from '../bulk/runner.js';
import { emptyBookWarning } from '../customers/reads.js';
import { findingKey } from '../findings/keys.js';
import { info, warn, type Note, type Outcome } from '../outcome.js';
import { readBook, selectBook, type BookSelection } from './book.js';

export interface Finding {
  /** The finding's key: the same for this breach of this customer on every machine and run. */
  key: string;
  partnerId: string;
  customerId: string;
  reference: string;
  companyName: string;
  /** The breach instance's uuid (what `breach resolve` takes). */
  breachId: string;
  breachName: string;
  title: string;
  breachDate: string;
  emails: string[];
}

export interface FindingsOptions extends Pick<BookSelection, 'customers'> {
  concurrency?: number | undefined;
}

export async function readFindings(
  run: BulkRun,
  book: { configDir: string; account: string; partnerId: string },
  opts: FindingsOptions,
): Promise<Outcome<Finding[]>> {
  const entries = selectBook(book.configDir, book.account, { customers: opts.customers });
  const elsewhere = opts.customers?.length ? undefined : emptyBookWarning(book.configDir, book.account, {});
  const read = await readBook(run, entries, { concurrency: opts.concurrency ?? 8, label: 'Reading' });
  const findings: Finding[] = [];
  for (const r of read.reads) {
    if (!r.snapshot || r.entry.customerId === null) continue;
    const customerId = r.entry.customerId;
    for (const b of r.snapshot.breaches) {
      if (b.resolved) continue;
      const breachId = b.uuid ?? b.id;
      findings.push({
        key: findingKey({ partnerId: book.partnerId, customer: customerId, breachId }),
        partnerId: book.partnerId,
        customerId,
        reference: r.entry.reference,
        companyName: r.entry.companyName,
        breachId,
        breachName: b.breachName,
        title: b.title || b.breachName,
        breachDate: b.breachDate.slice(0, 10),
        emails: [...b.emails],
      });
    }
  }
  const notes: Note[] = elsewhere ? [warn(elsewhere)] : [];
  const failed = read.reads.filter((r) => r.error);
  if (failed.length)
    notes.push(
      warn(
        `${failed.length} customer${failed.length === 1 ? '' : 's'} could not be read, so their findings are not listed: ` +
          failed.map((r) => `${r.entry.reference} (${r.error!.message})`).join('; '),
      ),
    );
  if (read.interrupted) notes.push(info(`Interrupted: ${read.reads.length} of ${entries.length} customers were read.`));
  else if (entries.length)
    notes.push(
      info(
        `${findings.length} finding${findings.length === 1 ? '' : 's'} (unresolved breaches) across ` +
          `${read.reads.length - failed.length} customer${read.reads.length - failed.length === 1 ? '' : 's'}.`,
      ),
    );
  return { data: findings, notes, failures: read.failures };
}
