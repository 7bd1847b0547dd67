/**
 * Model health: the per-model-server catalogue of service-level indicators (with overrides), current values,
 * charts, SLOs and their burn rates; its slice of the channel table. Pure helpers for histograms and burn rates.
 */
import { z } from 'zod';
import { ModelServerKind, ServiceRef } from './models';
import { CacheInfo, ChartUnit, RangeChart, StaleCopy, WindowInput } from './series';

// ---------- catalogue ----------

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

// ---------- model health and SLOs ----------

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

/** Every "now" figure (Models, Traffic, Model health) is a rate over this window, and is labelled so. */
export const NOW_WINDOW = '5m';
export const NOW_LABEL = 'last 5 min';

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
  /** set when some figures come from the copy saved (Prometheus hung, down or failing): how old, and why */
  stale: StaleCopy.nullable().optional(),
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
  stale: StaleCopy.nullable().optional(),
});
export type ModelOverview = z.infer<typeof ModelOverview>;

// ---------- histograms and burn rates ----------

/** A histogram bucket: cumulative count of observations <= le. */
export interface Bucket {
  le: number;
  count: number;
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

// ---------- channels (spread into contract.ts) ----------

export const healthChannels = {
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
  /** one ad-hoc range query on the aligned grid (trying an override) */
  'metrics.range': {
    input: WindowInput.extend({
      promql: z.string().trim().min(1).max(4000),
      title: z.string().max(200).optional(),
      unit: ChartUnit.optional(),
    }).strict(),
    output: RangeChart,
  },
} as const;
