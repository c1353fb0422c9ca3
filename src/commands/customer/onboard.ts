import type { Outcome } from '../../outcome.js';
import { onboardCustomer } from '../../api/customers.js';
import type { Context } from '../../context.js';
import { parseJsonText } from '../../customers/json.js';
import { recordOnboarded } from '../../customers/ledger.js';
import { FIELDS, validateOnboarding } from '../../customers/onboarding.js';
import { UsageError, ValidationError } from '../../errors.js';

export interface CustomerOnboardOptions {
  file?: string;
  interactive?: boolean;
  dryRun?: boolean;
  allowUnknownFields?: boolean;
  [flag: string]: unknown;
}

/** Flag values as document fields; a price that is not a number stays a string for the validator to name. */
export function flagsToDoc(opts: CustomerOnboardOptions): Record<string, unknown> {
  const map: Record<string, string> = {
    companyName: 'companyName',
    reference: 'customerReference',
    contactEmail: 'contactEmail',
    domain: 'assetsDomains',
    email: 'assetsEmails',
    alertRecipient: 'alertRecipients',
    price: 'price',
    currency: 'currencyCode',
    billedFrom: 'billedFromDate',
    plan: 'planType',
    enrol: 'enrolType',
    monthlyReport: 'sendMonthlyReport',
    locale: 'localeCode',
    insuranceFrom: 'insuranceActiveFromDate',
  };
  const doc: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(map)) {
    const value = opts[flag];
    if (value === undefined) continue;
    doc[field] =
      field === 'price' && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))
        ? Number(value)
        : value;
  }
  return doc;
}

/** Required fields (and the asset rule) that a document does not supply yet. */
export function missingFields(doc: Record<string, unknown>): string[] {
  const missing = FIELDS.filter(
    (f) =>
      f.required && (doc[f.key] === undefined || (Array.isArray(doc[f.key]) && (doc[f.key] as unknown[]).length === 0)),
  ).map((f) => `${f.key} (${f.flag})`);
  const assets = [doc['assetsDomains'], doc['assetsEmails']].some((v) => Array.isArray(v) && v.length > 0);
  if (!assets) missing.push('assetsDomains or assetsEmails (--domain / --email)');
  return missing;
}

export async function runCustomerOnboard(opts: CustomerOnboardOptions, ctx: Context): Promise<Outcome | void> {
  const now = ctx.now();
  let doc: Record<string, unknown> = {};
  let source = 'the request';
  if (opts.file !== undefined) {
    source = opts.file === '-' ? 'stdin' : opts.file;
    const { detectInput } = await import('../../bulk/detect.js');
    const input = await detectInput(opts.file, opts.format as string | undefined, ctx.streams.stdin);
    if (input.bulk) {
      if (opts.interactive) throw new UsageError('--interactive works with one customer, not a file of many');
      const { runCustomerOnboardBulk } = await import('./onboard-bulk.js');
      try {
        return await runCustomerOnboardBulk(opts, ctx, input.path, input.format, source);
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

  const missing = missingFields(doc);
  const wizard = opts.interactive === true || (opts.file === undefined && missing.length > 0 && ctx.interactive);
  if (opts.interactive && !ctx.interactive)
    throw new UsageError('--interactive needs a terminal', 'Supply the fields with --file or flags instead.');
  let fromWizard = false;
  if (wizard) {
    const { onboardingWizard } = await import('./wizard.js');
    doc = await onboardingWizard(ctx, doc);
    fromWizard = true;
  } else if (missing.length > 0 && opts.file === undefined) {
    // Flags only: name the flags. With a file, the validator below names every problem.
    throw new ValidationError(
      `missing required field${missing.length === 1 ? '' : 's'}; nothing was sent:`,
      missing,
      'Supply them with the flags shown or --file FILE, or run on a terminal for the wizard.',
    );
  }

  const { body, warnings } = await validateOnboarding(doc, {
    allowUnknown: Boolean(opts.allowUnknownFields),
    now,
    source,
  });
  for (const warning of warnings) ctx.out.warn(warning);
  if (opts.dryRun) {
    ctx.out.printJson(body);
    ctx.out.info('Dry run: the request above is valid; nothing was sent.');
    return;
  }

  const api = await ctx.api();
  const account = await ctx.account();
  const result = await onboardCustomer(api, body);
  await recordOnboarded(
    ctx.configDir,
    account.key,
    { reference: body.customerReference, id: result.customerId, companyName: body.companyName },
    now,
  );

  if (ctx.globals.json)
    ctx.out.printJson({ ...result, customerReference: body.customerReference, companyName: body.companyName });
  else if (ctx.streams.stdout.isTTY) {
    ctx.out.success(`Onboarded ${body.companyName} (${body.customerReference}).`);
    await ctx.out.printPairs([
      ['Customer ID', 'customerId', result.customerId],
      ['Reference', 'customerReference', body.customerReference],
      ['Company', 'companyName', body.companyName],
    ]);
  } else ctx.out.line([result.customerId, body.customerReference, body.companyName].join('\t'));

  if (fromWizard) {
    const { afterWizard } = await import('./wizard.js');
    await afterWizard(ctx, body, account);
  }
}
