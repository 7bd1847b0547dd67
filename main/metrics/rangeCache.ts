/**
 * Range queries through the profile's series cache: a result is kept by (query, step, step-aligned window),
 * so reopening a view asks Prometheus nothing and draws at once, and with Prometheus unreachable the latest
 * result for the same query and step is shown (marked offline) instead of an empty chart.
 *
 * The store keeps bodies as JSON text; a 512-GPU week is half a million numbers, so values travel as one
 * base64 string of little-endian float64s (decoding that is a copy, parsing half a million JSON numbers is not).
 */
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { CacheInfo } from '../../shared/series';
import type { SeriesCache, SeriesKey } from '../store';
import type { Staleness } from './staleness';
import { parseValue, type GridResult, type InstantSample, type PrometheusClient } from './prometheus';

const CACHE_FORMAT = 1;

const CachedBody = z.object({
  format: z.literal(CACHE_FORMAT),
  start: z.number(),
  step: z.number(),
  points: z.number().int().nonnegative(),
  droppedSeries: z.number().int().nonnegative(),
  series: z.array(
    z.object({
      labels: z.record(z.string(), z.string()),
      nonFinite: z.object({ nan: z.number(), posInf: z.number(), negInf: z.number() }),
    }),
  ),
  /**
   * series after series, `points` each: float64 little-endian (NaN = no value), or with `encoding: 'permille'`
   * uint16 little-endian thousandths (65535 = no value), for ratios drawn at 0.1 % resolution (the heatmap)
   */
  values: z.string(),
  encoding: z.enum(['f64', 'permille']).optional(),
});
type CachedBody = z.infer<typeof CachedBody>;

const LATEST_PREFIX = 'latest\u0000';
const INSTANT_PREFIX = 'instant\u0000';

export interface CachedGrid extends GridResult {
  droppedSeries: number;
  cache: CacheInfo | null;
}

export type CacheEncoding = 'f64' | 'permille';
const NO_VALUE_U16 = 65535;

export function encodeGrid(
  grid: GridResult & { droppedSeries: number },
  encoding: CacheEncoding = 'f64',
): CachedBody {
  const n = grid.series.length * grid.points;
  if (encoding === 'permille') {
    const u16 = new Uint16Array(n);
    grid.series.forEach((s, k) => {
      const base = k * grid.points;
      for (let i = 0; i < grid.points; i++) {
        const v = s.values[i]!;
        u16[base + i] = v === v ? Math.min(65534, Math.max(0, Math.round(v * 1000))) : NO_VALUE_U16;
      }
    });
    const bytes = Buffer.from(u16.buffer, u16.byteOffset, u16.byteLength);
    if (!isLittleEndian) bytes.swap16();
    return {
      format: CACHE_FORMAT,
      start: grid.start,
      step: grid.step,
      points: grid.points,
      droppedSeries: grid.droppedSeries,
      series: grid.series.map((s) => ({ labels: s.labels, nonFinite: s.nonFinite })),
      values: bytes.toString('base64'),
      encoding,
    };
  }
  const buf = Buffer.allocUnsafe(n * 8);
  let off = 0;
  for (const s of grid.series) {
    const bytes = Buffer.from(s.values.buffer, s.values.byteOffset, s.values.byteLength);
    if (isLittleEndian) bytes.copy(buf, off);
    else for (let i = 0; i < s.values.length; i++) buf.writeDoubleLE(s.values[i]!, off + i * 8);
    off += grid.points * 8;
  }
  return {
    format: CACHE_FORMAT,
    start: grid.start,
    step: grid.step,
    points: grid.points,
    droppedSeries: grid.droppedSeries,
    series: grid.series.map((s) => ({ labels: s.labels, nonFinite: s.nonFinite })),
    values: buf.toString('base64'),
  };
}

export function decodeGrid(raw: unknown): (GridResult & { droppedSeries: number }) | null {
  const parsed = CachedBody.safeParse(raw);
  if (!parsed.success) return null;
  const body = parsed.data;
  const bytes = Buffer.from(body.values, 'base64');
  const n = body.series.length * body.points;
  // one aligned array; each series is a view into it
  const all = new Float64Array(n);
  if (body.encoding === 'permille') {
    if (bytes.length !== n * 2) return null;
    const u16 = new Uint16Array(n);
    if (isLittleEndian) new Uint8Array(u16.buffer).set(bytes);
    else for (let i = 0; i < n; i++) u16[i] = bytes.readUInt16LE(i * 2);
    // the float values are made only when someone asks for them (the heatmap reads the integers)
    let floats: Float64Array | null = null;
    const values = () => {
      if (!floats) {
        floats = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const u = u16[i]!;
          floats[i] = u === NO_VALUE_U16 ? NaN : u / 1000;
        }
      }
      return floats;
    };
    return {
      start: body.start,
      step: body.step,
      points: body.points,
      droppedSeries: body.droppedSeries,
      series: body.series.map((s, i) => ({
        labels: s.labels,
        nonFinite: s.nonFinite,
        permille: u16.subarray(i * body.points, (i + 1) * body.points),
        get values() {
          return values().subarray(i * body.points, (i + 1) * body.points);
        },
      })),
    };
  } else {
    if (bytes.length !== n * 8) return null;
    if (isLittleEndian) new Uint8Array(all.buffer).set(bytes);
    else for (let i = 0; i < n; i++) all[i] = bytes.readDoubleLE(i * 8);
  }
  return {
    start: body.start,
    step: body.step,
    points: body.points,
    droppedSeries: body.droppedSeries,
    series: body.series.map((s, i) => ({
      labels: s.labels,
      nonFinite: s.nonFinite,
      values: all.subarray(i * body.points, (i + 1) * body.points),
    })),
  };
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface RangeRequest {
  query: string;
  start: number;
  end: number;
  step: number;
  maxSeries?: number;
  timeoutMs?: number;
  /** how the cache keeps the values (default: exact float64) */
  encoding?: CacheEncoding;
}

