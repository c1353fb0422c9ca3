/**
 * The field table is the one place the onboarding fields are written: the flags, the flags ->
 * document mapping, the missing-field hints, the CSV cells, the command printed after the wizard
 * and the JSON Schema all come from it. These tests hold every derivation to the table, entry
 * by entry, and show that a new field is one new entry.
 */
import { PassThrough } from 'node:stream';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { csvRecordToDoc } from '../../src/customers/fields.js';
import { fieldOptions } from '../../src/commands/customer/index.js';
import { Context } from '../../src/context.js';
import {
  FIELDS,
  flagsToDoc,
  fromCell,
  missingFields,
  onboardCommand,
  optionName,
  type FieldSpec,
} from '../../src/customers/fields.js';
import { onboardingJsonSchema } from '../../src/customers/json-schema.js';
import { validateOnboarding } from '../../src/customers/onboarding.js';
import { buildProgram } from '../../src/program.js';

async function onboardCommandOf(): Promise<Command> {
  const stream = () => Object.assign(new PassThrough(), { isTTY: false });
  const ctx = new Context({
    stdin: stream(),
    stdout: stream(),
    stderr: stream(),
    env: {},
    nodeVersion: process.version,
    waitForSignal: () => new Promise(() => {}),
  });
  const program = await buildProgram(ctx);
  return program.commands.find((c) => c.name() === 'customer')!.commands.find((c) => c.name() === 'onboard')!;
}

/** A value of each kind, as a document holds it and as a flag or CSV cell spells it. */
const SAMPLE: Record<FieldSpec['kind'], { doc: unknown; text: string[]; cell: string }> = {
  string: { doc: 'Acme', text: ['Acme'], cell: 'Acme' },
  email: { doc: 'it@acme.co', text: ['it@acme.co'], cell: 'it@acme.co' },
  domains: { doc: ['acme.co', 'acme.io'], text: ['acme.co', 'acme.io'], cell: 'acme.co; acme.io' },
  emails: { doc: ['a@acme.co', 'b@acme.co'], text: ['a@acme.co', 'b@acme.co'], cell: 'a@acme.co;b@acme.co' },
  number: { doc: 12.5, text: ['12.5'], cell: '12.5' },
  date: { doc: '2030-01-01T00:00:00.000Z', text: ['2030-01-01T00:00:00.000Z'], cell: '2030-01-01T00:00:00.000Z' },
  enum: { doc: undefined, text: [], cell: '' },
  boolean: { doc: true, text: [], cell: 'yes' },
};
const sample = (field: FieldSpec) =>
  field.kind === 'enum'
    ? { doc: field.choices![1], text: [field.choices![1]!], cell: field.choices![1]! }
    : SAMPLE[field.kind];

const onboard = await onboardCommandOf();

describe('the onboarding field table', () => {
  const byFlag = new Map<string, Option>(onboard.options.map((o) => [o.long!, o]));

  it.each(FIELDS.map((f) => [f.key, f] as const))(
    '%s: its flag, schema property and CSV cell agree',
    async (key, field) => {
      // The flag: declared on `customer onboard`, with the table's help, choices and repeatability.
      const option = byFlag.get(field.flag)!;
      expect(option, `${field.flag} is declared`).toBeDefined();
      expect(option.description).toBe(field.description);
      expect(option.attributeName()).toBe(optionName(field));
      expect(option.argChoices).toEqual(field.choices ? [...field.choices] : undefined);
      if (field.kind === 'boolean') expect(byFlag.get(`--no-${field.flag.slice(2)}`)?.description).toBe(field.negated);
      else expect(option.flags).toBe(`${field.flag} <${field.arg}>`);

      // Flags (parsed by commander) and CSV cells make the same document value.
      const { doc, text, cell } = sample(field);
      const fresh = await onboardCommandOf();
      fresh.parseOptions(field.kind === 'boolean' ? [field.flag] : text.flatMap((t) => [field.flag, t]));
      expect(flagsToDoc(fresh.opts())[key]).toEqual(doc);
      expect(csvRecordToDoc([key], [cell])[key]).toEqual(doc);

      // The schema: a property of the right type, required when the table says so.
      const schema = onboardingJsonSchema() as { properties: Record<string, { type?: string }>; required: string[] };
      expect(schema.properties[key]).toBeDefined();
      expect(schema.required.includes(key)).toBe(field.required);
      const type = { string: 'string', email: 'string', enum: 'string', number: 'number', boolean: 'boolean' };
      if (field.kind in type) expect(schema.properties[key]!.type).toBe(type[field.kind as keyof typeof type]);
      if (field.kind === 'domains' || field.kind === 'emails') expect(schema.properties[key]!.type).toBe('array');

      // The printed command gives the value back through the same flag.
      const command = onboardCommand({ [key]: doc });
      expect(command).toContain(field.flag);
    },
  );

  it('a document with every field from the samples validates, so the samples are real values', async () => {
    const doc = Object.fromEntries(FIELDS.map((f) => [f.key, sample(f).doc]));
    const { body } = await validateOnboarding(doc, { allowUnknown: false, now: new Date(0), source: 'x' });
    expect(Object.keys(body).sort()).toEqual(FIELDS.map((f) => f.key).sort());
  });

  it('the missing-field hints name the flags of the required fields and the asset rule', () => {
    expect(missingFields({})).toEqual([
      ...FIELDS.filter((f) => f.required).map((f) => `${f.key} (${f.flag})`),
      'assetsDomains or assetsEmails (--domain / --email)',
    ]);
    expect(missingFields({ assetsEmails: ['a@b.co'] })).not.toContain(
      'assetsDomains or assetsEmails (--domain / --email)',
    );
  });

  it('adding a field is one entry: its flag, document value, schema property and command follow', () => {
    const vat: FieldSpec = {
      key: 'vatNumber',
      flag: '--vat-number',
      arg: 'number',
      description: 'VAT registration number',
      required: false,
      kind: 'string',
    };
    const fields = [...FIELDS, vat];
    const option = fieldOptions(fields).find((o) => o.long === '--vat-number')!;
    expect(option.flags).toBe('--vat-number <number>');
    expect(flagsToDoc({ vatNumber: 'GB123' }, fields)).toEqual({ vatNumber: 'GB123' });
    expect(fromCell(vat, 'GB123')).toBe('GB123');
    const schema = onboardingJsonSchema(fields) as { properties: Record<string, unknown> };
    expect(schema.properties['vatNumber']).toEqual({
      description: 'VAT registration number; flag --vat-number',
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[^\\u0000-\\u001f\\u007f]*$',
    });
    expect(onboardCommand({ vatNumber: 'GB 123' }, fields)).toBe("safeweb customer onboard --vat-number 'GB 123'");
  });

  it('the printed command repeats list flags, spells booleans both ways and quotes for the shell', () => {
    expect(
      onboardCommand({
        companyName: "O'Brien & Co",
        assetsDomains: ['a.example', 'b.example'],
        sendMonthlyReport: false,
        price: 0,
      }),
    ).toBe(
      "safeweb customer onboard --company-name 'O'\\''Brien & Co' --domain a.example --domain b.example --price 0" +
        ' --no-monthly-report',
    );
  });
});
