/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): an
 * Adaptive Card 1.4 in the message envelope Workflows reads, under 28 000 bytes (Microsoft says
 * "28 KB" without saying which), a digest cut with "and N more" to fit.
 *
 * Book text is never markup: titles go in TextRuns, which Adaptive Cards never read as Markdown;
 * fact values (which they do) have every Markdown mark escaped. Cards render no HTML.
 */
import type { BookEvent } from '../findings/event.js';
import { channelUrl, originOnly, post, type NotifyHttp, type SendOutcome } from './http.js';
import {
  eventList,
  notice,
  TEST_LABEL,
  TEST_NOTE,
  type Band,
  type MaskSetting,
  type Notice,
  type RenderOptions,
} from './notice.js';

/** Stay under this many bytes of JSON (the whole body). */
export const TEAMS_MAX_BYTES = 28_000;

type Element = Record<string, unknown>;

export interface TeamsPayload {
  type: 'message';
  attachments: Array<{
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: { type: 'AdaptiveCard'; version: '1.4'; body: Element[]; msteams: { width: 'Full' } } & Element;
  }>;
}

const COLOR: Record<Band, string> = { critical: 'attention', high: 'warning', moderate: 'accent', low: 'default' };

/**
 * Markdown marks an Adaptive Card would read, escaped: emphasis, links and code anywhere, and what
 * starts a heading, quote or list at the start of a value (values are one line).
 */
export function escapeCardMarkdown(text: string): string {
  return text
    .replace(/[\\*_[\]`~<]/g, '\\$&')
    .replace(/^([#>+-])/, '\\$1')
    .replace(/^(\d+)\./, '$1\\.');
}

function run(text: string, style: Element = {}): Element {
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text, ...style }] };
}

function colorOf(n: Notice): string {
  if (n.event.type === 'breach.resolved' || n.event.type === 'breach.removed' || n.event.type === 'ticket.closed')
    return 'good';
  return n.band ? COLOR[n.band] : 'default';
}

/** One notice's elements: its title, and its facts. */
function noticeItems(n: Notice, size: 'Medium' | 'Default'): Element[] {
  return [
    run(n.title, { weight: 'Bolder', size, color: colorOf(n) }),
    {
      type: 'FactSet',
      facts: n.facts.map((f) => ({ title: f.label, value: escapeCardMarkdown(f.value) })),
    },
  ];
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

function envelope(body: Element[]): TeamsPayload {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          // Teams' own key (full-width cards); the 1.4 schema does not know it.
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

/**
 * The Workflows body for one event, or a digest of several (one card, each event a section, cut
 * with "and N more" to stay under TEAMS_MAX_BYTES).
 */
export function renderTeams(
  events: BookEvent | readonly BookEvent[],
  settings: MaskSetting,
  options: RenderOptions = {},
): TeamsPayload {
  const all = eventList(events);
  const head: Element[] = options.test ? [run(TEST_NOTE, { isSubtle: true })] : [];
  if (all.length === 1) {
    const n = notice(all[0]!, settings, options);
    return envelope([...noticeItems(n, 'Medium'), ...head, footer(n)]);
  }
  const title = run(`${options.test ? `${TEST_LABEL} ` : ''}${all.length} notifications from safeweb`, {
    weight: 'Bolder',
    size: 'Large',
  });
  // Room for the "and N more" line and the closing brackets, measured on the empty card.
  let used = bytes(envelope([title, ...head])) + 200;
  const body: Element[] = [title, ...head];
  let shown = 0;
  for (const event of all) {
    const n = notice(event, settings, options);
    const section: Element = { type: 'Container', separator: true, items: noticeItems(n, 'Default') };
    const size = bytes(section) + 1;
    if (used + size > TEAMS_MAX_BYTES) break;
    body.push(section);
    used += size;
    shown += 1;
  }
  if (shown < all.length) body.push(run(`and ${all.length - shown} more`, { weight: 'Bolder' }));
  return envelope(body);
}

function footer(n: Notice): Element {
  return run(`safeweb · ${n.event.type} · ${n.event.at}`, { isSubtle: true, size: 'Small' });
}

/** Posts a rendered body to the Workflow's URL (the secret: errors show its host only). */
export async function sendTeams(
  http: NotifyHttp,
  workflowUrl: string,
  payload: TeamsPayload,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<SendOutcome> {
  const url = channelUrl(workflowUrl, 'the Teams Workflow URL');
  return post(http, {
    url,
    shownUrl: originOnly(url),
    body: JSON.stringify(payload),
    farSide: 'Teams',
    dedupes: false,
    signal: options.signal,
  });
}