export interface CachedRangeOptions {
  /** how old the answer for a window that ends now may be and still be used without asking Prometheus */
  freshMs?: number;
  /** skip the cache read (a forced refresh); the answer is still written */
  refresh?: boolean;
  signal?: AbortSignal;
  now?: () => number;
  /** told when the copy saved is served instead of Prometheus's answer */
  stale?: Staleness | undefined;
}

/** Failures that mean "Prometheus cannot be asked now": the offline copy is used for these. */
export function isOfflineFailure(err: unknown): boolean {
  return (
    err instanceof AppError &&
    (err.code === 'PROMETHEUS_UNREACHABLE' ||
      (err.code === 'PROMETHEUS_TIMEOUT' && err.details?.cancelled !== true) ||
      err.code === 'PROMETHEUS_AUTH_FAILED' ||
      (err.code === 'PROMETHEUS_ERROR' &&
        typeof err.details?.status === 'number' &&
        err.details.status >= 500))
  );
}

/** The slot that holds the latest answer of a query at a step (open windows live only here). */
const latestKey = (query: string, step: number) => ({ query: LATEST_PREFIX + query, step, start: 0, end: 0 });

/**
 * A range query, answered from the cache where possible.
 *
 * A window that ended more than a step ago never changes: its answer is kept under its exact key forever
 * (until pruned) and reused however old. A window that ends now is kept only in the query's "latest" slot,
 * overwritten by each refresh, so a chart polled every 30 s does not add a row every 30 s; it is reused
 * within `freshMs`. With Prometheus unreachable, the exact answer, else the latest one moved onto the
 * requested grid, is served and marked offline. Writes go after the answer is returned (setImmediate), so
 * the cache never delays a chart.
 */
export class CachedRange {
  constructor(
    private readonly client: PrometheusClient | null,
    private readonly cache: SeriesCache | null,
  ) {}

  async get(req: RangeRequest, opts: CachedRangeOptions = {}): Promise<CachedGrid> {
    const now = (opts.now ?? Date.now)();
    const key = { query: req.query, step: req.step, start: req.start, end: req.end };
    const closed = req.end * 1000 < now - req.step * 1000;
    const freshMs = opts.freshMs ?? Math.max(15_000, req.step * 1000);
    if (!opts.refresh && this.cache) {
      const hit = closed ? this.read(key) : this.readLatest(req.query, req.step);
      if (hit && hit.grid.start === req.start && hit.grid.points === pointsOf(req)) {
        const closedWhenFetched = req.end * 1000 < Date.parse(hit.fetchedAt) - req.step * 1000;
        if (closedWhenFetched || now - Date.parse(hit.fetchedAt) <= freshMs) {
          return { ...hit.grid, cache: { fetchedAt: hit.fetchedAt, offline: false } };
        }
      }
    }
    if (!this.client) return this.offline(req, null, opts.stale);
    try {
      const grid = await this.client.queryRange(req.query, req, {
        signal: opts.signal,
        maxSeries: req.maxSeries,
        timeoutMs: req.timeoutMs,
      });
      const fetchedAt = new Date(now);
      if (this.cache) {
        const cache = this.cache;
        setImmediate(() => {
          try {
            const body = encodeGrid(grid, req.encoding);
            // a closed window is kept under its own key; every answer is also the query's latest one
            if (closed) cache.put(key, body, fetchedAt);
            cache.put(latestKey(req.query, req.step), body, fetchedAt);
          } catch {
            // a cache that cannot be written (read-only profile, disk full) costs speed, not correctness
          }
        });
      }
      return { ...grid, cache: null };
    } catch (err) {
      if (this.cache && isOfflineFailure(err)) return this.offline(req, err as AppError, opts.stale);
      throw err;
    }
  }

  /** Reads one exact key (also what the bench's "reopen" measures). */
  read(key: { query: string; step: number; start: number; end: number }) {
    if (!this.cache) return null;
    let hit: { body: unknown; fetchedAt: string } | undefined;
    try {
      hit = this.cache.get(key);
    } catch {
      return null;
    }
    if (!hit) return null;
    const grid = decodeGrid(hit.body);
    return grid ? { grid, fetchedAt: hit.fetchedAt } : null;
  }

