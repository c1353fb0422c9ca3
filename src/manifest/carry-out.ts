/**
 * Carrying out one planned change: the requests it needs, in order, and what the record (and
 * the state file) learns from each as soon as it has happened — before the change's line in the
 * results journal, so a line that says ok is always in the record. A create that an earlier,
 * interrupted run may have sent, or that exists already though the state did not know it, is
 * settled by the bulk rule: a duplicate reference means it is there, and it is recorded, not doubled.
 */
import type { ApiClient } from '../api/client.js';
import {
  offboardCustomer,
  onboardCustomer,
  reactivateCustomer,
  setCustomerAssets,
  updateCustomerInfo,
} from '../api/customers.js';
import { createWebhook, deleteWebhook, updateWebhook } from '../api/webhooks.js';
import { readLedger, recordEntry } from '../customers/ledger.js';
import { ApiRejectedError, CliError, UnavailableError } from '../errors.js';
import { resource } from '../output/envelope.js';
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
}

export async function carryOut(
  change: PlannedChange,
  api: ApiClient,
  deps: CarryOutDeps,
  settling: boolean,
): Promise<ChangeResult> {
  let claim: ReturnType<SecretDir['claim']> | undefined;
  try {
    if (change.kind === 'webhook') {
      if (change.action === 'create') {
        claim = deps.secrets!.claim(change.webhook!.url);
        const { webhook } = resource(await createWebhook(api, change.webhook!), 'webhook create');
        claim.write(webhook.secret ?? '');
        return { status: 'ok', webhookId: webhook.id, secretFile: claim.file };
      }
      if (change.action === 'update') {
        const { events, active } = change.webhook!;
        resource(await updateWebhook(api, change.webhookId!, { events, active }), 'webhook update');
      } else resource(await deleteWebhook(api, change.webhookId!), 'webhook delete');
      return { status: 'ok', webhookId: change.webhookId };
    }
    return await customer(change, api, deps, settling);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    claim?.abandon();
    const unknown = error instanceof UnavailableError && error.outcomeUnknown;
    return { status: unknown ? 'unknown' : 'failed', error };
  }
}

async function customer(
  change: PlannedChange,
  api: ApiClient,
  deps: CarryOutDeps,
  settling: boolean,
): Promise<ChangeResult> {
  const { state, now } = deps;
  if (change.action === 'create') {
    const body = change.body!;
    try {
      const { customerId } = resource(await onboardCustomer(api, body), 'customer onboard');
      await state.onboarded(recordEntry(body, customerId), now());
      return { status: 'ok', customerId };
    } catch (error) {
      // The earlier run's request had arrived after all: its ID was in the answer that was lost.
      if (!(error instanceof ApiRejectedError && error.status === 409)) throw error;
      // A state file that did not know it, while the local record does (with its ID): the record's
      // entry is kept and copied to the state, never replaced by one without the ID.
      const known = state.file
        ? readLedger(state.configDir, state.account).customers.find((c) => c.reference === body.customerReference)
        : undefined;
      if (known?.id) {
        state.adopt(known);
        return { status: 'ok', customerId: known.id, settled: 'already onboarded (the local record knows it)' };
      }
      if (settling) {
        await state.onboarded(recordEntry(body, null), now());
        return { status: 'ok', settled: 'already onboarded by an earlier attempt (duplicate reference)' };
      }
      // It exists, made elsewhere (or the state did not know it): recorded, not doubled. What its
      // fields are is not known, so none are recorded: plan sets the updatable ones once linked.
      const { fields: _unknown, ...entry } = recordEntry(body, null);
      await state.onboarded(entry, now());
      return {
        status: 'ok',
        settled:
          'already exists (duplicate reference): recorded without its ID; ' +
          `link it with \`safeweb customer link ${body.customerReference} --id UUID\``,
      };
    }
  }
  const entry = change.entry!;
  const id = entry.id!;
  if (change.action === 'offboard') {
    resource(await offboardCustomer(api, id), 'customer offboard');
    await state.statusChanged(entry, 'offboarded', now());
    return { status: 'ok', customerId: id };
  }
  if (change.action === 'reactivate') {
    resource(await reactivateCustomer(api, id), 'customer reactivate');
    await state.statusChanged(entry, 'active', now());
  }
  if (change.info) {
    resource(await updateCustomerInfo(api, id, change.info), 'customer update');
    const { companyName, ...fields } = change.info;
    await state.fieldsChanged(entry.reference, { companyName, fields }, now());
  }
  if (change.assets) resource(await setCustomerAssets(api, id, change.assets), 'customer assets');
  return { status: 'ok', customerId: id };
}
