import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { parseFailOn } from '../../portfolio/fail-on.js';
import { examples } from '../examples.js';
import { parseLocale, parsePositiveInt } from '../parse.js';
import { STATUS_COLUMNS, STATUS_ERROR_COLUMN } from './columns.js';
import { runPortfolioReport, type PortfolioReportOptions } from './report.js';
import { runPortfolioStatus } from './status.js';
import { runPortfolioWatch } from './watch.js';

/** --fail-on, checked while commander parses: a malformed expression is exit 2 before anything is sent. */
function failOnArg(value: string, previous: string[] | undefined): string[] {
  const parsed = parseFailOn(value);
  if (typeof parsed === 'string') throw new InvalidArgumentError(parsed);
  return [...(previous ?? []), value];
}

const concurrency = () =>
  new Option('--concurrency <n>', 'customers read at once (1 to 64)').default(8).argParser(parsePositiveInt(64));
const customers = () =>
  new Option('--customers <refs...>', 'only these customers (references or IDs; also comma-separated)');
const includeOffboarded = () => new Option('--include-offboarded', 'offboarded customers of the record too');

export function registerPortfolio(program: Command, ctx: Context): void {
  const portfolio = program
    .command('portfolio')
    .summary('your whole book at once: status, what is new, a report')
    .description(
      'Every customer of the local record at once (see `customer list`; `customer import` adds customers ' +
        'onboarded elsewhere): who is most exposed, what changed since the last run, and a report to send.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb portfolio status',
        "safeweb portfolio status --fail-on 'threat-score>=75'",
        'safeweb portfolio watch --state ~/.safeweb-book.json --json',
        'safeweb portfolio report --output book.html',
      ),
    );

  portfolio
    .command('status')
    .summary('every customer: score, band, breaches, assets; most exposed first')
    .description(
      'Read every active customer of the local record (or the ones named) in parallel, with pacing and a ' +
        'slow-down on 429: threat score and band, unresolved and resolved breaches, monitored domains and ' +
        'emails. Most exposed first, then a summary on stderr. A customer whose reads fail is listed with its ' +
        'error and the rest go on; the exit code is the worst failure. --fail-on exits 8 when any customer ' +
        'meets the expression (and nothing failed).',
    )
    .addOption(customers())
    .addOption(includeOffboarded())
    .addOption(concurrency())
    .addOption(
      new Option(
        '--fail-on <expr>',
        'exit 8 when a customer meets it: threat-score>=N, unresolved>=N (>, = too)',
      ).argParser(failOnArg),
    )
    .addHelpText('after', fieldsHelp([...STATUS_COLUMNS, STATUS_ERROR_COLUMN], '  (--json: {customers, summary})'))
    .addHelpText(
      'after',
      examples(
        'safeweb portfolio status',
        'safeweb portfolio status --csv > book.csv',
        "safeweb portfolio status --fail-on 'threat-score>=75' --fail-on 'unresolved>=3'",
        'safeweb portfolio status --customers ACME-001 GLOBEX-7 --json | jq .summary',
      ),
    )
    .action(
      async (opts: { customers?: string[]; includeOffboarded?: boolean; concurrency: number; failOn?: string[] }) => {
        ctx.done(await runPortfolioStatus(opts, ctx));
      },
    );

  portfolio
    .command('watch')
    .summary('what changed since the last run: new and resolved breaches, assets (for cron)')
    .description(
      'Compare the book with the state the last run saved in --state FILE and print only what changed, one ' +
        'event a line (NDJSON with --json): breach.new, breach.resolved, breach.unresolved, breach.removed, ' +
        'customer.added, customer.removed, email.added/removed, domain.added/removed, band.changed, and ' +
        'customer.error for a customer that could not be read. The first run reports every unresolved breach ' +
        'as new; --baseline records the state silently instead. The state is replaced atomically at the end; ' +
        'a customer that could not be read keeps its previous state, and a run that read nothing changes ' +
        'nothing. --exit-status exits 8 when anything changed.',
    )
    .requiredOption('--state <file>', 'where the state is kept between runs (created on the first run)')
    .option('--baseline', 'record the state and report nothing')
    .option('--exit-status', 'exit 8 when anything changed (and nothing failed)')
    .addOption(concurrency())
    .addHelpText(
      'after',
      examples(
        'safeweb portfolio watch --state book.json --baseline     # once, to start quietly',
        'safeweb portfolio watch --state book.json',
        '# in a crontab: cron mails what a job prints, and watch prints only what changed',
        '#   MAILTO=ops@msp.example',
        '#   0 7 * * 1-5  safeweb portfolio watch --state ~/book.json',
      ),
    )
    .action(async (opts: { state: string; baseline?: boolean; exitStatus?: boolean; concurrency: number }) => {
      ctx.done(await runPortfolioWatch(opts, ctx));
    });

  portfolio
    .command('report')
    .summary('one self-contained HTML file: overview and a page per customer')
    .description(
      'Write one HTML file a partner can email or print: an overview of the book (customers by band, scores, ' +
        'breaches over time, the most exposed customers) and a page per customer (score, assets, each breach ' +
        'with its date, data classes, status and next steps). Everything is inline (CSS, SVG charts): no ' +
        'scripts, fonts or anything fetched. The file is not overwritten unless --force. A report of one ' +
        'customer (--customers REF) is that customer’s report, without the overview. It says who it is ' +
        'from: the profile’s display name (safeweb profile set NAME --display-name TEXT), else the partner ID.',
    )
    .requiredOption('-o, --output <file>', 'the HTML file to write (.html; print it from a browser for a PDF)')
    .option('--title <title>', 'the report title (default: "Portfolio report"; for one customer, its name)')
    .addOption(
      new Option('--locale <code>', 'language of breach titles and dates (else the profile’s, else en-GB)').argParser(
        parseLocale,
      ),
    )
    .addOption(customers())
    .addOption(includeOffboarded())
    .addOption(concurrency())
    .option('--force', 'replace an existing file')
    .addHelpText(
      'after',
      examples(
        'safeweb portfolio report --output book.html',
        'safeweb portfolio report --output acme.html --customers ACME-001 --title "Acme — December" --locale da-DK',
      ),
    )
    .action(async (opts: PortfolioReportOptions) => {
      ctx.done(await runPortfolioReport(opts, ctx));
    });
}
