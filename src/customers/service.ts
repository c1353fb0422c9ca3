/**
 * One customer's changes, written once for every front door: the CLI verbs, the rows of a bulk
 * file, the MCP tools and `apply` call these and nothing else to change a customer. Each is
 * send → settle → record; the write guard under the API client (safety/) audits every request,
 * so every caller leaves the same audit lines. Input is checked before (onboarding.ts); what a
 * caller adds is its own input, confirmation and presentation.
 *
 * Onboarding, one rule per answer:
 *
 * | answer                                              | outcome                                                   |
 * |-----------------------------------------------------|-----------------------------------------------------------|
 * | 201/200 with an ID                                  | created; recorded with the ID                             |
 * | 409 on a first send                                 | the API refused (ApiRejectedError, exit 3); nothing recorded |
 * | 409 on a re-send settling an earlier unknown one    | already there: recorded without an ID, named for `customer link` |
 * | 2xx without the ID the contract promises            | exit 5 (the request's audit line says unknown); nothing recorded |
 * | timeout / connection lost after sending             | exit 5; pending (the journal says so), settled by the next attempt |
 */
import type { ApiClient } from '../api/client.js';
import {
  getCustomerAssets,
  offboardCustomer,
  onboardCustomer,
  reactivateCustomer,
  setCustomerAssets,
  updateCustomerInfo,
} from '../api/customers.js';
import { unwrapEnvelope } from '../api/envelope.js';
import { ApiRejectedError, CliError, problem, UnavailableError, UsageError, ValidationError } from '../errors.js';
import { domainProblem, emailProblem } from './field-checks.js';
import type { InfoUpdate, OnboardingRequest } from './fields.js';
import type { RecordEntry, OnboardedEntry } from './local-record.js';
import { validateOnboarding } from './onboarding.js';
import type { RecordedReferences } from './recorded.js';

/**
 * Where a change is recorded: the local record (local-record.ts `LocalRecord`), or apply's state, which
 * keeps the record and a state file in step. The narrow part of it a service needs.
 */
export interface CustomerRecord {
  entry(reference: string): RecordEntry | undefined;
  /** A create of this reference was sent and never heard back about (the record's journal). */
  isPending(reference: string): boolean;
  /** Journals a create about to be sent: a kill before its answer leaves it pending. */
  sending(reference: string, companyName: string, at: Date): void;
  /** A journaled create surely did not happen (refused, or never sent). */
  notSent(reference: string, at: Date): void;
  onboarded(entry: OnboardedEntry, at: Date): void | Promise<void>;
  statusChanged(
    customer: { id: string; reference?: string | undefined },
    status: RecordEntry['status'],
    at: Date,
  ): void | Promise<void>;
  fieldsChanged(
    reference: string,
    change: { companyName?: string | undefined; fields: Record<string, unknown> },
    at: Date,
  ): void | Promise<void>;
}

/** What every customer service takes: the API client, the record, the clock. Nothing else of the run. */
export interface CustomerDeps {
  api: ApiClient;
  record: CustomerRecord;
  now: () => Date;
}

/** A customer a change is for: its ID, and what the record knows of it. */
export interface CustomerRef {
  id: string;
  entry?: RecordEntry | undefined;
}

export type Onboarded =
  | { status: 'created'; customerId: string; settled?: string | undefined }
  | { status: 'already'; customerId: null; settled: string };

export interface OnboardOptions {
  /**
   * The caller's own journal says an earlier attempt of this create may have arrived (a bulk
   * or apply run being resumed). The record's journal is asked too.
   */
  settling?: boolean | undefined;
  /**
   * Journal the attempt in the record (a single onboarding: the CLI verb, the wizard, MCP). Bulk
   * and apply runs keep their own journal beside their results and leave this off.
   */
  journal?: boolean | undefined;
}

/** `safeweb customer link REF --id UUID`: how a customer recorded without its ID gets one. */
function linkCommand(reference: string): string {
  return `safeweb customer link ${reference} --id UUID`;
}

