/**
 * The sandbox's data: partners with their credentials, customers, breach records. Seeded
 * deterministically (ids derive from names) relative to the moment the state was created, and
 * optionally persisted to a JSON file.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../io/private-dir.js';
import { replaceFile } from '../io/safe-write.js';
import { breachesForEmail, exposedAtDomain } from './breach-rules.js';
import { uuidFrom } from './ids.js';

export interface PartnerRecord {
  partnerId: string;
  apiKey: string;
  name: string;
}

export interface CustomerRecord {
  id: string;
  partnerId: string;
  companyName: string;
  customerReference: string;
  contactEmail?: string | undefined;
  domains: string[];
  emails: string[];
  alertRecipients: string[];
  price: number;
  currencyCode: string;
  planType: string;
  enrolType: string;
  sendMonthlyReport: boolean;
  localeCode: string;
  billedFromDate: string;
  insuranceActiveFromDate?: string | undefined;
  status: 'active' | 'offboarded';
  createdAt: string;
}

export interface BreachRecord {
  id: string;
  customerId: string;
  breachName: string;
  emails: string[];
  resolved: boolean;
  discoveredAt: string;
}

interface MagicLinkRecord {
  tokenHash: string;
  customerId: string;
  expiresAt: string;
  used: boolean;
}

export interface WebhookRecord {
  id: number;
  partnerId: string;
  url: string;
  secret: string;
  events: string[];
  active: boolean;
  created_at: string;
}

/** A v1 organisation signing secret: one active, at most one fallback (the one cycled out). */
export interface SigningSecretRecord {
  id: string;
  partnerId: string;
  token: string;
  status: 'active' | 'fallback';
  created_at: string;
}

export interface DeliveryRecord {
  id: number;
  webhookId: number;
  partnerId: string;
  event: string;
  url: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: Array<{ attempt: number; at: string; ms: number; status?: number; error?: string; ok: boolean }>;
  created_at: string;
}

export interface SandboxState {
  version: 1;
  createdAt: string;
  partners: PartnerRecord[];
  customers: CustomerRecord[];
  breaches: BreachRecord[];
  magicLinks?: MagicLinkRecord[];
  webhooks?: WebhookRecord[];
  deliveries?: DeliveryRecord[];
  signingSecrets?: SigningSecretRecord[];
}

const PRIMARY_PARTNER_ID = 'partner_sandbox';
const OTHER_PARTNER_ID = 'partner_sandbox_other';

function newApiKey(): string {
  return `swk_sandbox_${randomBytes(16).toString('hex')}`;
}

const DAY = 86_400_000;

function seedState(now: Date, credentials?: { partnerId?: string; apiKey?: string }): SandboxState {
  const partnerId = credentials?.partnerId ?? PRIMARY_PARTNER_ID;
  const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  const customer = (
    c: Omit<
      CustomerRecord,
      'id' | 'alertRecipients' | 'enrolType' | 'sendMonthlyReport' | 'localeCode' | 'billedFromDate'
    > &
      Partial<CustomerRecord>,
  ): CustomerRecord => ({
    id: uuidFrom(`customer:${c.partnerId}:${c.customerReference}`),
    alertRecipients: [c.contactEmail ?? c.emails[0] ?? `alerts@${c.domains[0]}`],
    enrolType: 'opt-out',
    sendMonthlyReport: false,
    localeCode: 'en-GB',
    billedFromDate: c.createdAt,
    ...c,
  });
  const customers: CustomerRecord[] = [
    customer({
      partnerId,
      companyName: 'Northwind Traders',
      customerReference: 'NW-001',
      contactEmail: 'it@northwind.example',
      domains: ['northwind.example'],
      emails: ['it@northwind.example', 'ceo@northwind.example'],
      price: 79,
      currencyCode: 'GBP',
      planType: 'safeweb-plus',
      status: 'active',
      createdAt: ago(120),
      sendMonthlyReport: true,
    }),
    customer({
      partnerId,
      companyName: 'Globex Ltd',
      customerReference: 'GLOBEX-7',
      contactEmail: 'admin@globex.example',
      domains: ['globex.example', 'mail.globex.example'],
      emails: ['admin@globex.example'],
      price: 49.99,
      currencyCode: 'USD',
      planType: 'safeweb-basic',
      status: 'active',
      createdAt: ago(40),
    }),
    customer({
      partnerId,
      companyName: 'Initech',
      customerReference: 'INITECH-42',
      domains: [],
      emails: ['peter@initech.example', 'info@initech.example', 'milton@initech.example'],
      price: 29,
      currencyCode: 'AUD',
      planType: 'safeweb-basic',
      status: 'active',
      createdAt: ago(12),
      localeCode: 'en-GB',
    }),
    customer({
      partnerId,
      companyName: 'Umbrella Pty',
      customerReference: 'UMB-3',
      contactEmail: 'ops@umbrella.example',
      domains: ['umbrella.example'],
      emails: ['ops@umbrella.example'],
      price: 99,
      currencyCode: 'AUD',
      planType: 'safeweb-pro',
      status: 'offboarded',
      createdAt: ago(200),
    }),
    customer({
      partnerId: OTHER_PARTNER_ID,
      companyName: 'Someone Else Inc',
      customerReference: 'OTHER-1',
      contactEmail: 'admin@someone-else.example',
      domains: ['someone-else.example'],
      emails: ['admin@someone-else.example'],
      price: 10,
      currencyCode: 'USD',
      planType: 'safeweb-basic',
      status: 'active',
      createdAt: ago(30),
    }),
  ];
  return {
    version: 1,
    createdAt: now.toISOString(),
    partners: [
      { partnerId, apiKey: credentials?.apiKey ?? newApiKey(), name: 'Sandbox Partner' },
      { partnerId: OTHER_PARTNER_ID, apiKey: newApiKey(), name: 'Another Partner' },
    ],
    customers,
    breaches: [],
  };
}

