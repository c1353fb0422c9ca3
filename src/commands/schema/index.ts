import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import { runSchemaOnboarding } from './onboarding.js';
import { runSchemaManifest } from './manifest.js';
import { runSchemaEvent } from './event.js';
import { runSchemaIntegrations } from './integrations.js';

export function registerSchema(program: Command, ctx: Context): void {
  const schema = program
    .command('schema')
    .summary('JSON Schemas of the documents this tool reads and the events it emits')
    .description(
      'Print the JSON Schema (draft 2020-12) of a document this tool reads or an event it emits, for editors ' +
        'and validators.',
    )
    .addHelpText(
      'after',
      examples(
        'safeweb schema onboarding > onboarding.schema.json',
        'safeweb schema manifest > manifest.schema.json',
        'safeweb schema event > event.schema.json',
        'safeweb schema integrations > integrations.schema.json',
        'safeweb schema onboarding --jq .required',
      ),
    );

  schema
    .command('onboarding')
    .summary('the JSON Schema of an onboarding request (customer onboard --file)')
    .description(
      'Print the JSON Schema of one onboarding request: the fields of `customer onboard --file` documents, ' +
        'NDJSON lines and JSON-array items. Point a file\'s "$schema" at it and editors complete and check the fields.',
    )
    .addHelpText(
      'after',
      examples('safeweb schema onboarding > onboarding.schema.json', 'safeweb schema onboarding --json | jq .required'),
    )
    .action(async () => {
      ctx.done(runSchemaOnboarding());
    });

  schema
    .command('manifest')
    .summary('the JSON Schema of a customers-as-code manifest (plan, apply, export)')
    .description(
      'Print the JSON Schema of a manifest for `safeweb plan` and `safeweb apply`: defaults, customers (the ' +
        'onboarding fields, plus status) and webhooks. Point "$schema" (JSON) or a yaml-language-server comment ' +
        '(YAML) at it and editors complete and check the file.',
    )
    .addHelpText('after', examples('safeweb schema manifest > manifest.schema.json'))
    .action(async () => {
      ctx.done(runSchemaManifest());
    });

  schema
    .command('event')
    .summary('the JSON Schema of a book event (portfolio watch --json, tickets, notifications)')
    .description(
      'Print the JSON Schema of one event of the book: what `safeweb portfolio watch --json` prints one a line, ' +
        'with its stable key and how each kind of event is keyed.',
    )
    .addHelpText(
      'after',
      examples('safeweb schema event > event.schema.json', 'safeweb schema event --json | jq .properties.type'),
    )
    .action(async () => {
      ctx.done(runSchemaEvent());
    });

  schema
    .command('integrations')
    .summary('the JSON Schema of the integration settings (PSA connections, channels, routes)')
    .description(
      'Print the JSON Schema of the integration settings file (`safeweb integrations show` names it): PSA ' +
        "connections, notification channels, routes, and each customer's tags and PSA mapping. The `psa` and " +
        '`notify` blocks of a manifest follow the same rules. Secrets are never in it, only their names.',
    )
    .addHelpText('after', examples('safeweb schema integrations > integrations.schema.json'))
    .action(async () => {
      ctx.done(runSchemaIntegrations());
    });
}
