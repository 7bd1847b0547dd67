/**
 * Model health: per model service, request rate, error ratio, p50/p95/p99 latency, in-flight requests and
 * (LLMs) tokens per second, as charts on one aligned grid plus the current values; the SLO's error-budget
 * burn rates over the multi-window pairs; and the tiles (current values + sparklines) of the overview.
 */
import { AppError } from '../../shared/errors';
import {
  BURN_WINDOWS,
  DEFAULT_SLO,
  burnRate,
  burnWindow,
  shareAbove,
  type Bucket,
  type BurnWindow,
  type CatalogueEntryView,
  type CatalogueOverride,
  type HealthNow,
  type ModelHealth,
  type ModelTile,
  type Slo,
  type SloStatus,
} from '../../shared/health';
import { type RangeChart, type StepChoice } from '../../shared/series';
import { type ServiceRef } from '../../shared/models';
import type { SeriesCache } from '../store';
import { buildChart, failedChart, gridFor, lastValue, pool, type ChartPart } from './charts';
import { nowInstant, nowValues } from './nowFigures';
import type { PrometheusClient } from './prometheus';
import type { Staleness } from './staleness';
import { CachedRange, cachedInstant, type CachedGrid } from './rangeCache';
import {
  buildQueries,
  bucketRatesQuery,
  describeQueries,
  errorRatioQuery,
  podSelector,
  quantileQuery,
  rateWindowFor,
  type LatencySource,
  type ModelQueries,
} from './sliCatalogue';

export interface MetricsEnv {
  /** null when no Prometheus is configured (only the cache can answer) */
  client: PrometheusClient | null;
  cache: SeriesCache | null;
  now?: () => number;
  /** the answer's deadline: every query of one answer shares it (see metricsEnv) */
  signal?: AbortSignal;
  /** noted whenever a copy saved stands in for Prometheus, so the answer can say how old it is */
  stale?: Staleness;
}

const DETECT_KEY = 'detect\u0000';
const DETECT_FRESH_MS = 10 * 60_000;

/**
 * The metric names present for a model's pods (last hour), from /api/v1/label/__name__/values with a
 * match[] of the pod selector. Kept in the series cache: the same names mean the same PromQL, so a view
 * opened offline finds the charts it cached.
 */
export async function presentMetrics(
  env: MetricsEnv,
  selector: string,
): Promise<{ names: string[]; offline: boolean }> {
  const now = (env.now ?? Date.now)();
  const key = { query: DETECT_KEY + selector, step: 1, start: 0, end: 0 };
  let cached: { body: unknown; fetchedAt: string } | undefined;
  try {
    cached = env.cache?.get(key);
  } catch {
    cached = undefined;
  }
  const cachedNames = Array.isArray(cached?.body)
    ? (cached.body as unknown[]).filter((n): n is string => typeof n === 'string')
    : null;
  if (cachedNames && cached && now - Date.parse(cached.fetchedAt) < DETECT_FRESH_MS)
    return { names: cachedNames, offline: false };
  if (!env.client) return { names: cachedNames ?? [], offline: true };
  try {
    const names = await env.client.metricNames({
      match: `{${selector}}`,
      start: Math.floor(now / 1000) - 3600,
      end: Math.floor(now / 1000),
      signal: env.signal,
    });
    try {
      env.cache?.put(key, names, new Date(now));
    } catch {
      // cache writes are best effort
    }
    return { names, offline: false };
  } catch (err) {
    if (cachedNames) return { names: cachedNames, offline: true };
    throw err;
  }
}

export async function catalogueEntry(
  env: MetricsEnv,
  service: ServiceRef,
  override: CatalogueOverride | null,
): Promise<{ view: CatalogueEntryView; queries: ModelQueries }> {
  const selector = override?.selector ?? podSelector(service);
  const { names } = await presentMetrics(env, selector);
  const queries = buildQueries(service, new Set(names), override);
  return {
    queries,
    view: {
      service,
      detected: queries.detected,
      used: queries.kind,
      reason: queries.reason + (queries.notes.length ? `. ${queries.notes.join(' ')}` : ''),
      selector: queries.selector,
      metricsFound: names.slice(0, 200),
      queries: describeQueries(queries),
      override,
    },
  };
}

