/**
 * `safeweb export`: the book as it is now, as a manifest — every customer in the local record
 * (or those named) with its status, its assets read live and the info fields the record keeps,
 * and the webhook endpoints (never a secret) — so `plan` of a fresh export is empty. Fields the
 * record does not know are named in a YAML comment or a JSON "//" note. `--state FILE` writes the
 * state those customers are in, for `plan --state` in CI.
 */
import fs from 'node:fs';
import { getCustomerAssets } from '../../api/customers.js';
import { listWebhooks } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { FIELDS } from '../../customers/fields.js';
import { readRecord, type RecordEntry } from '../../customers/local-record.js';
import { integrationsFile, readIntegrations } from '../../config/integrations.js';
import { UsageError } from '../../errors.js';
import { replaceFile } from '../../io/safe-write.js';
import { NOTE_KEY } from '../../manifest/schema.js';
import { writeStateFile } from '../../manifest/state.js';
import { success, warn, type Note, type Outcome } from '../../outcome.js';

export interface ExportOptions {
  output: string;
  customers?: string[] | undefined;
  state?: string | undefined;
  force?: boolean | undefined;
}

interface ExportData {
  output: string;
  customers: number;
  webhooks: number;
  /** Customers exported without some info fields (the record does not know them). */
  missing: Array<{ reference: string; fields: string[] }>;
  state: string | null;
}

const INFO = FIELDS.filter(
  (f) => !['customerReference', 'companyName', 'assetsDomains', 'assetsEmails'].includes(f.key),
);

function refuseExisting(file: string | undefined, force: boolean): void {
  if (file && !force && fs.existsSync(file))
    throw new UsageError(
      `${file} already exists; export does not overwrite it`,
      'Pass --force to replace it, or give a new file name.',
    );
}

function chosen(entries: RecordEntry[], wanted: string[] | undefined, account: string): RecordEntry[] {
  if (!wanted?.length) return entries;
  const refs = wanted
    .flatMap((w) => w.split(','))
    .map((w) => w.trim())
    .filter(Boolean);
  const unknown = refs.filter((r) => !entries.some((e) => e.reference === r));
  if (unknown.length)
    throw new UsageError(
      `not in the local record for ${account}: ${unknown.join(', ')}`,
      'Run `safeweb customer list` to see the references this tool knows.',
    );
  return entries.filter((e) => refs.includes(e.reference));
}

export async function runExport(opts: ExportOptions, ctx: Context): Promise<Outcome<ExportData>> {
  const format = /\.ya?ml$/i.test(opts.output) ? 'yaml' : /\.json$/i.test(opts.output) ? 'json' : undefined;
  if (!format) throw new UsageError(`cannot tell the format of ${opts.output}`, 'Name the file .yaml, .yml or .json.');
  refuseExisting(opts.output, Boolean(opts.force));
  refuseExisting(opts.state, Boolean(opts.force));
  const account = await ctx.account();
  // The integration settings kept locally go into the book, so a book kept as code carries them.
  const { settings } = await readIntegrations(integrationsFile(ctx.configDir, account.profile ?? account.key));
  const all = chosen(readRecord(ctx.configDir, account.key).customers, opts.customers, account.key);
  const notes: Note[] = [];
  const entries = all.filter((e) => {
    if (e.id) return true;
    notes.push(
      warn(
        `${e.reference} left out: its customer ID is not known, so its assets cannot be read ` +
          `(\`safeweb customer link ${e.reference} --id UUID\`)`,
      ),
    );
    return false;
  });
  const api = await ctx.api();
  const assets: Array<{ domains: string[]; emails: string[] }> = [];
  for (const e of entries) assets.push(await getCustomerAssets(api, e.id!));
  const webhooks = (await listWebhooks(api)).webhooks.map((w) => ({ url: w.url, events: w.events, active: w.active }));

  const missing: ExportData['missing'] = [];
  const customers = entries.map((e, i) => {
    const known = e.fields ?? {};
    const info = Object.fromEntries(INFO.filter((f) => known[f.key] !== undefined).map((f) => [f.key, known[f.key]]));
    const lacking = INFO.filter((f) => known[f.key] === undefined && (f.required || e.fields === undefined)).map(
      (f) => f.key,
    );
    if (lacking.length) missing.push({ reference: e.reference, fields: lacking });
    const local = settings.customers?.[e.reference] ?? {};
    return {
      customerReference: e.reference,
      companyName: e.companyName,
      status: e.status,
      ...info,
      assetsDomains: assets[i]!.domains ?? [],
      assetsEmails: assets[i]!.emails ?? [],
      ...(local.tags ? { tags: local.tags } : {}),
      ...(local.psa ? { psa: local.psa } : {}),
    };
  });
  const manifest = {
    customers,
    webhooks,
    ...(settings.psa ? { psa: settings.psa } : {}),
    ...(settings.notify ? { notify: settings.notify } : {}),
  };
  const note = (fields: string[]) =>
    `missing: ${fields.join(', ')} (the local record does not know them; add them to create this customer anew)`;
  const text =
    format === 'json'
      ? `${JSON.stringify(
          {
            [NOTE_KEY]: `safeweb export of ${account.key}; check it with \`safeweb plan --file\``,
            ...manifest,
            customers: customers.map((c) => {
              const m = missing.find((x) => x.reference === c.customerReference);
              return m ? { [NOTE_KEY]: note(m.fields), ...c } : c;
            }),
          },
          null,
          2,
        )}\n`
      : await yamlText(manifest, account.key, (i) => {
          const m = missing.find((x) => x.reference === customers[i]!.customerReference);
          return m ? note(m.fields) : undefined;
        });
  replaceFile(opts.output, text, { kind: 'manifest', mayReplace: Boolean(opts.force), allowedBy: '--force' });
  if (opts.state) writeStateFile(opts.state, account.key, entries, Boolean(opts.force));
  if (missing.length)
    notes.push(
      warn(
        `${missing.length} customer${missing.length === 1 ? '' : 's'} exported without some info fields (named in the file).`,
      ),
    );
  notes.push(
    success(
      `Exported ${customers.length} customer${customers.length === 1 ? '' : 's'} and ${webhooks.length} webhook endpoint` +
        `${webhooks.length === 1 ? '' : 's'} to ${opts.output}${opts.state ? `; state in ${opts.state}` : ''}.`,
    ),
  );
  return {
    data: {
      output: opts.output,
      customers: customers.length,
      webhooks: webhooks.length,
      missing,
      state: opts.state ?? null,
    },
    notes,
  };
}

async function yamlText(
  manifest: object,
  account: string,
  comment: (i: number) => string | undefined,
): Promise<string> {
  const { Document, isScalar, isSeq, visit } = (await import('yaml')).default;
  const doc = new Document(manifest);
  doc.commentBefore = ` safeweb export of ${account}; check it with \`safeweb plan --file\``;
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  const customers = doc.get('customers');
  if (isSeq(customers))
    customers.items.forEach((item, i) => {
      const text = comment(i);
      if (text && item && typeof item === 'object') (item as { commentBefore?: string }).commentBefore = ` ${text}`;
    });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
