import { describe, expect, it } from 'vitest';
import { createdAtOf, parseRelayFrame, refusalReason } from '../../exporter/sources/relay/frames.js';

const frame = (value: unknown) => {
  const text = JSON.stringify(value);
  return parseRelayFrame(text, Buffer.byteLength(text));
};

describe('relay frames', () => {
  it('reads an EVENT and the size of its event as the relay serialized it', () => {
    const event = { id: 'a', content: 'héllo' };
    const parsed = frame(['EVENT', 'sub-1', event]);
    expect(parsed).toMatchObject({ type: 'EVENT', subId: 'sub-1', event });
    expect(parsed.type === 'EVENT' && parsed.eventBytes).toBe(Buffer.byteLength(JSON.stringify(event)));
  });

  it('reads EOSE, CLOSED, NOTICE, OK and AUTH', () => {
    expect(frame(['EOSE', 's'])).toEqual({ type: 'EOSE', subId: 's' });
    expect(frame(['CLOSED', 's', 'rate-limited: later'])).toEqual({
      type: 'CLOSED',
      subId: 's',
      message: 'rate-limited: later',
    });
    expect(frame(['CLOSED', 's'])).toEqual({ type: 'CLOSED', subId: 's', message: '' });
    expect(frame(['NOTICE', 'hi'])).toEqual({ type: 'NOTICE', message: 'hi' });
    expect(frame(['OK', 'e', false, 'blocked: no'])).toEqual({
      type: 'OK',
      eventId: 'e',
      accepted: false,
      message: 'blocked: no',
    });
    expect(frame(['AUTH', 'challenge'])).toEqual({ type: 'AUTH', challenge: 'challenge' });
  });

  it('tells frames that are not JSON from JSON that is not a frame', () => {
    expect(parseRelayFrame('{not json', 9).type).toBe('unreadable');
    expect(frame({ EVENT: 1 }).type).toBe('invalid');
    expect(frame([]).type).toBe('invalid');
    expect(frame(['EVENT', 42, {}]).type).toBe('invalid');
    expect(frame(['PING']).type).toBe('invalid');
  });

  it('takes created_at only when it is a plausible timestamp', () => {
    expect(createdAtOf({ created_at: 1_700_000_000 })).toBe(1_700_000_000);
    expect(createdAtOf({ created_at: '1700000000' })).toBeNull();
    expect(createdAtOf({ created_at: -1 })).toBeNull();
    expect(createdAtOf({ created_at: 1.5 })).toBeNull();
    expect(createdAtOf(null)).toBeNull();
  });

  it('maps refusal messages to their machine-readable prefix', () => {
    expect(refusalReason('rate-limited: slow down')).toBe('rate-limited');
    expect(refusalReason('auth-required: we only serve members')).toBe('auth-required');
    expect(refusalReason('Blocked: spam')).toBe('blocked');
    expect(refusalReason('too many subscriptions')).toBe('other');
    expect(refusalReason('nonsense: prefix')).toBe('other');
  });
});
