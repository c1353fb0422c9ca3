/**
 * One delivery, from its verified bytes to its answer: verify against every secret held (401),
 * parse (400), answer a replay as the first was (a replay that arrives while the first is still
 * being kept waits for it), translate into the book's events, commit them to the outbox (on
 * disk, fsynced) and only then answer 2xx — a v1 answer signed with the secret that verified it.
 * If the events cannot be kept (a full disk) or the customer's breaches cannot be read, the
 * answer is 503, so SafeWeb retries.
 */
import type http from 'node:http';
import { CliError } from '../errors.js';
import { bookEvent, type BookEvent } from '../findings/event.js';
import { answerHeaders, checkDelivery, dedupeKey, header } from '../webhooks/intake.js';
import { EVENT_HEADER } from '../webhooks/signature.js';
import type { Committer } from './committer.js';
import type { DeliveryLog } from './deliveries.js';
import type { Metrics } from './metrics.js';
import type { SecretRing } from './secrets.js';
import type { Answer } from './server.js';
import { MalformedDeliveryError, type Translation } from './translate.js';

/** What one delivery came to: the receiver's NDJSON line (`--json`), and its log line. */
export interface DeliveryReport {
  receivedAt: string;
  protocol: 'v1' | 'legacy';
  /** The event type as delivered; undefined when it was not verified. */
  type?: string | undefined;
  status: number;
  verified: boolean;
  duplicate: boolean;
  /** Where the secret that verified it came from ("file org.secret"): never the value. */
  secret?: string | undefined;
  reason?: string | undefined;
  customer?: string | undefined;
  /** The events' keys (findings/keys.ts), and how many of them the outbox kept for a sink. */
  events: string[];
  kept: number;
  /** Breach names the customer's breaches did not resolve (the catch-up pass finds them). */
  unresolved?: string[] | undefined;
  ms: number;
}

export interface AcceptDeps {
  ring: SecretRing;
  partnerId: string;
  translate(delivery: { v1: boolean; event: string | undefined; body: unknown }): Promise<Translation>;
  committer: Committer;
  log: DeliveryLog;
  metrics: Metrics;
  now(): Date;
  report(report: DeliveryReport): void;
  /** Events were kept (some of `events`): route them. */
  kept(events: readonly BookEvent[]): void;
}

const ACCEPTED = { received: true };

/** What `keep` found of a delivery, before it is answered: the report's fields that are not the request's. */
interface Kept {
  answer: Answer;
  status: number;
  type?: string | undefined;
  customer?: string | undefined;
  events: string[];
  kept: number;
  unresolved?: string[] | undefined;
  reason?: string | undefined;
}

const NO_EVENTS: string[] = [];

