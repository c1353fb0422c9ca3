/**
 * PagerDuty's Events API v2: a `trigger` for what needs someone (a breach new or open again, a band
 * change, a customer that could not be checked), a `resolve` when the breach is resolved or gone,
 * both with `dedup_key` = the finding's key, so the incident a breach opened closes itself when it
 * is resolved and a retry never opens a second one. Severity by the customer's band. The events
 * URL is the region's (US or EU) unless the channel names its own.
 *
 * The routing key is the secret: it is added by the sender, never part of a rendered body (which
 * `--dry-run` prints).
 */
import type { BookEvent } from '../findings/event.js';
import { channelUrl, post, type NotifyHttp, type SendOutcome } from './http.js';
import { clean, notice, type Band, type MaskSetting, type RenderOptions } from './notice.js';

const PAGERDUTY_URLS = {
  us: 'https://events.pagerduty.com/v2/enqueue',
  eu: 'https://events.eu.pagerduty.com/v2/enqueue',
} as const;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export const SEVERITY: Record<Band, PagerDutySeverity> = {
  critical: 'critical',
  high: 'error',
  moderate: 'warning',
  low: 'info',
};

/** An Events v2 event without its routing key. */
export type PagerDutyEvent =
  | {
      event_action: 'trigger';
      dedup_key: string;
      payload: {
        summary: string;
        source: string;
        severity: PagerDutySeverity;
        timestamp: string;
        component?: string;
        group: string;
        class: string;
        custom_details: Record<string, string>;
      };
      client: string;
    }
  | { event_action: 'resolve'; dedup_key: string };

/** The channel settings PagerDuty reads besides masking. */
export interface PagerDutySettings extends MaskSetting {
  region?: 'us' | 'eu' | undefined;
  url?: string | undefined;
}

const SUMMARY_MAX = 1024;
const RESOLVING = new Set(['breach.resolved', 'breach.removed']);

/** The event PagerDuty gets for one book event (PagerDuty takes one event at a time: no digests). */
export function renderPagerDuty(event: BookEvent, settings: MaskSetting, options: RenderOptions = {}): PagerDutyEvent {
  const n = notice(event, settings, options);
  if (RESOLVING.has(event.type) && !options.test) return { event_action: 'resolve', dedup_key: n.key };
  const urgent = event.type === 'breach.new' || event.type === 'breach.unresolved';
  const severity = options.test ? 'info' : n.band ? SEVERITY[n.band] : urgent ? 'error' : 'info';
  return {
    event_action: 'trigger',
    dedup_key: n.key,
    payload: {
      summary: clean(n.title, SUMMARY_MAX),
      source: clean(n.event.reference, 255),
      severity,
      timestamp: event.at,
      ...(n.event.breachName === undefined ? {} : { component: clean(n.event.breachName) }),
      group: clean(n.event.reference, 255),
      class: event.type,
      custom_details: Object.fromEntries(n.facts.map((f) => [f.label, f.value])),
    },
    client: 'safeweb',
  };
}

/** Where the channel's events go: its own URL, else its region's. */
export function pagerDutyUrl(settings: PagerDutySettings): URL {
  return channelUrl(settings.url ?? PAGERDUTY_URLS[settings.region ?? 'us'], 'the PagerDuty events URL');
}

/** Sends one event with the routing key (the secret). PagerDuty dedupes by dedup_key: any failure may be retried. */
export async function sendPagerDuty(
  http: NotifyHttp,
  settings: PagerDutySettings,
  routingKey: string,
  event: PagerDutyEvent,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<SendOutcome> {
  const url = pagerDutyUrl(settings);
  return post(http, {
    url,
    shownUrl: url,
    body: JSON.stringify({ routing_key: routingKey, ...event }),
    farSide: 'PagerDuty',
    dedupes: true,
    signal: options.signal,
  });
}
