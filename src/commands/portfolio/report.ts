/**
 * `portfolio report --output FILE.html`: the book as one self-contained HTML file to email or
 * print. Customers are read as for `portfolio status`; the file is written once, atomically, at
 * the end, and never over an existing file without --force.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { replaceFile } from '../../io/safe-write.js';
import { emptyBookWarning } from '../../customers/reads.js';
import { info, success, type Outcome } from '../../outcome.js';
import { readBook, selectBook, type BookSelection } from '../../portfolio/book.js';
import { renderReport } from '../../portfolio/html.js';
import { maskPii } from '../../safety/mask.js';

export interface PortfolioReportOptions extends BookSelection {
  output: string;
  title?: string | undefined;
  /** en-GB, da-DK…; else the locale the profile's wizard answers remember, else en-GB. */
  locale?: string | undefined;
  force?: boolean | undefined;
  concurrency?: number | undefined;
}

export interface PortfolioReportResult {
  output: string;
  customers: number;
  read: number;
  failed: number;
  bytes: number;
}

/**
 * Refuses an output the write would refuse anyway, before a single request is sent; and any
 * name but .html/.htm: HTML in a file called r.pdf opens as a broken PDF.
 */
function checkOutput(file: string, force: boolean): void {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.html' && ext !== '.htm')
    throw new UsageError(
      `the report is HTML, so --output must end in .html (${path.basename(file)} does not); nothing was written`,
      ext === '.pdf'
        ? 'Write FILE.html, open it in a browser and print it to PDF (it is laid out for A4).'
        : 'Give a name like report.html.',
    );
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(file);
  } catch {
    stat = undefined;
  }
  if (stat?.isSymbolicLink())
    throw new UsageError(`${file} is a symbolic link; the report is never written through a link`);
  if (stat && !stat.isFile()) throw new UsageError(`${file} is not a regular file; cannot write the report there`);
  if (stat && !force)
    throw new UsageError(
      `${file} already exists; the report is not overwritten`,
      'Pass --force to replace it, or give a new file name.',
    );
  if (!fs.existsSync(path.dirname(path.resolve(file))))
    throw new UsageError(`the directory of ${file} does not exist`, 'Create it first, or give another --output path.');
}

export async function runPortfolioReport(
  opts: PortfolioReportOptions,
  ctx: Context,
): Promise<Outcome<PortfolioReportResult | undefined>> {
  checkOutput(opts.output, Boolean(opts.force));
  const account = await ctx.account();
  const book = selectBook(ctx.configDir, account.key, opts);
  if (book.length === 0 && !opts.customers?.length)
    emptyBookWarning(ctx.configDir, account.key, { check: 'no report was written' });
  if (book.length === 0)
    throw new UsageError(
      'no active customers in the local record; no report was written',
      '`safeweb customer import --file FILE` adds customers onboarded elsewhere; `customer list` shows the record.',
    );
  const prefs = (await ctx.config()).preferences?.[account.profile ?? account.key] ?? {};
  const locale = opts.locale ?? prefs['localeCode'] ?? 'en-GB';
  const result = await readBook(ctx, book, { concurrency: opts.concurrency ?? 8, locale, label: 'Reading' });
  if (result.interrupted)
    return { data: undefined, notes: [info('Interrupted: no report was written.')], failures: result.failures };
  const read = result.reads.filter((r) => r.snapshot).length;
  if (read === 0)
    return {
      data: undefined,
      notes: [info('No customer could be read; no report was written.')],
      failures: result.failures,
    };

  // The report is a file the partner sends on: exact unless --mask-pii was given on this very
  // command (a profile's maskPii masks what is displayed, not this file).
  const mask = ctx.globals.maskPii === true ? maskPii : <T>(v: T) => v;
  const html = renderReport({
    title: opts.title === undefined ? undefined : mask(opts.title),
    locale,
    partner: await partnerName(ctx, account.profile),
    generatedAt: ctx.now(),
    reads: result.reads.map((r) => ({ ...r, entry: mask(r.entry), snapshot: mask(r.snapshot) })),
  });
  replaceFile(opts.output, html, { kind: 'report', mayReplace: Boolean(opts.force), allowedBy: '--force' });
  const failed = result.reads.length - read;
  const bytes = Buffer.byteLength(html);
  return {
    data: { output: opts.output, customers: book.length, read, failed, bytes },
    notes: [
      success(
        `Wrote ${opts.output}: ${read} customer${read === 1 ? '' : 's'} (${Math.ceil(bytes / 1024)} KB, ${locale}).` +
          (failed ? ` ${failed} could not be read and are listed in it.` : ''),
      ),
    ],
    failures: result.failures,
  };
}

/** Who the report is from: the profile's display name, else the partner ID (not the account's host and port). */
async function partnerName(ctx: Context, profile: string | undefined): Promise<string> {
  const named = profile === undefined ? undefined : (await ctx.config()).profiles[profile]?.displayName;
  return named ?? (await ctx.resolved()).partnerId?.value ?? '';
}
