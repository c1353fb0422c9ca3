/**
 * A killed apply and the signing secrets of the endpoints it was creating. The API shows a
 * secret once: it is written whole the moment it arrives, and an endpoint created by a run that
 * was killed before its secret reached disk is named by `plan` ("secret lost") instead of being
 * left with an empty file and silence; `apply --recreate-lost-secrets` replaces it. An endpoint
 * whose secret simply is not in this run's --secret-dir is not lost.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Faults } from '../../../src/sandbox/server.js';
import { BIN, until } from '../../helpers/cli.js';
import { bookWorld, bookYaml, type BookWorld } from '../../manifest/world.js';

let w: BookWorld;
afterEach(() => w?.close());

const HOOK = 'http://127.0.0.1:9/lost';

const endpoints = () => (w.sandbox.state.webhooks ?? []).filter((h) => h.url === HOOK);

describe('an apply killed while it creates an endpoint', () => {
  it('leaves no empty secret file; plan says the secret is lost; --recreate-lost-secrets replaces the endpoint', async () => {
    const faults: Faults = { latencyMs: 0 };
    w = await bookWorld(faults);
    const file = w.write('book.yaml', bookYaml(1, { webhook: HOOK }));
    const secrets = path.join(w.dir, 'secrets');
    faults.latencyMs = 2_000; // the endpoint is created at once; its answer, with the secret, is held back
    const child = spawn(process.execPath, [BIN, 'apply', '--file', file, '--yes', '--secret-dir', secrets], {
      env: w.env as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    await until(() => endpoints().length === 1, 'the endpoint to be created');
    child.kill('SIGKILL');
    await exited;
    faults.latencyMs = 0;
    // Nothing half-written: no file at all for a secret that never arrived.
    expect(readdirSync(secrets)).toEqual([]);

    const plan = await w.cli(['plan', '--file', file, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const data = JSON.parse(plan.stdout) as { lostSecrets: string[]; warnings: string[] };
    expect(data.lostSecrets).toEqual([HOOK]);
    expect(plan.stderr).toContain(`webhook ${HOOK}: its signing secret was lost`);
    expect(plan.stderr).toContain('apply --recreate-lost-secrets');

    const preview = JSON.parse((await w.cli(['plan', '--file', file, '--json', '--recreate-lost-secrets'])).stdout) as {
      changes: Array<{ action: string; kind: string; url?: string }>;
    };
    expect(preview.changes.filter((c) => c.kind === 'webhook').map((c) => c.action)).toEqual(['delete', 'create']);

    const old = endpoints()[0]!.id;
    // The killed run's POST is logged when the sandbox answers it (held back 2 s): wait for that line,
    // so it is not counted among this apply's requests on a slow machine.
    await until(() => w.requests.some((r) => /^POST \S*webhooks /.test(r)), 'the killed create to be answered');
    const before = w.requests.length;
    const fixed = await w.cli(['apply', '--file', file, '--yes', '--recreate-lost-secrets', '--secret-dir', secrets]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(endpoints()).toHaveLength(1);
    // Deleted, then created anew.
    const sent = w.requests.slice(before).filter((r) => r.includes('webhooks') && !r.startsWith('GET'));
    expect(sent.map((r) => r.split(' → ')[0])).toEqual([
      expect.stringMatching(new RegExp(`^DELETE /\\S*webhooks/${old}$`)),
      expect.stringMatching(/^POST \S*webhooks$/),
    ]);
    const [kept] = readdirSync(secrets);
    expect(readFileSync(path.join(secrets, kept!), 'utf8').trim()).not.toBe('');
    const after = await w.cli(['plan', '--file', file, '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ lostSecrets: [], changes: [] });
  });

  it('an endpoint whose secret is simply not in this --secret-dir (a fresh CI runner) is not lost', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(1, { webhook: HOOK }));
    expect((await w.cli(['apply', '--file', file, '--yes', '--secret-dir', path.join(w.dir, 'a')])).code).toBe(0);
    const plan = await w.cli(['plan', '--file', file, '--json']);
    expect(JSON.parse(plan.stdout)).toMatchObject({ lostSecrets: [], changes: [] });
    expect(plan.stderr).not.toContain('lost');
    // Another machine's config directory: it never saw the create, and says nothing either.
    const elsewhere = await w.cli(['plan', '--file', file, '--json'], {
      env: { ...w.env, SAFEWEB_CONFIG_DIR: path.join(w.dir, 'ci-config') },
    });
    expect(elsewhere.stderr).not.toContain('secret was lost');
    expect((JSON.parse(elsewhere.stdout) as { lostSecrets: string[] }).lostSecrets).toEqual([]);
  });
});
