/**
 * What a customer is, read once for every front door: the `customer` verbs and the MCP tools
 * call these and add their own presentation. Each takes what it uses (the API client, the local
 * record's place), never the run's Context.
 */
import type { ApiClient } from '../api/client.js';
import { createMagicLink, getCustomerBreaches, getThreatScore, type BreachesResponse } from '../api/customers.js';
import { unwrapEnvelope } from '../api/envelope.js';
import { detail, warn, type Note } from '../outcome.js';
import { ledgerPath, readLedger, type LedgerEntry } from './ledger.js';
import { scoreBand } from './score-band.js';

export interface ThreatScore {
  customerId: string;
  threatScore: number;
  band: ReturnType<typeof scoreBand>['name'];
}

/** The customer's dark-web threat score (0 to 97) and the band it falls in. */
export async function readThreatScore(api: ApiClient, customerId: string): Promise<ThreatScore> {
  const { threatScore } = unwrapEnvelope(await getThreatScore(api, customerId), 'customer threat-score');
  return { customerId, threatScore, band: scoreBand(threatScore).name };
}

export type CustomerBreach = BreachesResponse['breaches'][number];

/** The customer's breaches, in the API's order; `unresolved` leaves out those marked resolved. */
export async function readCustomerBreaches(
  api: ApiClient,
  customerId: string,
  options: { unresolved?: boolean | undefined; locale?: string | undefined } = {},
): Promise<CustomerBreach[]> {
  const { breaches } = unwrapEnvelope(await getCustomerBreaches(api, customerId, options.locale), 'customer breaches');
  return options.unresolved ? breaches.filter((b) => !b.resolved) : breaches;
}

/**
 * A one-time login URL for the customer portal. It is a credential: the caller shows it only to
 * whoever asked for it, and it is never logged.
 */
export async function createLoginLink(
  api: ApiClient,
  customerId: string,
): Promise<{ customerId: string; url: string }> {
  const { url } = unwrapEnvelope(await createMagicLink(api, customerId), 'customer magic-link');
  return { customerId, url };
}

/**
 * The customers of the local record of an account, oldest onboarding first (the API cannot list
 * them), with what a person should know about them: where the record is, and which have no ID.
 */
export function listRecorded(
  configDir: string,
  account: string,
  status?: LedgerEntry['status'],
): { customers: LedgerEntry[]; notes: Note[] } {
  const customers = readLedger(configDir, account)
    .customers.filter((c) => !status || c.status === status)
    .sort((a, b) => a.onboardedAt.localeCompare(b.onboardedAt));
  const idless = customers.filter((c) => c.id === null).map((c) => c.reference);
  const notes = [
    detail(`Local record of customers onboarded with this tool for ${account} (${ledgerPath(configDir, account)}):`),
  ];
  if (idless.length)
    notes.push(
      warn(
        `${idless.length} customer${idless.length === 1 ? "'s" : "s'"} ID is unknown (${idless.slice(0, 3).join(', ')}` +
          `${idless.length > 3 ? ', …' : ''}): a resumed bulk run found ${idless.length === 1 ? 'it' : 'them'} already ` +
          'onboarded. Find the ID in the SafeWeb portal and run `safeweb customer link REF --id UUID`.',
      ),
    );
  return { customers, notes };
}
