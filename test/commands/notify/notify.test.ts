/**
 * `safeweb notify add|list|show|remove|test` in-process, against loopback receivers of every kind:
 * a channel's settings in the profile's integration file and its secret in the secret store (never
 * a flag value, never in any output), a test message sent as real ones are, the channel's answer
 * printed, its failures with the one table's exit codes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { setIntegration } from '../../../src/config/integrations.js';
import { cleanEnv, runBinary, runInProcess, tempDir } from '../../helpers/cli.js';
import { pagerDuty, receiver, type Receiver } from '../../helpers/notify.js';
import { scriptedPrompter } from '../../helpers/prompter.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A config dir with a profile "prod", and the env that uses it. */
async function withProfile(): Promise<{ dir: string; env: Record<string, string | undefined>; file: string }> {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const env = cleanEnv({ SAFEWEB_CONFIG_DIR: t.dir });
  const r = await runInProcess(
    ['profile', 'add', 'prod', '--partner-id', 'P1', '--base-url', 'http://127.0.0.1:9', '--api-key-stdin'],
    { env, stdin: 'swk_profile_key_0000' },
  );
  expect(r.code, r.stderr).toBe(0);
  return { dir: t.dir, env, file: path.join(t.dir, 'integrations', 'prod.yaml') };
}

async function listening<R extends Receiver>(r: R): Promise<R> {
  cleanups.push(() => r.close());
  return r;
}

const channelsIn = (file: string) =>
  (parse(readFileSync(file, 'utf8')) as { notify: { channels: Record<string, unknown> } }).notify.channels;

