/**
 * Email against a real SMTP server on loopback (smtp-server), with STARTTLS on a certificate made
 * here: the message parsed back (mailparser) is multipart text + HTML, from/to/subject right, the
 * HTML escaped and loading nothing remote, the finding key in X-Safeweb-Finding. No STARTTLS, an
 * untrusted certificate, a refused login or recipient: each its exit code, none retried in vain.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplates } from '../../src/notify/email-templates.js';
import { renderEmail, sendEmail, type EmailSettings } from '../../src/notify/email.js';
import { messageId } from '../../src/notify/message-id.js';
import { breachEvent, manyEvents } from '../helpers/notify.js';

let tls: { key: string; cert: string };
beforeAll(async () => {
  const made = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  tls = { key: made.private, cert: made.cert };
});

interface Delivered {
  mail: ParsedMail;
  raw: string;
  from: string;
  to: string[];
  secure: boolean;
  user: string | undefined;
}

interface Smtp {
  port: number;
  delivered: Delivered[];
  close(): Promise<void>;
}

const servers: Smtp[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A real SMTP server on 127.0.0.1: STARTTLS on the test certificate unless `options` hide it. */
async function smtp(options: Partial<SMTPServerOptions> = {}): Promise<Smtp> {
  const delivered: Delivered[] = [];
  const server = new SMTPServer({
    key: tls.key,
    cert: tls.cert,
    secure: false,
    authOptional: true,
    logger: false,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        void simpleParser(raw).then((mail) => {
          delivered.push({
            mail,
            raw,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            secure: session.secure,
            user: session.user as string | undefined,
          });
          callback();
        }, callback);
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const s = { port, delivered, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  servers.push(s);
  return s;
}

function settings(port: number, extra: Partial<EmailSettings> = {}): EmailSettings {
  return {
    host: '127.0.0.1',
    port,
    from: 'alerts@msp.example',
    to: ['soc@msp.example', 'lead@msp.example'],
    ...extra,
  };
}

const HOSTILE = '<script>alert(1)</script><img src="https://track.example/p.gif"> **bold** \u001b[31mred';

describe('sendEmail over STARTTLS', () => {
  it('delivers a multipart message: from, to, subject right; the HTML escaped and loading nothing; the key in a header', async () => {
    const server = await smtp();
    const event = breachEvent({ breachName: HOSTILE });
    const message = renderEmail(event, {}, { context: () => ({ customerName: 'Northwind & Sons', locale: 'fr-FR' }) });
    const id = messageId({ key: event.finding!, route: 'customers', kind: event.type, occurrence: 1 });
    const outcome = await sendEmail(settings(server.port), undefined, message, {
      messageId: id,
      timeoutMs: 5000,
      ca: tls.cert,
    });
    expect(outcome).toMatchObject({ ok: true, ack: { status: 250 } });
    expect(server.delivered).toHaveLength(1);
    const got = server.delivered[0]!;
    expect(got.secure).toBe(true); // STARTTLS happened
    expect(got.from).toBe('alerts@msp.example');
    expect(got.to).toEqual(['soc@msp.example', 'lead@msp.example']);
    expect(got.raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    const mail = got.mail;
    expect(mail.subject).toBe(message.subject);
    expect(mail.subject).toMatch(/^New breach for Northwind & Sons \(NW-001\): <script>alert\(1\)<\/script>/);
    expect(mail.subject).not.toContain('\u001b');
    expect(mail.from?.text).toBe('alerts@msp.example');
    expect(mail.messageId).toBe(`<${id}@safeweb.notify>`);
    expect(mail.headers.get('x-safeweb-finding')).toBe(event.finding);
    // Text: the facts, masked, the date in the customer's locale.
    expect(mail.text).toContain('Affected addresses: j***@northwind.example, o***@northwind.example');
    expect(mail.text).toContain('Date: 30 novembre 2026');
    expect(mail.text).toContain(`Finding key: ${event.finding}`);
    // HTML: the hostile name is text, nothing in it runs or loads.
    const html = String(mail.html);
    expect(html).not.toMatch(/<script|<img/);
    expect(html).not.toContain('\u001b');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('Northwind &#38; Sons');
    expect(html).not.toMatch(/<[a-z]+[^>]*\b(?:src|background)\s*=|url\(/i);
  });

  it('logs in when the channel has a user; a refused login is exit 4 and permanent', async () => {
    const server = await smtp({
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 'right-password')
          return callback(null, { user: auth.username });
        const refused = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
        return callback(refused);
      },
    });
    const message = renderEmail(breachEvent(), {});
    const ok = await sendEmail(settings(server.port, { username: 'mailer' }), 'right-password', message, {
      messageId: 'msg_auth',
      timeoutMs: 5000,
      ca: tls.cert,
    });
    expect(ok.ok).toBe(true);
    expect(server.delivered[0]!.user).toBe('mailer');
    const wrong = await sendEmail(settings(server.port, { username: 'mailer' }), 'wrong', message, {
      messageId: 'msg_auth2',
      timeoutMs: 5000,
      ca: tls.cert,
    });
    expect(wrong).toMatchObject({ ok: false, permanent: true });
    if (wrong.ok) return;
    expect(wrong.cause.exitCode).toBe(4);
    expect(wrong.error).toContain('refused the login');
    expect(wrong.error).not.toContain('wrong');
  });

  it('a recipient the server refuses (550) is exit 3 and permanent', async () => {
    const server = await smtp({
      onRcptTo(address, _session, callback) {
        if (address.address === 'gone@msp.example')
          return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
        return callback();
      },
    });
    const outcome = await sendEmail(
      settings(server.port, { to: ['gone@msp.example'] }),
      undefined,
      renderEmail(breachEvent(), {}),
      {
        messageId: 'msg_550',
        timeoutMs: 5000,
        ca: tls.cert,
      },
    );
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    if (!outcome.ok) expect(outcome.cause.exitCode).toBe(3);
    expect(server.delivered).toEqual([]);
  });

  it('--redirect-to sends everything to one address, the intended recipients in a header', async () => {
    const server = await smtp();
    await sendEmail(settings(server.port), undefined, renderEmail(breachEvent(), {}), {
      messageId: 'msg_redirect',
      to: ['contact@northwind.example'],
      redirectTo: 'rehearsal@msp.example',
      timeoutMs: 5000,
      ca: tls.cert,
    });
    const got = server.delivered[0]!;
    expect(got.to).toEqual(['rehearsal@msp.example']);
    expect(got.mail.headers.get('x-safeweb-redirected-from')).toBe('contact@northwind.example');
  });
});

describe('without a secure connection', () => {
  it('a server that offers no STARTTLS is refused (exit 5, permanent) and gets nothing, unless the channel is insecure', async () => {
    const server = await smtp({ hideSTARTTLS: true });
    const message = renderEmail(breachEvent(), {});
    const refused = await sendEmail(settings(server.port), undefined, message, {
      messageId: 'msg_plain',
      timeoutMs: 5000,
    });
    expect(refused).toMatchObject({ ok: false, permanent: true });
    if (refused.ok) return;
    expect(refused.cause.exitCode).toBe(5);
    expect(refused.cause.hint).toContain('--insecure-smtp');
    expect(server.delivered).toEqual([]);
    const insecure = await sendEmail(settings(server.port, { insecure: true }), undefined, message, {
      messageId: 'msg_plain2',
      timeoutMs: 5000,
    });
    expect(insecure.ok).toBe(true);
    expect(server.delivered[0]!.secure).toBe(false);
  });

  it('a certificate this machine does not trust is refused (exit 5, permanent)', async () => {
    const server = await smtp();
    const outcome = await sendEmail(settings(server.port), undefined, renderEmail(breachEvent(), {}), {
      messageId: 'msg_untrusted',
      timeoutMs: 5000,
    });
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    if (!outcome.ok) expect(outcome.cause.exitCode).toBe(5);
    expect(server.delivered).toEqual([]);
  });
});

describe('renderEmail', () => {
  it('a digest is one message listing each event, every finding key in the header', () => {
    const events = manyEvents(3);
    const message = renderEmail(events, {});
    expect(message.subject).toBe('3 notifications from safeweb');
    for (const e of events) expect(message.text).toContain(e.finding!);
    expect(message.headers['X-Safeweb-Finding']).toBe(events.map((e) => e.finding).join(' '));
  });

  it('a 10 000-event digest shows 500 and counts the rest; the header lists 50 keys', () => {
    const message = renderEmail(manyEvents(10_000), {});
    expect(message.subject).toBe('10000 notifications from safeweb');
    expect(message.text).toContain('\n\nand 9500 more');
    expect(message.html).toContain('<p><strong>and 9500 more</strong></p>');
    expect(Buffer.byteLength(message.html)).toBeLessThan(1_000_000);
    expect(message.headers['X-Safeweb-Finding']!.split(' ')).toHaveLength(50);
  });

  it('takes the MSP\u2019s templates, values escaped in HTML; refuses unknown placeholders and remote loads', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-templates-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'subject.txt'), 'Acme MSP: {{title}}\nignored second line');
    writeFileSync(path.join(dir, 'body.html'), '<p>Dear customer,</p>{{items}}<p>{{title}} / {{key}}</p>');
    const templates = await loadTemplates(dir);
    const event = breachEvent({ breachName: '<b>x</b>' });
    const message = renderEmail(event, {}, { templates });
    expect(message.subject).toBe('Acme MSP: New breach for NW-001: <b>x</b>');
    expect(message.html).toContain('<p>Dear customer,</p><h2');
    expect(message.html).toContain('New breach for NW-001: &#60;b&#62;x&#60;/b&#62; / sw:finding:');
    // body.txt was not given: the built-in one.
    expect(message.text).toContain('Finding key:');

    writeFileSync(path.join(dir, 'body.html'), '<img src="https://track.example/p.gif">{{items}} {{customer}}');
    const error = await loadTemplates(dir).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('unknown placeholder {{customer}}');
    expect((error as Error).message).toContain('loads something remote');
    writeFileSync(path.join(dir, 'body.html'), '<div style="background: url(//cdn.example/x.png)">{{items}}</div>');
    await expect(loadTemplates(dir)).rejects.toThrow(/loads something remote/);
    writeFileSync(path.join(dir, 'body.html'), '<a href="https://msp.example/help">help</a>{{items}}');
    await expect(loadTemplates(dir)).resolves.toMatchObject({ html: expect.stringContaining('help') });
    await expect(loadTemplates(path.join(dir, 'none'))).rejects.toThrow(/cannot be used/);
  });
});
