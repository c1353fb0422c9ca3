/**
 * `safeweb psa map`: every customer of the book with its PSA company and how it was found
 * (psa/match.ts), `--write` to keep the sure ones, `--from-csv` for a person's own table. A
 * customer left without a company is said, never dropped: its findings go to the connection's
 * fallback company, and `psa plan` lists them.
 */
import type { Context } from '../../context.js';
import { readIntegrations, type Integrations } from '../../config/integrations.js';
import { CliError } from '../../errors.js';
import { table, type Outcome } from '../../outcome.js';
import { matchCustomers, type Mapping } from '../../psa/match.js';
import type { MapBook } from '../../psa/mapping.js';
import type { OpenConnection } from '../../psa/connection.js';
import { integrationSettingsFile, psaConnection } from '../../services.js';
import { PSA_MAP_COLUMNS } from './map-columns.js';
import { row, summary, unmappedNotes, type PsaMapRecord } from './map-view.js';
import * as mapping from '../../psa/mapping.js';
import { loadManifest, manifestIntegrations } from '../../manifest/load.js';
import { manifestSizeCap } from '../../manifest/parse.js';
import { readRecord } from '../../customers/local-record.js';
import { findCompany } from '../../psa/policy.js';

export interface PsaMapOptions {
  connection?: string | undefined;
  suggest?: boolean | undefined;
  write?: boolean | undefined;
  fromCsv?: string | undefined;
  file?: string | undefined;
  customers?: string[] | undefined;
}

interface Source {
  book: MapBook;
  settings: Integrations;
  kind: Mapping['source'];
  target: { settingsFile: string } | { manifest: string; now: Date; sizeCap: number };
}

/** The book, its settings and where a mapping is written: the profile's, or a manifest's with --file. */
async function readSource(opts: PsaMapOptions, ctx: Context): Promise<Source> {
  if (opts.file) {
    const sizeCap = manifestSizeCap(ctx.env);
    const manifest = await loadManifest({ file: opts.file }, ctx.now(), sizeCap);
    // IDs are shown when the local record knows them; a manifest is mapped without credentials too.
    const ids = new Map<string, string>();
    try {
      for (const c of readRecord(ctx.configDir, (await ctx.account()).key).customers)
        if (c.id) ids.set(c.reference, c.id);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
    }
    return {
      book: mapping.manifestBook(manifest, opts.customers, ids),
      settings: manifestIntegrations(manifest),
      kind: 'manifest',
      target: { manifest: opts.file, now: ctx.now(), sizeCap },
    };
  }
  const [account, settingsFile] = await Promise.all([ctx.account(), integrationSettingsFile(ctx)]);
  return {
    book: mapping.recordBook(ctx.configDir, account.key, opts.customers),
    settings: (await readIntegrations(settingsFile)).settings,
    kind: 'settings',
    target: { settingsFile },
  };
}

/**
 * The connection: a manifest's own when it defines connections (its `psa:` block has the settings'
 * shape), else the profile's. Nothing is sent.
 */
async function open(ctx: Context, name: string | undefined, source: Source): Promise<OpenConnection> {
  if (!('manifest' in source.target) || !Object.keys(source.settings.psa?.connections ?? {}).length)
    return psaConnection(ctx, name);
  const manifest = source.target.manifest;
  return psaConnection(ctx, name, { file: manifest, kind: 'manifest', exists: true, settings: source.settings });
}

export async function runPsaMap(opts: PsaMapOptions, ctx: Context): Promise<Outcome<PsaMapRecord[]>> {
  const source = await readSource(opts, ctx);
  const connection = await open(ctx, opts.connection, source);
  const companies = await connection.client.companies();
  const farSide = connection.client.farSide;
  const previous = mapping.existingMappings(source.settings, source.kind);
  const fromTable = opts.fromCsv
    ? mapping.readMapTable(opts.fromCsv, source.book, companies, connection.name, farSide)
    : {};
  const byDefault = mapping.defaultConnection(source.settings);
  const matches = matchCustomers({
    customers: source.book.customers,
    companies,
    mappings: { ...previous, ...fromTable },
    connection: connection.name,
    defaultConnection: byDefault,
  });
  const writes = opts.write ? mapping.toWrite(matches, previous, connection.name, byDefault) : [];
  const written = new Set((await mapping.writeMappings(source.target, writes)).map((w) => w.reference));
  const wanted = connection.policy.fallbackCompany;
  const fallback = wanted === undefined ? null : (findCompany(companies, wanted) ?? null);
  const records = matches.map(({ kind, ...m }): PsaMapRecord => ({
    ...m,
    match: kind,
    fallback: m.company || m.elsewhere || m.problem ? null : fallback,
    written: written.has(m.reference),
  }));
  const where = 'manifest' in source.target ? source.target.manifest : source.target.settingsFile;
  const notes = summary(records, { write: Boolean(opts.write), suggest: Boolean(opts.suggest), where });
  notes.push(...unmappedNotes(records, connection.name, wanted, fallback, farSide));
  return {
    data: records,
    view: table(
      PSA_MAP_COLUMNS,
      records.map((r) => row(r, Boolean(opts.suggest))),
      'No customers to map: the book is empty (`safeweb customer list`).',
    ),
    notes,
  };
}
