/**
 * The onboarding wizard: one question per field, validated as you type, with defaults (from
 * flags or file, else remembered per profile, else sensible), a summary and a confirmation.
 */
import { writeFileSync } from 'node:fs';
import type { OnboardingRequest } from '../../api/customers.js';
import { updateConfig } from '../../config/store.js';
import type { Context } from '../../context.js';
import { onboardCommand } from '../../customers/command-line.js';
import {
  CURRENCIES,
  domainProblem,
  FIELDS,
  emailProblem,
  ENROL_TYPES,
  parseDateInput,
  PLAN_TYPES,
} from '../../customers/onboarding.js';
import { CancelledError } from '../../errors.js';

const list = (value: unknown): string =>
  Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : '';
const split = (value: string): string[] =>
  value
    .split(/[,\s]+/)
    .map((v) => v.trim())
    .filter(Boolean);

function listProblem(value: string, check: (v: string) => string | undefined, required: boolean): true | string {
  const items = split(value);
  if (required && items.length === 0) return 'At least one is needed.';
  for (const item of items) {
    const problem = check(item);
    if (problem) return problem;
  }
  return true;
}

/** "Globex Widgets International" -> "GLOBEX-WIDGETS": whole words, at most 24 characters. */
export function suggestReference(companyName: string): string {
  const words = companyName
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  let ref = '';
  for (const word of words) {
    const next = ref ? `${ref}-${word}` : word;
    if (next.length > 24) break;
    ref = next;
  }
  return ref || (words[0] ?? '').slice(0, 24);
}

