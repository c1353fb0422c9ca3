/**
 * `safeweb notify test NAME`: one sample message, labelled as a test in every channel, sent as the
 * channel's real messages are (same rendering, same secret, same engine), and the channel's answer
 * printed. PagerDuty gets the trigger and then its resolve, so no test incident stays open.
 * --dry-run prints the rendered sample instead, and reads no secret.
 */
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { bookEvent, type BookEvent } from '../../findings/event.js';
import { info, lines, pairs, success, type Outcome } from '../../outcome.js';
import { render, send, shown, templatesFor, type Rendered } from '../../notify/channels.js';
import { notifyHttp, type Ack } from '../../notify/http.js';
import { messageId } from '../../notify/message-id.js';
import { keyOf, type EventContext } from '../../notify/notice.js';
import { channelNamed, readChannels } from './settings.js';

export interface NotifyTestOptions {
  name: string;
  /** Email: send the sample to this address instead of the channel's recipients. */
  redirectTo?: string | undefined;
  /** Print the rendered sample and send nothing (the secret is not read). */
  dryRun?: boolean | undefined;
}

/** A breach no customer has: the same finding every time (a test page dedupes into one incident). */
function sampleEvent(partnerId: string, now: Date): BookEvent {
  return bookEvent(
    partnerId,
    {
      type: 'breach.new',
      reference: 'SAFEWEB-TEST',
      customerId: null,
      breachId: '00000000-0000-4000-8000-000000000000',
      breachName: 'Sample breach (a test of this channel)',
      breachDate: now.toISOString().slice(0, 10),
      emails: ['someone@example.com'],
    },
    now.toISOString(),
  );
}

const SAMPLE_CONTEXT: EventContext = {
  customerName: 'Sample Customer Ltd',
  band: 'high',
  threatScore: 70,
  dataClasses: ['Email addresses', 'Passwords'],
};

export async function runNotifyTest(opts: NotifyTestOptions, ctx: Context): Promise<Outcome> {
  const channels = await readChannels(ctx);
  const channel = channelNamed(channels, opts.name);
  if (opts.redirectTo !== undefined) checkRedirect(opts.redirectTo, channel.kind);
  const { partnerId } = await ctx.account();
  const now = ctx.now();
  const event = sampleEvent(partnerId, now);
  const rendered = render(channel, event, {
    test: true,
    context: () => SAMPLE_CONTEXT,
    templates: await templatesFor(channel),
  });
  const id = messageId({ key: keyOf(event), route: 'notify-test', kind: event.type, occurrence: now.toISOString() });
  if (opts.dryRun) {
    const payload = shown(rendered);
    return {
      data: { channel: opts.name, kind: channel.kind, messageId: id, key: keyOf(event), payload },
      view: lines(JSON.stringify(payload, null, 2)),
      notes: [info(`Nothing was sent: this is what the ${channel.kind} channel "${opts.name}" would get.`)],
    };
  }
  const secretName = 'secret' in channel ? channel.secret : undefined;
  const secret = secretName ? await ctx.secret(secretName) : undefined;
  const http = notifyHttp({
    env: ctx.env,
    timeoutMs: ctx.globals.timeout,
    retries: ctx.globals.retries,
    trace: ctx.globals.debug ? (line) => ctx.debug(line) : undefined,
    secrets: secret ? [secret] : [],
  });
  const deps = { http, secret, now, test: true, email: { redirectTo: opts.redirectTo } };
  const sent: Array<{ message: string; ack: Ack }> = [];
  const messages: Array<[string, Rendered]> = [['sample', rendered]];
  if (channel.kind === 'pagerduty')
    messages.push(['resolve', { kind: 'pagerduty', payload: { event_action: 'resolve', dedup_key: keyOf(event) } }]);
  for (const [message, body] of messages) {
    const outcome = await send(channel, body, { ...deps, messageId: id });
    if (!outcome.ok) throw outcome.cause;
    sent.push({ message, ack: outcome.ack });
  }
  const answer = (ack: Ack) =>
    `${ack.status} ${typeof ack.answer === 'string' ? ack.answer : JSON.stringify(ack.answer)}`.trim();
  return {
    data: { channel: opts.name, kind: channel.kind, messageId: id, key: keyOf(event), sent },
    view: pairs([
      ['Channel', 'channel', opts.name],
      ['Kind', 'kind', channel.kind],
      ['Message ID', 'messageId', id],
      ['Finding key', 'key', keyOf(event)],
      ...sent.map((s): [string, string, string] => [
        sent.length > 1 ? `Answer (${s.message})` : 'Answer',
        `answer`,
        answer(s.ack),
      ]),
    ]),
    notes: [success(`Sent a test message to the ${channel.kind} channel "${opts.name}".`)],
  };
}

function checkRedirect(address: string, kind: string): void {
  if (kind !== 'email') throw new UsageError(`--redirect-to is for email channels; this one is ${kind}`);
  if (!/^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$/.test(address))
    throw new UsageError(`--redirect-to ${address} is not an email address`);
}
