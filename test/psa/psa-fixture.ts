/**
 * A SafeWeb sandbox and a PSA emulator side by side (both on loopback, port 0), a book of three
 * customers onboarded through the CLI (examples/customers.csv: nine findings), a PSA connection in
 * the integration settings and its secrets in SAFEWEB_SECRET_…_FILE files. `kind` picks the PSA:
 * ConnectWise (connection `cw`, the default), Autotask (connection `at`) or HaloPSA (connection
 * `halo`); `psa` sees each emulator's tickets and notes in the same words, so one suite runs
 * against each. `run` runs the CLI in this process on a wire that holds every PSA request and
 * answer to the vendor's spec (test/helpers/connectwise-wire.ts, autotask-wire.ts, halo-wire.ts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { integrationsFile, setIntegration } from '../../src/config/integrations.js';
import { accountKey } from '../../src/io/account-files.js';
import { breachesForEmail } from '../../src/sandbox/breach-rules.js';
import { startAutotask, type AutotaskEmulator, type AutotaskFaults } from '../../src/sandbox/psa/autotask.js';
import { startConnectWise, type ConnectWiseEmulator } from '../../src/sandbox/psa/connectwise.js';
import { startHalo, type HaloEmulator } from '../../src/sandbox/psa/halo.js';
import { ownerNumber } from '../../src/psa/halo/client.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { cleanEnv, ROOT, runInProcess, tempDir, type CliResult, type InProcessOptions } from '../helpers/cli.js';
import { checkedAutotaskWire } from '../helpers/autotask-wire.js';
import { checkedWire } from '../helpers/connectwise-wire.js';
import { checkedHaloWire } from '../helpers/halo-wire.js';
import type { Wire } from '../../src/api/transport.js';
import type { HostileRule } from '../../src/sandbox/psa/hostile.js';

export type FixtureKind = 'connectwise' | 'autotask' | 'halo';
export const FIXTURE_KINDS: FixtureKind[] = ['connectwise', 'autotask', 'halo'];

/** A ticket as either emulator holds it, in the tool's words. */
interface FixtureTicket {
  id: number;
  /** The tool's key (ConnectWise externalXRef, Autotask externalID, Halo third_party_id_string). */
  key: string | null;
  closed: boolean;
  summary: string;
  /** Its board (Autotask: queue; Halo: ticket type), by ID. */
  board: number | null;
  /** Its first description (ConnectWise: its first note; Autotask: its description field; Halo: its details). */
  description: string;
  /**
   * ConnectWise: it carries the integrator tag `safeweb`; Autotask: its key is one of the tool's;
   * Halo: it carries the tag's number in third_party_id.
   */
  owned: boolean;
}

interface FixtureNote {
  ticketId: number;
  text: string;
  kind: 'detail' | 'internal' | 'resolution';
}

/** A PSA operation as the emulator's hostile rules match it, and as the spec check's problems begin. */
interface FixtureOperation {
  method: string;
  path: RegExp;
  /** `GET /service/tickets`, `POST /V1.0/Tickets/query`: what the wire's problems about it begin with. */
  problem: string;
}

/** Either emulator, seen the same way. */
interface FixturePsa {
  kind: FixtureKind;
  /** As the tool names it: "ConnectWise", "Autotask". */
  farSide: string;
  tickets(): FixtureTicket[];
  /** The notes the tool added (not a ticket's description). */
  notes(): FixtureNote[];
  technicianClose(id: number): boolean;
  technicianReopen(id: number): boolean;
  /** A value no output may show (the private key, the secret). */
  secret: string;
  /** How many descriptions ticket `id` has (ConnectWise: its description notes; Autotask: its field, 0 or 1). */
  descriptions(id: number): number;
  /** Every API request the emulator received, by operation. */
  requests(): { total: number; byOperation: Record<string, number> };
  /** Hostile answers to the requests these rules match (src/sandbox/psa/hostile.ts); [] stops. */
  misbehave(rules: HostileRule[]): void;
  /** The operations a hostile test aims at: the plan's query of owned tickets, a create. */
  ops: { owned: FixtureOperation; create: FixtureOperation };
  /** Rules that make every request about ticket `id` a 404, and a rule for a note added to it. */
  ticketGone(id: number): Array<Omit<HostileRule, 'kind'>>;
  noteTo(id: number): Omit<HostileRule, 'kind'>;
  /** A technician's copy of ticket `id`, its key (and tag) copied, made through the API; its ID. */
  copyTicket(id: number): Promise<number>;
  /** A technician deletes ticket `id` (neither emulator has a DELETE: its state is what the PSA holds). */
  deleteTicket(id: number): void;
}

