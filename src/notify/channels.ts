/**
 * The channels behind one door: render a message for a channel's settings, and send what was
 * rendered with the channel's secret. `notify test` uses it, and so does the sink runner: render
 * (what `--dry-run` prints; it never holds a secret), then send, then record the outcome in the
 * outbox (`attemptOutcome`).
 */
import type { Channel } from '../config/integrations.js';
import type { BookEvent } from '../findings/event.js';
import { loadTemplates, type EmailTemplates } from './email-templates.js';
import { renderEmail, sendEmail, type EmailMessage } from './email.js';
import type { NotifyHttp, SendOutcome } from './http.js';
import { eventList, type RenderOptions } from './notice.js';
import { renderPagerDuty, sendPagerDuty, type PagerDutyEvent } from './pagerduty.js';
import { renderSlack, sendSlack, type SlackPayload } from './slack.js';
import { renderTeams, sendTeams, type TeamsPayload } from './teams.js';
import { renderWebhook, sendWebhook, type WebhookPayload } from './webhook.js';

export type ChannelKind = Channel['kind'];

/** Which kinds take a digest (several events in one message); PagerDuty takes one event at a time. */
export const TAKES_DIGEST: Record<ChannelKind, boolean> = {
  teams: true,
  slack: true,
  pagerduty: false,
  webhook: true,
  email: true,
};

/** A message rendered for one channel: exactly what is sent, less the channel's secret. */
export type Rendered =
  | { kind: 'teams'; payload: TeamsPayload }
  | { kind: 'slack'; payload: SlackPayload }
  | { kind: 'pagerduty'; payload: PagerDutyEvent }
  | { kind: 'webhook'; payload: WebhookPayload }
  | { kind: 'email'; payload: EmailMessage };

/** The channel's email templates, when it names a directory of them (read and checked: exit 2 on a problem). */
export async function templatesFor(channel: Channel): Promise<EmailTemplates | undefined> {
  return channel.kind === 'email' && channel.templates ? loadTemplates(channel.templates) : undefined;
}

/**
 * The message for `events` on this channel: one event, or a digest of several where the kind
 * takes one (TAKES_DIGEST).
 */
export function render(
  channel: Channel,
  events: BookEvent | readonly BookEvent[],
  options: RenderOptions & { templates?: EmailTemplates | undefined } = {},
): Rendered {
  if (!TAKES_DIGEST[channel.kind] && eventList(events).length !== 1)
    throw new TypeError(`a ${channel.kind} channel takes one event at a time: no digest`);
  switch (channel.kind) {
    case 'teams':
      return { kind: 'teams', payload: renderTeams(events, channel, options) };
    case 'slack':
      return { kind: 'slack', payload: renderSlack(events, channel, options) };
    case 'pagerduty':
      return { kind: 'pagerduty', payload: renderPagerDuty(eventList(events)[0]!, channel, options) };
    case 'webhook':
      return { kind: 'webhook', payload: renderWebhook(events, channel, options) };
    case 'email':
      return { kind: 'email', payload: renderEmail(events, channel, options) };
  }
}

/** What a dry run shows of a rendered message: the body as sent (a webhook's parsed back into JSON). */
export function shown(rendered: Rendered): unknown {
  return rendered.kind === 'webhook' ? (JSON.parse(rendered.payload.body) as unknown) : rendered.payload;
}

export interface SendDeps {
  http: NotifyHttp;
  /** The channel's secret, read from the secret store: the URL (Teams, Slack), routing key, signing secret, SMTP password. */
  secret: string | undefined;
  /** The message's ID (message-id.ts). */
  messageId: string;
  now: Date;
  test?: boolean | undefined;
  /** Email: the recipients (else the channel's), a rehearsal's one address, extra trusted CAs. */
  email?: { to?: readonly string[] | undefined; redirectTo?: string | undefined; ca?: string | Buffer | undefined };
  signal?: AbortSignal | undefined;
}

/** Sends a rendered message on its channel; a failure is an outcome, never a throw. */
export async function send(channel: Channel, rendered: Rendered, deps: SendDeps): Promise<SendOutcome> {
  const signal = { signal: deps.signal };
  if (channel.kind !== rendered.kind)
    throw new TypeError(`a ${rendered.kind} message cannot go to a ${channel.kind} channel`);
  switch (rendered.kind) {
    case 'teams':
      return sendTeams(deps.http, need(deps.secret, channel), rendered.payload, signal);
    case 'slack':
      return sendSlack(deps.http, need(deps.secret, channel), rendered.payload, signal);
    case 'pagerduty':
      return sendPagerDuty(
        deps.http,
        channel as Extract<Channel, { kind: 'pagerduty' }>,
        need(deps.secret, channel),
        rendered.payload,
        signal,
      );
    case 'webhook':
      return sendWebhook(deps.http, channel as Extract<Channel, { kind: 'webhook' }>, deps.secret, rendered.payload, {
        messageId: deps.messageId,
        now: deps.now,
        test: deps.test,
        ...signal,
      });
    case 'email':
      return sendEmail(channel as Extract<Channel, { kind: 'email' }>, deps.secret, rendered.payload, {
        messageId: deps.messageId,
        to: deps.email?.to,
        redirectTo: deps.email?.redirectTo,
        ca: deps.email?.ca,
        timeoutMs: deps.http.timeoutMs,
      });
  }
}

function need(secret: string | undefined, channel: Channel): string {
  if (secret === undefined)
    throw new TypeError(`a ${channel.kind} channel needs its secret (${'secret' in channel ? channel.secret : ''})`);
  return secret;
}
