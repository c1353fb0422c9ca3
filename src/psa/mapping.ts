/**
 * `psa map`'s work around the matching rules (match.ts): the book as the local record or a
 * manifest knows it, the mappings already made, a reference→company table checked whole against
 * the live companies (one unknown row and nothing is used), and the accepted matches written in
 * one go, to the integration settings or into the manifest.
 */
import fs from 'node:fs';
import { CsvError, parseCsv } from '../bulk/csv.js';
import { editIntegrations, type Change, type Integrations } from '../config/integrations.js';
import { UsageError, ValidationError, type Problem } from '../errors.js';
import { writeManifestPsa } from '../manifest/customer-psa.js';
import type { Manifest } from '../manifest/load.js';
import { selectBook } from '../portfolio/book.js';
import { ACCEPTED, type CustomerMatch, type Mapping, type MatchCustomer } from './match.js';
import { findCompany } from './policy.js';
import type { PsaCompany } from './types.js';

/** The customers to map and every reference they are chosen from (a table may name any of those). */
export interface MapBook {
  customers: MatchCustomer[];
  known: string[];
}

/** The local record's active customers, or those named (record/book rules: portfolio/book.ts). */
export function recordBook(configDir: string, account: string, named: string[] | undefined): MapBook {
  const customers = selectBook(configDir, account, { customers: named });
  const known = selectBook(configDir, account, { includeOffboarded: true }).map((c) => c.reference);
  return { customers, known };
}

/**
 * A manifest's customers (its active ones, or those named), with the IDs the local record knows.
 * An unknown name is exit 2, as for the record.
 */
export function manifestBook(manifest: Manifest, named: string[] | undefined, ids: Map<string, string>): MapBook {
  const all = manifest.customers.map((c) => ({
    reference: c.reference,
    companyName: typeof c.body.companyName === 'string' ? c.body.companyName : '',
    customerId: ids.get(c.reference) ?? null,
    active: c.status === 'active',
  }));
  const wanted = (named ?? [])
    .flatMap((n) => n.split(','))
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = wanted.filter((w) => !all.some((c) => c.reference.toLowerCase() === w.toLowerCase()));
  if (unknown.length)
    throw new UsageError(
      `no customer with reference ${unknown.map((u) => `"${u}"`).join(', ')} in ${manifest.source}`,
      'Name customers of the manifest (its customerReference values).',
    );
  const picked = wanted.length
    ? all.filter((c) => wanted.some((w) => w.toLowerCase() === c.reference.toLowerCase()))
    : all.filter((c) => c.active);
  return {
    customers: picked.map(({ active: _active, ...c }) => c),
    known: all.map((c) => c.reference),
  };
}

/** The mappings the settings (or a manifest, in the same shape) already hold. */
export function existingMappings(settings: Integrations, source: Mapping['source']): Record<string, Mapping> {
  const out: Record<string, Mapping> = {};
  for (const [reference, local] of Object.entries(settings.customers ?? {}))
    if (local.psa) out[reference] = { company: local.psa.company, connection: local.psa.connection, source };
  return out;
}

/** The connection a mapping without `connection:` means: psa.default, else the only one. */
export function defaultConnection(settings: Integrations): string | undefined {
  const names = Object.keys(settings.psa?.connections ?? {});
  return settings.psa?.default ?? (names.length === 1 ? names[0] : undefined);
}

function readTable(file: string): string[][] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(`${file} is not a readable CSV file: ${error.message}`);
    throw error;
  }
}

/**
 * A `reference,company` table (company: an ID or identifier; other columns ignored) as mappings
 * through `connection`, every row checked first against the book and the live companies: one bad
 * row is exit 2 naming each, and none of them is used. Rows of known customers outside the
 * selection (--customers) are left out.
 */
