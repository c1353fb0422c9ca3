import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { DeliveryPolicy } from '../../src/webhooks/deliver.js';
import { runBinary, runInProcess, cleanEnv, tempDir } from '../helpers/cli.js';

// SafeWeb's policy (2 s timeout, 3 retries, 0.5/1/2 s backoff) scaled down tenfold: the same
// rules, in about a second instead of twelve.
const POLICY: DeliveryPolicy = { timeoutMs: 200, retries: 3, backoffBaseMs: 20 };
let sandbox: Sandbox;
let failing: http.Server;
let slow: http.Server;
const hits = { failing: 0, slow: 0 };

const listenOn = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, webhookPolicy: POLICY });
  failing = http.createServer((req, res) => (req.resume(), hits.failing++, res.writeHead(500).end()));
  // Answers only after the policy's time limit.
  slow = http.createServer(
    (req, res) => (req.resume(), hits.slow++, setTimeout(() => res.writeHead(200).end(), POLICY.timeoutMs + 300)),
  );
});
afterAll(async () => {
  await sandbox.close();
  for (const s of [failing, slow]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

describe('sandbox deliveries', () => {
  it(
    'retry on a 500 and on a receiver slower than the limit, and stop after 3 retries',
    { timeout: 15_000 },
    async () => {
      const env = cleanEnv({
        SAFEWEB_BASE_URL: sandbox.url,
        SAFEWEB_PARTNER_ID: sandbox.partnerId,
        SAFEWEB_API_KEY: sandbox.apiKey,
        SAFEWEB_CONFIG_DIR: tempDir().dir,
      });
      for (const url of [await listenOn(failing), await listenOn(slow)]) {
        expect(
          (
            await runInProcess(
              ['webhook', 'create', '--url', url, '--event', 'breach.resolved', '--event', 'breach.unresolved'],
              { env },
            )
          ).code,
        ).toBe(0);
      }
      const record = sandbox.state.breaches.find(
        (b) =>
          !b.resolved && sandbox.state.customers.find((c) => c.id === b.customerId)!.partnerId === sandbox.partnerId,
      )!;
      expect((await runInProcess(['breach', 'resolve', record.id], { env })).code).toBe(0);
      await sandbox.deliveriesIdle();
      expect(hits).toEqual({ failing: 4, slow: 4 });
      const deliveries = (await runInProcess(['sandbox', 'deliveries', '--json'], { env })).stdout;
      const list = JSON.parse(deliveries) as Array<{
        event: string;
        status: string;
        attempts: Array<{ status?: number; error?: string }>;
      }>;
      expect(list).toHaveLength(2);
      for (const d of list) {
        expect(d).toMatchObject({ event: 'breach.resolved', status: 'failed' });
        expect(d.attempts).toHaveLength(4);
      }
      const timeouts = list.find((d) => d.attempts.every((a) => a.error))!;
      expect(timeouts.attempts[0]!.error).toBe(`no answer within ${POLICY.timeoutMs} ms`);
      const errors = list.find((d) => d.attempts.every((a) => a.status === 500));
      expect(errors).toBeDefined();
      // Resolving it again changes nothing, so nothing more is delivered.
      await runInProcess(['breach', 'resolve', record.id], { env });
      await sandbox.deliveriesIdle();
      expect(hits).toEqual({ failing: 4, slow: 4 });
      const table = await runInProcess(['sandbox', 'deliveries'], { env });
      // Attempts counts them; Answers says what each got.
      expect(table.stdout).toMatch(/breach\.resolved\t\S+\tfailed\t4\t500, 500, 500, 500\t/);
      // The --help example, as printed, runs and finds both.
      const example = `safeweb sandbox deliveries --jq '.[] | select(.status == "failed") | .id'`;
      expect((await runInProcess(['sandbox', 'deliveries', '--help'], { env })).stdout).toContain(example);
      const failed = await runBinary(['sandbox', 'deliveries', '--jq', '.[] | select(.status == "failed") | .id'], {
        env,
      });
      expect(failed.code, failed.stderr).toBe(0);
      expect(failed.stdout.trim().split('\n')).toHaveLength(2);
    },
  );
});