  readLatest(query: string, step: number) {
    return this.read(latestKey(query, step));
  }

  /** The exact cached answer, else the latest one for this query and step moved onto the requested grid; else the failure. */
  private offline(req: RangeRequest, cause: AppError | null, stale?: Staleness): CachedGrid {
    const fail = () => {
      if (cause) throw cause;
      throw new AppError(
        'NOT_CONFIGURED',
        'No Prometheus URL is set.',
        'Enter the Prometheus URL in Settings.',
      );
    };
    if (!this.cache) return fail();
    const found =
      this.read({ query: req.query, step: req.step, start: req.start, end: req.end }) ??
      this.readLatest(req.query, req.step);
    if (!found) return fail();
    // a cached answer about another time altogether is no answer
    const cachedEnd = found.grid.start + (found.grid.points - 1) * found.grid.step;
    if (cachedEnd < req.start || found.grid.start > req.end) return fail();
    stale?.note(found.fetchedAt, cause);
    return { ...regrid(found.grid, req), cache: { fetchedAt: found.fetchedAt, offline: true } };
  }
}

function pointsOf(req: { start: number; end: number; step: number }): number {
  return Math.floor((req.end - req.start) / req.step) + 1;
}

/**
 * The saved answers of one Prometheus (its URL and tenant): what another one answered is never served for it, so
 * after Settings point at another cluster's Prometheus an outage there shows no figure of the old one "as of" a
 * time. Without a Prometheus there is nothing to serve.
 */
export function scopedCache(cache: SeriesCache | null, client: PrometheusClient | null): SeriesCache | null {
  if (!cache || !client) return null;
  const scoped = (key: SeriesKey): SeriesKey => ({ ...key, query: `${client.source}\n${key.query}` });
  return {
    get: (key) => cache.get(scoped(key)),
    put: (key, body, fetchedAt) => cache.put(scoped(key), body, fetchedAt),
    prune: (before) => cache.prune(before),
  };
}

const CachedInstant = z.object({
  time: z.number(),
  samples: z.array(z.object({ labels: z.record(z.string(), z.string()), value: z.string() })),
});

/**
 * An instant query whose latest answer is kept (one slot per query, overwritten), so a view opened with
 * Prometheus unreachable still shows the last values it saw, marked offline.
 */
export async function cachedInstant(
  client: PrometheusClient | null,
  cache: SeriesCache | null,
  query: string,
  opts: { time?: Date; signal?: AbortSignal; remember?: boolean; stale?: Staleness | undefined } = {},
): Promise<{ samples: InstantSample[]; offline: { fetchedAt: string } | null }> {
  const key = { query: INSTANT_PREFIX + query, step: 1, start: 0, end: 0 };
  const fromCache = (cause: unknown) => {
    let hit: { body: unknown; fetchedAt: string } | undefined;
    try {
      hit = cache?.get(key);
    } catch {
      hit = undefined;
    }
    const parsed = CachedInstant.safeParse(hit?.body);
    if (!hit || !parsed.success) throw cause;
    opts.stale?.note(hit.fetchedAt, cause);
    return {
      samples: parsed.data.samples.map((s) => ({
        labels: s.labels,
        value: parseValue(s.value),
        at: parsed.data.time,
      })),
      offline: { fetchedAt: hit.fetchedAt },
    };
  };
  if (!client) {
    return fromCache(
      new AppError('NOT_CONFIGURED', 'No Prometheus URL is set.', 'Enter the Prometheus URL in Settings.'),
    );
  }
  try {
    const samples = await client.query(query, { time: opts.time, signal: opts.signal });
    if (cache && opts.remember !== false) {
      const time = (opts.time ?? new Date()).getTime() / 1000;
      setImmediate(() => {
        try {
          cache.put(key, {
            time,
            samples: samples.map((s) => ({ labels: s.labels, value: String(s.value) })),
          });
        } catch {
          // best effort
        }
      });
    }
    return { samples, offline: null };
  } catch (err) {
    if (cache && isOfflineFailure(err)) return fromCache(err);
    throw err;
  }
}

/** Moves a cached grid onto another window of the same step (slots outside the cached window are empty). */
export function regrid<G extends GridResult & { droppedSeries: number }>(
  grid: G,
  to: { start: number; end: number; step: number },
): G {
  const points = Math.floor((to.end - to.start) / to.step) + 1;
  if (grid.step === to.step && grid.start === to.start && grid.points === points) return grid;
  const shift = Math.round((to.start - grid.start) / grid.step);
  return {
    ...grid,
    start: to.start,
    step: to.step,
    points,
    series: grid.series.map((s) => {
      const values = new Float64Array(points).fill(NaN);
      for (let i = 0; i < points; i++) {
        const j = i + shift;
        if (j >= 0 && j < grid.points) values[i] = s.values[j]!;
      }
      return { ...s, values };
    }),
  };
}
