import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { breachesForEmail } from '../../../src/sandbox/breach-rules.js';
import { cleanEnv, runBinary, runInProcess, runInPty, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';
import { stubServer, type Stub } from '../../helpers/stub-server.js';

const fx = useSandbox();
let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function emailFile(lines: string[]): string {
  const f = path.join(tempDir().dir, 'emails.txt');
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

describe('safeweb breach check', () => {
  it('checks each address: rows when piped, an array with --json', async () => {
    const r = await runInProcess(['breach', 'check', 'admin@acme.co', 'jane@acme.co'], { env: fx().env });
    expect(r.code).toBe(0);
    // No Error column when nothing failed: no line ends in an empty field.
    expect(r.stdout).toBe('admin@acme.co\tyes\njane@acme.co\tno\n');
    const json = await runInProcess(['breach', 'check', 'admin@acme.co', 'jane@acme.co', '--json'], { env: fx().env });
    expect(JSON.parse(json.stdout)).toEqual([
      { email: 'admin@acme.co', breached: true },
      { email: 'jane@acme.co', breached: false },
    ]);
  });

  it('draws a table on a terminal, with an Error column only when an address failed', async () => {
    const pty = runInPty(['breach', 'check', 'admin@acme.co', 'jane@acme.co'], { env: fx().env });
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toMatch(/│ admin@acme\.co\s+│ yes\s+│\r?\n/);
    expect(pty.screen()).not.toContain('Error');
    const failed = runInPty(['breach', 'check', 'admin@acme.co', 'error-400@acme.co'], { env: fx().env });
    expect(await failed.exit).toBe(3);
    expect(failed.screen()).toMatch(/│ Email\s+│ Breached\s+│ Error\s+│/);
    // Too few addresses for a progress bar.
    expect(failed.screen()).not.toContain('Checking [');
  });

  it('--exit-status: 8 when any address is breached, 0 when none', async () => {
    expect(
      (await runInProcess(['breach', 'check', 'jane@acme.co', 'admin@acme.co', '--exit-status'], { env: fx().env }))
        .code,
    ).toBe(8);
    expect(
      (await runInProcess(['breach', 'check', 'jane@acme.co', 'bob@acme.co', '--exit-status'], { env: fx().env })).code,
    ).toBe(0);
    // Without the flag a finding is not a failure.
    expect((await runInProcess(['breach', 'check', 'admin@acme.co'], { env: fx().env })).code).toBe(0);
  });

  it('--resolved / --unresolved pass the filter to the API', async () => {
    const seeded = fx().sandbox.state.breaches.find((b) => b.resolved)!;
    const email = seeded.emails[0]!;
    const all = breachesForEmail(email).length;
    const resolvedOnly = JSON.parse(
      (await runInProcess(['breach', 'check', email, '--resolved', '--json'], { env: fx().env })).stdout,
    );
    expect(resolvedOnly[0].breached).toBe(true);
    const unresolvedOnly = JSON.parse(
      (await runInProcess(['breach', 'check', email, '--unresolved', '--json'], { env: fx().env })).stdout,
    );
    expect(unresolvedOnly[0].breached).toBe(all > 1);
    expect((await runInProcess(['breach', 'check', email, '--resolved', '--unresolved'], { env: fx().env })).code).toBe(
      2,
    );
  });

  it('an invalid address is exit 2 with nothing sent', async () => {
    stub = await stubServer([]);
    const env = cleanEnv({
      SAFEWEB_BASE_URL: stub.url,
      SAFEWEB_PARTNER_ID: 'P',
      SAFEWEB_API_KEY: 'swk_unused_000000',
      SAFEWEB_CONFIG_DIR: tempDir().dir,
    });
    const r = await runInProcess(
      ['breach', 'check', 'ok@acme.co', 'not-an-email', '--file', emailFile(['a@b.co', 'x@'])],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('argument 2: "not-an-email" is not a valid email address');
    expect(r.stderr).toMatch(/emails\.txt line 2: "x@" is not a valid email address/);
    expect(stub.requests).toEqual([]);
    expect(stub.unexpected).toEqual([]);
  });

  it('a 200-address file with one server error in the middle completes, reports it and exits 5', async () => {
    const lines = Array.from({ length: 200 }, (_, i) =>
      i === 100 ? 'error-500@acme.co' : i % 10 === 0 ? `pwned.user${i}@acme.co` : `user${i}@acme.co`,
    );
    lines.splice(50, 0, '# a comment', '');
    const r = await runInProcess(['breach', 'check', '--file', emailFile(lines), '--json', '--concurrency', '16'], {
      env: fx().env,
    });
    expect(r.code).toBe(5);
    const results = JSON.parse(r.stdout) as Array<{
      email: string;
      breached: boolean | null;
      error?: { message: string };
    }>;
    expect(results).toHaveLength(200);
    expect(results.filter((x) => x.error).map((x) => x.email)).toEqual(['error-500@acme.co']);
    expect(results.filter((x) => x.breached)).toHaveLength(19);
    expect(results.map((x) => x.email)).toEqual(lines.filter((l) => l && !l.startsWith('#')));
    expect(r.stderr).toContain(
      'warning: error-500@acme.co: Failed to check breach status (SafeWeb answered 500 to POST /api/v1/integrations/breach/check)',
    );
    expect(r.stderr).toContain('Checked 200 addresses: 19 breached, 180 clean, 1 failed.');
  });

  it('reads stdin with --file - and streams NDJSON', async () => {
    const r = await runBinary(['breach', 'check', '--file', '-', '--ndjson', '--concurrency', '1'], {
      env: fx().env,
      input: 'admin@acme.co\njane@acme.co\n',
    });
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { email: 'admin@acme.co', breached: true },
      { email: 'jane@acme.co', breached: false },
    ]);
  });

  it('stops sending after an authentication failure and exits 4', async () => {
    const r = await runInProcess(
      ['breach', 'check', '--file', emailFile(['a@acme.co', 'b@acme.co', 'c@acme.co']), '--concurrency', '1'],
      { env: { ...fx().env, SAFEWEB_API_KEY: 'swk_wrong_000000000' } },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      'error: Failed to verify org API key (SafeWeb answered 401 to POST /api/v1/integrations/breach/check) — ' +
        'Check the partner ID and API key with `safeweb profile show`, or run `safeweb login`.\n',
    );
  });
});

describe('breach check --results / --resume', () => {
  it('records each address, resumes after Ctrl+C without checking any twice', { timeout: 30_000 }, async () => {
    const { startSandbox } = await import('../../../src/sandbox/server.js');
    const { spawn } = await import('node:child_process');
    const { existsSync, readFileSync } = await import('node:fs');
    const { BIN } = await import('../../helpers/cli.js');
    let checks = 0;
    const slow = await startSandbox({
      port: 0,
      faults: { latencyMs: 100 },
      log: (l) => (l.includes('/breach/check') ? checks++ : undefined),
    });
    const env = cleanEnv({
      SAFEWEB_BASE_URL: slow.url,
      SAFEWEB_PARTNER_ID: slow.partnerId,
      SAFEWEB_API_KEY: slow.apiKey,
      SAFEWEB_CONFIG_DIR: tempDir().dir,
    });
    const addresses = Array.from({ length: 40 }, (_, i) => (i % 4 ? `user${i}@acme.co` : `pwned.${i}@acme.co`));
    const file = emailFile(addresses);
    const results = path.join(tempDir().dir, 'checks.ndjson');
    const child = spawn(
      process.execPath,
      [BIN, 'breach', 'check', '--file', file, '--results', results, '--concurrency', '2'],
      { env: env as NodeJS.ProcessEnv, stdio: 'ignore' },
    );
    const closed = new Promise((resolve) => child.on('close', resolve));
    // Interrupt once a first address is recorded (40 at 100 ms, two at a time, take 2 s).
    const deadline = Date.now() + 15_000;
    while (!existsSync(results) || readFileSync(results, 'utf8').trim() === '') {
      if (Date.now() > deadline) throw new Error('no address was recorded within 15 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    const first = readFileSync(results, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(40);
    expect(first[0]).toMatchObject({ email: expect.any(String), status: 'ok', breached: expect.any(Boolean) });

    const resumed = await runInProcess(
      ['breach', 'check', '--file', file, '--resume', results, '--concurrency', '8', '--json'],
      { env },
    );
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toHaveLength(40 - first.length);
    expect(resumed.stderr).toContain(`${first.length} already checked`);
    const all = readFileSync(results, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { email: string; breached: boolean });
    expect(all.map((x) => x.email).sort()).toEqual([...addresses].sort());
    expect(all.filter((x) => x.breached)).toHaveLength(10);
    expect(checks).toBe(40);
    await slow.close();
  });
});

describe('safeweb breach retrieve', () => {
  it('lays the details out for reading on a terminal', async () => {
    const pty = runInPty(['breach', 'retrieve', 'admin@acme.co'], { env: fx().env });
    expect(await pty.exit).toBe(0);
    const first = breachesForEmail('admin@acme.co')[0]!;
    const screen = pty.screen();
    expect(screen).toContain(`admin@acme.co appears in ${breachesForEmail('admin@acme.co').length} breach`);
    expect(screen).toContain(`${first.title}  ${first.breachDate.slice(0, 10)}  unresolved`);
    expect(screen).toContain('Next steps:');
    expect(screen).toContain('• Be alert to phishing emails');
  });

  it('is a top-level array of breaches with --json, localised with --locale', async () => {
    const doc = JSON.parse(
      (await runInProcess(['breach', 'retrieve', 'admin@acme.co', '--locale', 'fi-FI', '--json'], { env: fx().env }))
        .stdout,
    );
    expect(doc).toHaveLength(breachesForEmail('admin@acme.co').length);
    expect(doc[0]).toMatchObject({
      title: expect.stringMatching(/^Tietomurto: /),
      resolvedStatus: false,
      nextSteps: expect.any(Array),
    });
  });

  it('a clean address has no breaches; an invalid one is exit 2', async () => {
    const clean = await runInProcess(['breach', 'retrieve', 'jane@acme.co'], { env: fx().env });
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe('');
    expect(clean.stderr).toContain('No known breaches for jane@acme.co.');
    expect((await runInProcess(['breach', 'retrieve', 'jane@'], { env: fx().env })).code).toBe(2);
  });
});

describe('safeweb breach resolve / unresolve', () => {
  it('flips a customer breach, visible in customer breaches', async () => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const seeded = fx().sandbox.state.customers.find((c) => c.customerReference === 'GLOBEX-7')!;
    const record = fx().sandbox.state.breaches.find((b) => b.customerId === seeded.id && !b.resolved)!;
    const r = await runInProcess(['breach', 'resolve', record.id], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Breach ${record.id} is now marked resolved.`);
    const listed = JSON.parse((await runInProcess(['customer', 'breaches', seeded.id, '--json'], { env })).stdout);
    expect(listed.find((b: { uuid: string }) => b.uuid === record.id).resolved).toBe(true);
    const back = JSON.parse((await runInProcess(['breach', 'unresolve', record.id, '--json'], { env })).stdout);
    expect(back).toEqual({ breachId: record.id, resolved: false });
    expect(record.resolved).toBe(false);
  });

  it('takes the id that customer breaches --json also shows, mapped to its uuid by one read', async () => {
    const env = { ...fx().env, SAFEWEB_CONFIG_DIR: tempDir().dir };
    const seeded = fx().sandbox.state.customers.find((c) => c.customerReference === 'GLOBEX-7')!;
    const listed = JSON.parse((await runInProcess(['customer', 'breaches', seeded.id, '--json'], { env })).stdout);
    const open = listed.find((b: { resolved: boolean }) => !b.resolved) as { id: string; uuid: string };
    // --json keeps both; the table (piped: its first field) shows the uuid, the one resolve sends.
    expect(open.id).not.toBe(open.uuid);
    const piped = (await runInProcess(['customer', 'breaches', seeded.id], { env })).stdout;
    expect(piped.split('\n').map((l) => l.split('\t')[0])).toContain(open.uuid);
    expect(piped).not.toContain(open.id);

    const r = await runInProcess(['breach', 'resolve', open.id, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ breachId: open.uuid, resolved: true });
    expect(fx().sandbox.state.breaches.find((b) => b.id === open.uuid)!.resolved).toBe(true);
    expect((await runInProcess(['breach', 'unresolve', open.id], { env })).code).toBe(0);
    expect(fx().sandbox.state.breaches.find((b) => b.id === open.uuid)!.resolved).toBe(false);

    // An id of this customer's form that it has no breach under: exit 2 naming how to list them.
    const missing = await runInProcess(['breach', 'resolve', `${seeded.id}-NoSuchBreach-99`], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no breach "${seeded.id}-NoSuchBreach-99" among the`);
    expect(missing.stderr).toContain(`safeweb customer breaches ${seeded.id}`);
    // A customer that is not the partner's: the API's 404 for the read, and nothing sent.
    const foreign = fx().sandbox.state.customers.find((c) => c.partnerId !== fx().sandbox.partnerId)!;
    expect((await runInProcess(['breach', 'resolve', `${foreign.id}-Adobe-0`], { env })).code).toBe(3);
  });

  it('an unknown breach is exit 3 with the API message; a malformed ID is exit 2', async () => {
    const unknown = await runInProcess(['breach', 'resolve', '00000000-0000-4000-8000-000000000000'], {
      env: fx().env,
    });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe(
      'error: Breach not found or does not belong to partner (SafeWeb answered 404 to POST /api/v1/integrations/breach/status)\n',
    );
    const foreign = fx().sandbox.state.breaches.find(
      (b) => fx().sandbox.state.customers.find((c) => c.id === b.customerId)!.partnerId !== fx().sandbox.partnerId,
    )!;
    expect((await runInProcess(['breach', 'resolve', foreign.id], { env: fx().env })).code).toBe(3);
    expect((await runInProcess(['breach', 'unresolve', 'Adobe'], { env: fx().env })).code).toBe(2);
  });
});

describe('safeweb breach get and categories', () => {
  it('gets a catalogue entry by name or by UUID, localised', async () => {
    const byName = JSON.parse(
      (await runInProcess(['breach', 'get', '--name', 'Adobe', '--json'], { env: fx().env })).stdout,
    );
    // The catalogue entry itself, not the API's envelope.
    expect(byName.success).toBeUndefined();
    expect(byName).toMatchObject({
      name: 'Adobe',
      title: 'Adobe',
      breachCategories: ['Email addresses', 'Password hints', 'Passwords', 'Usernames'],
    });
    const byUuid = JSON.parse(
      (
        await runInProcess(['breach', 'get', '--uuid', byName.uuid, '--locale', 'nb-NO', '--json'], {
          env: fx().env,
        })
      ).stdout,
    );
    expect(byUuid.title).toBe('Datainnbrudd: Adobe');
    const piped = await runInProcess(['breach', 'get', '--name', 'Adobe'], { env: fx().env });
    expect(piped.stdout).toMatch(/^uuid\t[0-9a-f-]{36}\nname\tAdobe\n/);
  });

  it.each([
    [[], /give exactly one of --name and --uuid/],
    [['--name', 'Adobe', '--uuid', '057b8cab-6c4c-464f-9e22-cf395898c8fb'], /give exactly one of --name and --uuid/],
    [['--uuid', 'nope'], /--uuid "nope" is not a UUID/],
    [['--name', 'Adobe', '--locale', 'de-DE'], /argument 'de-DE' is invalid/],
  ])('refuses %j with exit 2', async (flags, message) => {
    const r = await runInProcess(['breach', 'get', ...flags], { env: fx().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('an unknown breach is exit 3', async () => {
    const r = await runInProcess(['breach', 'get', '--name', 'NoSuchBreach'], { env: fx().env });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: Breach not found (SafeWeb answered 404 to GET /api/v1/integrations/breach)\n');
  });

  it('lists the categories', async () => {
    const r = await runInProcess(['breach', 'categories'], { env: fx().env });
    expect(r.stdout.split('\n')[0]).toBe('Email addresses\tEmail addresses were exposed.');
    const json = JSON.parse((await runInProcess(['breach', 'categories', '--json'], { env: fx().env })).stdout);
    expect(json.length).toBeGreaterThan(5);
    expect(json[0]).toEqual({ name: 'Email addresses', description: 'Email addresses were exposed.' });
  });
});