type Histogram = Extract<LatencySource, { kind: 'histogram' }>;

/** The model health view's data for one model service. */
export async function modelHealth(
  env: MetricsEnv,
  input: { service: ServiceRef; rangeS: number; end?: number | undefined; widthPx: number },
  override: CatalogueOverride | null,
  savedSlo: Slo | null,
): Promise<ModelHealth> {
  const now = (env.now ?? Date.now)();
  const { view, queries: m } = await catalogueEntry(env, input.service, override);
  const grid = gridFor(input, now);
  const w = rateWindowFor(grid.step);
  const range = new CachedRange(env.client, env.cache);
  const partial: ModelHealth['partial'] = [];

  type Spec = {
    id: string;
    title: string;
    unit: RangeChart['unit'];
    parts: Array<{ promql: string; name: string }>;
  };
  const specs: Spec[] = [];
  if (m.requests)
    specs.push({
      id: 'requests',
      title: 'Request rate',
      unit: 'reqps',
      parts: [{ promql: m.requests(w), name: 'requests/s' }],
    });
  const ratio = errorRatioQuery(m, w);
  if (ratio)
    specs.push({
      id: 'errors',
      title: 'Error ratio (5xx)',
      unit: 'ratio',
      parts: [{ promql: ratio, name: 'error ratio' }],
    });
  if (m.latency?.kind === 'histogram') {
    const h = m.latency;
    specs.push({
      id: 'latency',
      title: 'Latency p50 / p95 / p99',
      unit: 'seconds',
      parts: [0.5, 0.95, 0.99].map((q) => ({
        promql: quantileQuery(h, m.selector, q, w),
        name: `p${Math.round(q * 100)}`,
      })),
    });
  } else if (m.latency?.kind === 'mean') {
    specs.push({
      id: 'latency',
      title: 'Latency (mean: no histogram)',
      unit: 'seconds',
      parts: [{ promql: m.latency.mean(w), name: 'mean' }],
    });
  }
  if (m.inflight)
    specs.push({
      id: 'inflight',
      title: m.inflight.estimated ? 'In flight (estimated from latency)' : 'In-flight requests',
      unit: 'count',
      parts: [{ promql: m.inflight.query(w), name: 'in flight' }],
    });
  if (m.tokens)
    specs.push({
      id: 'tokens',
      title: 'Tokens per second',
      unit: 'tokps',
      parts: [
        { promql: m.tokens.generation(w), name: 'generated' },
        ...(m.tokens.prompt ? [{ promql: m.tokens.prompt(w), name: 'prompt' }] : []),
      ],
    });

  // "now" is the window's end (a view of the past shows the values of then), never the chart's last point
  const at = nowInstant(input.end ?? now);
  // the charts, the "now" figures and the SLO are asked side by side under the answer's one deadline
  const sloP = sloStatus(env, m, savedSlo, at);
  const grids = new Map<string, CachedGrid | null>();
  const chartsP = Promise.all(
    specs.map(async (spec): Promise<RangeChart> => {
      try {
        const parts: ChartPart[] = await Promise.all(
          spec.parts.map(async (p) => ({
            promql: p.promql,
            name: p.name,
            grid: await range.get(
              { query: p.promql, ...grid, maxSeries: 20 },
              { signal: env.signal, stale: env.stale, now: () => now },
            ),
          })),
        );
        parts.forEach((p) => grids.set(`${spec.id}:${p.name}`, p.grid));
        return buildChart(spec.id, spec.title, spec.unit, grid, parts);
      } catch (err) {
        const e = asAppError(err);
        partial.push({ chart: spec.id, code: e.code, message: e.message });
        return failedChart(
          spec.id,
          spec.title,
          spec.unit,
          grid,
          spec.parts.map((p) => p.promql),
          `${e.message} ${e.hint}`,
        );
      }
    }),
  );
  const [charts, nowFigures, slo] = await Promise.all([
    chartsP,
    currentValues(
      env,
      m,
      chartsP.then(() => grids),
      at,
    ),
    sloP,
  ]);

  // a model whose every chart failed the same way: that is the answer (Prometheus down, hung, auth …)
  // (unless the view is of now and its figures came from the copy saved: that copy, marked stale, is better)
  const staleNow = input.end === undefined && env.stale?.view();
  if (charts.length > 0 && partial.length === charts.length && env.client && !staleNow) {
    const first = partial[0]!;
    if (partial.every((p) => p.code === first.code) && /UNREACHABLE|TIMEOUT|AUTH_FAILED/.test(first.code)) {
      throw new AppError(
        first.code as AppError['code'],
        first.message,
        'Check Prometheus in Settings; charts seen before are served from the cache.',
      );
    }
  }

  return {
    service: input.service,
    catalogue: view,
    fetchedAt: new Date(now).toISOString(),
    now: nowFigures,
    charts,
    slo,
    partial,
    stale: env.stale?.view() ?? null,
  };
}

