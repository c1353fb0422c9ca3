import type { Context } from '../../context.js';
import { flagsToDoc, missingFields } from '../../customers/fields.js';
import { parseJsonText } from '../../customers/json.js';
import { checkDocument, onboardDocument } from '../../customers/service.js';
import { UsageError, ValidationError } from '../../errors.js';
import { info, lines, pairs, success, warn, type Note, type Outcome } from '../../outcome.js';
import { customerDeps, recordedReferences } from '../../services.js';
import { runCustomerOnboardBulk, type BulkOnboardOptions } from './onboard-bulk.js';
import { detectInput } from '../../bulk/detect.js';
import { onboardingWizard, afterWizard } from './wizard.js';

/** The flags of `customer onboard`: the field flags (named by fields.ts) and these. */
export interface CustomerOnboardOptions extends BulkOnboardOptions {
  file?: string | undefined;
  format?: 'csv' | 'ndjson' | 'json' | undefined;
  interactive?: boolean | undefined;
  [flag: string]: unknown;
}

export async function runCustomerOnboard(opts: CustomerOnboardOptions, ctx: Context): Promise<Outcome> {
  let doc: Record<string, unknown> = {};
  let source = 'the request';
  if (opts.file !== undefined) {
    source = opts.file === '-' ? 'stdin' : opts.file;
    const input = await detectInput(opts.file, opts.format, ctx.streams.stdin);
    if (input.bulk) {
      if (opts.interactive) throw new UsageError('--interactive works with one customer, not a file of many');
      try {
        const { path, format } = input;
        return await runCustomerOnboardBulk(opts, ctx, { path, format, source, flags: flagsToDoc(opts) });
      } finally {
        input.cleanup();
      }
    }
    const parsed = await parseJsonText(input.text, source);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ValidationError(
        `${source} must hold one JSON object with the onboarding fields`,
        [],
        'See examples/acme.json.',
      );
    }
    doc = parsed as Record<string, unknown>;
  }
  doc = { ...doc, ...flagsToDoc(opts) };
  return onboardOne(opts, ctx, doc, source);
}

/** One customer: from the wizard when fields are missing on a terminal (or asked for), else as given. */
async function onboardOne(
  opts: CustomerOnboardOptions,
  ctx: Context,
  given: Record<string, unknown>,
  source: string,
): Promise<Outcome> {
  const missing = missingFields(given);
  const wizard = opts.interactive === true || (opts.file === undefined && missing.length > 0 && ctx.interactive);
  if (opts.interactive && !ctx.interactive)
    throw new UsageError('--interactive needs a terminal', 'Supply the fields with --file or flags instead.');
  if (!wizard && missing.length > 0 && opts.file === undefined) {
    // Flags only: name the flags. With a file, the validator below names every problem.
    throw new ValidationError(
      `missing required field${missing.length === 1 ? '' : 's'}; nothing was sent:`,
      missing,
      'Supply them with the flags shown or --file FILE, or run on a terminal for the wizard.',
    );
  }
  // The references this tool onboarded: the wizard and the validator refuse them alike.
  const recorded = await recordedReferences(ctx);
  let doc = given;
  if (wizard) {
    doc = await onboardingWizard(ctx, given, recorded);
  }
  const checks = { allowUnknown: Boolean(opts.allowUnknownFields), source, recorded };
  if (opts.dryRun) {
    // The clock is read after the wizard: `now+5m` means five minutes from sending, not from the first question.
    const { body, warnings } = await checkDocument(doc, checks, ctx.now());
    for (const warning of warnings) ctx.out.warn(warning);
    return {
      data: body,
      view: lines(...JSON.stringify(body, null, 2).split('\n')),
      notes: [info('Dry run: the request above is valid; nothing was sent.')],
    };
  }

  const deps = await customerDeps(ctx);
  const { body, warnings, result } = await onboardDocument(deps, doc, checks);
  for (const warning of warnings) ctx.out.warn(warning);
  const notes: Note[] =
    result.status === 'created'
      ? [success(`Onboarded ${body.companyName} (${body.customerReference}).`)]
      : [warn(`${body.companyName} (${body.customerReference}) was ${result.settled}.`)];
  if (wizard) {
    // The answers as typed (a relative date stays `now+1d`), for the saved file and the command.
    notes.push(...(await afterWizard(ctx, body, doc, deps.account)));
  }
  return {
    // The resource, not the API's envelope (`success`, `message`): the --json rule.
    data: {
      customerId: result.customerId,
      customerReference: body.customerReference,
      companyName: body.companyName,
      ...(result.status === 'already' ? { settled: result.settled } : {}),
    },
    view: pairs([
      ['Customer ID', 'customerId', result.customerId ?? '(not known: see below)'],
      ['Reference', 'customerReference', body.customerReference],
      ['Company', 'companyName', body.companyName],
    ]),
    piped: lines([result.customerId ?? '', body.customerReference, body.companyName].join('\t')),
    notes,
  };
}
