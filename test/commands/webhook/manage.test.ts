import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, runInProcess, tempDir } from '../../helpers/cli.js';
import { scriptedPrompter } from '../../helpers/prompter.js';
import { useSandbox } from '../../helpers/sandbox.js';

const fx = useSandbox();

describe('safeweb webhook create / list / update / delete', () => {
  it('prints the secret once with a warning, and list never shows it', async () => {
    const r = await runInProcess(
      ['webhook', 'create', '--url', 'https://hooks.example.com/safeweb', '--event', 'all', '--json'],
      { env: fx().env },
    );
    expect(r.code).toBe(0);
    // The endpoint itself, not the API's envelope.
    const webhook = JSON.parse(r.stdout);
    expect(webhook).toMatchObject({
      id: expect.any(Number),
      url: 'https://hooks.example.com/safeweb',
      events: ['breach.new', 'breach.resolved', 'breach.unresolved', 'email.added', 'email.removed'],
      active: true,
      secret: expect.any(String),
    });
    expect(r.stderr).toContain('shown only now');
    for (const args of [
      ['webhook', 'list'],
      ['webhook', 'list', '--json'],
      ['--debug', 'webhook', 'list'],
    ]) {
      const list = await runBinary(args, { env: fx().env });
      expect(list.code).toBe(0);
      expect(list.stdout + list.stderr).not.toContain(webhook.secret);
    }
    expect((await runInProcess(['webhook', 'list'], { env: fx().env })).stdout).toContain(
      `${webhook.id}\thttps://hooks.example.com/safeweb\t`,
    );
    // A list is a top-level array of records.
    const listed = JSON.parse((await runInProcess(['webhook', 'list', '--json'], { env: fx().env })).stdout);
    expect(listed.find((w: { id: number }) => w.id === webhook.id)).toEqual({
      id: webhook.id,
      url: 'https://hooks.example.com/safeweb',
      events: webhook.events,
      active: true,
      created_at: webhook.created_at,
    });
  });

  it('--secret-file writes the secret to a new 0600 file instead, and never overwrites one', async () => {
    const dir = tempDir().dir;
    const file = path.join(dir, 'hook.secret');
    const r = await runBinary(
      [
        '--debug',
        'webhook',
        'create',
        '--url',
        'http://127.0.0.1:9/hook',
        '--event',
        'breach.new',
        '--secret-file',
        file,
      ],
      { env: fx().env },
    );
    expect(r.code).toBe(0);
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret).toMatch(/^[0-9a-f-]{36}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain(secret);
    const before = (await runInProcess(['webhook', 'list', '--json'], { env: fx().env })).stdout;
    const again = await runInProcess(
      ['webhook', 'create', '--url', 'https://x.example/h', '--event', 'all', '--secret-file', file],
      { env: fx().env },
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/hook.secret already exists; the secret file never overwrites a file/);
    expect((await runInProcess(['webhook', 'list', '--json'], { env: fx().env })).stdout).toBe(before);
  });

  it.each([
    [
      ['--url', 'http://hooks.example.com/x', '--event', 'all'],
      /^error: option '--url <url>' argument 'http:\/\/hooks.example.com\/x' is invalid. must be an https:\/\/ URL/,
    ],
    [['--url', 'not a url', '--event', 'all'], /argument 'not a url' is invalid. is not a URL.* \(see --help\)\n$/],
    [['--url', 'https://x.example/h'], /at least one --event is needed/],
    [['--url', 'https://x.example/h', '--event', 'breach.deleted'], /unknown event "breach.deleted"/],
  ])('refuses %j with exit 2', async (flags, message) => {
    const r = await runInProcess(['webhook', 'create', ...flags], { env: fx().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('updates URL, events and state; at least one change is needed', async () => {
    const webhook = JSON.parse(
      (
        await runInProcess(['webhook', 'create', '--url', 'https://a.example/h', '--event', 'breach.new', '--json'], {
          env: fx().env,
        })
      ).stdout,
    );
    const r = await runInProcess(
      ['webhook', 'update', String(webhook.id), '--inactive', '--event', 'email.added,email.removed', '--json'],
      { env: fx().env },
    );
    expect(JSON.parse(r.stdout)).toEqual({
      id: webhook.id,
      url: 'https://a.example/h',
      events: ['email.added', 'email.removed'],
      active: false,
      created_at: expect.any(String),
    });
    expect((await runInProcess(['webhook', 'update', String(webhook.id)], { env: fx().env })).stderr).toContain(
      'nothing to update',
    );
    const notAnId = await runInProcess(['webhook', 'update', 'abc', '--active'], { env: fx().env });
    expect(notAnId.code).toBe(2);
    expect(notAnId.stderr).toContain("error: command-argument value 'abc' is invalid for argument 'id'.");
    const both = await runInProcess(['webhook', 'update', String(webhook.id), '--active', '--inactive']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("error: option '--active' cannot be used with option '--inactive'");
    const missing = await runInProcess(['webhook', 'update', '9999', '--active'], { env: fx().env });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('Webhook not found');
  });

  it('delete asks first; --yes does not', async () => {
    const webhook = JSON.parse(
      (
        await runInProcess(['webhook', 'create', '--url', 'https://d.example/h', '--event', 'all', '--json'], {
          env: fx().env,
        })
      ).stdout,
    );
    expect((await runInProcess(['webhook', 'delete', String(webhook.id)], { env: fx().env })).code).toBe(2);
    expect(
      (
        await runInProcess(['webhook', 'delete', String(webhook.id)], {
          env: fx().env,
          tty: true,
          prompter: scriptedPrompter([false]),
        })
      ).code,
    ).toBe(130);
    const deleted = await runInProcess(['webhook', 'delete', String(webhook.id), '--yes', '--json'], { env: fx().env });
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ id: webhook.id, deleted: true });
    expect(fx().sandbox.state.webhooks!.some((w) => w.id === webhook.id)).toBe(false);
  });
});

describe('safeweb webhook verify', () => {
  const body = '{"event":"email.added","data":{"emails":["a@b.co"]},"created_at":"2026-01-01T00:00:00.000Z"}';
  async function setup() {
    const dir = tempDir().dir;
    const secretFile = path.join(dir, 's.secret');
    const oldFile = path.join(dir, 'old.secret');
    writeFileSync(secretFile, 'current-secret-0001\n', { mode: 0o600 });
    writeFileSync(oldFile, 'previous-secret-0001\n', { mode: 0o600 });
    const { createHmac } = await import('node:crypto');
    const signature = `sha256=${createHmac('sha256', 'current-secret-0001').update(body).digest('hex')}`;
    const bodyFile = path.join(dir, 'body.json');
    writeFileSync(bodyFile, body);
    const headersFile = path.join(dir, 'headers.txt');
    writeFileSync(
      headersFile,
      `POST /hook HTTP/1.1\r\nContent-Type: application/json\r\nX-SafeWeb-Event: email.added\r\nX-SafeWeb-Signature: ${signature}\r\n`,
    );
    return { secretFile, oldFile, signature, bodyFile, headersFile, dir };
  }

  it('accepts a valid delivery from --signature or --headers, the body from a file or stdin', async () => {
    const s = await setup();
    expect(
      (
        await runInProcess([
          'webhook',
          'verify',
          '--secret-file',
          s.secretFile,
          '--signature',
          s.signature,
          '--payload',
          s.bodyFile,
        ])
      ).code,
    ).toBe(0);
    const viaHeaders = await runInProcess(
      ['webhook', 'verify', '--secret-file', s.oldFile, '--secret-file', s.secretFile, '--headers', s.headersFile],
      { stdin: body },
    );
    expect(viaHeaders.code).toBe(0);
    expect(viaHeaders.stderr).toContain(`made with secret 2 (${s.secretFile})`);
  });

  it('exit 6 with the reason: no match, malformed, missing', async () => {
    const s = await setup();
    const tampered = await runInProcess(
      ['webhook', 'verify', '--secret-file', s.secretFile, '--signature', s.signature],
      { stdin: body.replace('a@b.co', 'a@b.cc') },
    );
    expect(tampered.code).toBe(6);
    expect(tampered.stderr).toContain('does not match the secret given');
    const wrong = await runInProcess([
      'webhook',
      'verify',
      '--secret-file',
      s.oldFile,
      '--signature',
      s.signature,
      '--payload',
      s.bodyFile,
      '--json',
    ]);
    expect(wrong.code).toBe(6);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(
      (
        await runInProcess([
          'webhook',
          'verify',
          '--secret-file',
          s.secretFile,
          '--signature',
          'sha256=xyz',
          '--payload',
          s.bodyFile,
        ])
      ).stderr,
    ).toContain('is not "sha256="');
    writeFileSync(path.join(s.dir, 'noheader.txt'), 'Content-Type: application/json\n');
    const missing = await runInProcess([
      'webhook',
      'verify',
      '--secret-file',
      s.secretFile,
      '--headers',
      path.join(s.dir, 'noheader.txt'),
      '--payload',
      s.bodyFile,
    ]);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain('no X-SafeWeb-Signature header');
  });

  it('never takes a secret as a flag value, and needs one of --signature / --headers', async () => {
    const s = await setup();
    expect((await runInProcess(['webhook', 'verify', '--secret', 'x', '--signature', s.signature])).code).toBe(2);
    expect(
      (await runInProcess(['webhook', 'verify', '--signature', s.signature, '--payload', s.bodyFile])).stderr,
    ).toContain('--secret-file is required');
    expect(
      (await runInProcess(['webhook', 'verify', '--secret-file', s.secretFile, '--payload', s.bodyFile])).stderr,
    ).toBe('error: give exactly one of --signature and --headers (see --help)\n');
    const both = await runInProcess([
      'webhook',
      'verify',
      '--secret-file',
      s.secretFile,
      '--signature',
      s.signature,
      '--headers',
      s.headersFile,
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('error: give exactly one of --signature and --headers (see --help)\n');
    expect(existsSync(s.secretFile)).toBe(true);
  });
});
