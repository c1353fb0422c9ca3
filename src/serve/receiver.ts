/**
 * `safeweb serve`, put together: one receiver per account (the run lock `serve:receiver`), its
 * secrets, the HTTP side, the outbox every accepted event is committed to before its answer, the
 * router that feeds the sinks, the catch-up pass, the status file and the metrics. It runs until
 * the stop signal; then it stops accepting, lets what is in flight finish (or persists it) within
 * the drain time, and returns. Everything it needs from the run (credentials, settings, the PSA
 * connections, where to say things) comes in `ReceiverDeps`: this module never sees the Context.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiClient } from '../api/client.js';
import type { BulkRun } from '../bulk/runner.js';
import type { Integrations } from '../config/integrations.js';
import { readCustomerBreaches } from '../customers/reads.js';
import { readRecord, recordPath } from '../customers/local-record.js';
import { UnavailableError } from '../errors.js';
import type { BookEvent } from '../findings/event.js';
import { DEFAULT_RETAIN_MS, Outbox, summarize } from '../findings/outbox.js';
import { channelOfSink, eventSinks } from '../findings/sinks.js';
import { digestHold } from '../notify/plan.js';
import { accountFile } from '../io/account-files.js';
import { ensurePrivateDir } from '../io/private-dir.js';
import type { Band } from '../portfolio/exposure.js';
import { readWatchState } from '../portfolio/watch-state.js';
import type { PlanSource } from '../psa/session.js';
import { holdingRunLock } from '../safety/run-lock.js';
import { accepter, type DeliveryReport } from './accept.js';
import { catchUp, savedBands, type CatchUpResult } from './catch-up.js';
import { Committer } from './committer.js';
import { DeliveryLog } from './deliveries.js';
import { createMetrics, type Metrics } from './metrics.js';
import { psaHandler } from './psa-sink.js';
import { quietRun } from './quiet-run.js';
import { Router, SinkRegistry } from './router.js';
import { SecretRing, type SecretSources } from './secrets.js';
import { listen, type Answer, type Listening } from './server.js';
import { statusFile, writeServeStatus, type ServeStatus } from './status.js';
import { translate } from './translate.js';

export interface ReceiverOptions {
  host: string;
  port: number;
  path: string;
  adminPort?: number | undefined;
  maxBodyBytes: number;
  drainMs: number;
  reconcileMs: number;
  /** YYYY-MM-DD: the first catch-up routes breaches dated from it instead of taking a baseline. */
  catchUpFrom?: string | undefined;
  /** Creates a catch-up pass may cause per PSA sync. */
  maxCreates: number;
  /** The catch-up's state file; default `<configDir>/serve/<account>.state.json`. */
  state?: string | undefined;
}

export interface ReceiverDeps {
  configDir: string;
  account: string;
  partnerId: string;
  secrets: SecretSources;
  now(): Date;
  api(): Promise<ApiClient>;
  bulkApi: BulkRun['bulkApi'];
  settings(): Promise<Integrations>;
  psa: {
    source(connection: string): Promise<PlanSource>;
    locked<T>(connection: string, fn: () => Promise<T>): Promise<T>;
  };
  /**
   * Sends what the outbox holds for notify sinks (notify/run.ts `sendDue`, under the notify-send
   * lock): how many messages were acknowledged and how many failed.
   */
  notify?:
    ((outbox: Outbox, sinks: string[], signal: AbortSignal) => Promise<{ acked: number; failed: number }>) | undefined;
  /** Each secret value, the moment it is read: the run hides it from every line it writes. */
  hold(value: string): void;
  /** One line per delivery (the NDJSON of --json). */
  delivery(report: DeliveryReport): void;
  info(text: string): void;
  warn(text: string): void;
  /** Resolves with the signal that stops the receiver. */
  stopped: Promise<NodeJS.Signals>;
  /** Resolves with the next SIGHUP (asked again after each). */
  hangup(): Promise<NodeJS.Signals>;
  /** Called once it listens (tests and `serve check` wait for it). */
  listening?: ((where: { url: string; adminUrl: string }) => void) | undefined;
}

