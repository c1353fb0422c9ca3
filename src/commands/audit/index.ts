import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { AUDIT_COLUMNS } from './columns.js';
import { parseSince } from '../../portfolio/audit-search.js';
import { runAudit } from './audit.js';

export function registerAudit(program: Command, ctx: Context): void {
  program
    .command('audit')
    .summary('the local log of every change this tool sent, who sent it and how it ended')
    .description(
      'Show the audit log of the partner account in use: one entry per request that changed something ' +
        '(or was refused on a read-only profile) — time, OS user, profile, the command line with secrets ' +
        'removed, method, path, customer, HTTP status, outcome and duration. Kept per partner account in ' +
        'the config directory (audit/*.ndjson, mode 0600). Reads are not logged. Sends nothing.',
    )
    .option('--since <duration|date>', 'only entries since then: 30m, 24h, 7d, 2w, or a date (2026-01-31)')
    .option('--customer <ref>', 'only entries for this customer reference (or customer ID)')
    .addHelpText('after', fieldsHelp(AUDIT_COLUMNS))
    .addHelpText(
      'after',
      examples(
        'safeweb audit --since 7d',
        'safeweb audit --customer ACME-001 --json',
        'safeweb audit --profile prod --since 2026-01-01 --csv > changes.csv',
      ),
    )
    .action(async (opts: { since?: string; customer?: string }) => {
      const since = opts.since === undefined ? undefined : parseSince(opts.since, ctx.now());
      ctx.done(await runAudit({ since, customer: opts.customer }, ctx));
    });
}