/** Creates a customer from a checked body (see the table above). */
export async function onboard(
  deps: CustomerDeps,
  body: OnboardingRequest,
  options: OnboardOptions = {},
): Promise<Onboarded> {
  const { api, record, now } = deps;
  const reference = body.customerReference;
  const settling = Boolean(options.settling) || record.isPending(reference);
  if (options.journal) record.sending(reference, body.companyName, now());
  let customerId: string;
  try {
    ({ customerId } = await onboardCustomer(api, body));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    // The earlier attempt had arrived after all: its ID was in the answer that was lost.
    if (settling && error instanceof ApiRejectedError && error.status === 409) {
      const known = record.entry(reference);
      if (!known) await record.onboarded({ ...recordEntry(body, null) }, now());
      else if (options.journal) record.notSent(reference, now());
      return {
        status: 'already',
        customerId: null,
        settled:
          'already onboarded by an earlier attempt (duplicate reference): recorded without its ID; ' +
          `link it with \`${linkCommand(reference)}\``,
      };
    }
    // Surely not created (refused, or never sent): the journal says so. Otherwise it stays pending.
    const unknown = error instanceof UnavailableError && error.outcomeUnknown;
    if (options.journal && !unknown) record.notSent(reference, now());
    if (error instanceof ApiRejectedError && error.status === 409)
      throw new ApiRejectedError(
        error.message,
        409,
        error.body,
        `If ${reference} is a customer of yours made elsewhere, record it with \`${linkCommand(reference)}\`.`,
      );
    if (unknown && options.journal)
      throw new UnavailableError(
        `${error.message}; whether ${reference} was created is not known, and nothing was recorded`,
        error.status,
        'Run the same command again: it settles the earlier attempt without creating the customer twice.',
      );
    throw error;
  }
  await record.onboarded(recordEntry(body, customerId), now());
  return {
    status: 'created',
    customerId,
    settled: settling ? 'the earlier attempt had not arrived; sent now' : undefined,
  };
}

/** What the record keeps of a customer: its reference, ID, company and the fields the API cannot read back. */
export function recordEntry(body: OnboardingRequest, id: string | null): OnboardedEntry {
  const { customerReference, companyName, assetsDomains: _d, assetsEmails: _e, ...fields } = body;
  return { reference: customerReference, id, companyName, fields };
}

/** Deactivates a customer; the record says offboarded. */
export async function offboard(deps: CustomerDeps, customer: CustomerRef): Promise<void> {
  unwrapEnvelope(await offboardCustomer(deps.api, customer.id), 'customer offboard');
  await deps.record.statusChanged(recordTarget(customer), 'offboarded', deps.now());
}

/** Reactivates an offboarded customer; the record says active. */
export async function reactivate(deps: CustomerDeps, customer: CustomerRef): Promise<void> {
  unwrapEnvelope(await reactivateCustomer(deps.api, customer.id), 'customer reactivate');
  await deps.record.statusChanged(recordTarget(customer), 'active', deps.now());
}

function recordTarget(customer: CustomerRef): { id: string; reference?: string | undefined } {
  return { id: customer.id, reference: customer.entry?.reference };
}

/**
 * Changes the info fields (a checked update: onboarding.ts validateUpdate). What was set is
 * recorded as `apply` records it: `plan` compares the fields the API cannot read back with the
 * last values the tool set, so this update must not look like drift.
 */
export async function updateInfo(deps: CustomerDeps, customer: CustomerRef, body: InfoUpdate): Promise<void> {
  unwrapEnvelope(await updateCustomerInfo(deps.api, customer.id, body), 'customer update');
  const { companyName, ...fields } = body;
  if (customer.entry) await deps.record.fieldsChanged(customer.entry.reference, { companyName, fields }, deps.now());
}

/** Edits of one list of assets: add and remove, or replace it whole (set). */
interface ListEdit {
  add?: readonly string[] | undefined;
  remove?: readonly string[] | undefined;
  set?: readonly string[] | undefined;
}

export interface AssetEdits {
  domains?: ListEdit | undefined;
  emails?: ListEdit | undefined;
}

interface AssetChange {
  kind: 'domain' | 'email';
  op: '+' | '-';
  value: string;
}

export interface AssetPlan {
  before: { domains: string[]; emails: string[] };
  domains: string[];
  emails: string[];
  changes: AssetChange[];
  /** Edits that change nothing ("domain x is already monitored"). */
  warnings: string[];
}

