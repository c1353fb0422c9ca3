/**
 * A SafeWeb sandbox and loopback receivers of every kind side by side: a book of three customers
 * onboarded through the CLI (examples/customers.csv: nine unresolved findings; OUTBACK-003 has no
 * contact address), channels in the integration settings (a signed webhook, Slack, PagerDuty,
 * email to a plain SMTP server on loopback) with their secrets in SAFEWEB_SECRET_…_FILE files, and
 * the routes a test gives.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Route } from '../../../src/config/integrations.js';
import { integrationsFile, setIntegration } from '../../../src/config/integrations.js';
import { accountKey } from '../../../src/io/account-files.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { cleanEnv, ROOT, runInProcess, tempDir, type CliResult } from '../../helpers/cli.js';
import { pagerDuty, receiver, smtpReceiver, type Receiver, type SmtpReceiver } from '../../helpers/notify.js';

export const FINDINGS = 9;
export const SIGNING_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

export interface NotifyFixture {
  sandbox: Sandbox;
  configDir: string;
  env: Record<string, string | undefined>;
  account: string;
  settingsFile: string;
  hook: Receiver;
  slack: Receiver;
  pd: Receiver & { incidents: Map<string, 'triggered' | 'resolved'> };
  smtp: SmtpReceiver;
  run(argv: string[]): Promise<CliResult>;
  json<T = Record<string, unknown>>(argv: string[]): Promise<T>;
  routes(routes: Route[]): Promise<void>;
  close(): Promise<void>;
}

export async function notifyFixture(options: { delayMs?: number } = {}): Promise<NotifyFixture> {
  const sandbox = await startSandbox({ port: 0 });
  const [hook, slack, pd, smtp] = await Promise.all([
    receiver(() => ({ status: 204 }), options),
    receiver(() => ({ status: 200, body: 'ok' }), options),
    pagerDuty(options),
    smtpReceiver(),
  ]);
  const { dir, cleanup } = tempDir('safeweb-notify-');
  const configDir = path.join(dir, 'config');
  const secret = (name: string, value: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, value, { mode: 0o600 });
    return file;
  };
  const env = cleanEnv({
    SAFEWEB_CONFIG_DIR: configDir,
    SAFEWEB_BASE_URL: sandbox.url,
    SAFEWEB_PARTNER_ID: sandbox.partnerId,
    SAFEWEB_API_KEY: sandbox.apiKey,
    SAFEWEB_SECRET_NOTIFY_SIEM_FILE: secret('siem', SIGNING_SECRET),
    SAFEWEB_SECRET_NOTIFY_CHAT_FILE: secret('chat', `${slack.url}/services/T0/B0/SECRETPATH`),
    SAFEWEB_SECRET_NOTIFY_ONCALL_FILE: secret('oncall', 'R0UT1NGKEY0123456789abcdefABCDEF'),
  });
  const account = accountKey(sandbox.partnerId, sandbox.url);
  const settingsFile = integrationsFile(configDir, account);
  await setIntegration(settingsFile, ['notify', 'channels'], {
    siem: { kind: 'webhook', url: `${hook.url}/in`, secret: 'notify/siem' },
    chat: { kind: 'slack', secret: 'notify/chat' },
    oncall: { kind: 'pagerduty', secret: 'notify/oncall', url: `${pd.url}/v2/enqueue` },
    mail: {
      kind: 'email',
      host: '127.0.0.1',
      port: smtp.port,
      insecure: true,
      from: 'safeweb@msp.example',
      to: ['soc@msp.example'],
    },
  });
  const run = (argv: string[]) => runInProcess(argv, { env });
  const onboarded = await run(['customer', 'onboard', '--file', path.join(ROOT, 'examples/customers.csv'), '--json']);
  if (onboarded.code !== 0) throw new Error(`onboarding the book: ${onboarded.stderr}`);
  return {
    sandbox,
    configDir,
    env,
    account,
    settingsFile,
    hook,
    slack,
    pd,
    smtp,
    run,
    async json<T>(argv: string[]): Promise<T> {
      const r = await run([...argv, '--json']);
      if (r.code !== 0 && r.code !== 8) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async routes(routes: Route[]) {
      await setIntegration(settingsFile, ['notify', 'routes'], routes);
    },
    async close() {
      await Promise.all([sandbox.close(), hook.close(), slack.close(), pd.close(), smtp.close()]);
      cleanup();
    },
  };
}
