/**
 * GPU utilisation, model health and alerts: the schemas of what crosses the boundary, and the pure helpers
 * both sides use (step choice, LTTB, histogram quantiles, burn rates). Everything here is plain data and
 * arithmetic: no I/O.
 */
import { z } from 'zod';
import { ModelServerKind } from './domain';

// ---------------------------------------------------------------------------------------------------------
// time windows and steps
// ---------------------------------------------------------------------------------------------------------

/** Steps a range query may use, in seconds: "nice" values so windows line up and caches hit. */
export const STEP_LADDER_S = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
] as const;

/** Prometheus refuses a query_range with more than 11,000 points per series. */
export const PROMETHEUS_MAX_POINTS = 11_000;

export interface StepChoice {
  /** seconds */
  step: number;
  /** first and last evaluation time, unix seconds, both multiples of step */
  start: number;
  end: number;
  points: number;
}

/**
 * The step for a window shown `widthPx` pixels wide: never more than one point per pixel (nor more than
 * Prometheus allows), never finer than `minStepS` (the scrape interval: finer steps only repeat samples),
 * rounded up to a step of the ladder; the window is aligned to it, so reopening the same view asks the
 * same question and hits the cache.
 */
export function chooseStep(
  window: { start: number; end: number },
  widthPx: number,
  options: { minStepS?: number; maxPoints?: number } = {},
): StepChoice {
  const minStep = Math.max(1, options.minStepS ?? 15);
  const maxPoints = Math.max(2, Math.min(options.maxPoints ?? PROMETHEUS_MAX_POINTS, PROMETHEUS_MAX_POINTS));
  const range = Math.max(1, window.end - window.start);
  const budget = Math.max(2, Math.min(Math.floor(widthPx), maxPoints));
  const raw = Math.max(minStep, range / (budget - 1));
  let step: number = STEP_LADDER_S.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
  for (;;) {
    const start = Math.floor(window.start / step) * step;
    const end = Math.floor(window.end / step) * step;
    const points = Math.floor((end - start) / step) + 1;
    if (points <= budget) return { step, start, end, points };
    // alignment added a point: take the next step up
    step = STEP_LADDER_S.find((s) => s > step) ?? step + 86400;
  }
}

// ---------------------------------------------------------------------------------------------------------
// series
// ---------------------------------------------------------------------------------------------------------

/** Non-finite samples are not drawn; each series says how many it had, so the chart can say so. */
export const NonFinite = z.object({
  nan: z.number().int().nonnegative(),
  posInf: z.number().int().nonnegative(),
  negInf: z.number().int().nonnegative(),
});
export type NonFinite = z.infer<typeof NonFinite>;

export const Series = z.object({
  /** a stable key built from the labels */
  key: z.string(),
  /** the legend text (plain text: shown as text, never as HTML) */
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  /** one value per grid point start + i*step; null = no sample (or NaN/±Inf, counted in nonFinite) */
  values: z.array(z.number().nullable()),
  nonFinite: NonFinite,
});
export type Series = z.infer<typeof Series>;

export const CacheInfo = z.object({
  /** when the answer was fetched from Prometheus (ISO) */
  fetchedAt: z.string(),
  /** served from the local cache because Prometheus could not be asked */
  offline: z.boolean(),
});
export type CacheInfo = z.infer<typeof CacheInfo>;

export const ChartUnit = z.enum([
  'reqps',
  'ratio',
  'seconds',
  'count',
  'tokps',
  'percent',
  'mib',
  'watts',
  'usdph',
]);
export type ChartUnit = z.infer<typeof ChartUnit>;

/** One chart's data: a range query's result on an aligned grid, with the PromQL behind it. */
export const RangeChart = z.object({
  id: z.string(),
  title: z.string(),
  unit: ChartUnit,
  /** the PromQL queries behind the chart, shown by "Show PromQL" */
  promql: z.array(z.string()),
  start: z.number(),
  step: z.number(),
  points: z.number().int().nonnegative(),
  series: z.array(Series),
  /** series not sent because there were too many (the chart shows the first ones and says so) */
  droppedSeries: z.number().int().nonnegative(),
  /** null = fresh from Prometheus; otherwise where the answer came from */
  cache: CacheInfo.nullable(),
  /** why there is nothing to draw, when that is the case (a person reads it) */
  note: z.string().nullable(),
});
export type RangeChart = z.infer<typeof RangeChart>;

