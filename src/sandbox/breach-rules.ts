/**
 * Which addresses the sandbox reports as breached, and the threat score that follows.
 * Documented (docs/sandbox.md, "Predictable results") so users and tests can predict every result:
 *
 * - An address is breached when its local part is one of the role names `admin`, `info`,
 *   `ceo`, `sales`, `test`, or starts with `pwned`, or when its domain is `breached.example`.
 *   Every other address is clean.
 * - A breached address appears in 1 to 3 catalogue breaches, picked from the SHA-256 of the
 *   lower-cased address (so the same address always gets the same breaches).
 * - A monitored domain under `.example` (the reserved demo names the seed and sample files use)
 *   exposes 0 to 3 role addresses at it (`info@`, `admin@`, `sales@`, `ceo@`, `test@`; about a
 *   quarter of domains none), picked from the SHA-256 of the lower-cased domain, so customers
 *   onboarded with domains only (a bulk file, say) get varied breaches and scores too. Those
 *   addresses are breached by the rule above, so `breach check` agrees. Other domains expose none.
 * - Threat score = min(97, 15 per unresolved breach + 5 more if it exposed passwords,
 *   + 2 per resolved breach).
 */
import { createHash } from 'node:crypto';
import { CATALOGUE, type CatalogueBreach } from './catalogue.js';

const ROLE_NAMES = new Set(['admin', 'info', 'ceo', 'sales', 'test']);

export function isBreachedEmail(email: string): boolean {
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  return ROLE_NAMES.has(local) || local.startsWith('pwned') || domain === 'breached.example';
}

/** The catalogue breaches an address appears in (none for a clean address). */
export function breachesForEmail(email: string): CatalogueBreach[] {
  if (!isBreachedEmail(email)) return [];
  const hash = createHash('sha256').update(email.toLowerCase()).digest();
  const count = 1 + (hash[0]! % 3);
  const picked: CatalogueBreach[] = [];
  for (let i = 1; picked.length < count; i++) {
    const breach = CATALOGUE[hash[i]! % CATALOGUE.length]!;
    if (!picked.includes(breach)) picked.push(breach);
  }
  return picked;
}

const DOMAIN_FINDS = [0, 0, 1, 1, 1, 2, 2, 3];
const ROLE_LIST = ['info', 'admin', 'sales', 'ceo', 'test'];

/** The addresses at a monitored domain that turn up in breaches (deterministic per domain). */
export function exposedAtDomain(domain: string): string[] {
  const d = domain.toLowerCase();
  if (!d.endsWith('.example')) return [];
  const hash = createHash('sha256').update(`domain:${d}`).digest();
  const count = DOMAIN_FINDS[hash[0]! % DOMAIN_FINDS.length]!;
  const picked: string[] = [];
  for (let i = 1; picked.length < count; i++) {
    const local = ROLE_LIST[hash[i]! % ROLE_LIST.length]!;
    if (!picked.includes(local)) picked.push(local);
  }
  return picked.map((local) => `${local}@${d}`);
}

export function threatScore(breaches: Array<{ resolved: boolean; categories: string[] }>): number {
  let score = 0;
  for (const b of breaches) {
    if (b.resolved) score += 2;
    else score += 15 + (b.categories.includes('Passwords') ? 5 : 0);
  }
  return Math.min(97, score);
}
