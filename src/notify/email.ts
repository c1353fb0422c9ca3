/**
 * Email over SMTP (nodemailer, loaded with the first message): multipart text + HTML, the HTML
 * escaped and with no remote images (nothing to fetch, nothing that tracks), STARTTLS required
 * unless the channel says `insecure` (--insecure-smtp), the finding key in `X-Safeweb-Finding`, a
 * Message-ID from the message's ID (a retry is the same message). `redirectTo` sends everything to
 * one address, for a rehearsal.
 * The MSP's own templates (email-templates.ts) replace the built-in subject and bodies; values are
 * escaped for HTML in body.html (`{{items}}` there is the built-in table of facts).
 */
import { ApiRejectedError, AuthError, UnavailableError, type CliError } from '../errors.js';
import type { BookEvent } from '../findings/event.js';
import { BUILT_IN, fill, type EmailTemplates, type Placeholder } from './email-templates.js';
import type { SendOutcome } from './http.js';
import {
  clean,
  eventList,
  findingKeys,
  notices,
  TEST_LABEL,
  TEST_NOTE,
  type MaskSetting,
  type Notice,
  type RenderOptions,
} from './notice.js';

export interface EmailSettings extends MaskSetting {
  host: string;
  port?: number | undefined;
  username?: string | undefined;
  from: string;
  to: string[];
  insecure?: boolean | undefined;
  templates?: string | undefined;
}

/** A rendered message, without its envelope (who it goes to is the sender's). */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const EMAIL_ITEMS_MAX = 500;
/** How many finding keys a digest's X-Safeweb-Finding header lists. */
const HEADER_KEYS_MAX = 50;

/** `& < > " '` as HTML entities: book text in the HTML part is text, never markup. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The subject, text and HTML for one event, or a digest of several (one message, every item in it). */
export function renderEmail(
  events: BookEvent | readonly BookEvent[],
  settings: MaskSetting,
  options: RenderOptions & { templates?: EmailTemplates | undefined } = {},
): EmailMessage {
  const all = eventList(events);
  const list = notices(all, settings, options, EMAIL_ITEMS_MAX);
  const more = all.length - list.length;
  const title =
    all.length === 1
      ? list[0]!.title
      : `${options.test ? `${TEST_LABEL} ` : ''}${all.length} notifications from safeweb`;
  const keys = [...new Set(all.flatMap(findingKeys))];
  const values = (html: boolean): Record<Placeholder, string> => {
    const esc = html ? escapeHtml : (t: string) => t;
    return {
      title: esc(title),
      count: String(all.length),
      key: esc(keys.length === 1 ? keys[0]! : `${keys.length} findings (X-Safeweb-Finding lists them)`),
      items:
        (html ? list.map(htmlItem).join('\n') : list.map(textItem).join('\n\n')) +
        (more > 0 ? (html ? `\n<p><strong>and ${more} more</strong></p>` : `\n\nand ${more} more`) : ''),
      test: options.test ? (html ? `<p><strong>${escapeHtml(TEST_NOTE)}</strong></p>\n` : `${TEST_NOTE}\n\n`) : '',
    };
  };
  const own = Object.entries(options.templates ?? {}).filter(([, text]) => text !== undefined);
  const t: Required<EmailTemplates> = { ...BUILT_IN, ...Object.fromEntries(own) };
  const shownKeys = keys.slice(0, HEADER_KEYS_MAX).join(' ');
  // A ticket event's ticket key too, so a mail rule or a SIEM joins it to the PSA's ticket.
  const tickets = [...new Set(all.flatMap((e) => (e.ticket ? [e.ticket.key] : [])))];
  return {
    subject: clean(fill(t.subject, values(false)), 250),
    text: fill(t.text, values(false)),
    html: fill(t.html, values(true)),
    headers: {
      'X-Safeweb-Finding': shownKeys,
      ...(tickets.length ? { 'X-Safeweb-Ticket': tickets.slice(0, HEADER_KEYS_MAX).join(' ') } : {}),
      ...(options.test ? { 'X-Safeweb-Test': '1' } : {}),
    },
  };
}

function textItem(n: Notice): string {
  return [n.title, ...n.facts.map((f) => `  ${f.label}: ${f.value}`)].join('\n');
}