function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError(
    'PROMETHEUS_ERROR',
    err instanceof Error ? err.message : String(err),
    'Retry in a moment.',
  );
}

/** The "now" figures (nowFigures.ts); the charts' last points where Prometheus and its cache cannot answer. */
async function currentValues(
  env: MetricsEnv,
  m: ModelQueries,
  chartGrids: Promise<Map<string, CachedGrid | null>>,
  at: Date,
): Promise<HealthNow> {
  try {
    return await nowValues(env, m, at, 'all');
  } catch {
    // fall through to the charts' last points
  }
  const grids = await chartGrids;
  const last = (k: string) => lastValue(grids.get(k) ?? null);
  return {
    requestRate: last('requests:requests/s'),
    errorRatio: last('errors:error ratio'),
    p50: last('latency:p50') ?? last('latency:mean'),
    p95: last('latency:p95'),
    p99: last('latency:p99'),
    inflight: last('inflight:in flight'),
    tokensPerS: last('tokens:generated'),
    latencyIsMean: m.latency?.kind === 'mean',
  };
}

/** Burn rates of the availability and latency SLOs over the multi-window pairs. */
export async function sloStatus(
  env: MetricsEnv,
  m: ModelQueries,
  saved: Slo | null,
  time?: Date,
): Promise<SloStatus> {
  const slo = saved ?? DEFAULT_SLO;
  const windows = [...new Set(BURN_WINDOWS.flatMap((b) => [b.long, b.short]))];
  const errorRatios = new Map<string, number | null>();
  const slowShares = new Map<string, number | null>();
  const h = m.latency?.kind === 'histogram' ? (m.latency as Histogram) : null;
  const latencyNote: string | null = h
    ? null
    : 'This server exposes no latency histogram: the latency SLO cannot be measured.';
  const remember = !time || Math.abs(time.getTime() - (env.now ?? Date.now)()) < 60_000;
  const instant = async (q: string) =>
    (await cachedInstant(env.client, env.cache, q, { signal: env.signal, stale: env.stale, time, remember }))
      .samples;
  {
    // the ratio and the buckets of a window side by side: one slow query does not wait for the other
    await pool(windows, 4, async (win) => {
      const ratioQ = errorRatioQuery(m, win);
      const ratio = async () => {
        try {
          const r = ratioQ ? await instant(ratioQ) : [];
          const v = r[0]?.value;
          errorRatios.set(win, v !== undefined && Number.isFinite(v) ? v : null);
        } catch {
          errorRatios.set(win, null);
        }
      };
      const slow = async () => {
        if (!h) return;
        try {
          const r = await instant(bucketRatesQuery(h, m.selector, win));
          const buckets: Bucket[] = r
            .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }))
            .filter((b) => !Number.isNaN(b.le) && Number.isFinite(b.count));
          slowShares.set(
            win,
            buckets.length ? nullIfNaN(shareAbove(slo.latencyThresholdS / h.toSeconds, buckets)) : null,
          );
        } catch {
          slowShares.set(win, null);
        }
      };
      await Promise.all([ratio(), slow()]);
    });
  }
  const avail: BurnWindow[] = BURN_WINDOWS.map((b) =>
    burnWindow(
      b,
      burnRate(errorRatios.get(b.long) ?? null, slo.availability),
      burnRate(errorRatios.get(b.short) ?? null, slo.availability),
    ),
  );
  const lat: BurnWindow[] = BURN_WINDOWS.map((b) =>
    burnWindow(
      b,
      burnRate(slowShares.get(b.long) ?? null, slo.latencyTarget),
      burnRate(slowShares.get(b.short) ?? null, slo.latencyTarget),
    ),
  );
  return {
    slo,
    isDefault: saved === null,
    availability: { windows: avail },
    latency: { windows: lat, note: latencyNote },
  };
}