export interface PsaFixture {
  sandbox: Sandbox;
  /** The emulator of this fixture's kind: the other one throws when touched. */
  cw: ConnectWiseEmulator;
  at: AutotaskEmulator;
  halo: HaloEmulator;
  psa: FixturePsa;
  kind: FixtureKind;
  /** The connection's name: `cw`, `at` or `halo`. */
  connection: string;
  /** The variable that names the file of the connection's (first) secret. */
  secretVariable: string;
  configDir: string;
  env: Record<string, string | undefined>;
  account: string;
  settingsFile: string;
  checked: {
    wire: Wire;
    requests: Array<{ method: string; path: string; status: number; write: boolean }>;
    problems: string[];
  };
  run(argv: string[], options?: InProcessOptions): Promise<CliResult>;
  json<T = Record<string, unknown>>(argv: string[], options?: InProcessOptions): Promise<T>;
  close(): Promise<void>;
}

export interface PsaFixtureOptions {
  kind?: FixtureKind | undefined;
  /** The onboarding CSV to onboard (bookCsv); examples/customers.csv unless given. */
  book?: string | undefined;
  /** Added to every PSA answer. */
  latencyMs?: number | undefined;
  /** Autotask: ticket fields required without a default. */
  requiredFields?: string[] | undefined;
  /** Give the emulator a company per customer of the book (by identifier or by name); else none. */
  companies?: boolean | undefined;
}

/** The book's customers (examples/customers.csv), for the emulator's companies. */
const BOOK = [
  { companyName: 'Acme Widgets', customerReference: 'ACME-W-001' },
  { companyName: 'Nordisk Træ ApS', customerReference: 'NORDISK-002' },
  { companyName: 'Outback Plumbing', customerReference: 'OUTBACK-003' },
];

const CONNECTION: Record<FixtureKind, string> = { connectwise: 'cw', autotask: 'at', halo: 'halo' };

function cwView(cw: ConnectWiseEmulator): FixturePsa {
  const descriptionOf = (id: number) => cw.state.notes.find((n) => n.ticketId === id && n.detailDescriptionFlag);
  return {
    kind: 'connectwise',
    farSide: 'ConnectWise',
    tickets: () =>
      cw.state.tickets.map((t) => ({
        id: t.id,
        key: t.externalXRef ?? null,
        closed: t.closedFlag,
        summary: t.summary,
        board: t.boardId,
        description: descriptionOf(t.id)?.text ?? '',
        owned: t.integratorTags.includes('safeweb'),
      })),
    notes: () =>
      cw.state.notes
        .filter((n) => n !== descriptionOf(n.ticketId))
        .map((n) => ({
          ticketId: n.ticketId,
          text: n.text,
          kind: n.resolutionFlag ? 'resolution' : n.internalAnalysisFlag ? 'internal' : 'detail',
        })),
    technicianClose: (id) => cw.technicianClose(id),
    technicianReopen: (id) => cw.technicianReopen(id),
    secret: cw.credentials.privateKey,
    descriptions: (id) => cw.state.notes.filter((n) => n.ticketId === id && n.detailDescriptionFlag).length,
    requests: () => cw.state.requests,
    misbehave: (rules) => cw.misbehave(rules),
    ops: {
      owned: { method: 'GET', path: /^\/service\/tickets$/, problem: 'GET /service/tickets' },
      create: { method: 'POST', path: /^\/service\/tickets$/, problem: 'POST /service/tickets' },
    },
    ticketGone: (id) =>
      ['GET', 'POST', 'PATCH', 'PUT'].map((method) => ({ method, path: new RegExp(`^/service/tickets/${id}(/|$)`) })),
    noteTo: (id) => ({ method: 'POST', path: new RegExp(`^/service/tickets/${id}/notes$`) }),
    async copyTicket(id) {
      const original = cw.state.tickets.find((t) => t.id === id)!;
      const { companyId, publicKey, privateKey } = cw.credentials;
      const copy = await fetch(`${cw.apiBase}/service/tickets`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${companyId}+${publicKey}:${privateKey}`).toString('base64')}`,
          clientid: cw.credentials.clientId,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          summary: `Copy of ${original.summary}`.slice(0, 100),
          company: { id: original.companyId },
          board: { id: original.boardId },
          externalXRef: original.externalXRef,
          integratorTags: original.integratorTags,
        }),
      });
      if (copy.status !== 201) throw new Error(`ConnectWise answered ${copy.status} to the copy`);
      return ((await copy.json()) as { id: number }).id;
    },
    deleteTicket: (id) => {
      cw.state.tickets.splice(
        cw.state.tickets.findIndex((t) => t.id === id),
        1,
      );
    },
  };
}

