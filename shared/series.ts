/**
 * Series and charts: what a range query's answer looks like on the wire (an aligned grid of values per series,
 * with the PromQL behind it), the step choice that aligns windows so caches hit, and LTTB downsampling. Used by
 * health, GPU and cost. Plain data and arithmetic: no I/O.
 */
import { z } from 'zod';
import { AppErrorSchema } from './errors';

// ---------- time windows and steps ----------

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

// ---------- series ----------

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

/** Figures served from the copy saved because their source could not be asked: since when they are old, and why. */
export const StaleCopy = z.object({
  /** when the oldest figure shown was fetched (ISO) */
  asOf: z.string(),
  error: AppErrorSchema,
});
export type StaleCopy = z.infer<typeof StaleCopy>;

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

// ---------- the window inputs of chart channels ----------

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

// ---------- downsampling ----------

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