// ---------------------------------------------------------------------------------------------------------
// inputs shared by several channels
// ---------------------------------------------------------------------------------------------------------

export const WindowInput = z
  .object({
    /** window length, seconds (1 min .. 90 days) */
    rangeS: z
      .number()
      .int()
      .min(60)
      .max(90 * 86400),
    /** window end, ms since epoch; omitted = now */
    end: z.number().int().min(0).max(8.64e15).optional(),
    /** the chart's drawable width in pixels: at most one point per pixel is fetched */
    widthPx: z.number().int().min(16).max(8192).default(800),
  })
  .strict();
export type WindowInput = z.input<typeof WindowInput>;

/** A model service as the renderer knows it (from models.list); main derives its metric selectors from it. */
export const ServiceRef = z
  .object({
    /** `<namespace>/<kind>/<name>` */
    id: z
      .string()
      .max(600)
      .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/(Deployment|StatefulSet|DaemonSet|Rollout|InferenceService)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
        'must be <namespace>/<kind>/<name>',
      ),
    serverKind: ModelServerKind,
    modelName: z.string().min(1).max(253),
  })
  .strict();
export type ServiceRef = z.infer<typeof ServiceRef>;

export function parseServiceId(id: string): { namespace: string; kind: string; name: string } {
  const [namespace = '', kind = '', name = ''] = id.split('/');
  return { namespace, kind, name };
}

// ---------------------------------------------------------------------------------------------------------
// catalogue
// ---------------------------------------------------------------------------------------------------------

/** The service-level indicators a catalogue entry can provide. */
export const SliName = z.enum(['requests', 'errors', 'latency', 'inflight', 'tokens']);
export type SliName = z.infer<typeof SliName>;

const promqlText = z.string().trim().min(1).max(4000);

/**
 * A per-model override. Queries may use `$selector` (the model's pod selector, e.g.
 * `namespace="llm",pod=~"llama-70b-chat-.*"`) and `$window` (the rate window, e.g. `5m`).
 * `latencyBuckets` is the `_bucket` series name of a histogram (seconds or with a unit factor).
 */
export const CatalogueOverride = z
  .object({
    serverKind: ModelServerKind.optional(),
    requests: promqlText.optional(),
    errors: promqlText.optional(),
    latencyBuckets: z
      .string()
      .trim()
      .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*_bucket$/, 'must be a histogram _bucket metric name')
      .optional(),
    /** multiply the histogram's le by this to get seconds (0.001 for milliseconds) */
    latencyUnitToSeconds: z.number().positive().max(1e6).optional(),
    inflight: promqlText.optional(),
    tokens: promqlText.optional(),
    /** replaces the pod selector, e.g. `namespace="llm",app="chat"` */
    selector: z.string().trim().min(1).max(1000).optional(),
  })
  .strict();
export type CatalogueOverride = z.infer<typeof CatalogueOverride>;

export const CatalogueEntryView = z.object({
  service: ServiceRef,
  /** the server kind the metrics say (null: none of the known families exist for this model's pods) */
  detected: ModelServerKind.nullable(),
  /** the kind used: an override, else detected, else what discovery said */
  used: ModelServerKind,
  reason: z.string(),
  selector: z.string(),
  /** metric names found for this model's pods (at most 200) */
  metricsFound: z.array(z.string()),
  queries: z.record(SliName, z.array(z.string())),
  override: CatalogueOverride.nullable(),
});
export type CatalogueEntryView = z.infer<typeof CatalogueEntryView>;

// ---------------------------------------------------------------------------------------------------------
// model health and SLOs
// ---------------------------------------------------------------------------------------------------------

export const Slo = z
  .object({
    /** share of requests that must succeed, e.g. 0.995 */
    availability: z.number().min(0.5).max(0.99999),
    /** requests must be answered within this many seconds … */
    latencyThresholdS: z.number().positive().max(3600),
    /** … this share of the time, e.g. 0.95 */
    latencyTarget: z.number().min(0.5).max(0.99999),
  })
  .strict();
export type Slo = z.infer<typeof Slo>;

export const DEFAULT_SLO: Slo = { availability: 0.995, latencyThresholdS: 5, latencyTarget: 0.95 };

export const BurnWindow = z.object({
  long: z.string(),
  short: z.string(),
  /** burn rate threshold (14.4 = a 30-day budget gone in 2 days) */
  threshold: z.number(),
  longBurn: z.number().nullable(),
  shortBurn: z.number().nullable(),
  /** both windows above the threshold */
  alerting: z.boolean(),
  severity: z.enum(['page', 'ticket']),
});
export type BurnWindow = z.infer<typeof BurnWindow>;

