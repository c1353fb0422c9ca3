/**
 * psa/match.ts: which PSA company each customer is. Examples for each rule, then properties over
 * generated books and company lists (fast-check): every customer answered once, in order; no
 * company taken by two customers through a rule; an accepted match always rests on its rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCEPTED, matchCustomers, nameKey, type Mapping, type MatchCustomer } from '../../src/psa/match.js';
import type { PsaCompany } from '../../src/psa/types.js';

const company = (id: number, identifier: string, name: string): PsaCompany => ({ id, identifier, name });
const customer = (reference: string, companyName: string): MatchCustomer => ({
  reference,
  companyName,
  customerId: null,
});

function match(
  customers: MatchCustomer[],
  companies: PsaCompany[],
  mappings: Record<string, Mapping> = {},
  defaultConnection?: string,
) {
  return matchCustomers({ customers, companies, mappings, connection: 'cw', defaultConnection });
}

describe('nameKey', () => {
  it.each([
    ['Globex Ltd', 'Globex'],
    ['Globex Limited', 'globex'],
    ['GLOBEX, Inc.', 'Globex Incorporated'],
    ['The Globex Corporation', 'globex corp'],
    ['Umbrella Pty Ltd', 'Umbrella'],
    ['Umbrella Pty. Ltd.', 'umbrella'],
    ['Smith & Sons', 'Smith and Sons'],
    ['Smith & Co', 'Smith'],
    ['Müller GmbH', 'Muller'],
    ['Straße AG', 'Strasse'],
    ['Société Générale SA', 'Societe Generale'],
    ['Ørsted A.S.', 'orsted as'],
    ["O'Brien LLC", 'OBrien'],
    ['Van Dyke B.V.', 'VanDyke'],
    ['  Initech   Company  ', 'initech'],
    ['Acme Co., Ltd.', 'acme'],
    ['Dunder Mifflin PLC', 'Dunder-Mifflin'],
    ['Stark N.V.', 'stark'],
    ['Wayne LLP', 'wayne'],
    ['Hooli SAS', 'hooli'],
  ])('%s is %s', (a, b) => {
    expect(nameKey(a)).toBe(nameKey(b));
  });

  it.each([
    ['Globex', 'Globex Systems'],
    ['Smith & Sons', 'Smith Sons'],
    ['Acme UK', 'Acme US'],
    ['Company of Heroes', 'Heroes'],
  ])('%s is not %s', (a, b) => {
    expect(nameKey(a)).not.toBe(nameKey(b));
  });

  it('keeps the words of a name that is all suffix, and a lone "The"', () => {
    expect(nameKey('Company Ltd')).toBe('company');
    expect(nameKey('The')).toBe('the');
    expect(nameKey('The Co')).toBe('co');
    expect(nameKey('')).toBe('');
  });
});

describe('matchCustomers', () => {
  const companies = [
    company(250, 'NW-001', 'Northwind Traders'),
    company(251, 'GlobexLtd', 'Globex Ltd'),
    company(252, 'INITECH', 'Initech, Inc.'),
    company(253, 'ContosoMSP', 'Contoso Managed Services'),
  ];

  it('matches by identifier, then exact name, then normalised name; else unmapped', () => {
    const out = match(
      [
        customer('nw-001', 'Someone Else Entirely'),
        customer('GLOBEX-7', 'Globex Ltd'),
        customer('INITECH-42', 'initech'),
        customer('UMB-3', 'Umbrella Pty'),
      ],
      companies,
    );
    expect(out.map((m) => [m.reference, m.kind, m.company?.id ?? null])).toEqual([
      ['nw-001', 'identifier', 250],
      ['GLOBEX-7', 'exact', 251],
      ['INITECH-42', 'normalised', 252],
      ['UMB-3', 'unmapped', null],
    ]);
  });

  it('a mapping wins over every rule, and one naming a company the PSA lacks says so', () => {
    const out = match(
      [customer('NW-001', 'Northwind Traders'), customer('GLOBEX-7', 'Globex Ltd')],
      companies,
      { 'NW-001': { company: 'contosomsp', source: 'settings' }, 'GLOBEX-7': { company: 999, source: 'manifest' } },
      'cw',
    );
    expect(out[0]).toMatchObject({ kind: 'mapped', company: { id: 253 }, problem: null });
    expect(out[1]).toMatchObject({ kind: 'mapped', company: null });
    expect(out[1]!.problem).toContain('999');
  });

  it("another connection's mapping is left alone, and a mapping without one means the default", () => {
    const mappings: Record<string, Mapping> = {
      A: { company: 250, connection: 'other', source: 'settings' },
      B: { company: 251, source: 'settings' },
    };
    const out = match([customer('A', 'Northwind Traders'), customer('B', 'Globex Ltd')], companies, mappings, 'halo');
    expect(out[0]).toMatchObject({ kind: 'mapped', company: null, elsewhere: 'other', problem: null });
    expect(out[1]).toMatchObject({ kind: 'mapped', company: null, elsewhere: 'halo', problem: null });
    // With no default at all, a mapping without a connection is this one's.
    expect(match([customer('B', 'x')], companies, mappings)[0]).toMatchObject({ company: { id: 251 } });
  });

  it('several companies of one name are ambiguous, with the candidates listed', () => {
    const twins = [...companies, company(260, 'GLOBEX2', 'GLOBEX LIMITED')];
    const [exact] = match([customer('G', 'Globex Ltd')], twins);
    // The exact rule finds one, so it decides before the normalised one sees two.
    expect(exact).toMatchObject({ kind: 'exact', company: { id: 251 } });
    const [loose] = match([customer('G', 'Globex')], twins);
    expect(loose).toMatchObject({ kind: 'ambiguous', reason: 'several', company: null });
    expect(loose!.candidates.map((c) => c.id).sort()).toEqual([251, 260]);
  });

  it('two customers on one company by name are both ambiguous, naming each other', () => {
    const out = match([customer('A', 'Globex Ltd'), customer('B', 'Globex Limited')], companies);
    expect(out.map((m) => [m.kind, m.reason, m.sharedWith, m.candidates.map((c) => c.id)])).toEqual([
      ['ambiguous', 'shared', ['B'], [251]],
      ['ambiguous', 'shared', ['A'], [251]],
    ]);
  });

  it('an identifier outranks a name, and a mapping outranks both; the firmer one is flagged, not moved', () => {
    const out = match([customer('NW-001', 'Northwind Traders'), customer('NW-002', 'Northwind Traders')], companies);
    expect(out[0]).toMatchObject({ kind: 'identifier', company: { id: 250 }, sharedWith: ['NW-002'] });
    expect(out[1]).toMatchObject({ kind: 'ambiguous', reason: 'shared', sharedWith: ['NW-001'] });
    const mapped = match([customer('NW-001', 'x'), customer('M', 'y')], companies, {
      M: { company: 250, source: 'csv' },
    });
    expect(mapped[0]).toMatchObject({ kind: 'ambiguous', reason: 'shared', sharedWith: ['M'] });
    expect(mapped[1]).toMatchObject({ kind: 'mapped', company: { id: 250 }, sharedWith: ['NW-001'] });
  });

  it('two identifier matches of one company (references differing in case) are both ambiguous', () => {
    const out = match([customer('NW-001', 'a'), customer('nw-001', 'b')], companies);
    expect(out.map((m) => m.kind)).toEqual(['ambiguous', 'ambiguous']);
  });

  it('two mappings to one company stay mapped (a person said so), each flagged', () => {
    const out = match([customer('A', 'a'), customer('B', 'b')], companies, {
      A: { company: 250, source: 'settings' },
      B: { company: 'nw-001', source: 'settings' },
    });
    expect(out.map((m) => [m.kind, m.sharedWith])).toEqual([
      ['mapped', ['B']],
      ['mapped', ['A']],
    ]);
  });

  it('an unmapped customer gets companies of a similar name to look at; an empty name matches nothing', () => {
    const [near] = match([customer('X', 'Northwind Logistics')], companies);
    expect(near).toMatchObject({ kind: 'unmapped', candidates: [{ id: 250 }] });
    const [none] = match([customer('', '')], [...companies, company(1, '', '')]);
    expect(none).toMatchObject({ kind: 'unmapped', candidates: [] });
  });
});

describe('matchCustomers, properties', () => {
  // Few letters, so that names and identifiers collide often.
  const word = fc.constantFrom('acme', 'Acme', 'globex', 'Glo-bex', 'Müller', 'muller', 'the', 'and', '&', 'co', 'Ltd');
  const name = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));
  const ident = fc.constantFrom('A1', 'a1', 'B2', 'C3', 'acme', 'GLOBEX');
  const companies = fc
    .uniqueArray(fc.record({ identifier: ident, name }), { maxLength: 8, selector: (c) => c.identifier })
    .map((cs) => cs.map((c, i) => company(100 + i, c.identifier, c.name)));
  const customers = fc
    .uniqueArray(fc.record({ reference: ident, companyName: name }), { maxLength: 8, selector: (c) => c.reference })
    .map((cs) => cs.map((c) => customer(c.reference, c.companyName)));

  it('answers every customer once, in order, and no rule gives one company to two customers', () => {
    fc.assert(
      fc.property(customers, companies, (book, psa) => {
        const out = match(book, psa);
        expect(out.map((m) => m.reference)).toEqual(book.map((c) => c.reference));
        const taken = out.filter((m) => ACCEPTED.has(m.kind)).map((m) => m.company!.id);
        const byName = out.filter((m) => m.kind === 'exact' || m.kind === 'normalised').map((m) => m.company!.id);
        // A name match never shares its company; an identifier match shares one only with name-less ambiguity.
        for (const id of byName) expect(out.filter((m) => m.company?.id === id)).toHaveLength(1);
        expect(new Set(taken).size).toBe(taken.length);
      }),
    );
  });

  it('an accepted match rests on its rule; ambiguous ones list at least one candidate', () => {
    fc.assert(
      fc.property(customers, companies, (book, psa) => {
        for (const m of match(book, psa)) {
          if (m.kind === 'identifier') expect(m.company!.identifier.toLowerCase()).toBe(m.reference.toLowerCase());
          if (m.kind === 'exact') expect(m.company!.name.trim()).toBe(m.companyName.trim());
          if (m.kind === 'normalised') expect(nameKey(m.company!.name)).toBe(nameKey(m.companyName));
          if (m.kind === 'ambiguous') expect(m.candidates.length).toBeGreaterThan(0);
          if (m.kind !== 'mapped' && !ACCEPTED.has(m.kind)) expect(m.company).toBeNull();
        }
      }),
    );
  });

  it('does not depend on the order of the companies', () => {
    fc.assert(
      fc.property(customers, companies, fc.nat(), (book, psa, seed) => {
        const shuffled = [...psa].sort((a, b) => ((a.id * 7919 + seed) % 101) - ((b.id * 7919 + seed) % 101));
        const ids = (cs: PsaCompany[]) => cs.map((c) => c.id).sort();
        const view = (ms: ReturnType<typeof match>) => ms.map((m) => [m.kind, m.company?.id, ids(m.candidates)]);
        expect(view(match(book, shuffled))).toEqual(view(match(book, psa)));
      }),
    );
  });

  it('case, accents, spacing and a legal suffix never change a name key', () => {
    const suffix = fc.constantFrom('Ltd', 'Limited', 'Inc.', 'GmbH', 'Pty Ltd', 'PLC', 'LLC', 'S.A.', 'Corp');
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('acme', 'globex', 'nörth', 'wind', 'ab'), { minLength: 1, maxLength: 3 }),
        suffix,
        (ws, s) => {
          const plain = ws.join(' ');
          expect(nameKey(`  ${plain.toUpperCase()}   ${s} `)).toBe(nameKey(plain));
          expect(nameKey(plain.normalize('NFD'))).toBe(nameKey(plain.normalize('NFC')));
        },
      ),
    );
  });

  it('a mapping is kept whatever else matches', () => {
    fc.assert(
      fc.property(customers, companies, (book, psa) => {
        fc.pre(book.length > 0 && psa.length > 0);
        const mappings = { [book[0]!.reference]: { company: psa[0]!.id, source: 'settings' as const } };
        const [first] = match(book, psa, mappings);
        expect(first).toMatchObject({ kind: 'mapped', company: { id: psa[0]!.id } });
      }),
    );
  });
});