export function readMapTable(
  file: string,
  book: MapBook,
  companies: readonly PsaCompany[],
  connection: string,
  farSide: string,
): Record<string, Mapping> {
  const [header = [], ...rows] = readTable(file);
  const column = (name: string) => header.findIndex((h) => h.trim().toLowerCase() === name);
  const refAt = column('reference');
  const companyAt = column('company');
  if (refAt === -1 || companyAt === -1)
    throw new UsageError(
      `${file} needs the columns reference and company (found: ${header.join(', ') || 'none'})`,
      'Its first row names the columns: reference,company (a company by ID or identifier).',
    );
  const known = new Map(book.known.map((r) => [r.toLowerCase(), r]));
  const selected = new Set(book.customers.map((c) => c.reference));
  const problems: Problem[] = [];
  const out: Record<string, Mapping> = {};
  const seen = new Map<string, number>();
  rows.forEach((cells, i) => {
    const row = `row ${i + 2}`;
    const given = (cells[refAt] ?? '').trim();
    const wanted = (cells[companyAt] ?? '').trim();
    const reference = known.get(given.toLowerCase());
    const company = wanted ? findCompany(companies, wanted) : undefined;
    if (!given) problems.push({ path: row, message: 'has no reference', code: 'required' });
    else if (!reference) problems.push({ path: row, message: `${given}: no such customer`, code: 'invalid' });
    else if (seen.has(reference))
      problems.push({ path: row, message: `${reference} is row ${seen.get(reference)}'s too`, code: 'duplicate' });
    if (!wanted) problems.push({ path: row, message: 'has no company', code: 'required' });
    else if (!company)
      problems.push({ path: row, message: `company "${wanted}" does not exist in ${farSide}`, code: 'invalid' });
    if (!reference || seen.has(reference)) return;
    seen.set(reference, i + 2);
    if (company && selected.has(reference)) out[reference] = { company: company.id, connection, source: 'csv' };
  });
  if (problems.length)
    throw new ValidationError(
      `${file}: ${problems.length} row${problems.length === 1 ? '' : 's'} cannot be used; nothing was mapped:`,
      problems,
      `Name customers by reference and companies by ID or identifier (\`safeweb psa map --suggest\` lists them).`,
    );
  return out;
}

/**
 * The matches `--write` saves: those a rule found for sure, and a table's rows; a mapping already
 * saying the same is not written again. Never an ambiguous one.
 */
export function toWrite(
  matches: readonly CustomerMatch[],
  previous: Record<string, Mapping>,
  connection: string,
  byDefault: string | undefined,
) {
  return matches.flatMap((m) => {
    const company = m.company;
    const fromTable = m.kind === 'mapped' && m.mapping?.source === 'csv';
    if (!company || !(ACCEPTED.has(m.kind) || fromTable)) return [];
    const before = previous[m.reference];
    const same =
      before && findCompany([company], before.company) && (before.connection ?? byDefault ?? connection) === connection;
    return same ? [] : [{ reference: m.reference, connection, company: company.id, fromTable }];
  });
}

/** A mapping to write; `fromTable`: a person's row, which may replace a mapping already there. */
export interface MappingWrite {
  reference: string;
  connection: string;
  company: number;
  fromTable: boolean;
}

/**
 * Writes the mappings in one go: into the integration settings file (under its lock, so an edit
 * made meanwhile is kept: a customer someone mapped since this run read the file keeps that
 * mapping unless the table named it), or into the manifest. Returns those written.
 */
export async function writeMappings(
  target: { settingsFile: string } | { manifest: string; now: Date; sizeCap: number },
  mappings: readonly MappingWrite[],
): Promise<MappingWrite[]> {
  if (!mappings.length) return [];
  if ('manifest' in target) {
    await writeManifestPsa(target.manifest, mappings, target);
    return [...mappings];
  }
  let written: MappingWrite[] = [];
  await editIntegrations(
    target.settingsFile,
    (current) => {
      written = mappings.filter((m) => m.fromTable || !current.customers?.[m.reference]?.psa);
      return written.flatMap((m): Change[] => [
        [['customers', m.reference, 'psa', 'connection'], m.connection],
        [['customers', m.reference, 'psa', 'company'], m.company],
      ]);
    },
    { command: 'safeweb psa map --write' },
  );
  return written;
}
