/**
 * Issue 27 item 1: one account, whatever the spelling of its base URL; records kept under an
 * older spelling adopted; and a book check that would check nothing because the customers are
 * recorded for another account is exit 2, not "all clear".
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordOnboarded } from '../../../src/customers/local-record.js';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';
import { importSeed } from '../../portfolio/fixture.js';

const fx = useSandbox();

/** The same sandbox, its base URL spelled `localhost`. */
function viaLocalhost(env: Record<string, string | undefined>) {
  return { ...env, SAFEWEB_BASE_URL: env['SAFEWEB_BASE_URL']!.replace('127.0.0.1', 'localhost') };
}

/** A config dir of its own, with the sandbox's credentials. */
function ownConfig(env: Record<string, string | undefined>) {
  const { dir } = tempDir();
  return { dir, env: { ...env, SAFEWEB_CONFIG_DIR: dir } };
}

async function references(env: Record<string, string | undefined>): Promise<string[]> {
  const r = await runInProcess(['customer', 'list', '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Array<{ reference: string }>).map((c) => c.reference).sort();
}

describe('one account key for every spelling of the base URL', () => {
  it('reads the book recorded through 127.0.0.1 when the sandbox is reached as localhost', async () => {
    const { sandbox, env } = fx();
    const own = ownConfig(env);
    const seed = await importSeed(sandbox, own.env);
    const active = seed.filter((c) => c.status === 'active').length;
    const r = await runInProcess(['portfolio', 'status', '--json', '--fail-on', 'threat-score>=101'], {
      env: viaLocalhost(own.env),
    });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { customers: unknown[] }).customers).toHaveLength(active);
    expect(await references(viaLocalhost(own.env))).toEqual(await references(own.env));
  });

  it('adopts a record and an audit log kept under the old spelling, once', async () => {
    const { sandbox, env } = fx();
    const own = ownConfig(env);
    await importSeed(sandbox, own.env);
    const before = await references(own.env);
    // A change audited, then both files moved to the name an earlier version gave them.
    const ref = before[0]!;
    expect(
      (await runInProcess(['customer', 'update', ref, '--company-name', 'Renamed Ltd'], { env: own.env })).code,
    ).toBe(0);
    const port = new URL(sandbox.url).port;
    const oldName = `${sandbox.partnerId}@localhost_${port}.ndjson`;
    const newName = `${sandbox.partnerId}@127.0.0.1_${port}.ndjson`;
    for (const kind of ['ledger', 'audit']) {
      expect(fs.existsSync(path.join(own.dir, kind, newName)), kind).toBe(true);
      fs.renameSync(path.join(own.dir, kind, newName), path.join(own.dir, kind, oldName));
    }
    expect(await references(own.env)).toEqual(before);
    const audit = await runInProcess(['audit', '--json', '--customer', ref], { env: own.env });
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toHaveLength(1);
    for (const kind of ['ledger', 'audit']) {
      expect(fs.existsSync(path.join(own.dir, kind, oldName)), kind).toBe(false);
      expect(fs.existsSync(path.join(own.dir, kind, newName)), kind).toBe(true);
    }
  });

  it('continues a watch state saved under the old spelling', async () => {
    const { sandbox, env } = fx();
    const own = ownConfig(env);
    await importSeed(sandbox, own.env);
    const state = path.join(own.dir, 'book.json');
    expect((await runInProcess(['portfolio', 'watch', '--state', state, '--baseline'], { env: own.env })).code).toBe(0);
    const saved = JSON.parse(fs.readFileSync(state, 'utf8')) as { account: string };
    expect(saved.account).toBe(`${sandbox.partnerId}@127.0.0.1:${new URL(sandbox.url).port}`);
    fs.writeFileSync(state, JSON.stringify({ ...saved, account: saved.account.replace('127.0.0.1', 'localhost') }));
    const r = await runInProcess(['portfolio', 'watch', '--state', state, '--json'], { env: own.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect((JSON.parse(fs.readFileSync(state, 'utf8')) as { account: string }).account).toBe(saved.account);
  });
});

describe('an empty book while the record holds another account’s customers', () => {
  async function elsewhere() {
    const { env } = fx();
    const own = ownConfig(env);
    for (const reference of ['OTHER-1', 'OTHER-2'])
      await recordOnboarded(
        own.dir,
        'P9@api.safeweb.example',
        { reference, id: null, companyName: reference },
        new Date('2026-01-01T00:00:00Z'),
      );
    return own;
  }

  it('is a warning naming that account, and exit 2 for --fail-on and --exit-status', async () => {
    const own = await elsewhere();
    const plain = await runInProcess(['portfolio', 'status', '--json'], { env: own.env });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('2 for P9@api.safeweb.example');

    const check = await runInProcess(['portfolio', 'status', '--fail-on', 'threat-score>=75'], { env: own.env });
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(
      /no customers are recorded for partner_sandbox@127\.0\.0\.1:\d+, but the local record holds 2 for P9@api\.safeweb\.example; --fail-on would pass without checking anything/,
    );

    const state = path.join(own.dir, 'book.json');
    const watch = await runInProcess(['portfolio', 'watch', '--state', state, '--exit-status'], { env: own.env });
    expect(watch.code, watch.stderr).toBe(2);
    expect(fs.existsSync(state)).toBe(false);

    const manifest = path.join(own.dir, 'book.yaml');
    fs.writeFileSync(manifest, 'customers: []\n');
    const plan = await runInProcess(['plan', '--file', manifest, '--exit-status'], { env: own.env });
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stderr).toContain('P9@api.safeweb.example');

    const report = await runInProcess(['portfolio', 'report', '--output', path.join(own.dir, 'r.html')], {
      env: own.env,
    });
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('P9@api.safeweb.example');
  });

  it('with no other account, is still success', async () => {
    const own = ownConfig(fx().env);
    const r = await runInProcess(['portfolio', 'status', '--fail-on', 'threat-score>=75', '--json'], { env: own.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('recorded for');
  });
});

describe('sandbox start without --state', () => {
  async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  it('warns that it starts empty when the record knows customers at its address', async () => {
    const { dir } = tempDir();
    const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
    const port = await freePort();
    const start = (args: string[] = []) =>
      runInProcess(['sandbox', 'start', '--port', String(port), '--quiet', ...args], {
        env,
        signal: Promise.resolve('SIGTERM'),
      });
    const quiet = await start();
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('starts empty');

    await recordOnboarded(
      dir,
      `partner_sandbox@localhost:${port}`,
      { reference: 'ACME-1', id: null, companyName: 'Acme' },
      new Date('2026-01-01T00:00:00Z'),
    );
    const warned = await start();
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain('holds 1 customer of a sandbox on this address, but this one starts empty');
    expect(warned.stderr).toContain('--state FILE');
    const kept = await start(['--state', path.join(dir, 'sandbox.json')]);
    expect(kept.stderr).not.toContain('starts empty');
  });
});
