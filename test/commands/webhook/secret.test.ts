import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, runInProcess, tempDir } from '../../helpers/cli.js';
import { scriptedPrompter } from '../../helpers/prompter.js';
import { useSandbox } from '../../helpers/sandbox.js';

const fx = useSandbox();
const mine = () => (fx().sandbox.state.signingSecrets ?? []).filter((s) => s.partnerId === fx().sandbox.partnerId);

describe('safeweb webhook secret create / cycle / deactivate', () => {
  it('runs the whole lifecycle: create once, cycle to a fallback, deactivate', async () => {
    const created = await runInProcess(['webhook', 'secret', 'create', '--json'], { env: fx().env });
    expect(created.code).toBe(0);
    const first = JSON.parse(created.stdout) as { id: string; token: string };
    expect(Object.keys(first).sort()).toEqual(['id', 'token']);
    expect(created.stderr).toContain('shown only now');
    expect(mine()).toEqual([expect.objectContaining({ id: first.id, token: first.token, status: 'active' })]);

    // A second create is the API's rejection, with a pointer to cycle.
    const again = await runInProcess(['webhook', 'secret', 'create'], { env: fx().env });
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('An active signing secret already exists');
    expect(again.stderr).toContain('safeweb webhook secret cycle');
    expect(again.stdout).toBe('');

    const dir = tempDir().dir;
    const file = path.join(dir, 'new.secret');
    const cycled = await runBinary(['--debug', 'webhook', 'secret', 'cycle', '--secret-file', file, '--json'], {
      env: fx().env,
    });
    expect(cycled.code).toBe(0);
    const second = JSON.parse(cycled.stdout) as { id: string };
    expect(Object.keys(second)).toEqual(['id']);
    const token = readFileSync(file, 'utf8').trim();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(cycled.stdout + cycled.stderr).not.toContain(token);
    expect(cycled.stderr).toContain('"secret":"[REDACTED]"');
    expect(mine().map((s) => [s.id, s.status, s.token])).toEqual([
      [first.id, 'fallback', first.token],
      [second.id, 'active', token],
    ]);

    // Deactivating needs a yes: refused without a terminal, cancellable on one.
    const refused = await runInProcess(['webhook', 'secret', 'deactivate', first.id], { env: fx().env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const cancelled = await runInProcess(['webhook', 'secret', 'deactivate', first.id], {
      env: fx().env,
      tty: true,
      prompter: scriptedPrompter([false]),
    });
    expect(cancelled.code).toBe(130);
    expect(mine()).toHaveLength(2);
    const confirmed = await runInProcess(['webhook', 'secret', 'deactivate', first.id, '--json'], {
      env: fx().env,
      tty: true,
      prompter: scriptedPrompter([true]),
    });
    expect(confirmed.code).toBe(0);
    expect(JSON.parse(confirmed.stdout)).toEqual({ id: first.id, deactivated: true });
    expect(mine().map((s) => s.id)).toEqual([second.id]);

    const gone = await runInProcess(['webhook', 'secret', 'deactivate', first.id, '--yes'], { env: fx().env });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain('Signing secret not found');

    // The active one can go too; then create works again.
    expect((await runInProcess(['webhook', 'secret', 'deactivate', second.id, '--yes'], { env: fx().env })).code).toBe(
      0,
    );
    const people = await runInProcess(['webhook', 'secret', 'create'], { env: fx().env });
    expect(people.code).toBe(0);
    const [fresh] = mine();
    expect(people.stdout).toContain(fresh!.id);
    expect(people.stdout).toContain(fresh!.token);
    expect(people.stderr).toContain('shown only now');
  });

  it('never overwrites or follows a link with --secret-file, and leaves no file when the API says no', async () => {
    const dir = tempDir().dir;
    const existing = path.join(dir, 'taken.secret');
    writeFileSync(existing, 'keep me\n');
    const before = JSON.stringify(mine());
    const r = await runInProcess(['webhook', 'secret', 'cycle', '--secret-file', existing], { env: fx().env });
    expect(r.code).toBe(2);
    expect(readFileSync(existing, 'utf8')).toBe('keep me\n');
    const link = path.join(dir, 'link.secret');
    symlinkSync(path.join(dir, 'elsewhere'), link);
    expect((await runInProcess(['webhook', 'secret', 'cycle', '--secret-file', link], { env: fx().env })).code).toBe(2);
    expect(existsSync(path.join(dir, 'elsewhere'))).toBe(false);
    expect(JSON.stringify(mine())).toBe(before);

    // An active secret exists (the test above left one): create is refused, its file removed.
    const claimed = path.join(dir, 'never.secret');
    const refused = await runInProcess(['webhook', 'secret', 'create', '--secret-file', claimed], { env: fx().env });
    expect(refused.code).toBe(3);
    expect(existsSync(claimed)).toBe(false);
  });
});
