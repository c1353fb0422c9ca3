/**
 * What a customer is, read once for every front door: the `customer` verbs and the MCP tools
 * call these and add their own presentation. Each takes what it uses (the API client, the local
 * record's place), never the run's Context.
 */
import type { ApiClient } from '../api/client.js';
import { createMagicLink, getCustomerBreaches, getThreatScore, type BreachesResponse } from '../api/customers.js';
import { unwrapEnvelope } from '../api/envelope.js';
import { IncompleteAnswerError, UsageError } from '../errors.js';
import { detail, warn, type Note } from '../outcome.js';
import { otherRecords, recordPath, readRecord, type RecordEntry } from './local-record.js';
import { scoreBand } from './score-band.js';

export interface ThreatScore {
  customerId: string;
  threatScore: number;
  band: ReturnType<typeof scoreBand>['name'];
}

/** The customer's dark-web threat score (0 to 97) and the band it falls in. */
export async function readThreatScore(api: ApiClient, customerId: string): Promise<ThreatScore> {
  const { threatScore } = unwrapEnvelope(await getThreatScore(api, customerId), 'customer threat-score');
  // Without a score there is no band: `{}` must not read as "critical".
  if (typeof threatScore !== 'number' || !Number.isFinite(threatScore))
    throw new IncompleteAnswerError(`GET threat-score of ${customerId}`, 'a threat score');
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
  if (typeof url !== 'string' || !url) throw new IncompleteAnswerError(`POST magic-link of ${customerId}`, 'a URL');
  return { customerId, url };
}

/**
 * The customers of the local record of an account, oldest onboarding first (the API cannot list
 * them), with what a person should know about them: where the record is, and its gaps (recordGaps).
 */
export function listRecorded(
  configDir: string,
  account: string,
  status?: RecordEntry['status'],
): { customers: RecordEntry[]; notes: Note[] } {
  const record = readRecord(configDir, account);
  const customers = record.customers
    .filter((c) => !status || c.status === status)
    .sort((a, b) => a.onboardedAt.localeCompare(b.onboardedAt));
  const notes = [
    detail(`Local record of customers onboarded with this tool for ${account} (${recordPath(configDir, account)}):`),
    ...gapNotes({ idless: customers.filter((c) => c.id === null), pending: record.pending }),
  ];
  return { customers, notes };
}

/** What the local record cannot act on yet: customers without an ID, and creates still pending. */
export interface RecordGaps {
  /** Known to exist (a lost answer, settled by a duplicate reply), without their ID. */
  idless: RecordEntry[];
  /** Sent, never heard back about: the next onboarding of the reference settles each. */
  pending: Array<{ reference: string; sentAt: string }>;
}

export function recordGaps(configDir: string, account: string): RecordGaps {
  const { customers, pending } = readRecord(configDir, account);
  return { idless: customers.filter((c) => c.id === null), pending };
}

/**
 * The gaps as warnings, each customer with the exact command that closes it: `customer list`,
 * `portfolio status`, `plan` and `doctor` say them rather than skip such customers silently.
 */
export function gapNotes(gaps: RecordGaps): Note[] {
  const notes: Note[] = [];
  const { idless, pending } = gaps;
  if (idless.length)
    notes.push(
      warn(
        `${idless.length} customer${idless.length === 1 ? ' has' : 's have'} no ID in the local record (the answer ` +
          'to their create was lost, and a later attempt found them already there). Find each ID in the ' +
          'SafeWeb portal, then:\n' +
          idless.map((c) => `  safeweb customer link ${c.reference} --id UUID`).join('\n'),
      ),
    );
  if (pending.length)
    notes.push(
      warn(
        `${pending.length} create${pending.length === 1 ? ' was' : 's were'} sent and never answered ` +
          `(${pending.map((p) => p.reference).join(', ')}): run the same onboarding again to settle ` +
          `${pending.length === 1 ? 'it' : 'each'}; it is not created twice.`,
      ),
    );
  return notes;
}

/**
 * A book command whose account has no customers in the local record while another account's
 * record has some: most likely the wrong profile or another spelling of the base URL, and a
 * check of that empty book would pass without checking anything. Said as a warning; when the
 * run is a check (`--fail-on`, `--exit-status`), exit 2. Undefined when the book is not empty,
 * or no other account has customers either (a new book is empty, and that is fine).
 */
export function emptyBookWarning(
  configDir: string,
  account: string,
  /** Set when the run must stop (exit 2): what stopping avoids ("--fail-on would pass without checking anything"). */
  options: { check?: string | undefined },
): string | undefined {
  // The book's own record first: other accounts' records are read only when this one is empty.
  if (readRecord(configDir, account).customers.length) return undefined;
  const others = otherRecords(configDir, account);
  if (!others.length) return undefined;
  const named = others
    .slice(0, 3)
    .map((o) => `${o.customers} for ${o.account}`)
    .join(', ');
  const message =
    `no customers are recorded for ${account}, but the local record holds ${named}` +
    `${others.length > 3 ? ` (and ${others.length - 3} other accounts)` : ''}`;
  const fix =
    'Pick that account with --profile (or --partner-id/--base-url), or add customers with `safeweb customer import`.';
  if (options.check) throw new UsageError(`${message}; ${options.check}`, fix);
  return `${message[0]!.toUpperCase()}${message.slice(1)}. ${fix}`;
}