function htmlItem(n: Notice): string {
  const rows = n.facts
    .map(
      (f) =>
        `<tr><th align="left" style="padding: 2px 12px 2px 0;">${escapeHtml(f.label)}</th>` +
        `<td>${escapeHtml(f.value)}</td></tr>`,
    )
    .join('\n');
  return `<h2 style="font-size: 16px;">${escapeHtml(n.title)}</h2>\n<table>\n${rows}\n</table>`;
}

export interface EmailSendOptions {
  /** The message's ID (message-id.ts): its Message-ID, the same on every retry. */
  messageId: string;
  /** The recipients (the route's, or the customer's contact); the channel's `to` when left out. */
  to?: readonly string[] | undefined;
  /** Everything to this one address instead (a rehearsal); the intended recipients in X-Safeweb-Redirected-From. */
  redirectTo?: string | undefined;
  timeoutMs: number;
  /** Extra certificate authorities to trust (a private relay's; the tests' own). */
  ca?: string | Buffer | undefined;
}

/** Sends a rendered message; never throws for what the server or the network did. */
export async function sendEmail(
  settings: EmailSettings,
  password: string | undefined,
  message: EmailMessage,
  options: EmailSendOptions,
): Promise<SendOutcome> {
  const nodemailer = await import('nodemailer');
  const port = settings.port ?? 587;
  const intended = [...(options.to ?? settings.to)];
  const to = options.redirectTo ? [options.redirectTo] : intended;
  const transport = nodemailer.createTransport({
    host: settings.host,
    port,
    // 465 is TLS from the first byte; elsewhere STARTTLS, required unless the channel is insecure.
    secure: port === 465,
    requireTLS: settings.insecure !== true,
    ...(settings.username ? { auth: { user: settings.username, pass: password ?? '' } } : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    tls: { minVersion: 'TLSv1.2', ...(options.ca ? { ca: options.ca } : {}) },
    // Nothing of a message is read from a file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: `<${options.messageId}@safeweb.notify>`,
      headers: {
        ...message.headers,
        ...(options.redirectTo ? { 'X-Safeweb-Redirected-From': intended.join(', ') } : {}),
      },
    });
    const response = String(info.response ?? '');
    return { ok: true, ack: { status: Number(/^\d{3}/.exec(response)?.[0] ?? 250), answer: response } };
  } catch (error) {
    const cause = smtpError(error as SmtpFailure, settings);
    return {
      ok: false,
      error: cause.message,
      permanent: isPermanent(error as SmtpFailure),
      cause,
    };
  } finally {
    transport.close();
  }
}

interface SmtpFailure extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

const TLS_REFUSED = /STARTTLS|certificate|self[- ]signed|CERT_|unable to verify|wrong version number/i;

function isPermanent(error: SmtpFailure): boolean {
  if (error.code === 'EAUTH' || error.code === 'ENOAUTH' || error.code === 'ETLS') return true;
  if (TLS_REFUSED.test(error.message)) return true;
  return error.responseCode !== undefined && error.responseCode >= 500;
}

/** The typed error of the one exit-code table: 4 credentials refused, 3 a message refused, 5 the rest. */
function smtpError(error: SmtpFailure, settings: EmailSettings): CliError {
  const server = `${settings.host}:${settings.port ?? 587}`;
  const said = clean(error.response ?? error.message, 500);
  if (error.code === 'EAUTH' || error.code === 'ENOAUTH')
    return new AuthError(
      `the SMTP server ${server} refused the login: ${said}`,
      'Check the user name and the password stored for this channel.',
      error.responseCode,
      'SMTP',
    );
  if (error.code === 'ETLS' || TLS_REFUSED.test(error.message)) {
    const refused = new UnavailableError(
      `no secure connection to the SMTP server ${server}: ${said}`,
      undefined,
      settings.insecure
        ? 'The server offered TLS with a certificate this machine does not trust.'
        : 'The server must offer STARTTLS with a trusted certificate; only for a relay on this machine or a private network, add the channel again with --insecure-smtp.',
      'SMTP',
    );
    refused.outcomeUnknown = false;
    return refused;
  }
  if (error.responseCode !== undefined && error.responseCode >= 500)
    return new ApiRejectedError(
      `the SMTP server ${server} refused the message (${error.responseCode}): ${said}`,
      error.responseCode,
      undefined,
      'Check the sender and recipient addresses.',
      'SMTP',
    );
  return new UnavailableError(
    `the SMTP server ${server} did not take the message: ${said}`,
    error.responseCode,
    'Check the host and port, or try again later.',
    'SMTP',
  );
}