export interface ReceiverSummary {
  signal: NodeJS.Signals;
  url: string;
  accepted: number;
  refused: number;
  /** The drain ran out of time with requests or a sync still in flight. */
  cutShort: boolean;
}

const STATUS_EVERY_MS = 15_000;
/** How often the receiver compacts its outbox (after a catch-up pass): the journal and its fold stay bounded. */
const COMPACT_EVERY_MS = 86_400_000;

/** The receiver's run: holds the account's `serve:receiver` lock from start to end. */
export function runReceiver(options: ReceiverOptions, deps: ReceiverDeps): Promise<ReceiverSummary> {
  return holdingRunLock({ configDir: deps.configDir, account: deps.account, kind: 'serve:receiver' }, () =>
    serve(options, deps),
  );
}

interface Parts {
  ring: SecretRing;
  registry: SinkRegistry;
  sinksOf(event: BookEvent): readonly string[];
  outbox: Outbox;
  log: DeliveryLog;
  metrics: Metrics;
  router: Router;
  committer: Committer;
  abort: AbortController;
  settings: { current: Integrations };
  bands: Map<string, Band>;
  status: ServeStatus;
  statusFile: string;
  failedWrite: { at: string; error: string } | undefined;
}

async function serve(options: ReceiverOptions, deps: ReceiverDeps): Promise<ReceiverSummary> {
  const parts = await assemble(options, deps);
  let server: Listening;
  try {
    server = await startServer(options, deps, parts);
  } catch (error) {
    parts.log.close();
    await parts.outbox.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' || (error as NodeJS.ErrnoException).code === 'EACCES')
      throw new UnavailableError(
        `cannot listen on ${options.host}:${options.port}${options.adminPort !== undefined ? ` (or admin port ${options.adminPort})` : ''}: ${(error as Error).message}`,
        undefined,
        'Pick another with --port (and --admin-port), or stop what holds it.',
      );
    throw error;
  }
  Object.assign(parts.status, { url: server.url, adminUrl: server.adminUrl });
  saveStatus(parts);
  deps.info(
    `Receiving SafeWeb deliveries on ${server.url} (${parts.ring.values.length} secret(s): ` +
      `${parts.ring.values.map((_, i) => parts.ring.label(i)).join(', ')}); health on ${server.adminUrl}/healthz.`,
  );
  deps.listening?.({ url: server.url, adminUrl: server.adminUrl });
  parts.router.start();
  // What doctor reads stays current (the counts, the last delivery) without a write per delivery.
  const ticker = setInterval(() => saveStatus(parts), STATUS_EVERY_MS);
  ticker.unref();
  const reconcile = catchUpLoop(options, deps, parts);
  const hangups = reloadOnHangup(deps, parts);
  const signal = await deps.stopped;
  deps.info(`${signal}: no new deliveries; finishing what is in flight (at most ${options.drainMs / 1000} s)…`);
  const cutShort = await drain(options, server, parts, [reconcile, hangups]);
  clearInterval(ticker);
  parts.status.state = 'stopped';
  saveStatus(parts);
  parts.log.close();
  await parts.outbox.close();
  return {
    signal,
    url: server.url,
    accepted: parts.status.accepted,
    refused: parts.status.refused,
    cutShort,
  };
}

