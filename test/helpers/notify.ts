/**
 * For the channel tests: book events as `portfolio watch` makes them; a loopback HTTP receiver
 * that records what it is sent and answers as a script of the far side says (Slack's "ok", a
 * Workflow's 202, PagerDuty's JSON, a 429 with Retry-After); and the checks each far side's contract makes: the
 * Adaptive Cards 1.4 schema (Teams), Slack's documented limits, PagerDuty's Events v2 rules.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { setIntegration, type Route } from '../../src/config/integrations.js';
import { bookEvent, type BookEvent, type EventFacts } from '../../src/findings/event.js';
import type { SlackPayload } from '../../src/notify/slack.js';
import type { TeamsPayload } from '../../src/notify/teams.js';
import { ROOT, tempDir } from './cli.js';

const PARTNER = 'partner_notify';
const AT = '2026-12-07T09:30:00.000Z';

/** A breach event of customer NW-001 (or what `facts` says instead). */
export function breachEvent(facts: Partial<EventFacts> = {}): BookEvent {
  return bookEvent(
    PARTNER,
    {
      type: 'breach.new',
      reference: 'NW-001',
      customerId: 'cus_nw001',
      breachId: '7a1c0e4e-5d7b-4c8e-9f36-1f1b2a3c4d5e',
      breachName: 'LinkedIn Scrape 2026',
      breachDate: '2026-11-30',
      emails: ['jane.doe@northwind.example', 'ops@northwind.example'],
      ...facts,
    },
    AT,
  );
}

/**
 * A ticket event: ConnectWise ticket 1042 of NW-001 covering its one breach (or what `facts` and
 * `ticket` say instead; `ticket.findings` of several: a ticket about no one breach).
 */
export function ticketEvent(
  facts: Partial<EventFacts> = {},
  ticket: Partial<NonNullable<EventFacts['ticket']>> = {},
): BookEvent {
  const breach = breachEvent();
  // A ticket of several findings (one per customer) is about no one breach.
  const one = (ticket.findings ?? [breach.finding!]).length === 1;
  return bookEvent(
    PARTNER,
    {
      type: 'ticket.created',
      reference: breach.reference,
      customerId: breach.customerId,
      ...(one ? { breachId: breach.breachId!, breachName: breach.breachName! } : {}),
      ticket: {
        connection: 'cw',
        psa: 'ConnectWise',
        id: 1042,
        key: 'sw:ticket:0123456789abcdef0123456789abcdef',
        findings: [breach.finding!],
        ...ticket,
      },
      ...facts,
    },
    AT,
  );
}

/** `n` distinct breach events (digests). */
export function manyEvents(n: number): BookEvent[] {
  return Array.from({ length: n }, (_, i) =>
    breachEvent({
      reference: `NW-${String(i).padStart(5, '0')}`,
      customerId: `cus_${i}`,
      breachId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      breachName: `Breach number ${i}`,
    }),
  );
}

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** Answer after this long (a far side that takes its time: a kill then finds a message in flight). */
  delayMs?: number;
  /** Answer request `index` only once the promise returned for it settles (a message held in flight). */
  hold?: (index: number) => Promise<void> | undefined;
}

/** A receiver on 127.0.0.1 answering each request with `answer(request, index)`. */
export async function receiver(
  answer: (request: Received, index: number) => Answer,
  options: ReceiverOptions = {},
): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const index = received.length - 1;
      const reply = answer(request, index);
      const respond = () => res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
      const held = options.hold?.(index);
      if (held) void held.then(respond);
      else if (options.delayMs) setTimeout(respond, options.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Channels on loopback for a config directory of the tests' own (a PSA fixture's, a serve test's).

const LOOPBACK_SIGNING_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

export interface LoopbackChannels {
  slack: Receiver;
  hook: Receiver;
  pd: Receiver;
  close(): Promise<void>;
}

/**
 * Slack `chat`, a signed webhook `siem` and PagerDuty `oncall` on loopback, in the integration
 * settings of `target` with these routes, their secrets in SAFEWEB_SECRET_…_FILE files added to its env.
 */
export async function loopbackChannels(
  target: { env: Record<string, string | undefined>; settingsFile: string },
  routes: Route[],
): Promise<LoopbackChannels> {
  const [slack, hook, pd] = await Promise.all([
    receiver(() => ({ status: 200, body: 'ok' })),
    receiver(() => ({ status: 204 })),
    pagerDuty(),
  ]);
  const { dir } = tempDir('safeweb-channels-');
  const secret = (name: string, value: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, value, { mode: 0o600 });
    return file;
  };
  Object.assign(target.env, {
    SAFEWEB_SECRET_NOTIFY_CHAT_FILE: secret('chat', `${slack.url}/services/T0/B0/SECRETPATH`),
    SAFEWEB_SECRET_NOTIFY_SIEM_FILE: secret('siem', LOOPBACK_SIGNING_SECRET),
    SAFEWEB_SECRET_NOTIFY_ONCALL_FILE: secret('oncall', 'R0UT1NGKEY0123456789abcdefABCDEF'),
  });
  await setIntegration(target.settingsFile, ['notify', 'channels'], {
    chat: { kind: 'slack', secret: 'notify/chat' },
    siem: { kind: 'webhook', url: `${hook.url}/in`, secret: 'notify/siem' },
    oncall: { kind: 'pagerduty', secret: 'notify/oncall', url: `${pd.url}/v2/enqueue` },
  });
  await setIntegration(target.settingsFile, ['notify', 'routes'], routes);
  return { slack, hook, pd, close: async () => void (await Promise.all([slack.close(), hook.close(), pd.close()])) };
}

