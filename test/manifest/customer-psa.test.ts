/**
 * manifest/customer-psa.ts: `psa map --write --file` sets customers' `psa:` in a manifest a person
 * keeps, and nothing else moves: comments, other keys, a mapping's board, JSON's indentation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { writeManifestPsa } from '../../src/manifest/customer-psa.js';
import { MANIFEST_SIZE_CAP } from '../../src/manifest/parse.js';
import { tempDir } from '../helpers/cli.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function file(name: string, text: string): string {
  const t = tempDir('manifest-psa-');
  cleanups.push(t.cleanup);
  const at = path.join(t.dir, name);
  writeFileSync(at, text);
  return at;
}
const options = { now: new Date('2026-01-01T00:00:00Z'), sizeCap: MANIFEST_SIZE_CAP };

const YAML = [
  '# our book, kept by hand',
  'customers:',
  '  # the big one',
  '  - customerReference: NW-001',
  '    companyName: Northwind Traders # since 2019',
  '    psa: { company: 1, board: Security }',
  '  - customerReference: GLOBEX-7',
  '    companyName: Globex Ltd',
  '    tags: [vip]',
  '  - customerReference: INITECH-42',
  '    companyName: Initech',
  '',
].join('\n');

describe('writeManifestPsa', () => {
  it('YAML: sets the mappings named, keeps every comment, key and the board beside them', async () => {
    const at = file('book.yaml', YAML);
    await writeManifestPsa(
      at,
      [
        { reference: 'NW-001', connection: 'cw', company: 250 },
        { reference: 'GLOBEX-7', connection: 'cw', company: 'GlobexLtd' },
      ],
      options,
    );
    const text = readFileSync(at, 'utf8');
    for (const comment of ['# our book, kept by hand', '# the big one', '# since 2019'])
      expect(text).toContain(comment);
    expect((parse(text) as { customers: unknown[] }).customers).toEqual([
      {
        customerReference: 'NW-001',
        companyName: 'Northwind Traders',
        psa: { company: 250, board: 'Security', connection: 'cw' },
      },
      {
        customerReference: 'GLOBEX-7',
        companyName: 'Globex Ltd',
        tags: ['vip'],
        psa: { connection: 'cw', company: 'GlobexLtd' },
      },
      { customerReference: 'INITECH-42', companyName: 'Initech' },
    ]);
    // The entry left alone is byte for byte what it was.
    expect(text.endsWith('  - customerReference: INITECH-42\n    companyName: Initech\n')).toBe(true);
  });

  it('JSON: the same, in the file’s own indentation, the rest of the text unmoved', async () => {
    const doc = {
      customers: [
        { customerReference: 'NW-001', companyName: 'Northwind Traders' },
        { customerReference: 'GLOBEX-7', companyName: 'Globex Ltd', psa: { company: 1, board: 'Security' } },
      ],
    };
    const original = `${JSON.stringify(doc, null, 4)}\n`;
    const at = file('book.json', original);
    await writeManifestPsa(
      at,
      [
        { reference: 'NW-001', connection: 'cw', company: 250 },
        { reference: 'GLOBEX-7', connection: 'cw', company: 251 },
      ],
      options,
    );
    const text = readFileSync(at, 'utf8');
    expect(JSON.parse(text)).toEqual({
      customers: [
        { customerReference: 'NW-001', companyName: 'Northwind Traders', psa: { connection: 'cw', company: 250 } },
        {
          customerReference: 'GLOBEX-7',
          companyName: 'Globex Ltd',
          psa: { company: 251, board: 'Security', connection: 'cw' },
        },
      ],
    });
    expect(text).toContain('\n            "psa": {\n                "connection": "cw",');
    expect(text.startsWith('{\n    "customers": [\n        {\n            "customerReference": "NW-001",')).toBe(true);
  });

  it('a reference the manifest lacks writes nothing and names it', async () => {
    const at = file('book.yaml', YAML);
    const error = await writeManifestPsa(
      at,
      [
        { reference: 'NW-001', connection: 'cw', company: 250 },
        { reference: 'NOPE-1', connection: 'cw', company: 3 },
      ],
      options,
    ).catch((e: unknown) => e);
    expect((error as Error).message).toContain('no customer entry for NOPE-1');
    expect(readFileSync(at, 'utf8')).toBe(YAML);
  });

  it('a mapping that breaks the manifest (a connection its psa block lacks) writes nothing', async () => {
    const withBlock = `psa:\n  connections:\n    cw: { kind: connectwise, site: a.example, company: c, clientId: i, secret: psa/cw }\n${YAML}`;
    const at = file('book.yaml', withBlock);
    const error = await writeManifestPsa(
      at,
      [{ reference: 'NW-001', connection: 'other', company: 250 }],
      options,
    ).catch((e: unknown) => e);
    expect((error as Error).message).toContain('nothing was written');
    expect(readFileSync(at, 'utf8')).toBe(withBlock);
  });
});
