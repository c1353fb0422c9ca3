/**
 * Message IDs: the same message has the same ID on every attempt and every machine (so a receiver
 * that dedupes recognises a retry), each part of what the message is changes it, and it is fit for
 * a `webhook-id` (no ".") and a Message-ID.
 */
import { describe, expect, it } from 'vitest';
import { digestMessageId, messageId } from '../../src/notify/message-id.js';
import { attemptOutcome } from '../../src/notify/http.js';
import { ApiRejectedError } from '../../src/errors.js';

const PARTS = { key: 'sw:finding:0123456789abcdef0123456789abcdef', route: 'soc', kind: 'breach.new', occurrence: 1 };

describe('messageId', () => {
  it('is stable, and msg_ with 128 bits of hex', () => {
    expect(messageId(PARTS)).toBe(messageId({ ...PARTS }));
    expect(messageId(PARTS)).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('changes with the key, the route, the kind and the occurrence', () => {
    const ids = new Set([
      messageId(PARTS),
      messageId({ ...PARTS, key: 'sw:finding:ffffffffffffffffffffffffffffffff' }),
      messageId({ ...PARTS, route: 'oncall' }),
      messageId({ ...PARTS, kind: 'breach.resolved' }),
      messageId({ ...PARTS, occurrence: 2 }),
      // No separator can make two lists alike.
      messageId({ ...PARTS, route: 'soc', kind: 'breach.new1', occurrence: '' }),
    ]);
    expect(ids.size).toBe(6);
  });

  it('a digest\u2019s ID: its route, window and recipients, whatever their order or case', () => {
    const a = digestMessageId({ route: 'r', window: '2026-12-07T10:00Z/1h', recipients: ['b@x.co', 'A@x.co'] });
    expect(a).toBe(digestMessageId({ route: 'r', window: '2026-12-07T10:00Z/1h', recipients: ['a@x.co', 'B@x.co'] }));
    expect(a).not.toBe(
      digestMessageId({ route: 'r', window: '2026-12-07T11:00Z/1h', recipients: ['a@x.co', 'b@x.co'] }),
    );
    expect(a).not.toBe(digestMessageId({ route: 'r', window: '2026-12-07T10:00Z/1h', recipients: ['a@x.co'] }));
    expect(a).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});

describe('attemptOutcome', () => {
  it('is what the outbox records: the ack, or the failure without the error object', () => {
    expect(attemptOutcome({ ok: true, ack: { status: 202, answer: '' } })).toEqual({
      ok: true,
      ack: { status: 202, answer: '' },
    });
    const cause = new ApiRejectedError('no', 400, undefined, undefined, 'Slack');
    expect(attemptOutcome({ ok: false, error: 'no', permanent: true, cause })).toEqual({
      ok: false,
      error: 'no',
      permanent: true,
    });
  });
});