function nullIfNaN(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** The overview's tiles: current values and 1-hour sparklines for each model service. */
export async function modelTiles(
  env: MetricsEnv,
  services: ServiceRef[],
  overrides: Record<string, CatalogueOverride>,
): Promise<{ tiles: ModelTile[]; offline: boolean }> {
  const now = (env.now ?? Date.now)();
  const grid: StepChoice = gridFor({ rangeS: 3600, widthPx: 61 }, now, 60);
  const range = new CachedRange(env.client, env.cache);
  let offline = false;
  const tiles = await pool(services, 4, async (service): Promise<ModelTile> => {
    try {
      const { queries: m } = await catalogueEntry(env, service, overrides[service.id] ?? null);
      const w = '5m';
      const h = m.latency?.kind === 'histogram' ? (m.latency as Histogram) : null;
      const ratio = errorRatioQuery(m, w);
      const p95q = h
        ? quantileQuery(h, m.selector, 0.95, w)
        : m.latency?.kind === 'mean'
          ? m.latency.mean(w)
          : null;
      const fetch = (q: string | null) =>
        q
          ? range.get(
              { query: q, ...grid, maxSeries: 1 },
              { signal: env.signal, stale: env.stale, now: () => now },
            )
          : Promise.resolve(null);
      const [req, err, lat] = await Promise.all([fetch(m.requests?.(w) ?? null), fetch(ratio), fetch(p95q)]);
      if ([req, err, lat].some((g) => g?.cache?.offline)) offline = true;
      const spark = (g: CachedGrid | null) => {
        const s = g?.series[0];
        if (!s) return new Array<number | null>(grid.points).fill(null);
        return Array.from(s.values, (v) => (Number.isFinite(v) ? Math.round(v * 10000) / 10000 : null));
      };
      // the same "now" as Models and the health detail; the sparkline's last point only when that cannot be read
      const figures = await nowValues(env, m, nowInstant(now), 'summary').catch(() => ({
        requestRate: lastValue(req),
        errorRatio: lastValue(err),
        p50: null,
        p95: lastValue(lat),
        p99: null,
        inflight: null,
        tokensPerS: null,
        latencyIsMean: m.latency?.kind === 'mean',
      }));
      return {
        service,
        serverKind: m.kind,
        now: figures,
        spark: { requests: spark(req), errorRatio: spark(err), p95: spark(lat) },
        error: null,
      };
    } catch (err) {
      const e = asAppError(err);
      return {
        service,
        serverKind: service.serverKind,
        now: {
          requestRate: null,
          errorRatio: null,
          p50: null,
          p95: null,
          p99: null,
          inflight: null,
          tokensPerS: null,
          latencyIsMean: false,
        },
        spark: { requests: [], errorRatio: [], p95: [] },
        error: `${e.message} ${e.hint}`,
      };
    }
  });
  return { tiles, offline };
}
