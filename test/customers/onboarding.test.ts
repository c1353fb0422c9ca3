import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/customers/json.js';
import { parseDateInput } from '../../src/customers/field-checks.js';
import { validateOnboarding } from '../../src/customers/onboarding.js';
import { ValidationError } from '../../src/errors.js';
import { ROOT } from '../helpers/cli.js';

const now = new Date('2026-11-22T12:00:00.000Z');
const acme = () => JSON.parse(readFileSync(path.join(ROOT, 'examples/acme.json'), 'utf8')) as Record<string, unknown>;

async function problems(doc: unknown, allowUnknown = false): Promise<string[]> {
  try {
    await validateOnboarding(doc, { allowUnknown, now, source: 'acme.json' });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).lines;
  }
  return [];
}

describe('validateOnboarding', () => {
  it('accepts the example and normalises its dates', async () => {
    const { body, warnings } = await validateOnboarding(acme(), { allowUnknown: false, now, source: 'acme.json' });
    expect(body.billedFromDate).toBe('2030-01-01T00:00:00.000Z');
    expect(warnings).toEqual([]);
  });

  it('reports every violation at once, each with its field path', async () => {
    const doc = {
      ...acme(),
      price: -5,
      currencyCode: 'EUR',
      assetsEmails: ['admin@acme.co', 'bob@'],
      assetsDomains: ['acme.co', 'https://www.acme.co/'],
      sendMonthlyReport: 'yes',
      colour: 'red',
    };
    expect(await problems(doc)).toEqual([
      'colour: unknown field',
      'assetsDomains[1]: "https://www.acme.co/" is not a domain name (give the host only, e.g. acme.co)',
      'assetsEmails[1]: "bob@" is not a valid email address',
      'price: must be 0 or more (got -5)',
      'currencyCode: must be one of AUD, GBP, USD (got "EUR")',
      'sendMonthlyReport: must be true or false (got "yes")',
    ]);
  });

  it('gives each problem a code: required, unknown_field, at_least_one, past', async () => {
    const doc: Record<string, unknown> = {
      ...acme(),
      billedFromDate: '2020-01-01',
      colour: 'red',
      assetsDomains: [],
      assetsEmails: [],
    };
    delete doc['price'];
    const error = await validateOnboarding(doc, { allowUnknown: false, now, source: 'x' }).catch(
      (e: unknown) => e as ValidationError,
    );
    expect((error as ValidationError).problems.map((p) => [p.path, p.code])).toEqual([
      ['colour', 'unknown_field'],
      ['price', 'required'],
      ['', 'at_least_one'],
      ['billedFromDate', 'past'],
    ]);
  });

  it('names missing and mistyped required fields, in the order of the field table', async () => {
    expect(await problems({ companyName: 42, price: '49.99', assetsDomains: 'acme.co' })).toEqual([
      'companyName: must be a string (got 42)',
      'customerReference: is required',
      'assetsDomains: must be an array of domain names (got "acme.co")',
      'alertRecipients: is required',
      'price: must be a number (got "49.99")',
      'currencyCode: is required',
      'billedFromDate: is required',
      'assetsDomains / assetsEmails: give at least one domain or email to monitor',
    ]);
  });

  it('suggests the field a typo meant', async () => {
    const doc = acme();
    doc['companyNmae'] = doc['companyName'];
    delete doc['companyName'];
    expect(await problems(doc)).toContain('companyNmae: unknown field (did you mean companyName?)');
  });

  it('lets undocumented fields through with allowUnknown', async () => {
    const { body } = await validateOnboarding(
      { ...acme(), planId: 'p-1', platformAccess: true },
      { allowUnknown: true, now, source: 'x' },
    );
    expect(body).toMatchObject({ planId: 'p-1', platformAccess: true });
  });

  it('refuses a billing date more than 5 minutes past, naming the fix, with the other problems', async () => {
    expect(await problems({ ...acme(), price: -1, billedFromDate: '2026-02-01T00:00:00.000Z' })).toEqual([
      'price: must be 0 or more (got -1)',
      'billedFromDate: 2026-02-01T00:00:00.000Z is in the past; the API rejects past billing dates ' +
        '(give a later one, e.g. --billed-from now+5m)',
    ]);
    // Five minutes and a millisecond ago.
    expect(await problems({ ...acme(), billedFromDate: '2026-11-22T11:54:59.999Z' })).toHaveLength(1);
  });

  it('warns, and lets it be sent, when the billing date is past by 5 minutes or less: clocks differ', async () => {
    for (const given of ['2026-11-22T11:55:00.000Z', 'now', '2026-11-22T12:00:00.000Z']) {
      const { body, warnings } = await validateOnboarding(
        { ...acme(), billedFromDate: given },
        { allowUnknown: false, now, source: 'x' },
      );
      expect(warnings).toEqual([
        `billedFromDate ${body.billedFromDate} is not in the future; sent, as it is within 5 minutes of now and ` +
          'clocks differ, but the API rejects past billing dates (try --billed-from now+5m)',
      ]);
    }
    const { warnings } = await validateOnboarding(
      { ...acme(), billedFromDate: 'now+5m' },
      { allowUnknown: false, now, source: 'x' },
    );
    expect(warnings).toEqual([]);
  });

  it('does not hold the insurance date to the rule, nor a row that will not be sent', async () => {
    const past = '2020-01-01T00:00:00.000Z';
    expect(await problems({ ...acme(), insuranceActiveFromDate: past })).toEqual([]);
    const { warnings } = await validateOnboarding(
      { ...acme(), billedFromDate: past },
      { allowUnknown: false, now, source: 'x', checkDates: false },
    );
    expect(warnings).toEqual([]);
  });

  it('lists a reference that cannot be used among the problems, with a hint to choose another', async () => {
    const error = await validateOnboarding(
      { ...acme(), price: 'x' },
      { allowUnknown: false, now, source: 'x', reference: (r) => (r === 'ACME-001' ? `${r} is taken` : undefined) },
    ).catch((e: unknown) => e as ValidationError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      { path: 'price', message: 'must be a number (got "x")', code: 'invalid' },
      { path: 'customerReference', message: 'ACME-001 is taken', code: 'taken' },
    ]);
    expect((error as ValidationError).hint).toMatch(/^Choose a new reference with --reference/);
  });

  it('accepts a top-level "$schema" and never sends it', async () => {
    const doc = { $schema: '../schema/onboarding.schema.json', ...acme() };
    const { body } = await validateOnboarding(doc, { allowUnknown: false, now, source: 'acme.json' });
    expect(body).not.toHaveProperty('$schema');
    expect(body).toMatchObject({ customerReference: 'ACME-001' });
    const loose = await validateOnboarding(doc, { allowUnknown: true, now, source: 'acme.json' });
    expect(loose.body).not.toHaveProperty('$schema');
  });

  it('finds the same problems after a process has checked many documents (whatever the schema does to speed up)', async () => {
    const check = async (doc: unknown) =>
      validateOnboarding(doc, { allowUnknown: false, now, source: 'acme.json' }).then(
        () => [],
        (error: ValidationError) => error.problems,
      );
    const bad = { ...acme(), price: -5, currencyCode: 'EUR', assetsEmails: ['bob@'], companyName: '' };
    const first = await check(bad);
    expect(first.length).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < 30; i++) expect(await check(acme())).toEqual([]);
    expect(await check(bad)).toEqual(first);
  });

  it('rejects a non-object document', async () => {
    await expect(validateOnboarding([1, 2], { allowUnknown: false, now, source: 'list.json' })).rejects.toThrow(
      'list.json must be a JSON object with the onboarding fields',
    );
  });
});

