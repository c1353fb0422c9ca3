import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { ANALYTICS_FIELDS, PLAN_COLUMNS } from './columns.js';
import { runPartnerAnalytics } from './analytics.js';
import { runPartnerPlans } from './plans.js';

export function registerPartner(program: Command, ctx: Context): void {
  const partner = program
    .command('partner')
    .summary('partner-level analytics and plans')
    .description('Read partner-level analytics and the plans you can sell.')
    .addHelpText(
      'after',
      examples('safeweb partner analytics', 'safeweb partner analytics --jq .activeCustomers', 'safeweb partner plans'),
    );

  partner
    .command('analytics')
    .summary('customer, asset and breach counts across your customers')
    .description(
      'Show partner analytics: total, active and new customers, monitored domains and emails, breaches detected.',
    )
    .addHelpText('after', fieldsHelp(ANALYTICS_FIELDS, '  (and any metric the API adds)'))
    .addHelpText(
      'after',
      examples(
        'safeweb partner analytics',
        'safeweb partner analytics --json',
        'safeweb partner analytics | cut -f2   # piped: key<TAB>value lines',
      ),
    )
    .action(async () => {
      ctx.done(await runPartnerAnalytics({}, ctx));
    });

  partner
    .command('plans')
    .summary('the plans available to you (id, name, type, status)')
    .description('List the plans your partner account can put customers on.')
    .option('--all', 'include plans that are not active')
    .addHelpText('after', fieldsHelp(PLAN_COLUMNS))
    .addHelpText('after', examples('safeweb partner plans', 'safeweb partner plans --all --jq ".[].id"'))
    .action(async (opts: { all?: boolean }) => {
      ctx.done(await runPartnerPlans({ all: Boolean(opts.all) }, ctx));
    });
}
