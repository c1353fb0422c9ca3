/**
 * Customers the local record holds without an ID (a lost answer, settled by a duplicate reply)
 * and creates still pending are named, each with the command that closes it, by `customer list`,
 * `portfolio status` and `doctor` (and `plan`, per customer of the manifest) — never skipped in silence.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordPath } from '../../../src/customers/local-record.js';
import { accountKey } from '../../../src/io/account-files.js';
import { runInProcess } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';

const fx = useSandbox();
const LINK = 'safeweb customer link NOID-1 --id UUID';

beforeAll(async () => {
  const { env, configDir, sandbox } = fx();
  const onboard = await runInProcess(
    ['customer', 'onboard', '--file', 'examples/acme.json', '--billed-from', 'now+1d'],
    {
      env,
    },
  );
  expect(onboard.code, onboard.stderr).toBe(0);
  const file = recordPath(configDir, accountKey(sandbox.partnerId, sandbox.url));
  mkdirSync(path.dirname(file), { recursive: true });
  const at = '2026-12-01T00:00:00.000Z';
  appendFileSync(
    file,
    `${JSON.stringify({ op: 'onboarded', reference: 'NOID-1', id: null, companyName: 'No Id Ltd', at })}\n` +
      `${JSON.stringify({ op: 'sending', reference: 'PEND-1', companyName: 'Pending Ltd', at })}\n`,
  );
});

describe('the gaps of the local record', () => {
  it.each([
    ['customer list', ['customer', 'list'], 0],
    ['portfolio status', ['portfolio', 'status'], 2],
    ['doctor', ['doctor'], 0],
  ])('%s names each customer without an ID with its link command, and the pending create', async (_, argv, code) => {
    const r = await runInProcess(argv as string[], { env: fx().env });
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toContain('1 customer has no ID in the local record');
    expect(r.stderr).toContain(`  ${LINK}`);
    expect(r.stderr).toContain('1 create was sent and never answered (PEND-1): run the same onboarding again');
  });

  it('doctor shows the record with a warning mark, and the link command once', async () => {
    const r = await runInProcess(['doctor'], { env: fx().env });
    expect(r.stdout).toMatch(/! local record\s+2 customers .*; 1 without an ID, 1 create\(s\) pending/);
    expect(r.stderr.split(LINK)).toHaveLength(2);
  });

  it('a customer list filtered to offboarded ones names no active customer without an ID', async () => {
    const r = await runInProcess(['customer', 'list', '--status', 'offboarded'], { env: fx().env });
    expect(r.stderr).not.toContain(LINK);
  });
});
