/** argv -> the options `notify add` receives (the verb replaced), or commander's usage error. */
import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';

vi.mock('../../../src/commands/notify/add.js', () => ({ runNotifyAdd: vi.fn(async () => ({ data: undefined })) }));
const { runNotifyAdd } = (await import('../../../src/commands/notify/add.js')) as unknown as { runNotifyAdd: Mock };
const env = cleanEnv({ SAFEWEB_CONFIG_DIR: tempDir().dir });
beforeEach(() => vi.clearAllMocks());

async function parsed(argv: string[]): Promise<Record<string, unknown>> {
  const r = await runInProcess(argv, { env });
  expect(r, argv.join(' ')).toMatchObject({ code: 0, stdout: '', stderr: '' });
  expect(runNotifyAdd).toHaveBeenCalledTimes(1);
  return runNotifyAdd.mock.calls[0]![0] as Record<string, unknown>;
}

describe('notify add', () => {
  it('email: repeated --to, a parsed --port, --insecure-smtp, --no-mask', async () => {
    const opts = await parsed([
      'notify',
      'add',
      'email',
      'mail',
      '--host',
      'smtp.msp.example',
      '--port',
      '2525',
      '--from',
      'a@msp.example',
      '--to',
      'b@msp.example',
      '--to',
      'c@msp.example',
      '--insecure-smtp',
      '--no-mask',
    ]);
    expect(opts).toMatchObject({
      kind: 'email',
      name: 'mail',
      host: 'smtp.msp.example',
      port: 2525,
      from: 'a@msp.example',
      to: ['b@msp.example', 'c@msp.example'],
      insecureSmtp: true,
      mask: false,
      store: 'file',
      valueGiven: [],
    });
  });

  it('teams: --url is a secret given on the command line, passed on as such (never as a URL)', async () => {
    const opts = await parsed(['notify', 'add', 'teams', 'soc', '--url', 'https://x.example/w?sig=1']);
    expect(opts).toMatchObject({ kind: 'teams', url: undefined, valueGiven: ['--url'], mask: true });
  });

  it('pagerduty: --region and --url; webhook: --url required, --unsigned against a secret source', async () => {
    expect(await parsed(['notify', 'add', 'pagerduty', 'oncall', '--region', 'eu'])).toMatchObject({ region: 'eu' });
    vi.clearAllMocks();
    for (const argv of [
      ['notify', 'add', 'webhook', 'siem'],
      ['notify', 'add', 'webhook', 'siem', '--url', 'https://s.example', '--unsigned', '--secret-stdin'],
      ['notify', 'add', 'pagerduty', 'oncall', '--region', 'mars'],
      ['notify', 'add', 'email', 'm', '--host', 'h', '--from', 'a@b.co', '--port', '70000'],
      ['notify', 'add', 'sms', 'x'],
    ]) {
      const r = await runInProcess(argv, { env });
      expect(r.code, argv.join(' ')).toBe(2);
    }
    expect(runNotifyAdd).not.toHaveBeenCalled();
  });
});