export const SloStatus = z.object({
  slo: Slo,
  /** true when no SLO was saved for this model and the default is shown */
  isDefault: z.boolean(),
  availability: z.object({ windows: z.array(BurnWindow) }),
  latency: z.object({ windows: z.array(BurnWindow), note: z.string().nullable() }),
});
export type SloStatus = z.infer<typeof SloStatus>;

export const HealthNow = z.object({
  requestRate: z.number().nullable(),
  errorRatio: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  inflight: z.number().nullable(),
  tokensPerS: z.number().nullable(),
  /** latency is a mean (no histogram on this server), not percentiles */
  latencyIsMean: z.boolean(),
});
export type HealthNow = z.infer<typeof HealthNow>;

export const ModelHealth = z.object({
  service: ServiceRef,
  catalogue: CatalogueEntryView,
  fetchedAt: z.string(),
  now: HealthNow,
  charts: z.array(RangeChart),
  slo: SloStatus,
  /** per-query failures that did not stop the rest (shown on their chart) */
  partial: z.array(z.object({ chart: z.string(), code: z.string(), message: z.string() })),
});
export type ModelHealth = z.infer<typeof ModelHealth>;

export const ModelTile = z.object({
  service: ServiceRef,
  serverKind: ModelServerKind,
  now: HealthNow,
  /** sparklines: last hour at 1-minute steps (null = no sample) */
  spark: z.object({
    requests: z.array(z.number().nullable()),
    errorRatio: z.array(z.number().nullable()),
    p95: z.array(z.number().nullable()),
  }),
  error: z.string().nullable(),
});
export type ModelTile = z.infer<typeof ModelTile>;

export const ModelOverview = z.object({
  fetchedAt: z.string(),
  tiles: z.array(ModelTile),
  cache: CacheInfo.nullable(),
});
export type ModelOverview = z.infer<typeof ModelOverview>;

// ---------------------------------------------------------------------------------------------------------
// GPUs
// ---------------------------------------------------------------------------------------------------------

export const GpuRow = z.object({
  /** `<node>/<gpu index>` */
  key: z.string(),
  node: z.string(),
  gpu: z.string(),
  uuid: z.string().nullable(),
  modelName: z.string().nullable(),
  /** who holds the GPU now (from the pod labels in any spelling), null = unallocated */
  namespace: z.string().nullable(),
  pod: z.string().nullable(),
  /** the model service that pod belongs to, when known */
  serviceId: z.string().nullable(),
  /**
   * utilisation at each heatmap column: base64 of little-endian uint16 per-mille (0..1000 = 0..100 % in 0.1 %
   * steps; 65535 = no sample). Half a million cells travel as one string per row instead of as numbers; read
   * them with `decodeCells`.
   */
  cells: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
});
export type GpuRow = z.infer<typeof GpuRow>;

export const GpuGroup = z.object({
  key: z.string(),
  label: z.string(),
  gpus: z.number().int().nonnegative(),
  allocated: z.number().int().nonnegative(),
  /** mean utilisation 0..1 over the window, over the group's GPUs */
  avgUtil: z.number().nullable(),
  /** sum of utilisation of allocated GPUs / number of allocated GPUs */
  efficiency: z.number().nullable(),
  memUsedMiB: z.number().nullable(),
  memTotalMiB: z.number().nullable(),
  powerW: z.number().nullable(),
  costPerHour: z.number().nullable(),
});
export type GpuGroup = z.infer<typeof GpuGroup>;

export const PriceSource = z.enum(['opencost', 'table', 'unknown']);
export const IdleGpu = z.object({
  key: z.string(),
  node: z.string(),
  gpu: z.string(),
  modelName: z.string().nullable(),
  namespace: z.string().nullable(),
  pod: z.string().nullable(),
  serviceId: z.string().nullable(),
  avgUtil: z.number(),
  maxUtil: z.number(),
  costPerHour: z.number().nullable(),
  priceSource: PriceSource,
});
export type IdleGpu = z.infer<typeof IdleGpu>;

