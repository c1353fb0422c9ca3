/**
 * The sandbox's data: partners with their credentials, customers, breach records. Seeded
 * deterministically (ids derive from names) relative to the moment the state was created, and
 * optionally persisted to a JSON file.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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

export interface SandboxState {
  version: 1;
  createdAt: string;
  partners: PartnerRecord[];
  customers: CustomerRecord[];
  breaches: BreachRecord[];
}

/** A stable UUID-shaped id from any seed string. */
export function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const PRIMARY_PARTNER_ID = 'partner_sandbox';
export const OTHER_PARTNER_ID = 'partner_sandbox_other';

export function newApiKey(): string {
  return `swk_sandbox_${randomBytes(16).toString('hex')}`;
}

const DAY = 86_400_000;

export function seedState(now: Date, credentials?: { partnerId?: string; apiKey?: string }): SandboxState {
  const partnerId = credentials?.partnerId ?? PRIMARY_PARTNER_ID;
  const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  const customer = (c: Omit<CustomerRecord, 'id' | 'alertRecipients' | 'enrolType' | 'sendMonthlyReport' | 'localeCode' | 'billedFromDate'> & Partial<CustomerRecord>): CustomerRecord => ({
    id: uuidFrom(`customer:${c.partnerId}:${c.customerReference}`),
    alertRecipients: [c.contactEmail ?? c.emails[0] ?? `alerts@${c.domains[0]}`],
    enrolType: 'opt-out',
    sendMonthlyReport: false,
    localeCode: 'en-GB',
    billedFromDate: c.createdAt,
    ...c,
  });
  const customers: CustomerRecord[] = [
    customer({ partnerId, companyName: 'Northwind Traders', customerReference: 'NW-001', contactEmail: 'it@northwind.example', domains: ['northwind.example'], emails: ['it@northwind.example', 'ceo@northwind.example'], price: 79, currencyCode: 'GBP', planType: 'safeweb-plus', status: 'active', createdAt: ago(120), sendMonthlyReport: true }),
    customer({ partnerId, companyName: 'Globex Ltd', customerReference: 'GLOBEX-7', contactEmail: 'admin@globex.example', domains: ['globex.example', 'mail.globex.example'], emails: ['admin@globex.example'], price: 49.99, currencyCode: 'USD', planType: 'safeweb-basic', status: 'active', createdAt: ago(40) }),
    customer({ partnerId, companyName: 'Initech', customerReference: 'INITECH-42', domains: [], emails: ['peter@initech.example', 'bill@initech.example', 'milton@initech.example'], price: 29, currencyCode: 'AUD', planType: 'safeweb-basic', status: 'active', createdAt: ago(12), localeCode: 'en-GB' }),
    customer({ partnerId, companyName: 'Umbrella Pty', customerReference: 'UMB-3', contactEmail: 'ops@umbrella.example', domains: ['umbrella.example'], emails: ['ops@umbrella.example'], price: 99, currencyCode: 'AUD', planType: 'safeweb-pro', status: 'offboarded', createdAt: ago(200) }),
    customer({ partnerId: OTHER_PARTNER_ID, companyName: 'Someone Else Inc', customerReference: 'OTHER-1', contactEmail: 'it@someone-else.example', domains: ['someone-else.example'], emails: ['it@someone-else.example'], price: 10, currencyCode: 'USD', planType: 'safeweb-basic', status: 'active', createdAt: ago(30) }),
  ];
  const byRef = (ref: string) => customers.find((c) => c.customerReference === ref)!;
  const breach = (ref: string, breachName: string, emails: string[], days: number, resolved = false): BreachRecord => ({
    id: uuidFrom(`breach:${byRef(ref).id}:${breachName}`),
    customerId: byRef(ref).id,
    breachName,
    emails,
    resolved,
    discoveredAt: ago(days),
  });
  return {
    version: 1,
    createdAt: now.toISOString(),
    partners: [
      { partnerId, apiKey: credentials?.apiKey ?? newApiKey(), name: 'Sandbox Partner' },
      { partnerId: OTHER_PARTNER_ID, apiKey: newApiKey(), name: 'Another Partner' },
    ],
    customers,
    breaches: [
      breach('NW-001', 'Adobe', ['ceo@northwind.example'], 100),
      breach('NW-001', 'LinkedIn-2024', ['it@northwind.example', 'ceo@northwind.example'], 60, true),
      breach('INITECH-42', 'Dropbox', ['peter@initech.example'], 10),
      breach('OTHER-1', 'Canva', ['it@someone-else.example'], 20),
    ],
  };
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

/** Atomic save: a temporary file renamed over the old one, mode 0600 (it holds API keys). */
export function saveState(file: string, state: SandboxState): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
