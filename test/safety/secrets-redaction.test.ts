/**
 * An integration secret a run loads (ctx.secret) is hidden from then on wherever the run shows or
 * keeps text: the audit log's command line, every --debug line (request and answer traces
 * included), and error messages. Against a real sandbox; the same run without loading the
 * secret shows the value, so the check can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhook } from '../../src/api/webhooks.js';
import { Context } from '../../src/context.js';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_GLOBALS } from '../../src/globals.js';
import { reportError } from '../../src/report.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { cleanEnv, runInProcess, tempDir } from '../helpers/cli.js';

const VALUE = 'Tm5SiGnAtUrE0123456789abcdef';
const NAME = 'notify/teams-ops';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(() => sandbox.close());

function capture(): PassThrough & { text: () => string; isTTY: boolean } {
  const stream = new PassThrough() as PassThrough & { text: () => string; isTTY: boolean };
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.isTTY = false;
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

/**
 * One run with --debug that (when `load`) loads the secret, then creates a webhook whose URL and
 * command line carry the value, then fails with an error naming it. Returns what it showed and logged.
 */
async function runThatLoads(load: boolean): Promise<{ stderr: string; audit: string }> {
  const { dir } = tempDir();
  const env = cleanEnv({ SAFEWEB_CONFIG_DIR: dir });
  const add = await runInProcess(
    ['profile', 'add', 'sb', '--base-url', sandbox.url, '--partner-id', sandbox.partnerId, '--api-key-stdin'],
    { env, stdin: sandbox.apiKey },
  );
  expect(add.code, add.stderr).toBe(0);
  const set = await runInProcess(['secret', 'set', NAME, '--value-stdin'], { env, stdin: VALUE });
  expect(set.code, set.stderr).toBe(0);

  const stdout = capture();
  const stderr = capture();
  const ctx = new Context({
    stdin: Readable.from([]),
    stdout,
    stderr,
    env,
    nodeVersion: process.version,
    waitForSignal: () => new Promise(() => {}),
  });
  const url = `https://hooks.example.com/in/${VALUE}`;
  ctx.argv = ['--debug', 'webhook', 'create', '--url', url, '--event', 'breach.new'];
  await ctx.setGlobals({ ...DEFAULT_GLOBALS, debug: true });
  if (load) expect(await ctx.secret(NAME)).toBe(VALUE);
  ctx.debug(`sending to ${url}`);
  await createWebhook(await ctx.api(), { url, events: ['breach.new'] });
  expect(reportError(new UsageError(`the channel ${url} refused the message`), ctx)).toBe(2);
  const folder = path.join(dir, 'audit');
  const audit = readdirSync(folder)
    .map((f) => readFileSync(path.join(folder, f), 'utf8'))
    .join('');
  return { stderr: stderr.text(), audit };
}

describe('a secret a run loads', () => {
  it('is absent from the audit log, the --debug output and error messages', async () => {
    const { stderr, audit } = await runThatLoads(true);
    expect(stderr).toContain('[debug] → POST');
    expect(stderr).toContain('[REDACTED]');
    expect(stderr).not.toContain(VALUE);
    expect(audit).toContain("webhook create --url 'https://hooks.example.com/in/[REDACTED]' --event breach.new");
    expect(audit).not.toContain(VALUE);
  });

  it('(the same run without loading it shows the value: the check above can fail)', async () => {
    const { stderr, audit } = await runThatLoads(false);
    expect(stderr).toContain(VALUE);
    expect(audit).toContain(VALUE);
  });
});
