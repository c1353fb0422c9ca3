import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { csvRecordToDoc } from '../../../src/customers/fields.js';
import { ROOT, runInProcess } from '../../helpers/cli.js';
import { staticImportsOf } from '../../helpers/imports.js';

const COMMITTED = path.join(ROOT, 'schema/onboarding.schema.json');
const read = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;

/** A real draft 2020-12 validator, with the formats (email, hostname, date-time) checked. */
function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv.compile(read('schema/onboarding.schema.json'));
}

describe('safeweb schema onboarding', () => {
  it('prints the committed schema file, byte for byte (regenerate it with this command if not)', async () => {
    const r = await runInProcess(['schema', 'onboarding']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('is the same document with --json', async () => {
    const r = await runInProcess(['schema', 'onboarding', '--json']);
    expect(JSON.parse(r.stdout)).toEqual(read('schema/onboarding.schema.json'));
  });

  it('is a draft 2020-12 schema that accepts the examples, with their "$schema", and relative dates', () => {
    const validate = validator();
    const acme = read('examples/acme.json');
    expect(acme['$schema']).toBe('../schema/onboarding.schema.json');
    expect(validate(acme), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...acme, billedFromDate: 'now+1d', insuranceActiveFromDate: '2031-02-03' })).toBe(true);
    const [header, ...rows] = readFileSync(path.join(ROOT, 'examples/customers.csv'), 'utf8').trim().split('\n');
    for (const row of rows) {
      // The example rows hold no quoted commas, so a plain split reads them.
      const doc = csvRecordToDoc(header!.split(','), row.split(','));
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it.each([
    ['a typo in a field name', { companyNmae: 'x' }, 'additionalProperties'],
    ['a currency it does not know', { currencyCode: 'EUR' }, 'enum'],
    ['a negative price', { price: -1 }, 'minimum'],
    ['a bad alert recipient', { alertRecipients: ['alerts@'] }, 'format'],
    ['no alert recipient', { alertRecipients: [] }, 'minItems'],
    ['a date that is none of the accepted forms', { billedFromDate: 'tomorrow' }, 'anyOf'],
    ['nothing to monitor', { assetsDomains: [], assetsEmails: [] }, 'anyOf'],
  ])('refuses %s', (_name, change, keyword) => {
    const validate = validator();
    expect(validate({ ...read('examples/acme.json'), ...change })).toBe(false);
    expect(validate.errors!.map((e) => e.keyword)).toContain(keyword);
  });

  it('loads neither zod nor the HTTP client: it is as cheap as --help', () => {
    const reached = staticImportsOf('src/commands/schema/onboarding.ts');
    expect(reached).toContain('src/customers/fields.ts');
    const heavy = (f: string) =>
      f === 'zod' || f === 'ky' || f.startsWith('src/api/') || f === 'src/customers/onboarding.ts';
    expect(reached.filter(heavy)).toEqual([]);
  });
});