describe('notify add, list, show', () => {
  it('keeps the settings in the profile\u2019s file and the URL in the secret store; no output shows it', async () => {
    const { dir, env, file } = await withProfile();
    const url = 'https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=S3CR3TSIG';
    const add = await runInProcess(['notify', 'add', 'teams', 'soc', '--secret-stdin'], { env, stdin: `${url}\n` });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toContain('Added the teams channel "soc"');
    expect(channelsIn(file)).toEqual({ soc: { kind: 'teams', secret: 'notify/soc' } });
    const secrets = JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8'));
    expect(secrets.profiles.prod['notify/soc'].value).toBe(url);

    const slack = await runInProcess(['notify', 'add', 'slack', 'sec_alerts', '--no-mask'], {
      env,
      tty: true,
      prompter: scriptedPrompter(['https://hooks.slack.com/services/T0/B0/XyZsignature']),
    });
    expect(slack.code, slack.stderr).toBe(0);
    expect(channelsIn(file)['sec_alerts']).toEqual({ kind: 'slack', secret: 'notify/sec-alerts', mask: false });

    const list = await runInProcess(['notify', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toEqual([
      {
        name: 'soc',
        kind: 'teams',
        target: 'the Workflow URL in the secret store',
        masked: true,
        secret: 'notify/soc',
      },
      {
        name: 'sec_alerts',
        kind: 'slack',
        target: 'the webhook URL in the secret store',
        masked: false,
        secret: 'notify/sec-alerts',
      },
    ]);
    const show = await runInProcess(['notify', 'show', 'soc'], { env });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^secret\tnotify\/soc \(file: /m);
    for (const r of [add, slack, list, show]) expect(r.stdout + r.stderr).not.toMatch(/S3CR3TSIG|XyZsignature/);

    const missing = await runInProcess(['notify', 'show', 'nope'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Channels: soc, sec_alerts.');
  });

  it('refuses a secret on the command line, plain http:// off this machine, and a name taken', async () => {
    const { env, file } = await withProfile();
    for (const argv of [
      ['notify', 'add', 'teams', 'soc', '--url', 'https://x.example/w?sig=LEAKME'],
      ['notify', 'add', 'slack', 'soc', 'https://hooks.slack.com/services/LEAKME'],
      ['notify', 'add', 'pagerduty', 'oncall', '--routing-key', 'LEAKME'],
      ['notify', 'add', 'email', 'm', '--host', 'h', '--from', 'a@b.co', '--to', 'c@d.co', '--password', 'LEAKME'],
    ]) {
      const r = await runInProcess(argv, { env });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/a secret is never taken on the command line/);
      expect(r.stdout + r.stderr).not.toContain('LEAKME');
    }
    const http = await runInProcess(['notify', 'add', 'teams', 'soc', '--secret-stdin'], {
      env,
      stdin: 'http://example.com/w?sig=LEAKME',
    });
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/must be https:\/\//);
    expect(http.stderr).not.toContain('LEAKME');
    const words = await runInProcess(['notify', 'add', 'slack', 'soc', '--secret-stdin'], {
      env,
      stdin: 'two LEAKME words',
    });
    expect(words.code).toBe(2);
    expect(words.stderr).toContain(
      'the incoming-webhook URL contains whitespace or several lines — Pipe in only the incoming-webhook URL, on one line.',
    );
    expect(words.stderr).not.toContain('LEAKME');
    const hook = await runInProcess(
      ['notify', 'add', 'webhook', 'siem', '--url', 'http://siem.example/in', '--unsigned'],
      { env },
    );
    expect(hook.code).toBe(2);
    expect(() => readFileSync(file)).toThrow(); // nothing was written

    const ok = await runInProcess(
      ['notify', 'add', 'webhook', 'siem', '--url', 'http://127.0.0.1:9/in', '--unsigned'],
      { env },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const again = await runInProcess(
      ['notify', 'add', 'webhook', 'siem', '--url', 'http://127.0.0.1:9/in', '--unsigned'],
      { env },
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('Pass --force to replace it.');
    const bad = await runInProcess(
      ['notify', 'add', 'webhook', 'signed', '--url', 'https://siem.example/in', '--secret-stdin'],
      {
        env,
        stdin: 'whsec_dG9vc2hvcnQ=',
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the specification asks for 24 to 64');
  });

  it('adds the channel a route already names (the file was invalid for want of it), and no other', async () => {
    const { dir, env, file } = await withProfile();
    // Routes written by hand before their channels: the file names "soc" and "pager", neither there.
    mkdirSync(path.dirname(file), { mode: 0o700 });
    writeFileSync(file, 'notify:\n  routes:\n    - channels: [soc]\n    - channels: [pager]\n', { mode: 0o600 });
    const slackUrl = 'https://hooks.slack.com/services/T0/B0/FirstSignature';
    const first = await runInProcess(['notify', 'add', 'slack', 'soc', '--secret-stdin'], { env, stdin: slackUrl });
    // "pager" is still missing: refused before the secret is read or stored, the file as it was.
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('"pager" is not under notify.channels');
    expect(first.stderr).toContain('nothing was written');
    expect(readFileSync(file, 'utf8')).not.toContain('soc:');
    expect(() => readFileSync(path.join(dir, 'secrets.json'))).toThrow();

    const pager = await runInProcess(['notify', 'add', 'pagerduty', 'pager', '--secret-stdin'], {
      env,
      stdin: 'R0UTINGKEY0000000000000000000000',
    });
    expect(pager.code).toBe(2); // "soc" is still missing
    writeFileSync(file, 'notify:\n  routes:\n    - channels: [soc] # the SOC\n', { mode: 0o600 });
    const soc = await runInProcess(['notify', 'add', 'slack', 'soc', '--secret-stdin'], { env, stdin: slackUrl });
    expect(soc.code, soc.stderr).toBe(0);
    expect(soc.stderr).toContain('Added the slack channel "soc"');
    expect(readFileSync(file, 'utf8')).toContain('# the SOC'); // the hand-written file's comments kept
    expect(channelsIn(file)).toEqual({ soc: { kind: 'slack', secret: 'notify/soc' } });
    const check = await runInProcess(['integrations', 'check'], { env });
    expect(check.code, check.stderr).toBe(0);
  });
});

describe('notify test', () => {
  it('teams: sends one labelled sample card and prints the Workflow\u2019s answer', async () => {
    const { env } = await withProfile();
    const r = await listening(await receiver(() => ({ status: 202 })));
    await runInProcess(['notify', 'add', 'teams', 'soc', '--secret-stdin'], { env, stdin: `${r.url}/w?sig=S3CR3TSIG` });
    const test = await runInProcess(['--debug', 'notify', 'test', 'soc'], { env });
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^answer\t202$/m);
    expect(test.stdout).toMatch(/^key\tsw:finding:[0-9a-f]{32}$/m);
    expect(r.received).toHaveLength(1);
    const body = r.received[0]!.body;
    expect(body).toContain('[TEST] New breach for Sample Customer Ltd (SAFEWEB-TEST)');
    expect(body).toContain('no customer is affected');
    // --debug traced the request, the signed URL hidden.
    expect(test.stderr).toContain('[debug]');
    expect(test.stdout + test.stderr).not.toContain('S3CR3TSIG');
  });

  it('--dry-run prints the rendered sample, sends nothing and reads no secret', async () => {
    const { env } = await withProfile();
    const r = await listening(await receiver(() => ({ status: 200, body: 'ok' })));
    await runInProcess(['notify', 'add', 'slack', 'ops', '--secret-stdin'], {
      env,
      stdin: `${r.url}/services/SECRETPATH`,
    });
    // A secret the run cannot read is no matter: it is not read.
    const dry = await runInProcess(['notify', 'test', 'ops', '--dry-run', '--json'], {
      env: { ...env, SAFEWEB_SECRET_NOTIFY_OPS_FILE: '/nonexistent/secret' },
    });
    expect(dry.code, dry.stderr).toBe(0);
    const out = JSON.parse(dry.stdout);
    expect(out.payload).toMatchObject({ mrkdwn: false, blocks: expect.any(Array) });
    expect(out.payload.text).toMatch(/^\[TEST\] New breach for Sample Customer Ltd/);
    expect(r.received).toEqual([]);
    expect(dry.stdout + dry.stderr).not.toContain('SECRETPATH');
  });

  it('slack: a refusal is exit 3 naming Slack, the webhook path never said', async () => {
    const { env } = await withProfile();
    const r = await listening(await receiver(() => ({ status: 404, body: 'no_service' })));
    await runInProcess(['notify', 'add', 'slack', 'ops', '--secret-stdin'], {
      env,
      stdin: `${r.url}/services/T0/B0/SECRETPATH`,
    });
    const test = await runInProcess(['notify', 'test', 'ops', '--json'], { env });
    expect(test.code).toBe(3);
    expect(JSON.parse(test.stderr).error.message).toBe('no_service (Slack answered 404 to POST /)');
    expect(test.stdout + test.stderr).not.toContain('SECRETPATH');
  });

  it('pagerduty: the trigger, then its resolve: no test incident stays open', async () => {
    const { env } = await withProfile();
    const pd = await listening(await pagerDuty());
    const add = await runInProcess(
      ['notify', 'add', 'pagerduty', 'oncall', '--url', `${pd.url}/v2/enqueue`, '--secret-stdin'],
      {
        env,
        stdin: 'R0UT1NGKEY0123456789abcdefABCDEF',
      },
    );
    expect(add.code, add.stderr).toBe(0);
    const test = await runInProcess(['--debug', 'notify', 'test', 'oncall', '--json'], { env });
    expect(test.code, test.stderr).toBe(0);
    const out = JSON.parse(test.stdout);
    expect(out.sent.map((s: { message: string; ack: { status: number } }) => [s.message, s.ack.status])).toEqual([
      ['sample', 202],
      ['resolve', 202],
    ]);
    expect([...pd.incidents]).toEqual([[out.key, 'resolved']]);
    // --debug traced both bodies, the routing key hidden.
    expect(test.stderr).toContain('"routing_key":"[REDACTED]"');
    expect(test.stdout + test.stderr).not.toContain('R0UT1NGKEY');
  });

  it('webhook: the sample is signed so the standardwebhooks library verifies it', async () => {
    const { env } = await withProfile();
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const verifier = new Webhook(secret);
    const r = await listening(
      await receiver((req) => {
        verifier.verify(req.body, req.headers as Record<string, string>);
        return { status: 204 };
      }),
    );
    await runInProcess(['notify', 'add', 'webhook', 'siem', '--url', `${r.url}/in`, '--secret-stdin'], {
      env,
      stdin: secret,
    });
    const test = await runInProcess(['notify', 'test', 'siem'], { env });
    expect(test.code, test.stderr).toBe(0);
    expect(r.received[0]!.headers['x-safeweb-test']).toBe('1');
    expect(JSON.parse(r.received[0]!.body)).toMatchObject({ type: 'breach.new', reference: 'SAFEWEB-TEST' });
  });

  it('email: refused without STARTTLS unless added with --insecure-smtp; --redirect-to sends it elsewhere', async () => {
    const { env } = await withProfile();
    const delivered: Array<{ to: string[]; raw: string }> = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString()));
        stream.on('end', () => {
          delivered.push({ to: session.envelope.rcptTo.map((t) => t.address), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = String((server.server.address() as AddressInfo).port);
    const common = ['--host', '127.0.0.1', '--port', port, '--from', 'alerts@msp.example', '--to', 'soc@msp.example'];
    expect((await runInProcess(['notify', 'add', 'email', 'strict', ...common], { env })).code).toBe(0);
    const refused = await runInProcess(['notify', 'test', 'strict'], { env });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('--insecure-smtp');
    expect(delivered).toEqual([]);

    expect((await runInProcess(['notify', 'add', 'email', 'relay', ...common, '--insecure-smtp'], { env })).code).toBe(
      0,
    );
    for (const bad of ['not-an-address', 'a@b.co, c@d.co'])
      expect((await runInProcess(['notify', 'test', 'relay', '--redirect-to', bad], { env })).code).toBe(2);
    const sent = await runInProcess(['notify', 'test', 'relay', '--redirect-to', 'me@msp.example'], { env });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^answer\t250 /m);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.to).toEqual(['me@msp.example']);
    expect(delivered[0]!.raw).toMatch(/^X-Safeweb-Finding: sw:finding:[0-9a-f]{32}/m);
    expect(delivered[0]!.raw).toMatch(/^Subject: \[TEST\]/m);
  });
});

describe('the built binary', () => {
  it('email over STARTTLS to a server whose certificate NODE_EXTRA_CA_CERTS makes trusted, with a login', async () => {
    const { dir, env } = await withProfile();
    const made = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const ca = path.join(dir, 'test-ca.pem');
    writeFileSync(ca, made.cert);
    const delivered: Array<{ secure: boolean; user: unknown; raw: string }> = [];
    const server = new SMTPServer({
      key: made.private,
      cert: made.cert,
      logger: false,
      onAuth: (auth, _session, callback) =>
        auth.password === 'pa ss word' ? callback(null, { user: auth.username }) : callback(new Error('no')),
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString()));
        stream.on('end', () => {
          delivered.push({ secure: session.secure, user: session.user, raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = String((server.server.address() as AddressInfo).port);
    const add = await runInProcess(
      ['notify', 'add', 'email', 'mail', '--host', '127.0.0.1', '--port', port, '--username', 'alerts'].concat([
        '--from',
        'alerts@msp.example',
        '--to',
        'soc@msp.example',
        '--secret-stdin',
      ]),
      { env, stdin: 'pa ss word\n' },
    );
    expect(add.code, add.stderr).toBe(0);
    const untrusted = await runBinary(['notify', 'test', 'mail'], { env });
    expect(untrusted.code).toBe(5);
    const sent = await runBinary(['notify', 'test', 'mail'], { env: { ...env, NODE_EXTRA_CA_CERTS: ca } });
    expect(sent.code, sent.stderr).toBe(0);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ secure: true, user: 'alerts' });
    expect(sent.stdout + sent.stderr).not.toContain('pa ss word');
  });
});

describe('notify remove', () => {
  it('is refused while a route sends to the channel; then removes it and its stored secret', async () => {
    const { dir, env, file } = await withProfile();
    await runInProcess(['notify', 'add', 'teams', 'soc', '--secret-stdin'], {
      env,
      stdin: 'https://x.example/w?sig=1',
    });
    await setIntegration(file, ['notify', 'routes'], [{ events: ['breach.new'], channels: ['soc'] }]);
    const blocked = await runInProcess(['notify', 'remove', 'soc', '--yes'], { env });
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('names no channel ("soc" is not under notify.channels)');
    expect(channelsIn(file)).toHaveProperty('soc');

    const unasked = await runInProcess(['notify', 'remove', 'soc'], { env });
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('--yes');

    await setIntegration(file, ['notify', 'routes'], undefined);
    const removed = await runInProcess(['notify', 'rm', 'soc', '--yes'], { env });
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain('Removed the channel "soc" and its secret notify/soc.');
    expect(channelsIn(file)).toEqual({});
    expect(JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).profiles.prod ?? {}).not.toHaveProperty(
      'notify/soc',
    );
  });
});