export const GpuFleet = z.object({
  fetchedAt: z.string(),
  /** which DCGM field the utilisation comes from */
  utilSource: z.enum(['engine_active', 'gpu_util', 'mixed', 'none']),
  heatmap: z.object({ start: z.number(), step: z.number(), points: z.number().int(), rows: z.array(GpuRow) }),
  fleet: GpuGroup,
  byNode: z.array(GpuGroup),
  byService: z.array(GpuGroup),
  idle: z.array(IdleGpu),
  idleCostPerHour: z.number(),
  idleThreshold: z.number(),
  idlePeriodS: z.number(),
  charts: z.array(RangeChart),
  promql: z.record(z.string(), z.string()),
  cache: CacheInfo.nullable(),
  note: z.string().nullable(),
});
export type GpuFleet = z.infer<typeof GpuFleet>;

export const GpuFleetInput = WindowInput.extend({
  /** a GPU is idle when its mean utilisation over idlePeriodS is below this (0..1) */
  idleThreshold: z.number().min(0).max(1).default(0.1),
  idlePeriodS: z
    .number()
    .int()
    .min(300)
    .max(30 * 86400)
    .default(3600),
  context: z.string().min(1).max(512).optional(),
}).strict();

// ---------------------------------------------------------------------------------------------------------
// alerts
// ---------------------------------------------------------------------------------------------------------

export const AlertState = z.enum(['firing', 'pending', 'suppressed']);

export const Alert = z.object({
  fingerprint: z.string(),
  name: z.string(),
  state: AlertState,
  severity: z.string().nullable(),
  summary: z.string().nullable(),
  description: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  /** only http(s) URLs; anything else is dropped (and kept as text in annotations) */
  runbookUrl: z.string().nullable(),
  startsAt: z.string().nullable(),
  silencedBy: z.array(z.string()),
  source: z.enum(['alertmanager', 'prometheus']),
});
export type Alert = z.infer<typeof Alert>;

export const AlertGroup = z.object({
  /** the model service id, or `label:<namespace>/<name>` when only the labels say which model */
  key: z.string(),
  label: z.string(),
  serviceId: z.string().nullable(),
  alerts: z.array(Alert),
});
export type AlertGroup = z.infer<typeof AlertGroup>;

const SourceStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok') }),
  z.object({ status: z.literal('not_configured') }),
  z.object({
    status: z.literal('error'),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string() }),
  }),
]);

export const AlertList = z.object({
  fetchedAt: z.string(),
  groups: z.array(AlertGroup),
  counts: z.object({ firing: z.number().int(), pending: z.number().int(), suppressed: z.number().int() }),
  alertmanager: SourceStatus,
  prometheus: SourceStatus,
});
export type AlertList = z.infer<typeof AlertList>;

export const SilenceMatcher = z
  .object({
    name: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name'),
    value: z.string().max(1024),
    isRegex: z.boolean().default(false),
    isEqual: z.boolean().default(true),
  })
  .strict();

export type SilenceMatcher = z.infer<typeof SilenceMatcher>;

/** What a silence is made of (the `silence` action request adds its type to these). */
export const silenceFields = {
  matchers: z.array(SilenceMatcher).min(1).max(20),
  durationMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60),
  comment: z.string().trim().min(3).max(2000),
};

