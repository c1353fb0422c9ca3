/**
 * Which PSA company each SafeWeb customer is (`psa map`): pure, no I/O, so the rules are tested
 * alone. In order of trust: a mapping a person made (the settings, the manifest, a CSV table);
 * the company whose identifier is the customer reference (MSPs often use one for the other); the
 * company whose name is the customer's; the one whose name is the same once case, punctuation,
 * spacing, accents, "&"/"and", a leading "The" and legal suffixes (Ltd, GmbH, Pty Ltd…) are set
 * aside. Anything less sure is shown, never guessed: several candidates make a customer
 * `ambiguous`, none `unmapped` (its findings then go to the connection's fallback company).
 */
import { findCompany } from './policy.js';
import type { PsaCompany } from './types.js';

/** A company as a mapping names it: its ID, or its identifier. */
type CompanyRef = number | string;

export interface MatchCustomer {
  reference: string;
  companyName: string;
  customerId: string | null;
}

/** A mapping a person made: where it was read from decides nothing but what is shown. */
export interface Mapping {
  company: CompanyRef;
  connection?: string | undefined;
  source: 'settings' | 'manifest' | 'csv';
}

export type MatchKind = 'mapped' | 'identifier' | 'exact' | 'normalised' | 'ambiguous' | 'unmapped';

export interface CustomerMatch {
  reference: string;
  companyName: string;
  customerId: string | null;
  kind: MatchKind;
  /** The company its tickets go to; null when ambiguous, unmapped or mapped to a company the PSA lacks. */
  company: PsaCompany | null;
  /** The mapping it already has (kept whatever else matches), or null. */
  mapping: Mapping | null;
  /** Ambiguous: the companies it could be. Unmapped: companies with a similar name, worth a look. */
  candidates: PsaCompany[];
  /** Ambiguous: several companies fit (`several`), or its one company is another customer's too (`shared`). */
  reason: 'several' | 'shared' | null;
  /** The other customers matched or mapped to the same company. */
  sharedWith: string[];
  /** Mapped through another connection: its name (the customer is that connection's, and left alone). */
  elsewhere: string | null;
  /** A mapping that names a company the PSA does not have. */
  problem: string | null;
}

export interface MatchInput {
  customers: readonly MatchCustomer[];
  companies: readonly PsaCompany[];
  /** By customer reference: the mappings already made (settings or manifest, and a CSV table over them). */
  mappings: Readonly<Record<string, Mapping>>;
  /** The connection being mapped, and the one a mapping without `connection:` means. */
  connection: string;
  defaultConnection?: string | undefined;
}

/** The kinds `--write` saves: found by a rule, not by a person, and not in doubt. */
export const ACCEPTED: ReadonlySet<MatchKind> = new Set(['identifier', 'exact', 'normalised']);

const LEGAL_SUFFIXES = new Set([
  'ltd',
  'limited',
  'inc',
  'incorporated',
  'llc',
  'llp',
  'gmbh',
  'ag',
  'sa',
  'sas',
  'bv',
  'nv',
  'pty',
  'plc',
  'co',
  'corp',
  'corporation',
  'company',
]);

/** Letters NFKD does not take apart. */
const FOLDS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ł: 'l', ı: 'i' };