function atView(at: AutotaskEmulator): FixturePsa {
  const kinds: Record<string, FixtureNote['kind']> = {
    'SafeWeb: findings': 'detail',
    'SafeWeb: update': 'internal',
    'SafeWeb: resolution': 'resolution',
  };
  return {
    kind: 'autotask',
    farSide: 'Autotask',
    tickets: () =>
      at.state.tickets.map((t) => ({
        id: t.id,
        key: t.externalID ?? null,
        closed: t.status === 5,
        summary: t.title,
        board: t.queueID ?? null,
        description: t.description ?? '',
        owned: (t.externalID ?? '').startsWith('sw:ticket:'),
      })),
    notes: () =>
      at.state.notes.map((n) => ({ ticketId: n.ticketID, text: n.description, kind: kinds[n.title] ?? 'detail' })),
    technicianClose: (id) => at.technicianClose(id),
    technicianReopen: (id) => at.technicianReopen(id),
    secret: at.credentials.secret,
    descriptions: (id) => (at.state.tickets.find((t) => t.id === id)?.description ? 1 : 0),
    requests: () => at.state.requests,
    misbehave: (rules) => at.misbehave(rules),
    ops: {
      owned: { method: 'POST', path: /^\/Tickets\/query$/, problem: 'POST /V1.0/Tickets/query' },
      create: { method: 'POST', path: /^\/Tickets$/, problem: 'POST /V1.0/Tickets' },
    },
    // A status change names its ticket in the body (PATCH /Tickets): every PATCH is refused.
    ticketGone: (id) => [
      { method: 'GET', path: new RegExp(`^/Tickets/${id}(/|$)`) },
      { method: 'POST', path: new RegExp(`^/Tickets/${id}(/|$)`) },
      { method: 'PATCH', path: /^\/Tickets$/ },
    ],
    noteTo: (id) => ({ method: 'POST', path: new RegExp(`^/Tickets/${id}/Notes$`) }),
    async copyTicket(id) {
      const original = at.state.tickets.find((t) => t.id === id)!;
      const copy = await fetch(`${at.zone}/V1.0/Tickets`, {
        method: 'POST',
        headers: {
          ApiIntegrationCode: at.credentials.integrationCode,
          UserName: at.credentials.username,
          Secret: at.credentials.secret,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          title: `Copy of ${original.title}`.slice(0, 255),
          companyID: original.companyID,
          queueID: original.queueID,
          status: 1,
          priority: original.priority,
          externalID: original.externalID,
        }),
      });
      if (copy.status !== 200) throw new Error(`Autotask answered ${copy.status} to the copy`);
      return ((await copy.json()) as { itemId: number }).itemId;
    },
    deleteTicket: (id) => {
      at.state.tickets.splice(
        at.state.tickets.findIndex((t) => t.id === id),
        1,
      );
    },
  };
}