/** A silence must select something: one equality matcher with a value that is not `.*` or `.+`. */
export function isSpecificSilence(s: {
  matchers: ReadonlyArray<{ value: string; isRegex: boolean; isEqual: boolean }>;
}): boolean {
  return s.matchers.some((m) => m.isEqual && m.value !== '' && !(m.isRegex && /^(\.\*|\.\+)$/.test(m.value)));
}
/** What a silence is called where one name is needed (and typed to confirm it): its alert's name, else its most specific value. */
export function silenceName(
  matchers: ReadonlyArray<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>,
): string {
  const named =
    matchers.find((m) => m.name === 'alertname' && m.isEqual && !m.isRegex && m.value !== '') ??
    matchers.find((m) => m.isEqual && !m.isRegex && m.value !== '');
  return named?.value ?? 'silence';
}
/** 90 -> `1 h 30 min`, 1440 -> `1 d` */
export function formatMinutes(minutes: number): string {
  if (minutes >= 1440 && minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes >= 60)
    return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes / 60} h`;
  return `${minutes} min`;
}

export const notSpecificSilence = {
  message: 'at least one matcher must select something specific (a silence matching everything is refused)',
  path: ['matchers'],
};

// ---------------------------------------------------------------------------------------------------------
// pure helpers
// ---------------------------------------------------------------------------------------------------------

/** No sample in a heatmap cell. */
export const NO_CELL = 65535;

/** A heatmap row's cells (see GpuRow.cells): per-mille utilisation, NO_CELL where there was no sample. */
export function decodeCells(base64: string): Uint16Array {
  const bin = atob(base64);
  const out = new Uint16Array(bin.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
  return out;
}

/** Safe external link: only http(s) URLs (no javascript:, data:, file: …); null otherwise. */
export function safeHttpUrl(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (text.length === 0 || text.length > 2048) return null;
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.username || u.password) return null;
    return u.toString();
  } catch {
    return null;
  }
}

/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013) of (x, y) points to `threshold` points,
 * keeping the first and last. Points with a null y are gaps: they are kept where they fall in a bucket with
 * no drawable point so gaps stay visible.
 */
export function lttb(
  xs: ArrayLike<number>,
  ys: ArrayLike<number | null>,
  threshold: number,
): { x: number[]; y: Array<number | null> } {
  const n = xs.length;
  if (threshold >= n || threshold < 3) return { x: Array.from(xs), y: Array.from(ys) };
  const outX: number[] = [xs[0]!];
  const outY: Array<number | null> = [ys[0] ?? null];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const from = Math.floor(i * every) + 1;
    const to = Math.min(Math.floor((i + 1) * every) + 1, n - 1);
    // average of the next bucket
    const nFrom = to;
    const nTo = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    let cnt = 0;
    for (let j = nFrom; j < nTo; j++) {
      const y = ys[j];
      if (y === null || y === undefined) continue;
      avgX += xs[j]!;
      avgY += y;
      cnt++;
    }
    if (cnt) {
      avgX /= cnt;
      avgY /= cnt;
    } else {
      avgX = xs[Math.min(nFrom, n - 1)]!;
      avgY = (ys[a] as number | null) ?? 0;
    }
    const ax = xs[a]!;
    const ay = (ys[a] as number | null) ?? avgY;
    let best = -1;
    let bestArea = -1;
    for (let j = from; j < to; j++) {
      const y = ys[j];
      if (y === null || y === undefined) continue;
      const area = Math.abs((ax - avgX) * (y - ay) - (ax - xs[j]!) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    if (best < 0) {
      // a bucket of gaps: keep one gap so the line breaks
      best = from;
    }
    outX.push(xs[best]!);
    outY.push((ys[best] as number | null) ?? null);
    a = best;
  }
  outX.push(xs[n - 1]!);
  outY.push(ys[n - 1] ?? null);
  return { x: outX, y: outY };
}

/** A histogram bucket: cumulative count of observations <= le. */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * The q-quantile of a cumulative histogram, as Prometheus's histogram_quantile computes it: linear
 * interpolation inside the bucket the rank falls into (the first bucket's lower bound is 0 when its upper
 * bound is positive); a rank in the +Inf bucket gives the highest finite bound; NaN when there are no
 * observations or no +Inf bucket; -Inf/+Inf for q < 0 / q > 1.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const b = [...buckets].filter((x) => !Number.isNaN(x.le)).sort((x, y) => x.le - y.le);
  if (b.length < 2) return NaN;
  if (b[b.length - 1]!.le !== Infinity) return NaN;
  // monotonicity fix as Prometheus does (counts may dip because of scrape timing)
  for (let i = 1; i < b.length; i++)
    if (b[i]!.count < b[i - 1]!.count) b[i] = { le: b[i]!.le, count: b[i - 1]!.count };
  const total = b[b.length - 1]!.count;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let i = b.findIndex((x) => x.count >= rank);
  if (i < 0) i = b.length - 1;
  if (i === b.length - 1) return b[b.length - 2]!.le;
  if (i === 0 && b[0]!.le <= 0) return b[0]!.le;
  let lower = 0;
  let below = 0;
  if (i > 0) {
    lower = b[i - 1]!.le;
    below = b[i - 1]!.count;
  }
  const upper = b[i]!.le;
  const inBucket = b[i]!.count - below;
  if (inBucket <= 0) return upper;
  return lower + (upper - lower) * ((rank - below) / inBucket);
}

/**
 * Share of observations above `threshold` in a cumulative histogram, interpolating linearly inside the
 * bucket the threshold falls into (exact when the threshold is a bucket bound). NaN with no observations.
 */
export function shareAbove(threshold: number, buckets: readonly Bucket[]): number {
  const b = [...buckets].sort((x, y) => x.le - y.le);
  const total = b[b.length - 1]?.count ?? 0;
  if (!(total > 0) || b[b.length - 1]!.le !== Infinity) return NaN;
  let prevLe = 0;
  let prevCount = 0;
  for (const x of b) {
    if (threshold <= x.le) {
      if (x.le === Infinity) return (total - prevCount) / total;
      const frac = x.le === prevLe ? 1 : (threshold - prevLe) / (x.le - prevLe);
      const below = prevCount + (x.count - prevCount) * Math.max(0, Math.min(1, frac));
      return Math.max(0, (total - below) / total);
    }
    prevLe = x.le;
    prevCount = x.count;
  }
  return 0;
}

/**
 * Error-budget burn rate: how many times faster than allowed the budget is spent. `badRatio` is the share
 * of bad events over the window, `target` the SLO (e.g. 0.995: budget 0.5 %). 1 = on budget. null when the
 * ratio is unknown (no traffic).
 */
export function burnRate(badRatio: number | null, target: number): number | null {
  if (badRatio === null || !Number.isFinite(badRatio)) return null;
  const budget = 1 - target;
  if (!(budget > 0)) return null;
  return Math.max(0, badRatio) / budget;
}

/** The multi-window, multi-burn-rate alert pairs of the Google SRE workbook (30-day SLO period). */
export const BURN_WINDOWS: ReadonlyArray<{
  long: string;
  short: string;
  longS: number;
  shortS: number;
  threshold: number;
  severity: 'page' | 'ticket';
}> = [
  { long: '1h', short: '5m', longS: 3600, shortS: 300, threshold: 14.4, severity: 'page' },
  { long: '6h', short: '30m', longS: 21600, shortS: 1800, threshold: 6, severity: 'page' },
  { long: '3d', short: '6h', longS: 259200, shortS: 21600, threshold: 1, severity: 'ticket' },
];

export function burnWindow(
  w: { long: string; short: string; threshold: number; severity: 'page' | 'ticket' },
  longBurn: number | null,
  shortBurn: number | null,
): BurnWindow {
  return {
    long: w.long,
    short: w.short,
    threshold: w.threshold,
    longBurn,
    shortBurn,
    alerting: longBurn !== null && shortBurn !== null && longBurn > w.threshold && shortBurn > w.threshold,
    severity: w.severity,
  };
}

// ---------------------------------------------------------------------------------------------------------
// channels (spread into shared/contract.ts)
// ---------------------------------------------------------------------------------------------------------

const contextInput = z.string().min(1).max(512).optional();

export const metricsChannels = {
  /** one model's health: charts, current values, SLO burn rates, and the PromQL behind them */
  'metrics.modelHealth': {
    input: WindowInput.extend({ service: ServiceRef }).strict(),
    output: ModelHealth,
  },
  /** the overview's tiles: current values and 1-hour sparklines per model service */
  'metrics.modelOverview': {
    input: z.object({ services: z.array(ServiceRef).max(300) }).strict(),
    output: ModelOverview,
  },
  /** which catalogue entry a model uses, why, and the PromQL of each indicator */
  'metrics.catalogue': { input: z.object({ service: ServiceRef }).strict(), output: CatalogueEntryView },
  /** saves (or with null removes) a model's catalogue override; audited */
  'metrics.setOverride': {
    input: z.object({ service: ServiceRef, override: CatalogueOverride.nullable() }).strict(),
    output: CatalogueEntryView,
  },
  /** saves (or with null removes) a model's SLO; audited */
  'metrics.setSlo': {
    input: z.object({ serviceId: ServiceRef.shape.id, slo: Slo.nullable() }).strict(),
    output: z.object({ serviceId: z.string(), slo: Slo.nullable() }),
  },
  /** the GPU view: heatmap, per node / per model service, idle GPUs with cost, memory and power */
  'metrics.gpuFleet': { input: GpuFleetInput, output: GpuFleet },
  /** one ad-hoc range query on the aligned grid (trying an override) */
  'metrics.range': {
    input: WindowInput.extend({
      promql: z.string().trim().min(1).max(4000),
      title: z.string().max(200).optional(),
      unit: ChartUnit.optional(),
    }).strict(),
    output: RangeChart,
  },
  /** firing and suppressed alerts (Alertmanager) plus pending ones (Prometheus), grouped by model service */
  'alerts.list': { input: z.object({ context: contextInput }).strict(), output: AlertList },
} as const;
