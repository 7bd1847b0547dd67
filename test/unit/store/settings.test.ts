import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { openStore } from '../../../main/store';
import { tempStorePath } from '../../fixtures/store/files';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
  throw new Error('nothing was thrown');
}

describe('settings', () => {
  it('keeps JSON values by key, replaces and deletes them, and keeps them across reopening', () => {
    const file = tempStorePath();
    const store = openStore(file);
    expect(store.settings.get('missing')).toBeUndefined();
    const values: Record<string, unknown> = {
      object: { a: [1, { b: null }] },
      array: [1, 'two'],
      number: 1.25,
      string: 'dark',
      true: true,
      null: null,
    };
    for (const [key, value] of Object.entries(values)) store.settings.set(key, value);
    for (const [key, value] of Object.entries(values)) expect(store.settings.get(key)).toEqual(value);
    store.settings.set('string', 'light');
    store.settings.delete('number');
    store.settings.delete('never-set');
    store.close();

    const again = openStore(file);
    expect(again.settings.get('string')).toBe('light');
    expect(again.settings.get('number')).toBeUndefined();
    expect(again.settings.get<{ a: unknown[] }>('object')?.a).toHaveLength(2);
    again.close();
  });

  it('refuses values that are not JSON and bad keys', () => {
    const store = openStore(':memory:');
    expect(codeOf(() => store.settings.set('k', undefined))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.settings.set('k', 1n))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.settings.set('', 1))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.settings.get('x'.repeat(201)))).toBe('INVALID_INPUT');
    store.close();
  });
});

describe('series cache', () => {
  const key = {
    query: 'sum by (model) (rate(vllm:request_success_total[5m]))',
    step: 60,
    start: 1_746_093_600,
    end: 1_746_180_000,
  };
  const body = {
    resultType: 'matrix',
    result: [{ metric: { model: 'llama' }, values: [[1_746_093_600, '1.5']] }],
  };

  it('keeps a result by (query, step, window) with its fetch time, and replaces it', () => {
    const file = tempStorePath();
    const store = openStore(file);
    expect(store.seriesCache.get(key)).toBeUndefined();
    store.seriesCache.put(key, body, new Date('2025-05-01T12:00:00Z'));
    expect(store.seriesCache.get(key)).toEqual({ body, fetchedAt: '2025-05-01T12:00:00.000Z' });
    expect(store.seriesCache.get({ ...key, step: 30 })).toBeUndefined();
    expect(store.seriesCache.get({ ...key, start: key.start + 60 })).toBeUndefined();
    expect(store.seriesCache.get({ ...key, end: key.end + 60 })).toBeUndefined();
    expect(store.seriesCache.get({ ...key, query: 'up' })).toBeUndefined();

    store.seriesCache.put(key, { replaced: true }, new Date('2025-05-01T12:05:00Z'));
    expect(store.seriesCache.get(key)).toEqual({
      body: { replaced: true },
      fetchedAt: '2025-05-01T12:05:00.000Z',
    });
    store.close();

    const again = openStore(file, { readonly: true });
    expect(again.seriesCache.get(key)?.body).toEqual({ replaced: true });
    again.close();
  });

  it('prunes results fetched before a time', () => {
    const store = openStore(':memory:');
    store.seriesCache.put(key, body, new Date('2025-05-01T00:00:00Z'));
    store.seriesCache.put({ ...key, step: 300 }, body, new Date('2025-05-03T00:00:00Z'));
    expect(store.seriesCache.prune(new Date('2025-05-02T00:00:00Z'))).toBe(1);
    expect(store.seriesCache.get(key)).toBeUndefined();
    expect(store.seriesCache.get({ ...key, step: 300 })).toBeDefined();
    store.close();
  });

  it('refuses a key without a query or with a bad window', () => {
    const store = openStore(':memory:');
    expect(codeOf(() => store.seriesCache.get({ ...key, query: '' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.seriesCache.put({ ...key, step: 0 }, body))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.seriesCache.put({ ...key, end: key.start - 1 }, body))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.seriesCache.put({ ...key, start: Number.NaN }, body))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.seriesCache.put(key, undefined))).toBe('INVALID_INPUT');
    store.close();
  });
});
