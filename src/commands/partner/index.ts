import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';

export function registerPartner(program: Command, ctx: Context): void {
  const partner = program
    .command('partner')
    .summary('partner-level analytics and plans')
    .description('Read partner-level analytics and the plans you can sell.')
    .addHelpText(
      'after',
      examples(
        'safeweb partner analytics',
        'safeweb partner analytics --json | jq .data.activeCustomers',
        'safeweb partner plans',
      ),
    );

  partner
    .command('analytics')
    .summary('customer, asset and breach counts across your customers')
    .description(
      'Show partner analytics: total, active and new customers, monitored domains and emails, breaches detected.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb partner analytics',
        'safeweb partner analytics --json | jq .data',
        'safeweb partner analytics | cut -f2   # piped: key<TAB>value lines',
      ),
    )
    .action(async () => {
      const { runPartnerAnalytics } = await import('./analytics.js');
      ctx.done(await runPartnerAnalytics({}, ctx));
    });

  partner
    .command('plans')
    .summary('the plans available to you (id, name, type, status)')
    .description('List the plans your partner account can put customers on.')
    .option('--all', 'include plans that are not active')
    .addHelpText('after', examples('safeweb partner plans', 'safeweb partner plans --json | jq -r ".data[].id"'))
    .action(async (opts: { all?: boolean }) => {
      const { runPartnerPlans } = await import('./plans.js');
      ctx.done(await runPartnerPlans({ all: Boolean(opts.all) }, ctx));
    });
}
