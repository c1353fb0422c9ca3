/**
 * The notification pacer (notify/pace.ts): the next message starts a whole interval after the far
 * side answered the last (not after the last started), and never before a 429's Retry-After;
 * channels sharing a URL or key share one pacer, others do not.
 */
import { describe, expect, it } from 'vitest';
import { INTERVAL_MS, Pacer, Pacers } from '../../src/notify/pace.js';

describe('the pacer', () => {
  it('counts the interval from the answer, with 1 % to spare; a 429 pushes the next start to its Retry-After', async () => {
    const clock = { t: 0 };
    const waits: number[] = [];
    const pacer = new Pacer(
      1000,
      () => clock.t,
      async (ms) => {
        waits.push(ms);
        clock.t += ms;
      },
    );
    await pacer.acquire();
    expect(waits).toEqual([]);
    clock.t += 300; // the far side took 300 ms to answer
    pacer.release();
    await pacer.acquire();
    expect(waits).toEqual([1010]);
    expect(clock.t).toBe(1310);
    pacer.rateLimited(5000);
    pacer.release();
    await pacer.acquire();
    expect(clock.t).toBe(6310);
  });

  it('one per far-side limit: Slack a second, PagerDuty 500 ms; webhooks and email unpaced; shared by URL or key', () => {
    expect(INTERVAL_MS).toEqual({ slack: 1000, teams: 1000, pagerduty: 500, webhook: 0, email: 0 });
    const pacers = new Pacers();
    expect(pacers.of('slack', 'https://hooks.slack.com/services/A')).toBe(
      pacers.of('slack', 'https://hooks.slack.com/services/A'),
    );
    expect(pacers.of('slack', 'https://hooks.slack.com/services/A')).not.toBe(
      pacers.of('slack', 'https://hooks.slack.com/services/B'),
    );
    expect(pacers.of('pagerduty', 'KEY')).not.toBe(pacers.of('slack', 'KEY'));
  });
});
