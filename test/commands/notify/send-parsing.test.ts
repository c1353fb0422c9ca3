/** argv -> the options `notify send` and `notify plan` receive (the verbs replaced), or commander's usage error. */
import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';

vi.mock('../../../src/commands/notify/send.js', () => ({ runNotifySend: vi.fn(async () => ({ data: undefined })) }));
vi.mock('../../../src/commands/notify/plan.js', () => ({ runNotifyPlan: vi.fn(async () => ({ data: undefined })) }));
const { runNotifySend } = (await import('../../../src/commands/notify/send.js')) as unknown as { runNotifySend: Mock };
const { runNotifyPlan } = (await import('../../../src/commands/notify/plan.js')) as unknown as { runNotifyPlan: Mock };
const env = cleanEnv({ SAFEWEB_CONFIG_DIR: tempDir().dir });
beforeEach(() => vi.clearAllMocks());

async function parsed(argv: string[], verb: Mock): Promise<Record<string, unknown>> {
  const r = await runInProcess(argv, { env });
  expect(r, argv.join(' ')).toMatchObject({ code: 0, stdout: '', stderr: '' });
  expect(verb).toHaveBeenCalledTimes(1);
  return verb.mock.calls[0]![0] as Record<string, unknown>;
}

describe('notify send and notify plan', () => {
  it('defaults: 50 messages a run, 8 customers read at once, no flush, no dry run, the lock\u2019s own wait', async () => {
    expect(await parsed(['notify', 'send'], runNotifySend)).toEqual({
      file: undefined,
      includeExisting: false,
      since: undefined,
      maxCreates: 50,
      flush: false,
      concurrency: 8,
      dryRun: false,
      wait: undefined,
    });
    expect(await parsed(['notify', 'plan'], runNotifyPlan)).toMatchObject({ maxCreates: 50, flush: false });
  });

  it('every flag, parsed', async () => {
    const opts = await parsed(
      [
        'notify',
        'send',
        '--since',
        '2026-11-01',
        '--max-creates',
        '0',
        '--flush',
        '--dry-run',
        '--file',
        'book.yaml',
        '--wait',
        '2m',
      ],
      runNotifySend,
    );
    expect(opts).toMatchObject({
      since: '2026-11-01',
      maxCreates: 0,
      flush: true,
      dryRun: true,
      file: 'book.yaml',
      wait: 120_000,
    });
    vi.clearAllMocks();
    expect(await parsed(['notify', 'plan', '--include-existing', '--concurrency', '2'], runNotifyPlan)).toMatchObject({
      includeExisting: true,
      concurrency: 2,
    });
  });

  it.each([
    [['notify', 'send', '--since', '2026-02-30'], /use a date as YYYY-MM-DD/],
    [['notify', 'send', '--since', '2026-01-01', '--include-existing'], /cannot be used with option '--since/],
    [['notify', 'send', '--max-creates', '-1'], /--max-creates/],
    [['notify', 'plan', '--dry-run'], /unknown option '--dry-run'/],
  ])('refuses %j (exit 2)', async (argv, message) => {
    const r = await runInProcess(argv, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(runNotifySend).not.toHaveBeenCalled();
    expect(runNotifyPlan).not.toHaveBeenCalled();
  });
});
