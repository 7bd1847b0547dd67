import { AppError } from '../../shared/errors';
import type { Connection } from './database';

/**
 * Prometheus range-query results kept by (query, step, step-aligned window), so reopening a chart or a replay
 * does not ask Prometheus again. Times are Unix seconds, as in the Prometheus HTTP API. The metrics code decides
 * what a window is and when a cached result is too old (it gets `fetchedAt` back); the store keeps the body as
 * JSON text, uncompressed, because reads are on the chart's critical path.
 */
export interface SeriesKey {
  query: string;
  /** seconds between points */
  step: number;
  /** Unix seconds */
  start: number;
  end: number;
}

export interface SeriesCache {
  get<T = unknown>(key: SeriesKey): { body: T; fetchedAt: string } | undefined;
  /** Stores (or replaces) the result for this key. */
  put(key: SeriesKey, body: unknown, fetchedAt?: Date): void;
  /** Deletes results fetched before `fetchedBefore`; returns how many. */
  prune(fetchedBefore: Date): number;
}

export function seriesCache(conn: Connection): SeriesCache {
  const { db } = conn;
  const select = db.prepare<[string, number, number, number], { body: string; fetched_at: string }>(
    'SELECT body, fetched_at FROM series_cache WHERE query = ? AND step = ? AND range_start = ? AND range_end = ?',
  );
  const upsert = db.prepare<[string, number, number, number, string, string]>(
    `INSERT INTO series_cache (query, step, range_start, range_end, fetched_at, body) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (query, step, range_start, range_end) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body`,
  );
  const prune = db.prepare<[string]>('DELETE FROM series_cache WHERE fetched_at < ?');

  return {
    get<T = unknown>(key: SeriesKey) {
      const { query, step, start, end } = checkKey(key);
      const row = select.get(query, step, start, end);
      return row ? { body: JSON.parse(row.body) as T, fetchedAt: row.fetched_at } : undefined;
    },
    put(key: SeriesKey, body: unknown, fetchedAt: Date = new Date()): void {
      const { query, step, start, end } = checkKey(key);
      if (Number.isNaN(fetchedAt.getTime()))
        throw new AppError(
          'INVALID_INPUT',
          'A cached series needs a valid fetch time.',
          'This is a bug in the caller.',
        );
      const text = JSON.stringify(body);
      if (text === undefined)
        throw new AppError(
          'INVALID_INPUT',
          'A cached series body must be JSON.',
          'This is a bug in the caller.',
        );
      upsert.run(query, step, start, end, fetchedAt.toISOString(), text);
    },
    prune(fetchedBefore: Date): number {
      return prune.run(fetchedBefore.toISOString()).changes;
    },
  };
}

function checkKey(key: SeriesKey): SeriesKey {
  const { query, step, start, end } = key;
  if (typeof query !== 'string' || query.length === 0)
    throw new AppError(
      'INVALID_INPUT',
      'A cached series needs its PromQL query.',
      'This is a bug in the caller.',
    );
  if (![step, start, end].every(Number.isFinite) || step <= 0 || end < start) {
    throw new AppError(
      'INVALID_INPUT',
      `A cached series window must have step > 0 and start <= end (got step ${step}, ${start}..${end}).`,
      'This is a bug in the caller.',
    );
  }
  return key;
}
