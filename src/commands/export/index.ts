import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { examples } from '../examples.js';
import { collect } from '../parse.js';
import { runExport } from './export.js';

export function registerExport(program: Command, ctx: Context): void {
  program
    .command('export')
    .summary('write a manifest of the book as it is now (customers as code)')
    .description(
      'Write a manifest of the book: every customer in the local record (or those named) with its status, its ' +
        'assets read live and the info fields the record keeps, and the webhook endpoints (never a secret). A ' +
        '`safeweb plan` of a fresh export is empty. Fields the record does not know are named in a comment (YAML) ' +
        'or a "//" note (JSON).',
    )
    .requiredOption('-o, --output <file>', 'the manifest to write: FILE.yaml or FILE.json')
    .option('--customers <refs>', 'only these references (comma-separated, repeatable)', collect)
    .option('--state <file>', 'also write the state of these customers (JSON), for plan/apply --state')
    .option('--force', 'replace existing files')
    .addHelpText(
      'after',
      examples(
        'safeweb export --output book.yaml',
        'safeweb export --output book.json --customers NW-001,NW-002',
        'safeweb export --output book.yaml --state book.state.json',
      ),
    )
    .action(async (opts: { output: string; customers?: string[]; state?: string; force?: boolean }) => {
      ctx.done(await runExport({ ...opts, force: Boolean(opts.force) }, ctx));
    });
}