/**
 * The seed state with breach records derived by the same rule as for new customers, some of
 * them already resolved so listings and scores show both states.
 */
export function seededState(now: Date, credentials?: { partnerId?: string; apiKey?: string }): SandboxState {
  const state = seedState(now, credentials);
  for (const customer of state.customers)
    syncBreaches(state, customer, new Date(Date.parse(customer.createdAt) + 86_400_000));
  // Some already dealt with (about a third, picked by ID, so always the same ones), the first always.
  state.breaches.forEach((b, i) => {
    if (i === 0 || parseInt(b.id[0]!, 16) % 3 === 0) b.resolved = true;
  });
  return state;
}

/**
 * Breach records by customer, for one `state.breaches` array. The array only grows in place
 * (records are pushed); anything that drops records assigns a new array, which gets a new index.
 */
const breachIndex = new WeakMap<BreachRecord[], { counted: number; byCustomer: Map<string, BreachRecord[]> }>();

/** A customer's breach records, in the order they were created. */
export function breachesOf(state: SandboxState, customerId: string): readonly BreachRecord[] {
  let index = breachIndex.get(state.breaches);
  if (!index) breachIndex.set(state.breaches, (index = { counted: 0, byCustomer: new Map() }));
  for (; index.counted < state.breaches.length; index.counted++) {
    const record = state.breaches[index.counted]!;
    const list = index.byCustomer.get(record.customerId);
    if (list) list.push(record);
    else index.byCustomer.set(record.customerId, [record]);
  }
  return index.byCustomer.get(customerId) ?? [];
}

/** The addresses a customer's monitoring covers: its emails, and what its domains expose. */
function watchedAddresses(customer: CustomerRecord): string[] {
  const seen = new Set<string>();
  return [...customer.emails, ...customer.domains.flatMap(exposedAtDomain)].filter((e) => {
    const key = e.toLowerCase();
    return !seen.has(key) && Boolean(seen.add(key));
  });
}

/**
 * Brings a customer's breach records in line with its monitored emails and domains: new
 * breaches for new addresses, addresses dropped from records when no longer monitored.
 * Returns the records created.
 */
export function syncBreaches(state: SandboxState, customer: CustomerRecord, now: Date): BreachRecord[] {
  const created: BreachRecord[] = [];
  const addresses = watchedAddresses(customer);
  const monitored = new Set(addresses.map((e) => e.toLowerCase()));
  // The customer's own records from an index (a book of thousands onboards one at a time); no
  // copy of the list unless a record lost its last address.
  const mine = new Map<string, BreachRecord>();
  let emptied = false;
  for (const record of breachesOf(state, customer.id)) {
    record.emails = record.emails.filter((e) => monitored.has(e.toLowerCase()));
    if (record.emails.length) mine.set(record.breachName, record);
    else emptied = true;
  }
  if (emptied) state.breaches = state.breaches.filter((b) => b.customerId !== customer.id || b.emails.length > 0);
  for (const email of addresses) {
    for (const breach of breachesForEmail(email)) {
      let record = mine.get(breach.name);
      if (!record) {
        record = {
          id: uuidFrom(`breach:${customer.id}:${breach.name}`),
          customerId: customer.id,
          breachName: breach.name,
          emails: [],
          resolved: false,
          discoveredAt: now.toISOString(),
        };
        state.breaches.push(record);
        mine.set(breach.name, record);
        created.push(record);
      }
      if (!record.emails.some((e) => e.toLowerCase() === email.toLowerCase())) record.emails.push(email);
    }
  }
  return created;
}

/** Loads a state file; a file that is not a sandbox state is an error, never overwritten. */
export function loadState(file: string): SandboxState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read sandbox state ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`sandbox state ${file} is not valid JSON; move it aside or pass another --state file`);
  }
  const s = data as Partial<SandboxState>;
  if (s?.version !== 1 || !Array.isArray(s.partners) || !Array.isArray(s.customers) || !Array.isArray(s.breaches)) {
    throw new Error(`${file} is not a safeweb sandbox state file; pass another --state file`);
  }
  return s as SandboxState;
}

/**
 * It holds API keys: saved through io/ like everything the tool keeps — replaced atomically
 * (fsynced, renamed, the directory fsynced), 0600, never through a symbolic link. A missing
 * directory is made 0700; an existing one is the user's, a link to one included.
 */
export function saveState(file: string, state: SandboxState): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) ensurePrivateDir(dir, 'sandbox state');
  replaceFile(file, `${JSON.stringify(state, null, 2)}\n`, { kind: 'sandbox state', mayReplace: true });
}
