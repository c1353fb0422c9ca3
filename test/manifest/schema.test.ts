/**
 * `safeweb schema manifest`: the published schema equals the committed file, and an independent
 * validator (ajv, draft 2020-12, with formats) accepts the example manifest and an export, and
 * refuses broken ones — for the reasons the CLI refuses them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, runInProcess } from '../helpers/cli.js';
import { staticImportsOf } from '../helpers/imports.js';

const COMMITTED = path.join(ROOT, 'schema/manifest.schema.json');
const example = () => parse(readFileSync(path.join(ROOT, 'examples/book.yaml'), 'utf8')) as Record<string, unknown>;

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv.compile(JSON.parse(readFileSync(COMMITTED, 'utf8')) as object);
}

describe('safeweb schema manifest', () => {
  it('prints the committed schema file, byte for byte (regenerate it with this command if not)', async () => {
    const r = await runInProcess(['schema', 'manifest']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(COMMITTED, 'utf8'));
    const json = await runInProcess(['schema', 'manifest', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(r.stdout));
  });

  it('is built from the onboarding schema: the same field rules, plus status', () => {
    const schema = JSON.parse(readFileSync(COMMITTED, 'utf8')) as {
      $schema: string;
      properties: { customers: { items: { properties: Record<string, unknown> } } };
    };
    const onboarding = JSON.parse(readFileSync(path.join(ROOT, 'schema/onboarding.schema.json'), 'utf8')) as {
      properties: Record<string, unknown>;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const customer = schema.properties.customers.items.properties;
    for (const [key, rule] of Object.entries(onboarding.properties))
      if (key !== '$schema') expect(customer[key], key).toEqual(rule);
    expect(customer['status']).toMatchObject({ enum: ['active', 'offboarded'] });
  });

  it('accepts the example manifest (examples/book.yaml) and the issue’s own example', () => {
    const validate = validator();
    expect(validate(example()), JSON.stringify(validate.errors)).toBe(true);
    const issue = parse(
      [
        'defaults:',
        '  currencyCode: USD',
        '  billedFromDate: "2026-12-01T00:00:00Z"',
        '  alertRecipients: [soc@msp.example]',
        'customers:',
        '  - customerReference: BOOK-1',
        '    companyName: Book One Ltd',
        '    assetsDomains: [one.example]',
        '    assetsEmails: [staff@one.example]',
        '    price: 10',
        '    status: active',
        'webhooks:',
        '  - url: https://hooks.msp.example/safeweb',
        '    events: [breach.new, breach.resolved]',
        '    active: true',
      ].join('\n'),
    ) as object;
    expect(validate(issue), JSON.stringify(validate.errors)).toBe(true);
  });

  const customer = (change: Record<string, unknown>) => {
    const m = example();
    const [first, ...rest] = m['customers'] as Array<Record<string, unknown>>;
    return { ...m, customers: [{ ...first, ...change }, ...rest] };
  };
  const webhook = (change: Record<string, unknown>) => {
    const m = example();
    const [first] = m['webhooks'] as Array<Record<string, unknown>>;
    return { ...m, webhooks: [{ ...first, ...change }] };
  };

  it.each([
    ['a typo in a customer field', customer({ companyNmae: 'x' }), 'additionalProperties'],
    ['a bad monitored email', customer({ assetsEmails: ['staff@'] }), 'format'],
    ['a domain given as a URL', customer({ assetsDomains: ['https://one.example/'] }), 'format'],
    ['a status it does not know', customer({ status: 'paused' }), 'enum'],
    ['a negative price', customer({ price: -1 }), 'minimum'],
    ['a customer without a reference', customer({ customerReference: undefined }), 'required'],
    ['a currency it does not know', { ...example(), defaults: { currencyCode: 'EUR' } }, 'enum'],
    ['a reference among the defaults', { ...example(), defaults: { customerReference: 'X' } }, 'additionalProperties'],
    ['an unknown top-level key', { ...example(), owner: 'me' }, 'additionalProperties'],
    ['an event it does not know', webhook({ events: ['breach.lost'] }), 'enum'],
    ['an endpoint with no events', webhook({ events: [] }), 'minItems'],
    ['plain http off this machine', webhook({ url: 'http://hooks.example.com/x' }), 'pattern'],
    ['customers that are not a list', { ...example(), customers: { a: 1 } }, 'type'],
  ])('refuses %s', (_name, manifest, keyword) => {
    const validate = validator();
    const clean = JSON.parse(JSON.stringify(manifest)) as object;
    expect(validate(clean)).toBe(false);
    expect(validate.errors!.map((e) => e.keyword)).toContain(keyword);
  });

  it('loads neither yaml, zod nor the HTTP client: it is as cheap as --help', () => {
    const reached = staticImportsOf('src/commands/schema/manifest.ts');
    expect(reached).toContain('src/customers/json-schema.ts');
    const heavy = (f: string) =>
      ['zod', 'ky', 'yaml'].includes(f) || f.startsWith('src/api/') || f.endsWith('onboarding.ts');
    expect(reached.filter(heavy)).toEqual([]);
  });
});
