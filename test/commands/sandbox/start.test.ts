import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runBinary, runInProcess, tempDir } from '../../helpers/cli.js';

const ANALYTICS = '/api/v1/integrations/partner/analytics';

/** Starts `safeweb sandbox start` and resolves with its first JSON document. */
function startBinary(args: string[], env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [BIN, 'sandbox', 'start', '--port', '0', '--json', ...args], {
    env: env as NodeJS.ProcessEnv,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const ready = new Promise<{ url: string; partnerId: string; apiKey: string; profile: string | null }>(
    (resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        try {
          resolve(JSON.parse(stdout));
        } catch {
          /* not complete yet */
        }
      });
      child.on('close', () => reject(new Error(`sandbox exited early: ${stderr}`)));
    },
  );
  return { child, ready, exit, stdout: () => stdout, stderr: () => stderr };
}

/** Resolves once `done()` holds; fails after `ms` with what `shown()` says. */
async function until(done: () => boolean, shown: () => string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms; stderr so far:\n${shown()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('safeweb sandbox start', () => {
  it('prints its URL and credentials, saves a profile, logs requests, and stops cleanly on Ctrl+C', async () => {
    const { dir, cleanup } = tempDir();
    const env = cleanEnv({ SAFEWEB_CONFIG_DIR: path.join(dir, 'cfg') });
    const state = path.join(dir, 'state.json');
    const sb = startBinary(['--save-profile', '--state', state], env);
    const info = await sb.ready;
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.partnerId).toBe('partner_sandbox');
    expect(info.apiKey).toMatch(/^swk_sandbox_[0-9a-f]{32}$/);
    expect(info.profile).toBe('sandbox');

    // The saved profile is active: a command with no flags or variables reaches the sandbox.
    // `safeweb api` prints the API's answer unchanged, whatever shape the verbs print.
    const r = await runBinary(['api', 'GET', ANALYTICS], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).data.totalCustomers).toBe(4);
    // The log line is written as the answer goes out; wait for it rather than for a fixed time.
    await until(() => /GET \/api\/v1\/integrations\/partner\/analytics → 200 \(\d+ ms\)/.test(sb.stderr()), sb.stderr);

    sb.child.kill('SIGINT');
    expect(await sb.exit).toBe(130);
    expect(sb.stderr()).toContain('Stopping the sandbox');
    // stdout held exactly the one JSON document.
    expect(JSON.parse(sb.stdout())).toEqual(info);
    expect(existsSync(state)).toBe(true);

    // Restarted on the same state: same credentials, so the saved profile still works.
    const again = startBinary(['--state', state, '--quiet'], env);
    expect((await again.ready).apiKey).toBe(info.apiKey);
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
    expect(JSON.parse(readFileSync(state, 'utf8')).partners[0].apiKey).toBe(info.apiKey);
    cleanup();
  });

  it('--save-profile says it made the profile active, and which one it replaced', async () => {
    const { dir, cleanup } = tempDir();
    const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
    const prod = [
      'profile',
      'add',
      'prod',
      '--partner-id',
      'P1',
      '--base-url',
      'http://127.0.0.1:9',
      '--api-key-stdin',
    ];
    expect((await runInProcess(prod, { env, stdin: 'swk_prod_test_key_000000' })).code).toBe(0);
    // Stopped (SIGTERM) as soon as it is up: what it said on the way is all there is to see.
    const r = await runInProcess(['sandbox', 'start', '--port', '0', '--save-profile', 'sb'], {
      env,
      signal: Promise.resolve('SIGTERM'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'and made it the active profile in place of "prod" (back with: safeweb profile use prod). Try: safeweb partner analytics',
    );
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).activeProfile).toBe('sb');
    cleanup();
  });

  it('a port in use is exit 5 with a hint', async () => {
    const { dir, cleanup } = tempDir();
    const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
    const first = startBinary(['--quiet'], env);
    const { url } = await first.ready;
    const port = new URL(url).port;
    const r = await runBinary(['sandbox', 'start', '--port', port], { env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use — Pick another with --port`);
    first.child.kill('SIGTERM');
    await first.exit;
    cleanup();
  });

  it('--psa connectwise runs the emulator on its own port, named in the --json banner; a technician closes a ticket', async () => {
    const { dir, cleanup } = tempDir();
    const sb = startBinary(['--quiet', '--psa', 'connectwise'], cleanEnv({ SAFEWEB_CONFIG_DIR: dir }));
    const info = (await sb.ready) as unknown as {
      url: string;
      psa: {
        name: string;
        url: string;
        apiBase: string;
        companyId: string;
        publicKey: string;
        privateKey: string;
        clientId: string;
      };
    };
    expect(info.psa).toMatchObject({ name: 'connectwise', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(info.psa.url).not.toBe(info.url);
    const { apiBase, companyId, publicKey, privateKey, clientId } = info.psa;
    const headers = {
      authorization: `Basic ${Buffer.from(`${companyId}+${publicKey}:${privateKey}`).toString('base64')}`,
      clientId,
      'content-type': 'application/json',
    };
    const made = await fetch(`${apiBase}/service/tickets`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ summary: 'From the banner', company: { identifier: 'NW-001' } }),
    });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: number };
    expect((await fetch(`${info.psa.url}/__emulator/tickets/${id}/close`, { method: 'POST' })).status).toBe(204);
    const closed = await fetch(`${apiBase}/service/tickets?conditions=${encodeURIComponent('closedFlag=true')}`, {
      headers,
    });
    expect(((await closed.json()) as { id: number }[]).map((t) => t.id)).toEqual([id]);
    sb.child.kill('SIGTERM');
    expect(await sb.exit).toBe(0);
    cleanup();
  });

  it('--psa connectwise,autotask runs both emulators, each on its own port; Autotask answers its zone and completes a ticket', async () => {
    const { dir, cleanup } = tempDir();
    const sb = startBinary(['--quiet', '--psa', 'connectwise,autotask'], cleanEnv({ SAFEWEB_CONFIG_DIR: dir }));
    const info = (await sb.ready) as unknown as {
      url: string;
      psa: { name: string };
      psas: Array<{ name: string; url: string } & Record<string, string>>;
    };
    expect(info.psas.map((p) => p.name)).toEqual(['connectwise', 'autotask']);
    expect(info.psa.name).toBe('connectwise');
    const at = info.psas[1]!;
    expect(new Set([info.url, info.psas[0]!.url, at.url]).size).toBe(3);
    const zone = await fetch(`${at['zoneUrl']}?user=${encodeURIComponent(at['username']!)}`);
    expect(((await zone.json()) as { url: string }).url).toBe(`${at['zone']}/`);
    const headers = {
      ApiIntegrationCode: at['integrationCode']!,
      UserName: at['username']!,
      Secret: at['secret']!,
      'content-type': 'application/json',
    };
    const made = await fetch(`${at['zone']}/V1.0/Tickets`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ companyID: 175, title: 'From the banner', status: 1, priority: 2, queueID: 29683482 }),
    });
    expect(made.status).toBe(200);
    const { itemId } = (await made.json()) as { itemId: number };
    expect((await fetch(`${at.url}/__emulator/tickets/${itemId}/close`, { method: 'POST' })).status).toBe(204);
    const ticket = (await (await fetch(`${at['zone']}/V1.0/Tickets/${itemId}`, { headers })).json()) as {
      item: { status: number; completedDate: string };
    };
    expect(ticket.item).toMatchObject({ status: 5, completedDate: expect.any(String) });
    sb.child.kill('SIGTERM');
    expect(await sb.exit).toBe(0);
    cleanup();
  });

  it('--psa halo runs the HaloPSA emulator, its client credentials in the --json banner', async () => {
    const { dir, cleanup } = tempDir();
    const sb = startBinary(['--quiet', '--psa', 'halo'], cleanEnv({ SAFEWEB_CONFIG_DIR: dir }));
    const info = (await sb.ready) as unknown as {
      url: string;
      psa: { name: string; url: string; apiBase: string; tokenUrl: string; clientId: string; clientSecret: string };
    };
    expect(info.psa).toMatchObject({ name: 'halo', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(info.psa.url).not.toBe(info.url);
    expect(info.psa.tokenUrl).toBe(`${info.psa.url}/auth/token`);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: info.psa.clientId,
      client_secret: info.psa.clientSecret,
      scope: 'all',
    });
    const token = await fetch(info.psa.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const clients = await fetch(`${info.psa.apiBase}/Client`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(((await clients.json()) as { clients: { ref: string }[] }).clients.map((c) => c.ref)).toContain('NW-001');
    sb.child.kill('SIGTERM');
    expect(await sb.exit).toBe(0);
    cleanup();
  });
});

describe('safeweb sandbox exec', () => {
  it('runs a command against a fresh sandbox and passes its exit code on', async () => {
    const { dir, cleanup } = tempDir();
    const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
    const ok = await runBinary(['sandbox', 'exec', '--', process.execPath, BIN, 'api', 'GET', ANALYTICS], {
      env,
    });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).data.activeCustomers).toBe(3);
    const seven = await runBinary(['sandbox', 'exec', '--', process.execPath, '-e', 'process.exit(7)'], { env });
    expect(seven.code).toBe(7);
    const missing = await runBinary(['sandbox', 'exec', '--', 'no-such-command-xyz'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('command not found: no-such-command-xyz');
    cleanup();
  });
});
