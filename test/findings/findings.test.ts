/**
 * `safeweb findings` and `safeweb schema event` (issue 28 item 1): the book's current findings
 * with their keys, the same keys watch's events carry, and every event watch prints valid by the
 * published schema.
 */
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ROOT, runInProcess, tempDir } from '../helpers/cli.js';
import { useSandbox } from '../helpers/sandbox.js';
import { importSeed } from '../portfolio/fixture.js';

const fx = useSandbox();
const COMMITTED = path.join(ROOT, 'schema/event.schema.json');

interface Finding {
  key: string;
  customerId: string;
  reference: string;
  breachId: string;
}

async function findings(env: Record<string, string | undefined>, args: string[] = []) {
  const r = await runInProcess(['findings', '--json', ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Finding[];
}

describe('safeweb findings', () => {
  it('lists each unresolved breach of each active customer once, keyed as watch keys its events', async () => {
    const { sandbox, env } = fx();
    const seed = await importSeed(sandbox, env);
    const active = new Set(seed.filter((c) => c.status === 'active').map((c) => c.id));
    const open = sandbox.state.breaches.filter((b) => active.has(b.customerId) && !b.resolved);
    const listed = await findings(env);
    expect(listed.map((f) => f.breachId).sort()).toEqual(open.map((b) => b.id).sort());
    expect(new Set(listed.map((f) => f.key)).size).toBe(listed.length);

    const { dir } = tempDir();
    const watch = await runInProcess(['portfolio', 'watch', '--state', path.join(dir, 's.json'), '--json'], { env });
    expect(watch.code, watch.stderr).toBe(0);
    const events = watch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { finding?: string });
    expect(events.map((e) => e.finding).sort()).toEqual(listed.map((f) => f.key).sort());

    const one = listed[0]!;
    const only = await findings(env, ['--customers', one.reference]);
    expect(only.every((f) => f.reference === one.reference)).toBe(true);
    expect(only.map((f) => f.key)).toContain(one.key);
  });

  it('keeps its keys when a customer is renamed, and on a copy of the config directory', async () => {
    const { sandbox, env } = fx();
    await importSeed(sandbox, env);
    const before = await findings(env);
    const ref = before[0]!.reference;
    const renamed = await runInProcess(['customer', 'update', ref, '--company-name', 'A New Name Ltd'], { env });
    expect(renamed.code, renamed.stderr).toBe(0);
    const { dir } = tempDir();
    cpSync(env['SAFEWEB_CONFIG_DIR']!, dir, { recursive: true });
    const elsewhere = await findings({ ...env, SAFEWEB_CONFIG_DIR: dir });
    expect(elsewhere.map((f) => f.key).sort()).toEqual(before.map((f) => f.key).sort());
  });
});

describe('safeweb schema event', () => {
  it('prints the committed schema file, byte for byte (regenerate it with this command if not)', async () => {
    const r = await runInProcess(['schema', 'event']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('accepts every event watch prints, of every kind it printed, and refuses a malformed one', async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(COMMITTED, 'utf8')) as object);
    const { sandbox, env } = fx();
    await importSeed(sandbox, env);
    const { dir } = tempDir();
    const state = path.join(dir, 'state.json');
    const first = await runInProcess(['portfolio', 'watch', '--state', state, '--json'], { env });
    // Changes of other kinds: an address added, a breach resolved.
    const listed = await findings(env);
    const one = listed[0]!;
    const add = await runInProcess(['customer', 'assets', one.reference, '--add-email', 'new.person@acme.example'], {
      env,
    });
    expect(add.code, add.stderr).toBe(0);
    const resolve = await runInProcess(['breach', 'resolve', one.breachId], {
      env,
    });
    expect(resolve.code, resolve.stderr).toBe(0);
    const second = await runInProcess(['portfolio', 'watch', '--state', state, '--json'], { env });
    const events = `${first.stdout}${second.stdout}`
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(new Set(events.map((e) => e.type)).size).toBeGreaterThanOrEqual(2);
    for (const e of events) expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
    const broken = { ...events[0]!, key: 'not a key' };
    expect(validate(broken)).toBe(false);
    const { finding: _finding, ...unjoined } = events[0] as { finding?: string };
    expect(validate(unjoined)).toBe(false);
  });
});
