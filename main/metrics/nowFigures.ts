/**
 * The "now" figures of a model service, with one definition for every view that shows them (Models, Traffic,
 * Model health's tiles and detail): instant queries over the last 5 minutes (NOW_WINDOW), read at the last
 * 15-second boundary so that views asked moments apart read the same moment, and never tied to a chart's
 * window or step (a chart's last point is an average over its own, wider, rate window).
 */
import { NOW_WINDOW, type HealthNow } from '../../shared/health';
import { cachedInstant } from './rangeCache';
import { errorRatioQuery, quantileQuery, type LatencySource, type ModelQueries } from './sliCatalogue';
import type { MetricsEnv } from './modelHealth';

/** "Now" is read on this grid: two views asked within the same 15 s show the same number. */
const NOW_STEP_MS = 15_000;

export function nowInstant(ms: number): Date {
  return new Date(Math.floor(ms / NOW_STEP_MS) * NOW_STEP_MS);
}

type Histogram = Extract<LatencySource, { kind: 'histogram' }>;

/**
 * A model's figures over NOW_WINDOW ending at `at`. `summary` reads what the lists show (requests, error
 * ratio, p95 or mean latency); `all` adds p50, p99, in flight and tokens (the health detail). Throws when
 * Prometheus (or its cached copy) cannot answer.
 */
export async function nowValues(
  env: MetricsEnv,
  m: ModelQueries,
  at: Date,
  which: 'summary' | 'all',
): Promise<HealthNow> {
  const w = NOW_WINDOW;
  const remember = Math.abs(at.getTime() - (env.now ?? Date.now)()) < 60_000;
  const one = (q: string | null) => (q ? instantValue(env, q, at, remember) : Promise.resolve(null));
  const h = m.latency?.kind === 'histogram' ? (m.latency as Histogram) : null;
  const mean = m.latency?.kind === 'mean' ? m.latency.mean(w) : null;
  const all = which === 'all';
  const [requestRate, errorRatio, p50, p95, p99, inflight, tokensPerS] = await Promise.all([
    one(m.requests?.(w) ?? null),
    one(errorRatioQuery(m, w)),
    all ? one(h ? quantileQuery(h, m.selector, 0.5, w) : mean) : Promise.resolve(null),
    // without a histogram the mean stands where p95 would (labelled "mean")
    one(h ? quantileQuery(h, m.selector, 0.95, w) : mean),
    all && h ? one(quantileQuery(h, m.selector, 0.99, w)) : Promise.resolve(null),
    all ? one(m.inflight?.query(w) ?? null) : Promise.resolve(null),
    all ? one(m.tokens?.generation(w) ?? null) : Promise.resolve(null),
  ]);
  return {
    requestRate,
    errorRatio,
    p50,
    p95,
    p99,
    inflight,
    tokensPerS,
    latencyIsMean: m.latency?.kind === 'mean',
  };
}

/** One instant value (the first series), or null; `remember` keeps the answer as the copy for offline. */
async function instantValue(env: MetricsEnv, q: string, at: Date, remember = false): Promise<number | null> {
  const r = await cachedInstant(env.client, env.cache, q, {
    signal: env.signal,
    stale: env.stale,
    time: at,
    remember,
  });
  const v = r.samples[0]?.value;
  return v !== undefined && Number.isFinite(v) ? v : null;
}

/**
 * A drained model's last real health: the last 5-minute error ratio it had while it still served, within
 * the last 3 hours (minutes with no traffic have no ratio and are skipped).
 */
export async function lastServedErrorRatio(
  env: MetricsEnv,
  m: ModelQueries,
  at: Date,
): Promise<number | null> {
  const ratio = errorRatioQuery(m, NOW_WINDOW);
  return ratio ? instantValue(env, `last_over_time(((${ratio}) >= 0)[3h:1m])`, at) : null;
}

/** The highest 5-minute request rate a model served over the last `rangeS` seconds (1-minute resolution). */
export async function peakRequestRate(
  env: MetricsEnv,
  m: ModelQueries,
  at: Date,
  rangeS: number,
): Promise<number | null> {
  if (!m.requests) return null;
  return instantValue(env, `max_over_time((${m.requests(NOW_WINDOW)})[${Math.round(rangeS)}s:1m])`, at);
}
