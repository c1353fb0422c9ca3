import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { fieldsHelp } from '../../output/fields-help.js';
import { examples } from '../examples.js';
import { collect } from '../parse.js';
import { PSA_MAP_COLUMNS } from './map-columns.js';

export function registerPsa(program: Command, ctx: Context): void {
  const psa = program
    .command('psa')
    .summary('findings as PSA tickets (ConnectWise): connections, customer mapping, plan and sync')
    .description(
      'Keep tickets in your PSA in step with SafeWeb findings. Connections and customer mappings live in the ' +
        'integration settings (or a manifest, with --file); see docs/psa.md.',
    );

  psa
    .command('map')
    .argument('[connection]', 'the PSA connection (else psa.default, else the only one)')
    .summary('each customer with its PSA company: by identifier, name, or your table; --write keeps them')
    .description(
      'Lists every customer of the book (the local record, or the manifest with --file) with its company at the ' +
        'PSA and how it was found: mapped (already in the settings or manifest), identifier (a company ' +
        'identifier equal to the customer reference), exact (the same name), normalised (the same name once ' +
        'case, punctuation, spacing, accents, "&"/"and", a leading "The" and legal suffixes such as Ltd, Inc, ' +
        'GmbH or Pty Ltd are set aside), ambiguous (several companies fit, or another customer has the same ' +
        'one) or unmapped. --write saves the identifier, exact and normalised matches (never an ambiguous ' +
        'one) in one write. An unmapped customer is never dropped: its findings go to the connection\u2019s ' +
        'fallbackCompany, and `psa plan` lists them.',
    )
    .option('--suggest', 'list the candidates of ambiguous customers, and similar names for unmapped ones')
    .option('--write', 'save the matches found (and the --from-csv rows) as customers.<ref>.psa')
    .option('--from-csv <file>', 'map from a table: columns reference,company (an ID or identifier); checked first')
    .option('--file <manifest>', "the book and mappings of a manifest: --write sets each customer's psa: there")
    .option('--customers <refs>', 'only these references (comma-separated, repeatable)', collect)
    .addHelpText('after', fieldsHelp(PSA_MAP_COLUMNS))
    .addHelpText(
      'after',
      examples(
        'safeweb psa map',
        'safeweb psa map --suggest',
        'safeweb psa map --write',
        'safeweb psa map --from-csv companies.csv --write',
        'safeweb psa map cw --file book.yaml --write',
        'safeweb psa map --json | jq \'.[] | select(.match == "unmapped") | .reference\'',
      ),
    )
    .action(async (connection: string | undefined, opts: Record<string, unknown>) => {
      const { runPsaMap } = await import('./map.js');
      ctx.done(
        await runPsaMap(
          {
            connection,
            suggest: Boolean(opts['suggest']),
            write: Boolean(opts['write']),
            fromCsv: opts['fromCsv'] as string | undefined,
            file: opts['file'] as string | undefined,
            customers: opts['customers'] as string[] | undefined,
          },
          ctx,
        ),
      );
    });
}