export function accepter(deps: AcceptDeps) {
  const inFlight = new Map<string, Promise<Kept>>();

  return async function accept(req: http.IncomingMessage, raw: Buffer, started: number): Promise<Answer> {
    const receivedAt = deps.now().toISOString();
    const secrets = deps.ring.values;
    const checked = checkDelivery(req, raw, secrets);
    const protocol = checked.v1 ? 'v1' : 'legacy';
    // Each report written out field by field, not spread from a shared base: V8 spreads small
    // objects slowly, and a delivery made several of them.
    const finish = (report: Kept & { verified: boolean; duplicate: boolean; secret?: string }): Answer => {
      deps.report({
        receivedAt,
        protocol,
        type: report.type,
        status: report.status,
        verified: report.verified,
        duplicate: report.duplicate,
        secret: report.secret,
        reason: report.reason,
        customer: report.customer,
        events: report.events,
        kept: report.kept,
        unresolved: report.unresolved,
        ms: Math.round(performance.now() - started),
      });
      return report.answer;
    };
    if (!checked.check.valid) {
      deps.metrics.refused(checked.check.reason === 'missing' ? 'unsigned' : 'bad-signature');
      const answer = { status: 401, body: { error: `invalid signature: ${checked.check.reason}` } };
      return finish({
        answer,
        verified: false,
        duplicate: false,
        events: NO_EVENTS,
        kept: 0,
        status: 401,
        reason: checked.check.detail,
      });
    }
    const secret = deps.ring.label(checked.check.secretIndex);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      deps.metrics.refused('malformed');
      const answer = { status: 400, body: { error: 'the body is not JSON' } };
      return finish({
        answer,
        verified: true,
        duplicate: false,
        secret,
        events: NO_EVENTS,
        kept: 0,
        status: 400,
        reason: 'the body is not JSON',
      });
    }
    const signed = answerHeaders(checked, secrets);
    const id = dedupeKey(checked.v1 ? body : null, raw);
    const known = deps.log.get(id);
    if (known) {
      deps.metrics.received(protocol, true);
      deps.metrics.acknowledged((performance.now() - started) / 1000);
      const answer = { status: 200, body: ACCEPTED, headers: signed };
      return finish({
        answer,
        verified: true,
        duplicate: true,
        secret,
        type: known.type,
        events: NO_EVENTS,
        kept: 0,
        status: 200,
      });
    }
    const running = inFlight.get(id);
    const work = running ?? keep(deps, id, { v1: checked.v1, event: header(req, EVENT_HEADER), body });
    if (!running) {
      inFlight.set(id, work);
      void work.finally(() => inFlight.delete(id));
    }
    const kept = await work;
    const ok = kept.status === 200;
    if (ok) {
      deps.metrics.received(protocol, Boolean(running));
      deps.metrics.acknowledged((performance.now() - started) / 1000);
    }
    const answer = ok ? { status: 200, body: kept.answer.body, headers: signed } : kept.answer;
    return finish({
      answer,
      verified: true,
      duplicate: Boolean(running),
      secret,
      type: kept.type,
      customer: kept.customer,
      events: kept.events,
      kept: kept.kept,
      unresolved: kept.unresolved,
      status: kept.status,
      reason: kept.reason,
    });
  };
}

/** Translate, commit, record: the 2xx, or why not. Never rejects. */
async function keep(
  deps: AcceptDeps,
  id: string,
  delivery: { v1: boolean; event: string | undefined; body: unknown },
): Promise<Kept> {
  let translation: Translation;
  try {
    translation = await deps.translate(delivery);
  } catch (error) {
    if (error instanceof MalformedDeliveryError) {
      deps.metrics.refused('malformed');
      return {
        answer: { status: 400, body: { error: `the delivery is malformed: ${error.message}` } },
        events: NO_EVENTS,
        kept: 0,
        status: 400,
        reason: error.message,
      };
    }
    deps.metrics.refused('unavailable');
    const why = error instanceof CliError ? error.message : String(error);
    return {
      answer: { status: 503, body: { error: 'the customer’s breaches could not be read; retry' } },
      events: NO_EVENTS,
      kept: 0,
      status: 503,
      reason: `reading the customer’s breaches: ${why}`,
    };
  }
  const at = deps.now().toISOString();
  const events = translation.facts.map((f) => bookEvent(deps.partnerId, f, at));
  const keys = events.map((e) => e.key);
  const type = translation.type;
  const customer = translation.reference ?? undefined;
  const unresolved = translation.unresolved.length ? translation.unresolved : undefined;
  let kept = 0;
  try {
    if (events.length) kept = await deps.committer.commit(events, `d:${id}`);
  } catch (error) {
    deps.metrics.refused('unavailable');
    return {
      answer: { status: 503, body: { error: 'the events could not be kept; retry' }, headers: { 'retry-after': '30' } },
      type,
      customer,
      events: keys,
      kept: 0,
      unresolved,
      status: 503,
      reason: error instanceof Error ? error.message : String(error),
    };
  }
  deps.log.add({ id, at, type, items: kept });
  if (kept) deps.kept(events);
  return { answer: { status: 200, body: ACCEPTED }, type, customer, events: keys, kept, unresolved, status: 200 };
}
