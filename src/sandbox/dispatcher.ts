/**
 * Real deliveries from the sandbox: every event goes to each active endpoint of the partner
 * subscribed to it, signed and retried with SafeWeb's policy (webhooks/deliver.ts, through the
 * tool's one HTTP engine), each attempt logged on the console and in the state (`safeweb
 * sandbox deliveries`). Tests give a faster policy (startSandbox's `webhookPolicy`).
 *
 * v1 beside it: each `breach.new` is also a `customer.breach.found` for the endpoints that
 * subscribe to that, signed with the organisation's active secret at the time (none is sent
 * while there is none), and counted only when the answer is signed (webhooks/v1.ts).
 */
import { deliver, SAFEWEB_POLICY, type Attempt, type DeliveryPolicy } from '../webhooks/deliver.js';
import { envelope, V1_EVENTS, type EventType } from '../webhooks/events.js';
import { v1Envelope } from '../webhooks/v1.js';
import type { DeliveryRecord, SandboxState } from './state.js';

const V1_EVENT = V1_EVENTS[0];

export interface Dispatcher {
  dispatch(partnerId: string, events: Array<{ event: string; data: Record<string, unknown> }>, now: Date): void;
  /** Resolves when no delivery is in flight (tests wait on it). */
  idle(): Promise<void>;
  /** Stops retrying and waits for the attempts in flight to end. */
  close(): Promise<void>;
}

/** "200 ok", "500", "200 (not accepted: why)", or why there was no answer. */
function outcomeOf(a: Attempt): string {
  if (a.ok) return `${a.status} ok`;
  if (a.status === undefined) return a.error ?? 'failed';
  return a.error ? `${a.status} (${a.error})` : `${a.status}`;
}

export function createDispatcher(
  state: SandboxState,
  options: { policy?: DeliveryPolicy; log?: ((line: string) => void) | undefined; persist: () => void },
): Dispatcher {
  const policy = options.policy ?? SAFEWEB_POLICY;
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();

  const run = async (record: DeliveryRecord, secret: string, body: string, v1 = false) => {
    const attempts = await deliver(
      { url: record.url, secret, event: record.event, body, v1 },
      policy,
      (a) => {
        record.attempts.push(a);
        options.log?.(`webhook ${record.event} → ${record.url} attempt ${a.attempt}: ${outcomeOf(a)} (${a.ms} ms)`);
      },
      abort.signal,
    );
    record.status = attempts.at(-1)?.ok ? 'delivered' : 'failed';
    if (record.status === 'failed')
      options.log?.(`webhook ${record.event} → ${record.url} failed after ${attempts.length} attempts`);
    options.persist();
  };

  const subscribed = (partnerId: string, event: string) =>
    (state.webhooks ?? []).filter((w) => w.partnerId === partnerId && w.active && w.events.includes(event));

  const start = (partnerId: string, hook: { id: number; url: string }, event: string, now: Date) => {
    const deliveries = (state.deliveries ??= []);
    const record: DeliveryRecord = {
      id: Math.max(0, ...deliveries.map((d) => d.id)) + 1,
      webhookId: hook.id,
      partnerId,
      event,
      url: hook.url,
      status: 'pending',
      attempts: [],
      created_at: now.toISOString(),
    };
    deliveries.push(record);
    return record;
  };
  const track = (job: Promise<void>) => {
    const tracked = job.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  /** The v1 twin of a `breach.new`: one event (one idempotencyToken) to every subscriber. */
  const dispatchV1 = (partnerId: string, data: Record<string, unknown>, now: Date) => {
    const hooks = subscribed(partnerId, V1_EVENT);
    if (hooks.length === 0) return;
    const secret = (state.signingSecrets ?? []).find((s) => s.partnerId === partnerId && s.status === 'active');
    if (!secret) {
      options.log?.(
        `webhook ${V1_EVENT} not sent to ${hooks.length} endpoint(s): the organisation has no active signing ` +
          'secret (safeweb webhook secret create)',
      );
      return;
    }
    const v1Data = breachFound(state, data);
    if (!v1Data) return;
    const body = JSON.stringify(v1Envelope(V1_EVENT, v1Data, now));
    for (const hook of hooks) track(run(start(partnerId, hook, V1_EVENT, now), secret.token, body, true));
  };

  return {
    dispatch(partnerId, events, now) {
      for (const { event, data } of events) {
        for (const hook of subscribed(partnerId, event)) {
          const body = JSON.stringify(envelope(event as EventType, data, now));
          track(run(start(partnerId, hook, event, now), hook.secret, body));
        }
        if (event === 'breach.new') dispatchV1(partnerId, data, now);
      }
    },
    async idle() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    async close() {
      abort.abort();
      await this.idle();
    },
  };
}

/** `customer.breach.found` data from a `breach.new`: the customer and the new breach records. */
function breachFound(state: SandboxState, data: Record<string, unknown>): Record<string, unknown> | undefined {
  const customer = state.customers.find((c) => c.id === data['customer_uuid']);
  if (!customer) return undefined;
  const names = new Set(Array.isArray(data['new_breach_names']) ? (data['new_breach_names'] as string[]) : []);
  const breaches = state.breaches
    .filter((b) => b.customerId === customer.id && names.has(b.breachName))
    .map((b) => ({ uuid: b.id, name: b.breachName, emails: [...b.emails] }));
  return {
    customer: { uuid: customer.id, name: customer.companyName, reference: customer.customerReference },
    breaches,
  };
}