/** Secrets, settings, outbox, delivery log, metrics, router: everything but the listening socket. */
async function assemble(options: ReceiverOptions, deps: ReceiverDeps): Promise<Parts> {
  const { ring, problems } = await SecretRing.open(deps.secrets);
  ring.values.forEach((v) => deps.hold(v));
  for (const p of problems) deps.warn(`a secret could not be read: ${p}`);
  const settings = { current: await deps.settings() };
  const outbox = new Outbox({
    configDir: deps.configDir,
    account: deps.account,
    now: deps.now,
    command: 'safeweb serve',
    // An answer is due within 2 s: waiting longer for the lock is a 503 SafeWeb retries.
    lockWaitMs: 1500,
    // One receiver per account (the run lock): it keeps the outbox's lock between its commits and
    // lets go whenever another process (outbox drop, notify send, psa sync) asks for it.
    keepLock: true,
  });
  // The outbox holds the events: a replay is recognised there too (same occurrence), so this is only said.
  const log = DeliveryLog.open(deps.configDir, deps.account, deps.now(), (error) =>
    deps.warn(`the delivery log could not be written (${error.message}); the events are in the outbox`),
  );
  const metrics = await createMetrics(() => summarize(outbox.read(), deps.now()));
  const abort = new AbortController();
  const run = quietRun(deps.bulkApi, abort.signal, (tone, text) => (tone === 'warn' ? deps.warn : deps.info)(text));
  const registry = new SinkRegistry().register(
    'psa',
    psaHandler({ ...deps.psa, run, maxCreates: options.maxCreates, concurrency: 4, now: deps.now }),
  );
  const notify = deps.notify;
  if (notify) registry.register('notify', { route: (sink, _due, box, signal) => notify(box, [sink], signal) });
  const router = new Router({
    outbox,
    registry,
    metrics,
    now: deps.now,
    info: deps.info,
    warn: deps.warn,
    intervalMs: 5000,
  });
  const state = stateFile(options, deps);
  const bands = savedBands(readWatchState(state, deps.account));
  const sinksOf = (e: BookEvent) => eventSinks(settings.current, e, bandOf(bands, e));
  const now = deps.now().toISOString();
  const status: ServeStatus = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: now,
    updatedAt: now,
    state: 'running',
    url: '',
    adminUrl: '',
    secrets: ring.values.length,
    accepted: 0,
    refused: 0,
    lastDelivery: null,
    lastCatchUp: null,
  };
  const file = statusFile(deps.configDir, deps.account);
  // An event every route to a channel gathers into a digest waits for that channel until the
  // window ends: no routing pass plans it, nor writes a line for it, before then.
  const committer = new Committer(outbox, sinksOf, deps.now, undefined, digestWaits(settings));
  return {
    ring,
    registry,
    sinksOf,
    outbox,
    log,
    metrics,
    router,
    committer,
    abort,
    settings,
    bands,
    status,
    statusFile: file,
    failedWrite: undefined,
  };
}

/** The wait `digestHold` says of a notification sink, worked out once per channel and time (a group commit's events share both). */
function digestWaits(settings: { current: Integrations }) {
  let last:
    { sink: string; at: number; settings: Integrations; wait: { until: Date; reason: string } | undefined } | undefined;
  return (_event: BookEvent, sink: string, at: Date) => {
    if (last?.sink !== sink || last.at !== at.getTime() || last.settings !== settings.current) {
      const channel = channelOfSink(sink);
      const until = channel === undefined ? undefined : digestHold(settings.current, channel, at);
      last = { sink, at: at.getTime(), settings: settings.current, wait: until && { until, reason: 'digest' } };
    }
    return last.wait;
  };
}

function bandOf(bands: Map<string, Band>, e: BookEvent): Band | null {
  return (e.customerId !== null ? bands.get(e.customerId) : undefined) ?? null;
}

function stateFile(options: ReceiverOptions, deps: ReceiverDeps): string {
  return (
    options.state ?? accountFile(path.join(deps.configDir, 'serve'), deps.account, '.state.json', 'receiver state')
  );
}

function saveStatus(parts: Parts): void {
  parts.status.updatedAt = new Date().toISOString();
  try {
    writeServeStatus(parts.statusFile, parts.status);
  } catch {
    /* the status is for doctor; a full disk shows in /readyz and in the answers */
  }
}

