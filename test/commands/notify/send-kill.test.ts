/**
 * `notify send` (the built binary) killed -9 three times while messages are in flight, then run to
 * the end (issue 30, "Speed and reliability"): every message reaches the receivers that dedupe
 * exactly once (the webhook by webhook-id, PagerDuty by dedup_key), and the others (Slack, email)
 * get each message at least once and at most one repeat per kill: the one in flight when it came.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBinary, until } from '../../helpers/cli.js';
import { FINDINGS, notifyFixture, type NotifyFixture } from './send-fixture.js';

let fx: NotifyFixture;
beforeAll(async () => {
  // Each far side takes 400 ms to answer: a kill finds a message in flight.
  fx = await notifyFixture({ delayMs: 400 });
  await fx.routes([{ channels: ['siem', 'oncall', 'chat', 'mail'] }]);
});
afterAll(async () => {
  await fx.close();
});

const ARGS = ['notify', 'send', '--include-existing', '--max-creates', '100'];

/** Starts a run and kills it -9 the moment Slack has received `count` requests in all. */
async function killedAt(count: number): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...ARGS], { env: fx.env as NodeJS.ProcessEnv, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  await until(() => fx.slack.received.length >= count || done, `Slack's ${count}th request`, 60_000);
  expect(done, 'the run ended before it could be killed').toBe(false);
  child.kill('SIGKILL');
  await exited;
}

describe('notify send killed -9', () => {
  it('three times, then run to the end: each message once where receivers dedupe, at most the one in flight again elsewhere', async () => {
    for (const count of [2, 4, 6]) await killedAt(count);
    const last = await runBinary(ARGS, { env: fx.env, timeoutMs: 60_000 });
    expect(last.code, last.stderr).toBe(0);
    const kills = 3;

    // The webhook receiver dedupes by webhook-id: every message once.
    const ids = fx.hook.received.map((r) => r.headers['webhook-id'] as string);
    expect(new Set(ids).size).toBe(FINDINGS);
    expect(ids.length).toBeLessThanOrEqual(FINDINGS + kills);
    const findings = new Set(fx.hook.received.map((r) => (JSON.parse(r.body) as { finding: string }).finding));
    expect(findings.size).toBe(FINDINGS);
    // PagerDuty dedupes by dedup_key: one incident per finding.
    expect(fx.pd.incidents.size).toBe(FINDINGS);
    expect([...fx.pd.incidents.keys()].sort()).toEqual([...findings].sort());
    expect(fx.pd.received.length).toBeLessThanOrEqual(FINDINGS + kills);
    // Slack and email do not dedupe: each message at least once, at most one repeat per kill.
    const slackFindings = new Set(fx.slack.received.map((r) => /sw:finding:[0-9a-f]{32}/.exec(r.body)?.[0]));
    expect(slackFindings).toEqual(findings);
    expect(fx.slack.received.length).toBeGreaterThanOrEqual(FINDINGS);
    expect(fx.slack.received.length).toBeLessThanOrEqual(FINDINGS + kills);
    expect(new Set(fx.smtp.delivered.map((m) => m.messageId)).size).toBe(FINDINGS);
    expect(new Set(fx.smtp.delivered.map((m) => m.findingHeader))).toEqual(findings);
    expect(fx.smtp.delivered.length).toBeLessThanOrEqual(FINDINGS + kills);

    // The outbox: every channel's share acknowledged, nothing pending or dead; another run sends nothing.
    const status = await fx.json<{ sinks: Array<Record<string, number | string>> }>(['outbox', 'status']);
    for (const sink of ['notify:siem', 'notify:oncall', 'notify:chat', 'notify:mail'])
      expect(status.sinks.find((s) => s['sink'] === sink)).toMatchObject({
        acked: FINDINGS,
        pending: 0,
        held: 0,
        retrying: 0,
        dead: 0,
      });
    const before = fx.slack.received.length;
    expect((await runBinary(ARGS, { env: fx.env })).code).toBe(0);
    expect(fx.slack.received.length).toBe(before);
  }, 120_000);
});
