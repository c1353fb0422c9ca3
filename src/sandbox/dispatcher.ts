/**
 * Real deliveries from the sandbox: every event goes to each active endpoint of the partner
 * subscribed to it, signed and retried with SafeWeb's policy (webhooks/deliver.ts, through the
 * tool's one HTTP engine), each attempt logged on the console and in the state (`safeweb
 * sandbox deliveries`). Tests give a faster policy (startSandbox's `webhookPolicy`).
 */
import { deliver, SAFEWEB_POLICY, type Attempt, type DeliveryPolicy } from '../webhooks/deliver.js';
import { envelope, type EventType } from '../webhooks/events.js';
import type { DeliveryRecord, SandboxState } from './state.js';

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

  const run = async (record: DeliveryRecord, secret: string, body: string) => {
    const attempts = await deliver(
      { url: record.url, secret, event: record.event, body },
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

  return {
    dispatch(partnerId, events, now) {
      for (const { event, data } of events) {
        for (const hook of (state.webhooks ?? []).filter(
          (w) => w.partnerId === partnerId && w.active && w.events.includes(event),
        )) {
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
          const body = JSON.stringify(envelope(event as EventType, data, now));
          const job = run(record, hook.secret, body).finally(() => inFlight.delete(job));
          inFlight.add(job);
        }
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
