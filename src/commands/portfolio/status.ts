/**
 * `portfolio status`: every customer of the book, most exposed first, with a summary. Each
 * customer is read with the bulk runner's pace; one whose reads fail is listed with its error
 * and the rest go on (exit as the worst failure).
 */
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { hint, info, styled, table, type Note, type Outcome } from '../../outcome.js';
import { readBook, selectBook, type BookSelection } from '../../portfolio/book.js';
import {
  byExposure,
  summarise,
  summaryLine,
  toPortfolioCustomer,
  type PortfolioCustomer,
  type PortfolioSummary,
} from '../../portfolio/exposure.js';
import { meets, parseFailOn, type FailOn } from '../../portfolio/fail-on.js';
import { scoreBand } from '../../customers/score-band.js';
import { STATUS_COLUMNS, STATUS_ERROR_COLUMN } from './columns.js';

/** Plain data (no commander types): the MCP server calls this too. */
export interface PortfolioStatusOptions extends BookSelection {
  /** Customers read at once (1 to 64); default 8. */
  concurrency?: number | undefined;
  /** `threat-score>=N`, `unresolved>=N` (also > and =): a finding when any customer meets one. */
  failOn?: string[] | undefined;
}

export interface PortfolioStatusSummary extends PortfolioSummary {
  interrupted: boolean;
  /** With --fail-on: the expressions, and the references of the customers that meet one. */
  failOn?: { expressions: string[]; met: string[] };
}

export interface PortfolioStatus {
  customers: PortfolioCustomer[];
  summary: PortfolioStatusSummary;
}

function failOnOf(texts: string[] | undefined): FailOn[] {
  return (texts ?? []).map((text) => {
    const parsed = parseFailOn(text);
    if (typeof parsed === 'string') throw new UsageError(`--fail-on: ${parsed}`);
    return parsed;
  });
}

/** The band in its tone, for a person (the threat-score command's). */
function bandCell(c: PortfolioCustomer) {
  return c.threatScore === null ? null : styled(scoreBand(c.threatScore).tone, c.band!);
}

export async function runPortfolioStatus(
  opts: PortfolioStatusOptions,
  ctx: Context,
): Promise<Outcome<PortfolioStatus>> {
  const failOn = failOnOf(opts.failOn);
  const account = await ctx.account();
  const book = selectBook(ctx.configDir, account.key, opts);
  const read = await readBook(ctx, book, { concurrency: opts.concurrency ?? 8, label: 'Reading' });
  const customers = read.reads.map(toPortfolioCustomer).sort(byExposure);
  const summary: PortfolioStatusSummary = { ...summarise(customers), interrupted: read.interrupted };
  const met = failOn.length ? customers.filter((c) => failOn.some((f) => meets(f, c))).map((c) => c.reference) : [];
  if (failOn.length) summary.failOn = { expressions: failOn.map((f) => f.text), met };

  const failed = customers.some((c) => c.error);
  const columns = failed ? [...STATUS_COLUMNS, STATUS_ERROR_COLUMN] : STATUS_COLUMNS;
  const rows = customers.map((c) => {
    const cells = [
      c.reference,
      c.customerId,
      c.companyName,
      c.threatScore,
      c.band,
      c.unresolvedBreaches,
      c.resolvedBreaches,
      c.monitoredDomains,
      c.monitoredEmails,
    ];
    return failed ? [...cells, c.error?.message ?? ''] : cells;
  });
  // A terminal leaves out the customer ID (36 characters) so the table fits; pipes and CSV keep every field.
  const onScreen = columns.map((col, i) => ({ col, i })).filter(({ col }) => col.key !== 'customerId');
  const empty = opts.customers?.length
    ? 'No customers to show.'
    : 'No active customers in the local record: `safeweb customer import --file FILE` adds customers onboarded elsewhere.';
  const notes: Note[] = [];
  if (read.interrupted) notes.push(info(`Interrupted: ${customers.length} of ${book.length} customers were read.`));
  if (book.length) notes.push(info(summaryLine(summary)));
  if (met.length) {
    const listed = met.slice(0, 10).join(', ') + (met.length > 10 ? `, … (${met.length} in all)` : '');
    notes.push(info(`--fail-on ${failOn.map((f) => f.text).join(' or ')}: met by ${listed}.`));
  }
  return {
    data: { customers, summary },
    view: table(
      onScreen.map(({ col }) => col),
      rows.map((row, n) => onScreen.map(({ col, i }) => (col.key === 'band' ? bandCell(customers[n]!) : row[i]))),
      empty,
    ),
    piped: table(columns, rows, empty),
    notes: [...notes, ...(failed ? [hint('Customers that could not be read are listed last, with why.')] : [])],
    finding: met.length ? `${met.length} customers meet --fail-on` : undefined,
    failures: read.failures,
  };
}