/** What the loopback webhook received, each verified as Standard Webhooks says, as events with their webhook-id. */
export function verifiedEvents(hook: Receiver): Array<BookEvent & { webhookId: string }> {
  return hook.received.map((r) => {
    const headers = {
      'webhook-id': r.headers['webhook-id'] as string,
      'webhook-timestamp': r.headers['webhook-timestamp'] as string,
      'webhook-signature': r.headers['webhook-signature'] as string,
    };
    const event = new Webhook(LOOPBACK_SIGNING_SECRET).verify(r.body, headers) as BookEvent;
    return { ...event, webhookId: headers['webhook-id'] };
  });
}

/** A Slack message's fields, label → text (and the message held to Slack's limits). */
export function slackFields(body: string): Record<string, string> {
  const payload = JSON.parse(body) as SlackPayload;
  expect(slackProblems(payload)).toEqual([]);
  const fields = payload.blocks.flatMap((b) => (b['fields'] as Array<{ text: string }> | undefined) ?? []);
  return Object.fromEntries(fields.map((f) => [f.text.split('\n')[0]!, f.text.split('\n').slice(1).join('\n')]));
}

// Teams: the Adaptive Cards 1.4 schema.

let validate: ValidateFunction | undefined;
export function cardSchema(): ValidateFunction {
  if (validate) return validate;
  const { id, ...schema } = JSON.parse(
    readFileSync(path.join(ROOT, 'test/fixtures/notify/adaptive-card-1.4.json'), 'utf8'),
  ) as Record<string, unknown>;
  // The schema is draft-06 and marks properties with a `version` of its own: not strict.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft06);
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  // draft-06 names the schema's ID `$id`; this file still says `id`.
  return (validate = ajv.compile({ $id: id as string, ...schema }));
}

/** The card as the schema sees it: without Teams' own key. */
export function card(payload: TeamsPayload): Record<string, unknown> {
  const { msteams: _msteams, ...content } = payload.attachments[0]!.content;
  return content;
}

export function expectValidCard(payload: TeamsPayload): void {
  const check = cardSchema();
  const ok = check(card(payload));
  expect(check.errors ?? [], JSON.stringify(check.errors?.slice(0, 3))).toEqual([]);
  expect(ok).toBe(true);
}

// Slack: its documented limits (it publishes no schema).

export type Obj = { type: string; text?: string | Obj; fields?: Obj[]; elements?: Obj[] } & Record<string, unknown>;

/** Every limit Slack documents for what we send; the list of broken ones. */
export function slackProblems(payload: SlackPayload): string[] {
  const found: string[] = [];
  if (typeof payload.text !== 'string' || payload.text.length === 0) found.push('no text fallback');
  if (payload.text.length > 3000) found.push('fallback over 3000');
  const blocks = payload.blocks as Obj[];
  if (blocks.length > 50) found.push(`${blocks.length} blocks`);
  const textOf = (t: unknown): string => ((t as Obj | undefined)?.text as string | undefined) ?? '';
  for (const [i, b] of blocks.entries()) {
    if (b.type === 'header') {
      if ((b.text as Obj).type !== 'plain_text') found.push(`header ${i} not plain_text`);
      const len = textOf(b.text).length;
      if (len < 1 || len > 150) found.push(`header ${i} is ${len}`);
    } else if (b.type === 'section') {
      if (b.text && (textOf(b.text).length < 1 || textOf(b.text).length > 3000)) found.push(`section ${i} text`);
      if (!b.text && !b.fields) found.push(`section ${i} empty`);
      if ((b.fields?.length ?? 0) > 10) found.push(`section ${i} has ${b.fields!.length} fields`);
      for (const f of b.fields ?? []) if (textOf(f).length < 1 || textOf(f).length > 2000) found.push(`field of ${i}`);
    } else if (b.type === 'context') {
      if ((b.elements?.length ?? 0) < 1 || b.elements!.length > 10) found.push(`context ${i} elements`);
      for (const e of b.elements ?? []) if (textOf(e).length > 3000) found.push(`context ${i} text`);
    } else found.push(`block ${i} of type ${b.type}`);
  }
  return found;
}

