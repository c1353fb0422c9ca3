/**
 * Slack through an incoming webhook: Block Kit blocks and a plain `text` fallback (what a phone's
 * notification shows), within Slack's limits: 50 blocks, a section's text 3 000 characters and its
 * fields 10 of 2 000, a header 150.
 *
 * Book text is never markup: `&`, `<` and `>` are escaped everywhere, so no name can ping
 * `<!channel>` or forge `<https://…|a link>`; blocks carry it as plain_text (no mrkdwn), the
 * fallback is sent with `mrkdwn: false`, and links are not unfurled.
 */
import type { BookEvent } from '../findings/event.js';
import { channelUrl, originOnly, post, type NotifyHttp, type SendOutcome } from './http.js';
import {
  eventList,
  notice,
  notices,
  TEST_LABEL,
  TEST_NOTE,
  type MaskSetting,
  type Notice,
  type RenderOptions,
} from './notice.js';

export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, fields: 10, fieldText: 2000, header: 150 } as const;

type Block = Record<string, unknown>;

export interface SlackPayload {
  text: string;
  mrkdwn: false;
  unfurl_links: false;
  unfurl_media: false;
  blocks: Block[];
}

/** `&`, `<`, `>` as Slack asks: the only characters its message text reads as control sequences. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped and cut to `max` characters (counted as sent), never in the middle of an escape. */
function fit(text: string, max: number): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  return `${escaped.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '')}…`;
}

const plain = (text: string, max: number) => ({ type: 'plain_text', text: fit(text, max), emoji: false });

/** The facts as fields: the finding key (the last fact) always among them, the event's kind in the context line. */
function fields(n: Notice): Block[] {
  const key = n.facts.at(-1)!;
  const rest = n.facts.slice(0, -1).filter((f) => f.label !== 'Event');
  return [...rest.slice(0, SLACK_LIMITS.fields - 1), key].map((f) =>
    plain(`${f.label}\n${f.value}`, SLACK_LIMITS.fieldText),
  );
}

function context(text: string): Block {
  return { type: 'context', elements: [plain(text, SLACK_LIMITS.sectionText)] };
}

/**
 * The webhook body for one event, or a digest of several (a header, a section each, cut with
 * "and N more" at 50 blocks).
 */
export function renderSlack(
  events: BookEvent | readonly BookEvent[],
  settings: MaskSetting,
  options: RenderOptions = {},
): SlackPayload {
  const all = eventList(events);
  const test = options.test ? [context(TEST_NOTE)] : [];
  if (all.length === 1) {
    const n = notice(all[0]!, settings, options);
    return payload(n.title, [
      { type: 'header', text: plain(n.title, SLACK_LIMITS.header) },
      { type: 'section', fields: fields(n) },
      ...test,
      context(`safeweb · ${n.event.type} · ${n.event.at}`),
    ]);
  }
  const heading = `${options.test ? `${TEST_LABEL} ` : ''}${all.length} notifications from safeweb`;
  const blocks: Block[] = [{ type: 'header', text: plain(heading, SLACK_LIMITS.header) }, ...test];
  // One block each; the last block left for "and N more" when they do not all fit.
  const room = SLACK_LIMITS.blocks - blocks.length - (all.length > SLACK_LIMITS.blocks - blocks.length ? 1 : 0);
  const shown = notices(all, settings, options, room);
  for (const n of shown)
    blocks.push({ type: 'section', text: plain(n.title, SLACK_LIMITS.sectionText), fields: fields(n) });
  if (shown.length < all.length) blocks.push(context(`and ${all.length - shown.length} more`));
  const titles = shown.map((n) => n.title).join('; ');
  return payload(`${heading}: ${titles}`, blocks);
}

function payload(fallback: string, blocks: Block[]): SlackPayload {
  return {
    text: fit(fallback, SLACK_LIMITS.sectionText),
    mrkdwn: false,
    unfurl_links: false,
    unfurl_media: false,
    blocks,
  };
}

/** Posts a rendered body to the incoming webhook (the URL is the secret: errors show its host only). */
export async function sendSlack(
  http: NotifyHttp,
  webhookUrl: string,
  payload: SlackPayload,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<SendOutcome> {
  const url = channelUrl(webhookUrl, 'the Slack webhook URL');
  return post(http, {
    url,
    shownUrl: originOnly(url),
    body: JSON.stringify(payload),
    farSide: 'Slack',
    dedupes: false,
    signal: options.signal,
  });
}
