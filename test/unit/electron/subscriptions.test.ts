import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../shared/errors';
import { isSubscriptionId, StreamSubscriptions, type Message } from '../../../main/electron/subscriptions';

const event = (n: number): Message => ({ type: 'event', event: { n } as never });

function fakeStream() {
  let emit: ((m: Message) => void) | null = null;
  const stop = vi.fn();
  const start = vi.fn((onMessage: (m: Message) => void) => {
    emit = onMessage;
    return stop;
  });
  return { start, stop, emit: (m: Message) => emit?.(m) };
}

describe('isSubscriptionId', () => {
  it('accepts short printable ids only', () => {
    expect(isSubscriptionId('a1b2c3d4e5f6a7b8-1')).toBe(true);
    expect(isSubscriptionId('')).toBe(false);
    expect(isSubscriptionId('x'.repeat(65))).toBe(false);
    expect(isSubscriptionId('../x')).toBe(false);
    expect(isSubscriptionId('a b')).toBe(false);
    expect(isSubscriptionId(7)).toBe(false);
    expect(isSubscriptionId({ toString: () => 'a' })).toBe(false);
  });
});

describe('StreamSubscriptions', () => {
  it('delivers messages until closed, then stops the stream', () => {
    const subs = new StreamSubscriptions();
    const s = fakeStream();
    const deliver = vi.fn();
    expect(subs.open(1, 'a', s.start, deliver)).toBe(true);
    s.emit(event(1));
    expect(deliver).toHaveBeenCalledWith(event(1));
    subs.close(1, 'a');
    expect(s.stop).toHaveBeenCalledTimes(1);
    s.emit(event(2));
    expect(deliver).toHaveBeenCalledTimes(1);
    subs.close(1, 'a');
    expect(s.stop).toHaveBeenCalledTimes(1);
    expect(subs.count()).toBe(0);
  });

  it('ends a stream after an error message', () => {
    const subs = new StreamSubscriptions();
    const s = fakeStream();
    const deliver = vi.fn();
    subs.open(1, 'a', s.start, deliver);
    const error: Message = {
      type: 'error',
      error: new AppError('PROMETHEUS_TIMEOUT', 'slow', 'wait').toJSON(),
    };
    s.emit(error);
    expect(deliver).toHaveBeenLastCalledWith(error);
    expect(s.stop).toHaveBeenCalledTimes(1);
    expect(subs.count(1)).toBe(0);
  });

  it('stops a stream that fails while starting', () => {
    const subs = new StreamSubscriptions();
    const stop = vi.fn();
    const deliver = vi.fn();
    subs.open(
      1,
      'a',
      (onMessage) => {
        onMessage({ type: 'error', error: new AppError('UNKNOWN_CHANNEL', 'no', 'no').toJSON() });
        return stop;
      },
      deliver,
    );
    expect(deliver).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(subs.count()).toBe(0);
  });

  it('turns a start that throws or rejects into an error message', async () => {
    const subs = new StreamSubscriptions();
    const deliver = vi.fn();
    subs.open(
      1,
      'a',
      () => {
        throw new Error('boom');
      },
      deliver,
    );
    expect(deliver.mock.calls[0]?.[0]).toMatchObject({ type: 'error', error: { code: 'INTERNAL' } });
    subs.open(1, 'b', () => Promise.reject(new AppError('STORE_CORRUPT', 'bad store', 'restore')), deliver);
    await Promise.resolve();
    await Promise.resolve();
    expect(deliver.mock.calls[1]?.[0]).toMatchObject({ type: 'error', error: { code: 'STORE_CORRUPT' } });
    expect(subs.count()).toBe(0);
  });

  it('stops a stream whose asynchronous start finishes after it was closed', async () => {
    const subs = new StreamSubscriptions();
    const stop = vi.fn();
    let resolveStart: (s: () => void) => void = () => {};
    subs.open(1, 'a', () => new Promise<() => void>((resolve) => (resolveStart = resolve)), vi.fn());
    subs.closeOwner(1);
    resolveStart(stop);
    await Promise.resolve();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('replaces a subscription opened again under the same id', () => {
    const subs = new StreamSubscriptions();
    const first = fakeStream();
    const second = fakeStream();
    subs.open(1, 'a', first.start, vi.fn());
    subs.open(1, 'a', second.start, vi.fn());
    expect(first.stop).toHaveBeenCalledTimes(1);
    expect(second.stop).not.toHaveBeenCalled();
    expect(subs.count(1)).toBe(1);
  });

  it('closes every subscription of a page, and only of that page', () => {
    const subs = new StreamSubscriptions();
    const a = fakeStream();
    const b = fakeStream();
    const c = fakeStream();
    subs.open(1, 'a', a.start, vi.fn());
    subs.open(1, 'b', b.start, vi.fn());
    subs.open(2, 'a', c.start, vi.fn());
    expect(subs.closeOwner(1)).toBe(2);
    expect(a.stop).toHaveBeenCalled();
    expect(b.stop).toHaveBeenCalled();
    expect(c.stop).not.toHaveBeenCalled();
    expect(subs.count(2)).toBe(1);
    subs.closeAll();
    expect(c.stop).toHaveBeenCalled();
    expect(subs.count()).toBe(0);
  });

  it('refuses more than the limit per page', () => {
    const subs = new StreamSubscriptions(2);
    const deliver = vi.fn();
    expect(subs.open(1, 'a', fakeStream().start, deliver)).toBe(true);
    expect(subs.open(1, 'b', fakeStream().start, deliver)).toBe(true);
    const third = fakeStream();
    expect(subs.open(1, 'c', third.start, deliver)).toBe(false);
    expect(third.start).not.toHaveBeenCalled();
    expect(deliver).toHaveBeenCalledWith(expect.objectContaining({ type: 'error' }));
    expect(subs.open(2, 'c', fakeStream().start, vi.fn())).toBe(true);
  });
});