describe('parseDateInput', () => {
  it('accepts ISO date-times, dates and now+N', () => {
    expect(parseDateInput('2027-01-01T10:00:00+02:00', now)).toBe('2027-01-01T08:00:00.000Z');
    expect(parseDateInput('2027-01-01', now)).toBe('2027-01-01T00:00:00.000Z');
    expect(parseDateInput('now+5m', now)).toBe('2026-11-22T12:05:00.000Z');
    expect(parseDateInput('now+1d', now)).toBe('2026-11-23T12:00:00.000Z');
    expect(parseDateInput('tomorrow', now)).toBeUndefined();
    expect(parseDateInput('2027-13-45T00:00:00Z', now)).toBeUndefined();
    expect(parseDateInput('2027-01-01T10:00:00', now)).toBeUndefined();
  });

  it('refuses a day the month does not have, hour 24, and an offset no date can hold', async () => {
    expect(parseDateInput('2028-02-29', now)).toBe('2028-02-29T00:00:00.000Z');
    expect(parseDateInput('2026-02-29', now)).toBeUndefined();
    expect(parseDateInput('2026-02-30T00:00:00Z', now)).toBeUndefined();
    expect(parseDateInput('2027-04-31', now)).toBeUndefined();
    expect(parseDateInput('2027-01-01T24:00:00Z', now)).toBeUndefined();
    expect(parseDateInput('now+999999999d', now)).toBeUndefined();
    expect(parseDateInput('now+99999d', now)).toBe('2300-09-06T12:00:00.000Z');
    expect(await problems({ ...acme(), billedFromDate: 'now+999999999d' })).toEqual([
      'billedFromDate: "now+999999999d" is not an ISO 8601 date-time (e.g. 2026-06-01T00:00:00Z)',
    ]);
  });
});

describe('parseJsonText', () => {
  it('says where malformed JSON breaks, by line and column', async () => {
    await expect(parseJsonText('{\n  "companyName": "Acme",\n  "price": ,\n}', 'acme.json')).rejects.toThrow(
      'acme.json is not valid JSON: value expected at line 3, column 12',
    );
    await expect(parseJsonText('', 'empty.json')).rejects.toThrow(
      /empty\.json is not valid JSON: .* at line 1, column 1/,
    );
  });
});