function haloView(halo: HaloEmulator): FixturePsa {
  const kinds: Record<string, FixtureNote['kind']> = {
    Note: 'detail',
    'Private Note': 'internal',
    Resolution: 'resolution',
  };
  const closed = (statusId: number) => halo.state.statuses.find((s) => s.id === statusId)?.closed ?? false;
  const owner = ownerNumber('safeweb');
  return {
    kind: 'halo',
    farSide: 'HaloPSA',
    tickets: () =>
      halo.state.tickets.map((t) => ({
        id: t.id,
        key: t.third_party_id_string ?? null,
        closed: closed(t.status_id),
        summary: t.summary,
        board: t.tickettype_id,
        description: t.details,
        owned: t.third_party_id === owner,
      })),
    // A status change is an action of its own, not a note the tool added.
    notes: () =>
      halo.state.actions
        .filter((a) => a.outcome !== 'Status Change')
        .map((a) => ({ ticketId: a.ticket_id, text: a.note, kind: kinds[a.outcome] ?? 'detail' })),
    technicianClose: (id) => halo.technicianClose(id),
    technicianReopen: (id) => halo.technicianReopen(id),
    secret: halo.credentials.clientSecret,
    descriptions: (id) => (halo.state.tickets.find((t) => t.id === id)?.details ? 1 : 0),
    requests: () => halo.state.requests,
    misbehave: (rules) => halo.misbehave(rules),
    ops: {
      owned: { method: 'GET', path: /^\/Tickets$/, problem: 'GET /Tickets' },
      create: { method: 'POST', path: /^\/Tickets$/, problem: 'POST /Tickets' },
    },
    // Notes and status changes name their ticket in the body (POST /Actions): every action is refused.
    ticketGone: (id) => [
      { method: 'GET', path: new RegExp(`^/Tickets/${id}$`) },
      { method: 'POST', path: /^\/Actions$/ },
    ],
    noteTo: () => ({ method: 'POST', path: /^\/Actions$/ }),
    async copyTicket(id) {
      const original = halo.state.tickets.find((t) => t.id === id)!;
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: halo.credentials.clientId,
        client_secret: halo.credentials.clientSecret,
        scope: 'all',
      });
      const token = await fetch(halo.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const copy = await fetch(`${halo.apiBase}/Tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            summary: `Copy of ${original.summary}`,
            client_id: original.client_id,
            tickettype_id: original.tickettype_id,
            third_party_id_string: original.third_party_id_string,
            third_party_id: original.third_party_id,
          },
        ]),
      });
      if (copy.status !== 201) throw new Error(`HaloPSA answered ${copy.status} to the copy`);
      return ((await copy.json()) as { id: number }).id;
    },
    deleteTicket: (id) => {
      halo.state.tickets.splice(
        halo.state.tickets.findIndex((t) => t.id === id),
        1,
      );
    },
  };
}

/** A property that throws: the emulator of the other kind. */
function absent<T>(what: string): T {
  return new Proxy({} as object, {
    get: () => {
      throw new Error(`this fixture runs no ${what} emulator`);
    },
  }) as T;
}

export async function psaFixture(
  policy: Record<string, unknown> = {},
  options: PsaFixtureOptions = {},
): Promise<PsaFixture> {
  const kind = options.kind ?? 'connectwise';
  const connection = CONNECTION[kind];
  const sandbox = await startSandbox({ port: 0 });
  const faults: AutotaskFaults = { latencyMs: options.latencyMs };
  // Unless asked, the emulators are given no customers: every ticket goes to the fallback company, ContosoMSP.
  const customers = options.companies ? BOOK : [];
  const cw = kind === 'connectwise' ? await startConnectWise({ port: 0, faults, customers }) : undefined;
  const at =
    kind === 'autotask'
      ? await startAutotask({ port: 0, faults, customers, requiredFields: options.requiredFields })
      : undefined;
  const halo = kind === 'halo' ? await startHalo({ port: 0, faults, customers }) : undefined;
  const { dir, cleanup } = tempDir('safeweb-psa-');
  const files: Record<string, string> = {};
  const secretFile = (name: string, value: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, value, { mode: 0o600 });
    return file;
  };
  if (cw) files['SAFEWEB_SECRET_PSA_CW_FILE'] = secretFile('cw-private-key', cw.credentials.privateKey);
  if (at) {
    files['SAFEWEB_SECRET_PSA_AT_FILE'] = secretFile('at-secret', at.credentials.secret);
    files['SAFEWEB_SECRET_PSA_AT_CODE_FILE'] = secretFile('at-code', at.credentials.integrationCode);
  }
  if (halo) files['SAFEWEB_SECRET_PSA_HALO_FILE'] = secretFile('halo-secret', halo.credentials.clientSecret);
  const env = cleanEnv({
    SAFEWEB_CONFIG_DIR: path.join(dir, 'config'),
    SAFEWEB_BASE_URL: sandbox.url,
    SAFEWEB_PARTNER_ID: sandbox.partnerId,
    SAFEWEB_API_KEY: sandbox.apiKey,
    ...files,
  });
  const account = accountKey(sandbox.partnerId, sandbox.url);
  const settingsFile = integrationsFile(path.join(dir, 'config'), account);
  const settings = cw
    ? {
        kind: 'connectwise',
        site: cw.url,
        company: cw.credentials.companyId,
        publicKey: cw.credentials.publicKey,
        clientId: cw.credentials.clientId,
        secret: 'psa/cw',
        board: 'Security',
        statuses: { new: 'New', closed: 'Completed' },
        priorities: { critical: 'Priority 1 - Emergency Response', high: 2, moderate: 3, low: 4 },
        fallbackCompany: 'ContosoMSP',
      }
    : halo
      ? {
          kind: 'halo',
          tenant: halo.url,
          clientId: halo.credentials.clientId,
          secret: 'psa/halo',
          ticketType: 'Security Alert',
          statuses: { new: 'New', closed: 'Closed' },
          // Halo's priorities are its SLA's IDs: no list to name them from.
          priorities: { critical: 1, high: 2, moderate: 3, low: 4 },
          fallbackCompany: 'ContosoMSP',
        }
      : {
          kind: 'autotask',
          username: at!.credentials.username,
          zone: at!.zone,
          secret: 'psa/at',
          queue: 'Security',
          statuses: { new: 'New', closed: 'Complete' },
          priorities: { critical: 'Critical', high: 'High', moderate: 'Medium', low: 'Low' },
          fallbackCompany: 'ContosoMSP',
        };
  await setIntegration(settingsFile, ['psa', 'connections', connection], { ...settings, ...policy });
  const checked = kind === 'connectwise' ? checkedWire() : halo ? checkedHaloWire(halo.url) : checkedAutotaskWire();
  const run = (argv: string[], options: InProcessOptions = {}) =>
    runInProcess(argv, { env, wire: checked.wire, ...options });
  let bookFile = path.join(ROOT, 'examples/customers.csv');
  if (options.book !== undefined) writeFileSync((bookFile = path.join(dir, 'book.csv')), options.book);
  const onboarded = await run(['customer', 'onboard', '--file', bookFile, '--concurrency', '16', '--json']);
  if (onboarded.code !== 0) throw new Error(`onboarding the book: ${onboarded.stderr}`);
  return {
    sandbox,
    cw: cw ?? absent('ConnectWise'),
    at: at ?? absent('Autotask'),
    halo: halo ?? absent('HaloPSA'),
    psa: cw ? cwView(cw) : halo ? haloView(halo) : atView(at!),
    kind,
    connection,
    secretVariable: cw
      ? 'SAFEWEB_SECRET_PSA_CW_FILE'
      : halo
        ? 'SAFEWEB_SECRET_PSA_HALO_FILE'
        : 'SAFEWEB_SECRET_PSA_AT_FILE',
    configDir: path.join(dir, 'config'),
    env,
    account,
    settingsFile,
    checked,
    run,
    async json<T>(argv: string[], options?: InProcessOptions): Promise<T> {
      const r = await run([...argv, '--json'], options);
      if (r.code !== 0 && r.code !== 8) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async close() {
      await Promise.all([sandbox.close(), cw?.close(), at?.close(), halo?.close()]);
      cleanup();
    },
  };
}

/**
 * An onboarding CSV of `customers` customers whose monitored addresses give each exactly
 * `breaches` unresolved breaches by the sandbox's rules (role and `pwned…` addresses are breached
 * in 1 to 3 catalogue breaches, src/sandbox/breach-rules.ts): addresses are taken while they add
 * breaches without passing the count. Domains under `.test`, which expose nothing of their own.
 */
export function bookCsv(customers: number, breaches: number, prefix = 'PSA'): string {
  const rows = [
    'companyName,customerReference,assetsDomains,assetsEmails,alertRecipients,price,currencyCode,billedFromDate',
  ];
  for (let i = 1; i <= customers; i++) {
    const domain = `c${i}.${prefix.toLowerCase()}.test`;
    const names = new Set<string>();
    const emails: string[] = [];
    for (let n = 0; names.size < breaches && n < 200; n++) {
      const email = `pwned${n}@${domain}`;
      const found = breachesForEmail(email).map((b) => b.name);
      const added = found.filter((b) => !names.has(b));
      if (added.length === 0 || names.size + added.length > breaches) continue;
      for (const b of added) names.add(b);
      emails.push(email);
    }
    rows.push(
      `Customer ${i},${prefix}-${String(i).padStart(4, '0')},${domain},${emails.join(';')},ops@${domain},10,USD,now+1d`,
    );
  }
  return `${rows.join('\n')}\n`;
}