async function startServer(options: ReceiverOptions, deps: ReceiverDeps, parts: Parts): Promise<Listening> {
  const customers = customerIndex(deps);
  const accept = accepter({
    ring: parts.ring,
    partnerId: deps.partnerId,
    translate: (delivery) =>
      translate(delivery, {
        customer: (id) => customers().get(id.toLowerCase()),
        breaches: async (id) => readCustomerBreaches(await deps.api(), id),
      }),
    committer: parts.committer,
    log: parts.log,
    metrics: parts.metrics,
    now: deps.now,
    report: (report) => {
      if (report.status === 200) {
        parts.status.accepted++;
        parts.status.lastDelivery = report.receivedAt;
        parts.failedWrite = undefined;
      } else parts.status.refused++;
      if (report.status === 503) parts.failedWrite = { at: report.receivedAt, error: report.reason ?? '' };
      deps.delivery(report);
    },
    // A pass soon (one per burst): it looks only at the sinks that have a handler, through the
    // outbox's index, so a delivery for a sink without one costs it next to nothing.
    kept: () => parts.router.kick(),
  });
  return listen({
    host: options.host,
    port: options.port,
    path: options.path,
    adminPort: options.adminPort,
    maxBody: options.maxBodyBytes,
    deliver: accept,
    refused: (reason) => {
      parts.metrics.refused(reason);
      parts.status.refused++;
    },
    admin: {
      healthz: () => ({ status: 200, body: { ok: true } }),
      readyz: () => readiness(parts),
      metrics: async (): Promise<Answer> => ({
        status: 200,
        body: await parts.metrics.text(),
        headers: { 'content-type': parts.metrics.contentType },
      }),
    },
  });
}

type CustomerIndex = Map<string, { reference: string; customerId: string }>;

/** How long the record's customers are used before the file is looked at again. */
const RECORD_CHECK_MS = 250;

/**
 * The local record's customers by ID, read again only when the record changed (a `customer
 * import` beside the receiver): not once per delivery. Whether it changed is looked at (a stat)
 * at most every RECORD_CHECK_MS, not for each delivery of a burst: a customer imported that
 * moment is as new to SafeWeb's deliveries as to the record, which is written after SafeWeb
 * answered the onboarding anyway.
 */
function customerIndex(deps: ReceiverDeps): () => CustomerIndex {
  const file = recordPath(deps.configDir, deps.account);
  let seen: { stamp: string; index: CustomerIndex; checked: number } | undefined;
  return () => {
    const now = performance.now();
    if (seen && now - seen.checked < RECORD_CHECK_MS) return seen.index;
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    const stamp = stat ? `${stat.ino}:${stat.size}:${stat.mtimeMs}` : 'none';
    if (seen?.stamp === stamp) {
      seen.checked = now;
      return seen.index;
    }
    const index: CustomerIndex = new Map();
    for (const c of readRecord(deps.configDir, deps.account).customers)
      if (c.id) index.set(c.id.toLowerCase(), { reference: c.reference, customerId: c.id });
    seen = { stamp, index, checked: now };
    return index;
  };
}

/** Ready: the outbox can be written and the instance lock is held (runReceiver holds it throughout). */
function readiness(parts: Parts): Answer {
  const dir = path.dirname(parts.outbox.file);
  try {
    ensurePrivateDir(dir, 'outbox');
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    return {
      status: 503,
      body: { ready: false, reason: `the outbox directory is not writable: ${(error as Error).message}` },
    };
  }
  if (parts.failedWrite)
    return {
      status: 503,
      body: { ready: false, reason: `the last delivery could not be kept (${parts.failedWrite.at})` },
    };
  return { status: 200, body: { ready: true, lock: 'held', secrets: parts.ring.values.length } };
}

