/**
 * The receiver's metrics in the Prometheus text format, through prom-client (loaded here, on
 * the receiver's start, and by no other run). What an operator alerts on: deliveries received
 * and refused by reason, events routed and failed per sink, retries, the outbox's depth per sink
 * and state (read when scraped), and how long an acknowledgement takes.
 */
import type { SinkSummary } from '../findings/outbox.js';

export type RefusalReason =
  'unsigned' | 'bad-signature' | 'too-large' | 'method' | 'path' | 'malformed' | 'unavailable' | 'draining';

export interface Metrics {
  received(protocol: 'v1' | 'legacy', duplicate: boolean): void;
  refused(reason: RefusalReason): void;
  /** Seconds from the request's arrival to its 2xx. */
  acknowledged(seconds: number): void;
  routed(sink: string, acked: number, failed: number): void;
  retried(sink: string, count: number): void;
  contentType: string;
  text(): Promise<string>;
}

export async function createMetrics(depth: () => SinkSummary[]): Promise<Metrics> {
  const { default: promClient } = await import('prom-client');
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = promClient;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'safeweb_serve_' });
  const received = new Counter({
    name: 'safeweb_serve_deliveries_received_total',
    help: 'Deliveries verified and accepted (2xx), by protocol; duplicate="true" for a replay.',
    labelNames: ['protocol', 'duplicate'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'safeweb_serve_deliveries_refused_total',
    help: 'Requests not accepted, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const ack = new Histogram({
    name: 'safeweb_serve_ack_seconds',
    help: 'Time from a delivery’s arrival to its 2xx (its events on disk).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [registry],
  });
  const routed = new Counter({
    name: 'safeweb_serve_routed_total',
    help: 'Outbox events a sink acknowledged.',
    labelNames: ['sink'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'safeweb_serve_route_failures_total',
    help: 'Outbox events a sink failed to act on (retried with backoff).',
    labelNames: ['sink'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'safeweb_serve_retries_total',
    help: 'Attempts at outbox events that had failed before.',
    labelNames: ['sink'],
    registers: [registry],
  });
  new Gauge({
    name: 'safeweb_serve_outbox_depth',
    help: 'Outbox events per sink and state (pending, held, retrying, dead).',
    labelNames: ['sink', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of depth())
        for (const state of ['pending', 'held', 'retrying', 'dead'] as const)
          this.set({ sink: s.sink, state }, s[state]);
    },
  });
  // The children a delivery counts in, looked up once: not a label map built and hashed per delivery.
  const receivedOf = {
    v1: { true: received.labels('v1', 'true'), false: received.labels('v1', 'false') },
    legacy: { true: received.labels('legacy', 'true'), false: received.labels('legacy', 'false') },
  };
  const refusedOf = new Map<RefusalReason, { inc(): void }>();
  return {
    received: (protocol, duplicate) => receivedOf[protocol][duplicate ? 'true' : 'false'].inc(),
    refused: (reason) => {
      let child = refusedOf.get(reason);
      if (!child) refusedOf.set(reason, (child = refused.labels(reason)));
      child.inc();
    },
    acknowledged: (seconds) => ack.observe(seconds),
    routed: (sink, a, f) => {
      if (a) routed.inc({ sink }, a);
      if (f) failed.inc({ sink }, f);
    },
    retried: (sink, count) => {
      if (count) retries.inc({ sink }, count);
    },
    contentType: registry.contentType,
    text: () => registry.metrics(),
  };
}
