import { describe, expect, it } from 'vitest';
import { runBinary, runInProcess } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';

const sandbox = useSandbox();

describe('safeweb partner plans', () => {
  it('lists active plans as tab-separated rows when piped, and says what it hid', async () => {
    const r = await runInProcess(['partner', 'plans'], { env: sandbox().env });
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows.map((row) => row[2])).toEqual(['safeweb-basic', 'safeweb-plus', 'safeweb-pro']);
    expect(rows[0]!.slice(1, 6)).toEqual(['SafeWeb Basic', 'safeweb-basic', 'active', 'no', 'yes']);
    expect(r.stderr).toContain('1 inactive plan hidden; --all shows it.');
  });

  it('--all includes archived plans', async () => {
    const r = await runInProcess(['partner', 'plans', '--all'], { env: sandbox().env });
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
    expect(r.stdout).toContain('archived');
  });

  it('--json is a top-level array of the plans the table shows: the active ones, all with --all', async () => {
    const r = await runBinary(['partner', 'plans', '--json'], { env: sandbox().env });
    const doc = JSON.parse(r.stdout);
    expect(doc).toHaveLength(3);
    expect(doc.every((p: { status: string }) => p.status === 'active')).toBe(true);
    expect(r.stderr).toBe('');
    const all = JSON.parse((await runBinary(['partner', 'plans', '--all', '--json'], { env: sandbox().env })).stdout);
    expect(all).toHaveLength(4);
    expect(all[0]).toMatchObject({
      id: expect.any(String),
      displayName: 'SafeWeb Basic',
      status: 'active',
      isSystemDefault: true,
    });
  });
});