export async function onboardingWizard(
  ctx: Context,
  initial: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const prompter = await ctx.prompter('Supply the fields with --file or flags instead.');
  const account = await ctx.account();
  const prefs = (await ctx.config()).preferences?.[account.profile ?? account.key] ?? {};
  const now = ctx.now();
  const str = (key: string) => (typeof initial[key] === 'string' ? (initial[key] as string) : undefined);
  ctx.out.info('Onboard a customer. Press Ctrl+C at any time to stop; nothing is sent until you confirm.');

  const companyName = (
    await prompter.input({
      message: 'Company name',
      default: str('companyName'),
      validate: (v) => (v.trim() ? true : 'The company name is needed.'),
    })
  ).trim();
  const suggestedRef = str('customerReference') ?? suggestReference(companyName);
  const { readLedger } = await import('../../customers/ledger.js');
  const known = new Set(readLedger(ctx.configDir, account.key).customers.map((c) => c.reference));
  const customerReference = (
    await prompter.input({
      message: 'Your reference for this customer',
      default: suggestedRef || undefined,
      validate: (v) =>
        !v.trim()
          ? 'A reference is needed; it must be unique among your customers.'
          : known.has(v.trim())
            ? `${v.trim()} is already in your local record; choose another.`
            : true,
    })
  ).trim();
  const contactEmail = (
    await prompter.input({
      message: 'Contact email (optional)',
      default: str('contactEmail'),
      validate: (v) => (!v.trim() ? true : (emailProblem(v.trim()) ?? true)),
    })
  ).trim();
  const domains = split(
    await prompter.input({
      message: 'Domains to monitor (comma-separated)',
      default: list(initial['assetsDomains']) || undefined,
      validate: (v) => listProblem(v, domainProblem, false),
    }),
  );
  const emails = split(
    await prompter.input({
      message: 'Email addresses to monitor (comma-separated)',
      default: list(initial['assetsEmails']) || undefined,
      validate: (v) =>
        domains.length === 0 && split(v).length === 0
          ? 'Give at least one domain or email to monitor.'
          : listProblem(v, emailProblem, false),
    }),
  );
  const alertRecipients = split(
    await prompter.input({
      message: 'Alert recipients (comma-separated)',
      default: list(initial['alertRecipients']) || contactEmail || undefined,
      validate: (v) => listProblem(v, emailProblem, true),
    }),
  );
  const planType = await prompter.select({
    message: 'Plan',
    choices: PLAN_TYPES.map((p) => ({ name: p, value: p })),
    default: (str('planType') as (typeof PLAN_TYPES)[number]) ?? 'safeweb-basic',
  });
  const price = Number(
    await prompter.input({
      message: 'Price',
      default: initial['price'] !== undefined ? String(initial['price']) : undefined,
      validate: (v) =>
        v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= 0 ? true : 'A number, 0 or more (e.g. 49.99).',
    }),
  );
  const currencyCode = await prompter.select({
    message: 'Currency',
    choices: CURRENCIES.map((c) => ({ name: c, value: c })),
    default: (str('currencyCode') ?? prefs['currencyCode'] ?? 'USD') as (typeof CURRENCIES)[number],
  });
  const billedFromDate = parseDateInput(
    await prompter.input({
      message: 'Billed from (ISO date-time, or now+5m)',
      default: str('billedFromDate') ?? new Date(now.getTime() + 5 * 60_000).toISOString(),
      validate: (v) => {
        const parsed = parseDateInput(v.trim(), ctx.now());
        if (!parsed) return 'An ISO 8601 date-time such as 2026-06-01T00:00:00Z, or now+5m.';
        return Date.parse(parsed) > ctx.now().getTime()
          ? true
          : 'It must be in the future: the API rejects past billing dates.';
      },
    }),
    ctx.now(),
  )!;
  const enrolType = await prompter.select({
    message: 'Enrolment',
    choices: ENROL_TYPES.map((e) => ({ name: e, value: e })),
    default: (str('enrolType') as (typeof ENROL_TYPES)[number]) ?? 'opt-out',
  });
  const sendMonthlyReport = await prompter.confirm({
    message: 'Send monthly security reports?',
    default:
      typeof initial['sendMonthlyReport'] === 'boolean'
        ? (initial['sendMonthlyReport'] as boolean)
        : planType !== 'safeweb-basic',
  });
  const localeCode = (
    await prompter.input({
      message: 'Locale',
      default: str('localeCode') ?? prefs['localeCode'] ?? 'en-GB',
      validate: (v) => (/^[a-z]{2}-[A-Z]{2}$/.test(v.trim()) ? true : 'A locale such as en-GB or da-DK.'),
    })
  ).trim();

  const doc: Record<string, unknown> = {
    ...initial,
    companyName,
    customerReference,
    alertRecipients,
    price,
    currencyCode,
    billedFromDate,
    planType,
    enrolType,
    sendMonthlyReport,
    localeCode,
  };
  if (contactEmail) doc['contactEmail'] = contactEmail;
  else delete doc['contactEmail'];
  doc['assetsDomains'] = domains;
  doc['assetsEmails'] = emails;
  if (domains.length === 0) delete doc['assetsDomains'];
  if (emails.length === 0) delete doc['assetsEmails'];

  // The summary is talk, not data: stderr, so `--json` output stays one document.
  const { renderTable } = await import('../../output/table.js');
  const rows = FIELDS.filter((f) => doc[f.key] !== undefined).map((f) => [
    f.key,
    Array.isArray(doc[f.key]) ? (doc[f.key] as unknown[]).join(', ') : String(doc[f.key]),
  ]);
  ctx.out.info(await renderTable([{ header: 'Field' }, { header: 'Value' }], rows, ctx.out.errColor));
  if (!(await prompter.confirm({ message: `Onboard ${companyName} (${customerReference})?`, default: true })))
    throw new CancelledError('Nothing was sent.');
  return doc;
}

/** After a wizard onboarding: remember currency and locale, offer the answers as a file, show the command. */
export async function afterWizard(
  ctx: Context,
  body: OnboardingRequest,
  account: { key: string; profile: string | undefined },
): Promise<void> {
  await updateConfig(ctx.configDir, (data) => {
    data.preferences ??= {};
    data.preferences[account.profile ?? account.key] = {
      currencyCode: body.currencyCode,
      localeCode: body.localeCode ?? 'en-GB',
    };
  });
  const prompter = await ctx.prompter('');
  if (await prompter.confirm({ message: 'Save these answers as a JSON file for --file?', default: false })) {
    const file = (
      await prompter.input({
        message: 'File name',
        default: `${body.customerReference.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`,
        validate: (v) => (v.trim() ? true : 'A file name is needed.'),
      })
    ).trim();
    try {
      writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { flag: 'wx' });
      ctx.out.success(`Saved ${file}. Change the reference and dates before reusing it.`);
    } catch (error) {
      ctx.out.warn(
        `could not save ${file}: ${(error as NodeJS.ErrnoException).code === 'EEXIST' ? 'it already exists' : (error as Error).message}`,
      );
    }
  }
  ctx.out.info('The same onboarding without the wizard:');
  ctx.out.info(`  ${onboardCommand(body)}`);
}
