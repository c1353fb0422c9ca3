/**
 * `notify send` and `notify plan` end to end, in-process, against the SafeWeb sandbox and loopback
 * receivers (issue 30 items 2 and 3; the first-run baseline and cap of issue 28 item 6): the
 * comparison with the sink's own state, routing, the outbox, digests, contacts, --dry-run.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { accountFileName } from '../../../src/io/account-files.js';
import { runInProcess, until } from '../../helpers/cli.js';
import { notifyFixture, FINDINGS, SIGNING_SECRET, type NotifyFixture } from './send-fixture.js';

let fx: NotifyFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

interface Summary {
  baseline: { customers: number; events: number } | null;
  found: number;
  enqueued: number;
  sent: number;
  waiting: number;
  overCap: number;
  deadLettered: number;
  skipped: Array<{ reference: string; reason: string }>;
  messages: Array<{ channel: string; route: string; id: string; events: number; to: string[]; outcome: string }>;
}
interface Plan {
  baseline: Summary['baseline'];
  found: number;
  messages: Array<{
    channel: string;
    events: number;
    now: boolean;
    waits: string | null;
    overCap: boolean;
    to: string[];
  }>;
  counts: { now: number; later: number; overCap: number };
  skipped: Array<{ reference: string; reason: string }>;
}

const stateFile = (f: NotifyFixture) => path.join(f.configDir, 'notify', `${accountFileName(f.account)}.state.json`);

describe('notify send', () => {
  it('baselines its first run, then sends what changes: signed webhook, a page that closes itself', async () => {
    fx = await notifyFixture();
    await fx.routes([
      { name: 'siem', channels: ['siem'] },
      { name: 'pages', channels: ['oncall'], events: ['breach.new', 'breach.resolved'] },
    ]);
    const first = await fx.json<Summary>(['notify', 'send']);
    expect(first).toMatchObject({ baseline: { customers: 3, events: FINDINGS }, found: 0, sent: 0 });
    expect(existsSync(stateFile(fx))).toBe(true);
    expect(fx.hook.received).toEqual([]);
    // Nothing changed: nothing to send, quietly.
    const again = await fx.run(['notify', 'send']);
    expect(again.code, again.stderr).toBe(0);
    expect(fx.hook.received).toEqual([]);

    // A breach is resolved in SafeWeb: the webhook and PagerDuty hear of it, once.
    const findings = await fx.json<Array<{ breachId: string; key: string; reference: string }>>(['findings']);
    expect((await fx.run(['breach', 'resolve', findings[0]!.breachId])).code).toBe(0);
    const plan = await fx.run(['notify', 'plan', '--exit-status', '--json']);
    expect(plan.code).toBe(8);
    expect((JSON.parse(plan.stdout) as Plan).counts).toEqual({ now: 2, later: 0, overCap: 0 });
    const sent = await fx.json<Summary>(['notify', 'send']);
    expect(sent).toMatchObject({ baseline: null, found: 1, enqueued: 1, sent: 2 });
    expect(fx.hook.received).toHaveLength(1);
    const delivery = fx.hook.received[0]!;
    const body = new Webhook(SIGNING_SECRET).verify(delivery.body, {
      'webhook-id': delivery.headers['webhook-id'] as string,
      'webhook-timestamp': delivery.headers['webhook-timestamp'] as string,
      'webhook-signature': delivery.headers['webhook-signature'] as string,
    }) as { type: string; finding: string; reference: string };
    expect(body).toMatchObject({
      type: 'breach.resolved',
      finding: findings[0]!.key,
      reference: findings[0]!.reference,
    });
    expect(fx.pd.incidents.get(findings[0]!.key)).toBe('resolved');
    expect((await fx.json<Summary>(['notify', 'send'])).sent).toBe(0);
    expect(fx.hook.received).toHaveLength(1);
    const status = await fx.json<{ sinks: Array<{ sink: string; acked: number; pending: number }> }>([
      'outbox',
      'status',
    ]);
    expect(status.sinks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sink: 'notify:siem', acked: 1, pending: 0 }),
        expect.objectContaining({ sink: 'notify:oncall', acked: 1, pending: 0 }),
      ]),
    );
  });

  it('--include-existing sends what the book holds, at most --max-creates a run; the plan says how many wait', async () => {
    fx = await notifyFixture();
    await fx.routes([{ channels: ['siem'] }]);
    const plan = await fx.json<Plan>(['notify', 'plan', '--include-existing', '--max-creates', '4']);
    expect(plan).toMatchObject({
      baseline: null,
      found: FINDINGS,
      counts: { now: 4, later: 0, overCap: FINDINGS - 4 },
    });
    expect(fx.hook.received).toEqual([]);
    const first = await fx.json<Summary>(['notify', 'send', '--include-existing', '--max-creates', '4']);
    expect(first).toMatchObject({ found: FINDINGS, enqueued: FINDINGS, sent: 4, overCap: FINDINGS - 4 });
    const rest = await fx.json<Summary>(['notify', 'send']);
    expect(rest).toMatchObject({ found: 0, sent: FINDINGS - 4, overCap: 0 });
    const ids = fx.hook.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(FINDINGS);
    const keys = new Set(fx.hook.received.map((r) => (JSON.parse(r.body) as { finding: string }).finding));
    expect(keys.size).toBe(FINDINGS);
  });

  it('--dry-run prints each payload and keeps, records and sends nothing', async () => {
    fx = await notifyFixture();
    await fx.routes([{ channels: ['chat'] }]);
    const dry = await fx.run(['notify', 'send', '--include-existing', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.match(/^# chat \(slack\) · route-1 · 1 event · msg_[0-9a-f]{32}$/gm)).toHaveLength(FINDINGS);
    expect(dry.stdout).toContain('"blocks"');
    expect(dry.stdout + dry.stderr).not.toContain('SECRETPATH');
    expect(fx.slack.received).toEqual([]);
    expect(existsSync(stateFile(fx))).toBe(false);
    const status = await fx.json<{ items: number }>(['outbox', 'status']);
    expect(status.items).toBe(0);
    const json = await fx.json<{ payloads: Array<{ channel: string; payload: { text: string } }> }>([
      'notify',
      'send',
      '--include-existing',
      '--dry-run',
    ]);
    expect(json.payloads).toHaveLength(FINDINGS);
    expect(json.payloads[0]!.payload.text).toMatch(/^New breach for /);
  });

  it('a digest waits for its window (the plan says when); --flush sends one message per channel and recipients', async () => {
    fx = await notifyFixture();
    await fx.routes([{ name: 'customers', channels: ['mail', 'chat'], digest: '1d', to: 'contact' }]);
    const plan = await fx.json<Plan>(['notify', 'plan', '--include-existing']);
    // Slack: one digest; email: one per customer with a contact; OUTBACK-003 has none and is skipped.
    expect(plan.counts).toEqual({ now: 0, later: 3, overCap: 0 });
    expect(plan.messages.every((m) => m.waits === 'digest')).toBe(true);
    expect([...new Set(plan.skipped.map((s) => [s.reference, s.reason].join(' ')))]).toEqual([
      'OUTBACK-003 no contact',
    ]);
    const planned = await fx.run(['notify', 'plan', '--include-existing']);
    expect(planned.stderr).toContain(
      'Would skip by a `to: contact` route (no known contact: imported, or onboarded without one): OUTBACK-003',
    );

    const held = await fx.json<Summary>(['notify', 'send', '--include-existing']);
    expect(held).toMatchObject({ sent: 0, waiting: 3 });
    expect(fx.smtp.delivered).toEqual([]);
    const flushed = await fx.json<Summary>(['notify', 'send', '--flush']);
    expect(flushed.sent).toBe(3);
    expect(fx.slack.received).toHaveLength(1);
    expect(fx.smtp.delivered.map((m) => m.to).sort()).toEqual([
      ['drift@nordisk-trae.example'],
      ['it@acme-widgets.example'],
    ]);
    // Each customer's email is about its own findings only.
    const byTo = Object.fromEntries(
      flushed.messages.filter((m) => m.channel === 'mail').map((m) => [m.to[0], m.events]),
    );
    const findings = await fx.json<Array<{ reference: string }>>(['findings']);
    expect(byTo['it@acme-widgets.example']).toBe(findings.filter((f) => f.reference === 'ACME-W-001').length);
    expect(byTo['drift@nordisk-trae.example']).toBe(findings.filter((f) => f.reference === 'NORDISK-002').length);
    expect((await fx.json<Summary>(['notify', 'send', '--flush'])).sent).toBe(0);
  });

  it('Ctrl+C: the message in flight finishes and is recorded, no new one starts (exit 130); the next run sends the rest', async () => {
    fx = await notifyFixture();
    await fx.routes([{ channels: ['chat'] }]);
    const f = fx;
    const signal = until(() => f.slack.received.length >= 2, 'two Slack messages', 30_000).then(
      () => 'SIGINT' as NodeJS.Signals,
    );
    const stopped = await runInProcess(['notify', 'send', '--include-existing', '--json'], { env: fx.env, signal });
    expect(stopped.code, stopped.stderr).toBe(130);
    const summary = JSON.parse(stopped.stdout) as Summary & { putBack: number };
    expect(summary.sent).toBe(2);
    expect(summary.putBack).toBe(FINDINGS - 2);
    expect(stopped.stderr).toContain('Stopping: no new message is sent');
    const rest = await fx.json<Summary>(['notify', 'send']);
    expect(rest.sent).toBe(FINDINGS - 2);
    expect(fx.slack.received).toHaveLength(FINDINGS);
  });

  it('refuses settings that route nothing, naming the file', async () => {
    fx = await notifyFixture();
    const r = await fx.run(['notify', 'send']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${fx.settingsFile} has no notify.routes: nothing would be sent`);
    expect(readFileSync(fx.settingsFile, 'utf8')).not.toContain('routes');
  });
});
