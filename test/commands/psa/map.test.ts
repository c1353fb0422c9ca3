/**
 * `safeweb psa map` end to end, in process: the SafeWeb sandbox's seed customers imported into the
 * local record, a few more onboarded, and the ConnectWise emulator's companies (its seed: two by
 * identifier, the rest by name, one matching none) plus a few added here so every kind of match
 * shows. Real HTTP over loopback to both; the settings and manifests are real files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startConnectWise, type ConnectWiseEmulator } from '../../../src/sandbox/psa/connectwise.js';
import { runInProcess, tempDir } from '../../helpers/cli.js';
import { sandboxFixture, type SandboxFixture } from '../../helpers/sandbox.js';
import { importSeed, onboardMany } from '../../portfolio/fixture.js';

let fx: SandboxFixture;
let emu: ConnectWiseEmulator;
let env: Record<string, string | undefined>;
let settingsFile: string;
let work: string;

interface MapRecord {
  reference: string;
  customerId: string | null;
  match: string;
  company: { id: number; identifier: string; name: string } | null;
  candidates: Array<{ id: number }>;
  reason: string | null;
  mapping: { company: number | string; connection?: string; source: string } | null;
  fallback: { id: number } | null;
  written: boolean;
}

const cli = (...argv: string[]) => runInProcess(argv, { env });
async function records(...argv: string[]): Promise<MapRecord[]> {
  const r = await cli('psa', 'map', ...argv, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as MapRecord[];
}
const kinds = (rs: MapRecord[]) => Object.fromEntries(rs.map((r) => [r.reference, [r.match, r.company?.id ?? null]]));

function settings(extra: { fallbackCompany?: string } = {}): string {
  return [
    '# settings of the sandbox book, kept by hand',
    'psa:',
    '  connections:',
    '    cw: # the emulator',
    '      kind: connectwise',
    `      site: "${emu.url}"`,
    `      company: ${emu.credentials.companyId}`,
    `      publicKey: ${emu.credentials.publicKey}`,
    `      clientId: ${emu.credentials.clientId}`,
    '      secret: psa/cw',
    ...(extra.fallbackCompany ? [`      fallbackCompany: ${extra.fallbackCompany}`] : []),
    '',
  ].join('\n');
}

beforeAll(async () => {
  fx = await sandboxFixture();
  const seed = await importSeed(fx.sandbox, fx.env);
  // Hooli 1, Hooli 2, Hooli 3 (references Hooli-1 …): normalised, ambiguous, unmapped below.
  await onboardMany(fx.env, 3, 'Hooli');
  emu = await startConnectWise({ customers: seed });
  emu.state.companies.push(
    { id: 300, identifier: 'H1', name: 'HOOLI 1 GmbH' },
    { id: 301, identifier: 'H2A', name: 'Hooli 2 Ltd' },
    { id: 302, identifier: 'H2B', name: 'Hooli 2, Inc.' },
  );
  work = tempDir('psa-map-').dir;
  const key = path.join(work, 'cw.key');
  writeFileSync(key, emu.credentials.privateKey);
  env = { ...fx.env, SAFEWEB_SECRET_PSA_CW_FILE: key };
  const shown = await runInProcess(['integrations', 'show', '--json'], { env });
  settingsFile = (JSON.parse(shown.stdout) as { file: string }).file;
});
afterAll(async () => {
  await emu?.close();
  await fx?.close();
});
beforeEach(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(path.dirname(settingsFile), { recursive: true });
  writeFileSync(settingsFile, settings());
});

describe('safeweb psa map', () => {
  it('lists every active customer with its company and how it was found; writes nothing', async () => {
    const rs = await records();
    expect(kinds(rs)).toEqual({
      'NW-001': ['identifier', 250],
      'GLOBEX-7': ['exact', 251],
      'INITECH-42': ['identifier', 252],
      'Hooli-1': ['normalised', 300],
      'Hooli-2': ['ambiguous', null],
      'Hooli-3': ['unmapped', null],
    });
    expect(rs.find((r) => r.reference === 'Hooli-2')!.candidates.map((c) => c.id)).toEqual([301, 302]);
    expect(rs.every((r) => r.customerId !== null && !r.written)).toBe(true);
    expect(readFileSync(settingsFile, 'utf8')).toBe(settings());

    // A pipe gets tab-separated rows; the notes (stderr) say what --write would do, and where unmapped ones go.
    const r = await cli('psa', 'map');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('NW-001\tNorthwind Traders\tidentifier\t250\tNW-001\tNorthwind Traders');
    expect(r.stdout).toContain('Hooli-2\tHooli 2\tambiguous\t\t\t\t2 candidates (--suggest lists them)');
    expect(r.stderr).toContain('6 customers: 0 mapped, 2 by identifier, 2 by name, 1 ambiguous, 1 unmapped.');
    expect(r.stderr).toContain(`--write saves the 4 found to ${settingsFile}.`);
    expect(r.stderr).toContain('2 customers have no company in ConnectWise and the connection cw has no fallback');
    expect(r.stderr).toContain('`safeweb psa plan` lists their findings');
  });

  it('--suggest names the candidates, and similar names for an unmapped customer', async () => {
    const r = await cli('psa', 'map', '--suggest', '--customers', 'Hooli-2,Hooli-3');
    expect(r.code, r.stderr).toBe(0);
    const [two, three] = r.stdout.trim().split('\n');
    expect(two).toContain('candidates: H2A Hooli 2 Ltd (301); H2B Hooli 2, Inc. (302)');
    expect(three).toMatch(/^Hooli-3\tHooli 3\tunmapped\t.*similar: H1 HOOLI 1 GmbH \(300\)/);
  });

  it('--write saves the sure matches in one write, keeping comments; a second run finds them mapped', async () => {
    const r = await cli('psa', 'map', '--write');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Wrote 4 mappings to ${settingsFile}.`);
    const text = readFileSync(settingsFile, 'utf8');
    expect(text).toContain('# settings of the sandbox book, kept by hand');
    expect(text).toContain('# the emulator');
    expect((parse(text) as { customers: unknown }).customers).toEqual({
      'NW-001': { psa: { connection: 'cw', company: 250 } },
      'GLOBEX-7': { psa: { connection: 'cw', company: 251 } },
      'INITECH-42': { psa: { connection: 'cw', company: 252 } },
      'Hooli-1': { psa: { connection: 'cw', company: 300 } },
    });
    const again = await records('--write');
    expect(kinds(again)['NW-001']).toEqual(['mapped', 250]);
    expect(again.filter((x) => x.match === 'mapped')).toHaveLength(4);
    expect(again.some((x) => x.written)).toBe(false);
    expect(readFileSync(settingsFile, 'utf8')).toBe(text);
  });

  it('a mapping made by hand wins over every rule and is never rewritten', async () => {
    writeFileSync(
      settingsFile,
      `${settings()}customers:\n  NW-001:\n    psa: { company: ContosoMSP, board: Security }\n`,
    );
    const rs = await records('--write');
    const nw = rs.find((r) => r.reference === 'NW-001')!;
    expect(nw).toMatchObject({ match: 'mapped', company: { identifier: 'ContosoMSP' }, written: false });
    const customers = (parse(readFileSync(settingsFile, 'utf8')) as { customers: Record<string, unknown> }).customers;
    expect(customers['NW-001']).toEqual({ psa: { company: 'ContosoMSP', board: 'Security' } });
  });

  it('unmapped customers go to the fallback company, which the records name', async () => {
    writeFileSync(settingsFile, settings({ fallbackCompany: 'ContosoMSP' }));
    const rs = await records();
    const contoso = emu.state.companies.find((c) => c.identifier === 'ContosoMSP')!.id;
    expect(rs.filter((r) => r.fallback).map((r) => [r.reference, r.fallback!.id])).toEqual([
      ['Hooli-2', contoso],
      ['Hooli-3', contoso],
    ]);
    const r = await cli('psa', 'map');
    expect(r.stderr).toContain(
      `2 customers have no company in ConnectWise: their findings go to the fallback company ContosoMSP ` +
        `Contoso Managed Services (${contoso}), each ticket naming the customer`,
    );
    writeFileSync(settingsFile, settings({ fallbackCompany: 'Gone' }));
    const gone = await cli('psa', 'map');
    expect(gone.stderr).toContain('the fallback company "Gone" does not exist there: `safeweb psa plan` refuses');
  });

  it('a mapping to a company the PSA lacks is named, and not sent to the fallback', async () => {
    writeFileSync(
      settingsFile,
      `${settings({ fallbackCompany: 'ContosoMSP' })}customers:\n  NW-001:\n    psa: { company: 999 }\n`,
    );
    const rs = await records();
    expect(rs.find((r) => r.reference === 'NW-001')).toMatchObject({ match: 'mapped', company: null, fallback: null });
    const r = await cli('psa', 'map', '--customers', 'NW-001');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('names company 999, which the PSA does not have');
    expect(r.stderr).toContain('NW-001: mapped to a company ConnectWise does not have; `safeweb psa plan` refuses');
    expect(r.stderr).not.toContain('fallback company ContosoMSP');
  });

  it('--from-csv maps from a table checked whole: rows override, and --write saves them with the matches', async () => {
    const table = path.join(work, 'table.csv');
    writeFileSync(table, 'reference,company,note\nHooli-2,h2b,the US one\nhooli-3,300,\nNW-001,ContosoMSP,\n');
    const rs = await records('--from-csv', table, '--write');
    expect(kinds(rs)).toMatchObject({
      'Hooli-2': ['mapped', 302],
      'Hooli-3': ['mapped', 300],
      'NW-001': ['mapped', 254],
      // Hooli-1 found by name lands on 300 too: it yields to the table's row.
      'Hooli-1': ['ambiguous', null],
    });
    const customers = (parse(readFileSync(settingsFile, 'utf8')) as { customers: Record<string, unknown> }).customers;
    expect(customers).toEqual({
      'GLOBEX-7': { psa: { connection: 'cw', company: 251 } },
      'INITECH-42': { psa: { connection: 'cw', company: 252 } },
      'Hooli-2': { psa: { connection: 'cw', company: 302 } },
      'Hooli-3': { psa: { connection: 'cw', company: 300 } },
      'NW-001': { psa: { connection: 'cw', company: 254 } },
    });
  });

  it('--from-csv: unknown references or companies are exit 2 naming each row, and nothing is written', async () => {
    const table = path.join(work, 'bad.csv');
    writeFileSync(table, 'Reference,Company\nNW-001,NW-001\nNOPE-9,250\nGLOBEX-7,Initrode\n,250\nNW-001,251\n');
    const r = await cli('psa', 'map', '--from-csv', table, '--write');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${table}: 4 rows cannot be used; nothing was mapped:`);
    for (const line of [
      'row 3: NOPE-9: no such customer',
      'row 4: company "Initrode" does not exist in ConnectWise',
      'row 5: has no reference',
      "row 6: NW-001 is row 2's too",
    ])
      expect(r.stderr).toContain(line);
    expect(readFileSync(settingsFile, 'utf8')).toBe(settings());
    writeFileSync(table, 'customer,company\nNW-001,250\n');
    const noColumn = await cli('psa', 'map', '--from-csv', table);
    expect(noColumn.code).toBe(2);
    expect(noColumn.stderr).toContain('needs the columns reference and company (found: customer, company)');
  });

  it('--file: the manifest is the book and takes the mappings; the settings file is left alone', async () => {
    const book = path.join(work, 'book.yaml');
    const text = [
      '# the book as code',
      'customers:',
      '  - customerReference: NW-001 # the big one',
      '    companyName: Northwind Traders',
      '  - customerReference: Hooli-1',
      '    companyName: Hooli 1',
      '    psa: { board: Security, company: 1 }',
      '  - customerReference: NEW-1',
      '    companyName: Globex Limited',
      '',
    ].join('\n');
    writeFileSync(book, text);
    const rs = await records('--file', book, '--write');
    expect(kinds(rs)).toEqual({
      'NW-001': ['identifier', 250],
      'Hooli-1': ['mapped', null],
      'NEW-1': ['normalised', 251],
    });
    expect(rs.find((r) => r.reference === 'NEW-1')!.customerId).toBeNull();
    const written = readFileSync(book, 'utf8');
    expect(written).toContain('# the book as code');
    expect(written).toContain('# the big one');
    expect((parse(written) as { customers: Array<{ psa?: unknown }> }).customers.map((c) => c.psa)).toEqual([
      { connection: 'cw', company: 250 },
      { board: 'Security', company: 1 },
      { connection: 'cw', company: 251 },
    ]);
    expect(readFileSync(settingsFile, 'utf8')).toBe(settings());
  });

  it("--file: a manifest's own psa block is the connection (the profile's settings need none)", async () => {
    writeFileSync(settingsFile, '');
    const block = settings().replace('# settings of the sandbox book, kept by hand\n', '');
    const book = path.join(work, 'own.yaml');
    writeFileSync(book, `${block}customers:\n  - customerReference: GLOBEX-7\n    companyName: Globex Ltd\n`);
    expect(kinds(await records('--file', book))).toEqual({ 'GLOBEX-7': ['exact', 251] });
    // Without it, the profile's settings are asked, and have none.
    writeFileSync(book, 'customers:\n  - customerReference: GLOBEX-7\n    companyName: Globex Ltd\n');
    const none = await cli('psa', 'map', '--file', book);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no PSA connection is configured');
  });

  it('--csv prints the table with its field names; --customers picks; an unknown one is exit 2', async () => {
    const r = await cli('psa', 'map', '--csv', '--customers', 'GLOBEX-7');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split(/\r?\n/).slice(0, 2)).toEqual([
      'reference,companyName,match,companyId,identifier,company,note',
      'GLOBEX-7,Globex Ltd,exact,251,GlobexLtd,Globex Ltd,',
    ]);
    const unknown = await cli('psa', 'map', '--customers', 'NOPE-1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no customer with reference "NOPE-1"');
  });

  it('no connection configured is exit 2; wrong credentials exit 4', async () => {
    writeFileSync(settingsFile, '');
    const none = await cli('psa', 'map');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no PSA connection is configured');
    writeFileSync(settingsFile, settings().replace(`publicKey: ${emu.credentials.publicKey}`, 'publicKey: wrong'));
    const denied = await cli('psa', 'map');
    expect(denied.code, denied.stderr).toBe(4);
    expect(denied.stdout).toBe('');
  });
});
