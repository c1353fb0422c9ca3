/** The one door: render for any channel's settings, and which kinds take a digest. */
import { describe, expect, it } from 'vitest';
import { render, shown, TAKES_DIGEST } from '../../src/notify/channels.js';
import { breachEvent, manyEvents } from '../helpers/notify.js';

describe('render', () => {
  it('renders for each kind by its settings; only PagerDuty refuses a digest', () => {
    expect(TAKES_DIGEST).toEqual({ teams: true, slack: true, pagerduty: false, webhook: true, email: true });
    const events = manyEvents(2);
    expect(render({ kind: 'teams', secret: 'notify/a' }, events).kind).toBe('teams');
    expect(render({ kind: 'slack', secret: 'notify/a' }, events).kind).toBe('slack');
    expect(render({ kind: 'email', host: 'h', from: 'a@b.co', to: ['c@d.co'] }, events).kind).toBe('email');
    expect(shown(render({ kind: 'webhook', url: 'https://x.example' }, events))).toHaveLength(2);
    expect(() => render({ kind: 'pagerduty', secret: 'notify/a' }, events)).toThrow(/one event at a time/);
    expect(render({ kind: 'pagerduty', secret: 'notify/a' }, breachEvent()).payload).toMatchObject({
      event_action: 'trigger',
    });
  });
});