/** Every string of the payload (block texts and the fallback). */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

// PagerDuty: Events API v2's rules, as its docs state them.

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/** What Events API v2 would refuse of a request body (the routing key included). */
export function pagerDutyProblems(body: Record<string, unknown>): string[] {
  const found: string[] = [];
  const text = JSON.stringify(body);
  if (Buffer.byteLength(text) > 512 * 1024) found.push('body over 512 KB');
  if (typeof body['routing_key'] !== 'string' || body['routing_key'] === '') found.push('no routing_key');
  const action = body['event_action'];
  if (!['trigger', 'acknowledge', 'resolve'].includes(action as string)) found.push(`event_action ${String(action)}`);
  const dedup = body['dedup_key'];
  if (dedup !== undefined && (typeof dedup !== 'string' || dedup.length > 255)) found.push('dedup_key over 255');
  if (action !== 'trigger' && typeof dedup !== 'string') found.push(`${String(action)} without dedup_key`);
  if (action === 'trigger') {
    const payload = body['payload'] as Record<string, unknown> | undefined;
    if (!payload) return [...found, 'trigger without payload'];
    const summary = payload['summary'];
    if (typeof summary !== 'string' || summary.length < 1 || summary.length > 1024) found.push('summary');
    if (typeof payload['source'] !== 'string' || payload['source'] === '') found.push('source');
    if (!SEVERITIES.includes(payload['severity'] as string)) found.push(`severity ${String(payload['severity'])}`);
    const details = payload['custom_details'];
    if (details !== undefined && (typeof details !== 'object' || Array.isArray(details))) found.push('custom_details');
    if (payload['timestamp'] !== undefined && Number.isNaN(Date.parse(payload['timestamp'] as string)))
      found.push('timestamp');
  }
  return found;
}

/**
 * A loopback PagerDuty: 400 for what Events v2 refuses, else 202 as PagerDuty answers, keeping
 * incidents by dedup_key (a trigger opens one unless open, a resolve closes it).
 */
export async function pagerDuty(
  options: { delayMs?: number } = {},
): Promise<Receiver & { incidents: Map<string, 'triggered' | 'resolved'> }> {
  const incidents = new Map<string, 'triggered' | 'resolved'>();
  const r = await receiver((request) => {
    const body = JSON.parse(request.body) as Record<string, unknown>;
    const problems = pagerDutyProblems(body);
    if (problems.length)
      return {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: problems }),
      };
    const key = body['dedup_key'] as string;
    incidents.set(key, body['event_action'] === 'resolve' ? 'resolved' : 'triggered');
    return {
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: key }),
    };
  }, options);
  return Object.assign(r, { incidents });
}

// Email: a plain SMTP server on loopback (a relay on this machine: channels say `insecure: true`).

interface Mail {
  to: string[];
  messageId: string;
  subject: string;
  findingHeader: string;
}

export interface SmtpReceiver {
  port: number;
  delivered: Mail[];
  close(): Promise<void>;
}

/** An SMTP server on 127.0.0.1 without STARTTLS, keeping what it is given (Message-ID, recipients, subject). */
export async function smtpReceiver(): Promise<SmtpReceiver> {
  const [{ SMTPServer }, { simpleParser }] = await Promise.all([import('smtp-server'), import('mailparser')]);
  const delivered: Mail[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((mail) => {
          delivered.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            messageId: mail.messageId ?? '',
            subject: mail.subject ?? '',
            findingHeader: String(mail.headers.get('x-safeweb-finding') ?? ''),
          });
          callback();
        }, callback);
      });
    },
  });
  // A client killed mid-conversation (the kill tests) resets its connection: smtp-server re-emits that as its
  // own 'error', which with no listener is an uncaught exception in the test process.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, delivered, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
