/**
 * Carrying out one planned change: the requests it needs, in order, through the customer service
 * (customers/service.ts), which records each in the local record and the state file as soon as
 * it has happened — before the change's line in the results journal, so a line that says ok is
 * always in the record. A create an earlier, interrupted run may have sent is settled by the
 * service's one rule: a duplicate answer then means it is there, recorded without its ID.
 */
import type { ApiClient } from '../api/client.js';
import { createWebhook, deleteWebhook, updateWebhook } from '../api/webhooks.js';
import { offboard, onboard, reactivate, setAssets, updateInfo } from '../customers/service.js';
import { ApiRejectedError, CliError, IncompleteAnswerError, UnavailableError } from '../errors.js';
import type { SecretJournal } from './secret-journal.js';
import { unwrapEnvelope } from '../api/envelope.js';
import type { PlannedChange } from './plan.js';
import type { SecretDir } from './secrets.js';
import type { BookState } from './state.js';

export interface ChangeResult {
  status: 'ok' | 'failed' | 'unknown';
  customerId?: string | undefined;
  webhookId?: number | undefined;
  secretFile?: string | undefined;
  settled?: string | undefined;
  error?: CliError | undefined;
}

export interface CarryOutDeps {
  state: BookState;
  now: () => Date;
  secrets: SecretDir | undefined;
  /** Each endpoint's create and whether its secret reached disk (secret-journal.ts). */
  secretJournal: SecretJournal;
}

export async function applyChange(
  change: PlannedChange,
  api: ApiClient,
  deps: CarryOutDeps,
  settling: boolean,
): Promise<ChangeResult> {
  try {
    if (change.kind === 'webhook') {
      if (change.action === 'create') return await createEndpoint(change, api, deps);
      if (change.action === 'update') {
        const { events, active } = change.webhook!;
        unwrapEnvelope(await updateWebhook(api, change.webhookId!, { events, active }), 'webhook update');
      } else unwrapEnvelope(await deleteWebhook(api, change.webhookId!), 'webhook delete');
      return { status: 'ok', webhookId: change.webhookId };
    }
    return await customer(change, api, deps, settling);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    const unknown = error instanceof UnavailableError && error.outcomeUnknown;
    return { status: unknown ? 'unknown' : 'failed', error };
  }
}

/**
 * A new endpoint (or, for an endpoint whose secret was lost, its replacement: the old one is
 * deleted first). The journal says `creating` before the request; the secret is written durably
 * the moment the answer brings it, before anything else, and only then does the journal say
 * `kept`. A kill in between leaves `creating` for an endpoint that exists: `plan` calls its
 * secret lost instead of saying nothing.
 */
async function createEndpoint(change: PlannedChange, api: ApiClient, deps: CarryOutDeps): Promise<ChangeResult> {
  const url = change.webhook!.url;
  const claim = deps.secrets!.claim(url);
  if (change.replaces !== undefined) {
    try {
      unwrapEnvelope(await deleteWebhook(api, change.replaces), 'webhook delete');
    } catch (error) {
      // Gone already (a run killed after deleting it): the create goes on.
      if (!(error instanceof ApiRejectedError && error.status === 404)) throw error;
    }
  }
  deps.secretJournal.creating(url, deps.now());
  let webhook: { id: number; secret?: string | undefined };
  try {
    ({ webhook } = unwrapEnvelope(await createWebhook(api, change.webhook!), 'webhook create'));
  } catch (error) {
    // Surely not created: the journal says so. Unknown: it stays `creating`, and plan will tell.
    if (!(error instanceof UnavailableError && error.outcomeUnknown)) deps.secretJournal.notCreated(url, deps.now());
    throw error;
  }
  if (!webhook.secret)
    throw new IncompleteAnswerError('POST webhook create', 'the signing secret (plan will call it lost)');
  claim.write(webhook.secret);
  deps.secretJournal.kept(url, webhook.id, deps.now());
  return { status: 'ok', webhookId: webhook.id, secretFile: claim.file };
}

async function customer(
  change: PlannedChange,
  api: ApiClient,
  deps: CarryOutDeps,
  settling: boolean,
): Promise<ChangeResult> {
  const { state, now } = deps;
  const service = { api, record: state, now };
  if (change.action === 'create') {
    const body = change.body!;
    // A state file that does not know a customer the local record holds with its ID (planned as a
    // create): the record's entry is copied to the state, and nothing is sent.
    const known = state.file ? state.recorded(body.customerReference) : undefined;
    if (known?.id) {
      state.adopt(known);
      return { status: 'ok', customerId: known.id, settled: 'already onboarded (the local record knows it)' };
    }
    const result = await onboard(service, body, { settling });
    return { status: 'ok', customerId: result.customerId ?? undefined, settled: result.settled };
  }
  const entry = change.entry!;
  const target = { id: entry.id!, entry };
  if (change.action === 'offboard') {
    await offboard(service, target);
    return { status: 'ok', customerId: target.id };
  }
  if (change.action === 'reactivate') await reactivate(service, target);
  if (change.info) await updateInfo(service, target, change.info);
  if (change.assets) await setAssets(service, target, change.assets);
  return { status: 'ok', customerId: target.id };
}
