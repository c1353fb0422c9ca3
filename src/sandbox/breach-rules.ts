/**
 * Which addresses the sandbox reports as breached, and the threat score that follows.
 * Documented (README, "The sandbox") so users and tests can predict every result:
 *
 * - An address is breached when its local part is one of the role names `admin`, `info`,
 *   `ceo`, `sales`, `test`, or starts with `pwned`, or when its domain is `breached.example`.
 *   Every other address is clean.
 * - A breached address appears in 1 to 3 catalogue breaches, picked from the SHA-256 of the
 *   lower-cased address (so the same address always gets the same breaches).
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

export function threatScore(breaches: Array<{ resolved: boolean; categories: string[] }>): number {
  let score = 0;
  for (const b of breaches) {
    if (b.resolved) score += 2;
    else score += 15 + (b.categories.includes('Passwords') ? 5 : 0);
  }
  return Math.min(97, score);
}