/** Every value an edit would add, checked; throws a ValidationError naming each bad one. Sends nothing. */
export function checkAssetEdits(edits: AssetEdits): void {
  const added = (edit: ListEdit | undefined) => [...(edit?.add ?? []), ...(edit?.set ?? [])];
  const problems = [
    ...added(edits.domains).map((d) => [d, domainProblem(d)] as const),
    ...added(edits.emails).map((e) => [e, emailProblem(e)] as const),
  ]
    .filter(([, why]) => why !== undefined)
    .map(([value, why]) => problem(value, why!));
  if (problems.length) throw new ValidationError('invalid assets; nothing was sent:', problems);
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function edited(current: string[], edit: ListEdit | undefined, kind: string, warnings: string[]): string[] {
  if (!edit) return current;
  if (edit.set) return [...new Set(edit.set)];
  let next = [...current];
  for (const value of edit.remove ?? []) {
    if (!next.some((v) => same(v, value))) warnings.push(`${kind} ${value} was not monitored`);
    next = next.filter((v) => !same(v, value));
  }
  for (const value of edit.add ?? []) {
    if (next.some((v) => same(v, value))) warnings.push(`${kind} ${value} is already monitored`);
    else next.push(value);
  }
  return next;
}

function diff(kind: AssetChange['kind'], before: string[], after: string[]): AssetChange[] {
  return [
    ...after.filter((v) => !before.some((b) => same(b, v))).map((value) => ({ kind, op: '+' as const, value })),
    ...before.filter((v) => !after.some((a) => same(a, v))).map((value) => ({ kind, op: '-' as const, value })),
  ];
}

/** The monitored lists now (one read). */
export async function readAssets(deps: Pick<CustomerDeps, 'api'>, customer: CustomerRef) {
  return unwrapEnvelope(await getCustomerAssets(deps.api, customer.id), 'customer assets');
}

/**
 * What the edits would make of the lists now (one read; nothing sent). A customer is never left
 * with nothing to monitor: that is refused here, before anything is sent or confirmed.
 */
export async function planAssets(
  deps: Pick<CustomerDeps, 'api'>,
  customer: CustomerRef,
  edits: AssetEdits,
  describe: string,
): Promise<AssetPlan> {
  checkAssetEdits(edits);
  const { domains: beforeDomains, emails: beforeEmails } = await readAssets(deps, customer);
  const warnings: string[] = [];
  const domains = edited(beforeDomains, edits.domains, 'domain', warnings);
  const emails = edited(beforeEmails, edits.emails, 'email', warnings);
  if (domains.length === 0 && emails.length === 0)
    throw new UsageError(
      `refusing to leave ${describe} with nothing to monitor; nothing was changed`,
      'Keep at least one domain or email, or offboard the customer instead.',
    );
  const changes = [...diff('domain', beforeDomains, domains), ...diff('email', beforeEmails, emails)];
  return { before: { domains: beforeDomains, emails: beforeEmails }, domains, emails, changes, warnings };
}

/**
 * Sends a planned asset change: only the lists that change (each replaces the stored list).
 * Returns the lists as the API now holds them.
 */
export async function applyAssets(
  deps: CustomerDeps,
  customer: CustomerRef,
  plan: AssetPlan,
): Promise<{ domains: string[]; emails: string[] }> {
  if (!plan.changes.length) return plan.before;
  const body: { domains?: string[]; emails?: string[] } = {};
  if (plan.changes.some((c) => c.kind === 'domain')) body.domains = plan.domains;
  if (plan.changes.some((c) => c.kind === 'email')) body.emails = plan.emails;
  return setAssets(deps, customer, body);
}

/** Replaces whole lists (apply, which has planned them already). A list left out is not touched. */
export async function setAssets(
  deps: CustomerDeps,
  customer: CustomerRef,
  lists: { domains?: string[] | undefined; emails?: string[] | undefined },
): Promise<{ domains: string[]; emails: string[] }> {
  const body: { domains?: string[]; emails?: string[] } = {};
  if (lists.domains) body.domains = lists.domains;
  if (lists.emails) body.emails = lists.emails;
  const { domains, emails } = unwrapEnvelope(await setCustomerAssets(deps.api, customer.id, body), 'customer assets');
  return { domains, emails };
}

export interface DocumentOptions {
  allowUnknown: boolean;
  /** How messages name the input: a file, stdin, "this customer_onboard call". */
  source: string;
  /** The references the local record holds: they are refused (recorded.ts). */
  recorded: RecordedReferences;
}

/**
 * One onboarding document (a file, flags, the wizard's answers, an MCP call): checked (every
 * problem at once, nothing sent while any remains), then created with the record's journal.
 * The clock is read when it is checked: `now+5m` means five minutes from sending.
 */
export async function onboardDocument(
  deps: CustomerDeps,
  doc: Record<string, unknown>,
  options: DocumentOptions,
): Promise<{ body: OnboardingRequest; warnings: string[]; result: Onboarded }> {
  const { body, warnings } = await checkDocument(doc, options, deps.now());
  const result = await onboard(deps, body, { journal: true });
  return { body, warnings, result };
}

/** The checks onboardDocument makes, alone (--dry-run): the body it would send, and warnings. */
export function checkDocument(
  doc: Record<string, unknown>,
  options: DocumentOptions,
  now: Date,
): Promise<{ body: OnboardingRequest; warnings: string[] }> {
  return validateOnboarding(doc, {
    allowUnknown: options.allowUnknown,
    now,
    source: options.source,
    reference: (reference) => options.recorded.problem(reference),
  });
}

/**
 * Whether the record says the customer is in `status` already: offboard and reactivate then send
 * nothing unless forced (the record may be stale).
 */
export function alreadyInStatus(customer: CustomerRef, status: RecordEntry['status']): boolean {
  return customer.entry?.status === status;
}