/** A name's words, lower case, accents and punctuation gone, "&" as "and". */
function words(name: string): string[] {
  const folded = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðþłı]/g, (c) => FOLDS[c] ?? c)
    .replace(/&/g, ' and ')
    // Marks inside a word join it: O'Brien, A.B.C., Smith's.
    .replace(/['’‘`.]/g, '');
  return folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * A name as the normalised rule compares it: "The Globex Co., Ltd." and "globex" give the same
 * key. Never empty for a name with a letter or digit: a name that is all suffix ("Company Ltd")
 * keeps its words.
 */
export function nameKey(name: string): string {
  const all = words(name);
  let kept = all[0] === 'the' && all.length > 1 ? all.slice(1) : all;
  let end = kept.length;
  while (end > 1 && LEGAL_SUFFIXES.has(kept[end - 1]!)) {
    end--;
    // "Smith & Co" is "Smith": the "and" that joined the suffix goes with it.
    if (end > 1 && kept[end - 1] === 'and') end--;
  }
  kept = kept.slice(0, end);
  return kept.join('');
}

const byName = (a: PsaCompany, b: PsaCompany) => a.name.localeCompare(b.name) || a.id - b.id;

/** Companies whose name shares the customer's first word, or holds its name (or the other way). */
function nearNames(customer: MatchCustomer, companies: readonly PsaCompany[]): PsaCompany[] {
  const key = nameKey(customer.companyName);
  const first = words(customer.companyName).find((w) => w !== 'the');
  if (key.length < 3) return [];
  return companies
    .filter((c) => {
      const other = nameKey(c.name);
      if (other.length < 3) return false;
      const otherFirst = words(c.name).find((w) => w !== 'the');
      return (
        (first !== undefined && first.length >= 3 && first === otherFirst) || other.includes(key) || key.includes(other)
      );
    })
    .sort(byName)
    .slice(0, 5);
}

function blank(customer: MatchCustomer): CustomerMatch {
  return {
    reference: customer.reference,
    companyName: customer.companyName,
    customerId: customer.customerId,
    kind: 'unmapped',
    company: null,
    mapping: null,
    candidates: [],
    reason: null,
    sharedWith: [],
    elsewhere: null,
    problem: null,
  };
}

/** A customer on its own: its mapping, else the first rule that finds anything. */
function matchOne(customer: MatchCustomer, input: MatchInput): CustomerMatch {
  const out = blank(customer);
  const mapping = input.mappings[customer.reference];
  if (mapping) {
    out.kind = 'mapped';
    out.mapping = mapping;
    const through = mapping.connection ?? input.defaultConnection;
    if (through !== undefined && through !== input.connection) out.elsewhere = through;
    else {
      out.company = findCompany(input.companies, mapping.company) ?? null;
      if (!out.company) out.problem = `names company ${JSON.stringify(mapping.company)}, which the PSA does not have`;
    }
    return out;
  }
  const reference = customer.reference.trim().toLowerCase();
  const name = customer.companyName.trim();
  const key = nameKey(name);
  const rules: Array<[MatchKind, (c: PsaCompany) => boolean]> = [
    ['identifier', (c) => reference !== '' && c.identifier.trim().toLowerCase() === reference],
    ['exact', (c) => name !== '' && c.name.trim() === name],
    ['normalised', (c) => key !== '' && nameKey(c.name) === key],
  ];
  for (const [kind, fits] of rules) {
    const found = input.companies.filter(fits);
    if (found.length === 1) {
      out.kind = kind;
      out.company = found[0]!;
      return out;
    }
    if (found.length > 1) {
      out.kind = 'ambiguous';
      out.reason = 'several';
      out.candidates = [...found].sort(byName);
      return out;
    }
  }
  out.candidates = nearNames(customer, input.companies);
  return out;
}

/** How firmly a customer holds its company: a person's mapping and an identifier outrank a name. */
const strength = (m: CustomerMatch): number => (m.kind === 'mapped' ? 3 : m.kind === 'identifier' ? 2 : 1);

/**
 * Every customer, in the order given, with how it matches. A company two customers land on is
 * said on both (`sharedWith`); a match found by a rule yields it to a firmer hold (a mapping, or
 * an identifier over a name) and is ambiguous when nothing firmer decides: two customers rarely
 * are one company, and when they are, a person says so in a mapping.
 */
export function matchCustomers(input: MatchInput): CustomerMatch[] {
  const matches = input.customers.map((c) => matchOne(c, input));
  const claims = new Map<number, CustomerMatch[]>();
  for (const m of matches) if (m.company) claims.set(m.company.id, [...(claims.get(m.company.id) ?? []), m]);
  for (const [, holders] of claims) {
    if (holders.length < 2) continue;
    // Weighed before any of them changes.
    const held = holders.map(strength);
    holders.forEach((m, i) => {
      m.sharedWith = holders.filter((o) => o !== m).map((o) => o.reference);
      if (m.kind === 'mapped' || !held.some((s, j) => j !== i && s >= held[i]!)) return;
      m.candidates = [m.company!];
      m.company = null;
      m.kind = 'ambiguous';
      m.reason = 'shared';
    });
  }
  return matches;
}