/** The first catch-up at once, then one every --reconcile; each kicks the router. */
async function catchUpLoop(options: ReceiverOptions, deps: ReceiverDeps, parts: Parts): Promise<void> {
  const run = quietRun(deps.bulkApi, parts.abort.signal, (tone, text) =>
    (tone === 'warn' ? deps.warn : deps.info)(text),
  );
  const state = stateFile(options, deps);
  let first = true;
  let compacted = -Infinity;
  while (!parts.abort.signal.aborted) {
    let result: CatchUpResult | undefined;
    try {
      result = await catchUp({
        run,
        configDir: deps.configDir,
        account: deps.account,
        partnerId: deps.partnerId,
        state,
        outbox: parts.outbox,
        sinksOf: (e, band) => eventSinks(parts.settings.current, e, band),
        from: first ? options.catchUpFrom : undefined,
        concurrency: 4,
        now: deps.now,
      });
    } catch (error) {
      deps.warn(`catch-up failed: ${(error as Error).message}; the next one is in ${options.reconcileMs / 1000} s`);
    }
    if (result && !result.interrupted) {
      first = false;
      for (const [id, band] of savedBands(readWatchState(state, deps.account))) parts.bands.set(id, band);
      parts.status.lastCatchUp = {
        at: deps.now().toISOString(),
        read: result.read,
        enqueued: result.enqueued,
        failed: result.failed,
      };
      saveStatus(parts);
      deps.info(
        result.baseline
          ? `Catch-up: baseline of ${result.read} customers taken; changes from now on are routed.`
          : `Catch-up: ${result.read} customers read, ${result.found} changes, ${result.enqueued} new to the outbox` +
              `${result.failed ? `, ${result.failed} could not be read` : ''}.`,
      );
      parts.committer.saw(result.events);
      if (result.enqueued) parts.router.kick();
    }
    if (!parts.abort.signal.aborted && Date.now() - compacted >= COMPACT_EVERY_MS) {
      compacted = Date.now();
      await compactOutbox(deps, parts);
    }
    await sleep(options.reconcileMs, parts.abort.signal);
  }
}

/**
 * The outbox without what every sink finished longer ago than `outbox compact`'s retention (90
 * days): a receiver runs for months, and its outbox (on disk, and folded in its memory) would
 * otherwise hold every event it ever took. Once a day, after a catch-up pass; it rewrites the
 * journal only when there is something to leave out (deliveries wait meanwhile: how long it took
 * is said). A dropped item's tombstone is kept for the retention too: nobody asked for this one.
 */
async function compactOutbox(deps: ReceiverDeps, parts: Parts): Promise<void> {
  try {
    const started = performance.now();
    const { removed, kept } = await parts.outbox.compact(DEFAULT_RETAIN_MS, deps.now(), { keepRecentDrops: true });
    if (removed)
      deps.info(
        `Outbox compacted: ${removed} item(s) finished or dropped over 90 days ago left out, ${kept} kept ` +
          `(${Math.round(performance.now() - started)} ms).`,
      );
  } catch (error) {
    deps.warn(`the outbox could not be compacted: ${(error as Error).message}; it is tried again tomorrow`);
  }
}

/** Resolves after `ms`, or when `signal` aborts: at once when it already has (a stop during the pass before it). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Each SIGHUP: the secrets and the integration settings read again. */
async function reloadOnHangup(deps: ReceiverDeps, parts: Parts): Promise<void> {
  const stopped = new Promise<'stop'>((resolve) => parts.abort.signal.addEventListener('abort', () => resolve('stop')));
  let next = deps.hangup();
  for (;;) {
    const got = await Promise.race([next, stopped]);
    // A harness that answers every wait with its one stop signal is not a SIGHUP.
    if (got !== 'SIGHUP') return;
    next = deps.hangup();
    const { count, kept, problems } = await parts.ring.reload();
    parts.ring.values.forEach((v) => deps.hold(v));
    for (const p of problems) deps.warn(`a secret could not be read: ${p}`);
    try {
      parts.settings.current = await deps.settings();
    } catch (error) {
      deps.warn(`the integration settings could not be read again (${(error as Error).message}); the old ones stay`);
    }
    parts.status.secrets = count;
    saveStatus(parts);
    deps.info(
      kept
        ? `SIGHUP: no secret could be read; the ${count} held stay in use.`
        : `SIGHUP: secrets read again (${count}: ${parts.ring.values.map((_, i) => parts.ring.label(i)).join(', ')}).`,
    );
  }
}

/** Stop accepting, let the requests in flight end, then the router and the catch-up; true when time ran out. */
async function drain(
  options: ReceiverOptions,
  server: Listening,
  parts: Parts,
  loops: Promise<void>[],
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const out = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), options.drainMs)));
  const settle = (async () => {
    await server.drain();
    await parts.committer.idle();
    parts.abort.abort();
    await parts.router.stop();
    await Promise.all(loops);
  })();
  const late = (await Promise.race([settle.then(() => 'done' as const), out])) === 'late';
  clearTimeout(timer);
  parts.abort.abort();
  await server.close();
  return late;
}
