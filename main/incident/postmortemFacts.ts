/**
 * The postmortem's numbers, from the captured series and the incident's clock: failed inferences (requests x
 * error ratio, summed sample by sample over [started, mitigated)), peaks against the pre-incident baseline, the
 * SLO error budget burned, and the GPU time the involved models held (exact decimals for money).
 */
import type { CapturedSeries, MilestoneName, WarRoom } from '../../shared/incident';
import { MONEY_SCALE, formatAmount, parseAmount, scaleUnits, sumMoney, type Money } from '../../shared/money';
import type { Objective } from './clock';
import { samplesOf } from './postmortemCharts';

/** What Firebreak holds a model to when the incident does not say (as the incident store does). */
export const DEFAULT_OBJECTIVE: Objective = { maxErrorRatio: 0.005, maxP95S: 5 };

export type MilestoneTimes = Record<MilestoneName, number | null>;

export function milestoneTimes(room: WarRoom): MilestoneTimes {
  const at = (n: MilestoneName) => {
    const iso = room.incident.milestones.find((m) => m.name === n)?.at;
    const ms = iso ? Date.parse(iso) : NaN;
    return Number.isFinite(ms) ? ms : null;
  };
  return {
    started: at('started'),
    detected: at('detected'),
    acknowledged: at('acknowledged'),
    mitigated: at('mitigated'),
    resolved: at('resolved'),
  };
}

export interface ModelRef {
  serviceId: string;
  name: string;
  role: 'involved' | 'fallback';
}

/** The involved models in the incident's order, then their fallbacks: each once. */
export function modelsOf(room: WarRoom): ModelRef[] {
  const out: ModelRef[] = [];
  const add = (serviceId: string, name: string, role: ModelRef['role']) => {
    if (!out.some((m) => m.serviceId === serviceId)) out.push({ serviceId, name, role });
  };
  for (const m of room.incident.models) add(m.serviceId, m.name, 'involved');
  for (const m of room.incident.models) {
    if (!m.fallbackId) continue;
    const tile = room.tiles.find((t) => t.serviceId === m.fallbackId);
    add(m.fallbackId, tile?.name ?? m.fallbackId.split('/').at(-1) ?? m.fallbackId, 'fallback');
  }
  return out;
}

/** The series of a model and metric (the first by key when there are several). */
export function seriesFor(
  room: WarRoom,
  model: string,
  metric: CapturedSeries['metric'],
): CapturedSeries | null {
  return (
    room.series
      .filter((s) => s.model === model && s.metric === metric)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))[0] ?? null
  );
}

/** [from, to) of the impact: started to mitigated (else resolved, else the end of the capture). */
export function impactWindow(
  room: WarRoom,
  ms: MilestoneTimes,
): { fromMs: number; toMs: number; until: string } | null {
  if (ms.started === null) return null;
  if (ms.mitigated !== null) return { fromMs: ms.started, toMs: ms.mitigated, until: 'mitigated' };
  if (ms.resolved !== null) return { fromMs: ms.started, toMs: ms.resolved, until: 'resolved' };
  const ends = room.series.map((s) => Date.parse(s.t0) + s.values.length * s.stepS * 1000);
  const end = Math.max(ms.started, ...ends.filter(Number.isFinite));
  return { fromMs: ms.started, toMs: end, until: 'the end of the capture' };
}

export interface Failed {
  /** sum over samples of requests/s x error ratio x step seconds */
  failed: number;
  /** sum over samples of requests/s x step seconds */
  total: number;
  /** samples in the window counted (both series had a value) */
  counted: number;
  /** samples in the window without a value in one of the series (not counted) */
  missing: number;
}

/**
 * Failed inferences in [fromMs, toMs): each requests sample times the error ratio sampled at the same instant,
 * times the step. A sample missing from either series is not counted (and is reported as missing).
 */
export function failedInferences(
  requests: CapturedSeries,
  errorRatio: CapturedSeries,
  fromMs: number,
  toMs: number,
): Failed {
  const e0 = Date.parse(errorRatio.t0);
  const eStep = errorRatio.stepS * 1000;
  let failed = 0;
  let total = 0;
  let counted = 0;
  let missing = 0;
  for (const { t, v } of samplesOf(requests)) {
    if (t < fromMs || t >= toMs) continue;
    const j = (t - e0) / eStep;
    const e = Number.isInteger(j) ? errorRatio.values[j] : null;
    if (v === null || e === null || e === undefined || !Number.isFinite(e)) {
      missing++;
      continue;
    }
    failed += v * e * requests.stepS;
    total += v * requests.stepS;
    counted++;
  }
  return { failed, total, counted, missing };
}

export interface Peak {
  value: number;
  atMs: number;
}

/** The highest sample in [fromMs, toMs) (the whole series when no window). */
export function peakOf(s: CapturedSeries | null, win: { fromMs: number; toMs: number } | null): Peak | null {
  if (!s) return null;
  let best: Peak | null = null;
  for (const { t, v } of samplesOf(s)) {
    if (v === null || (win && (t < win.fromMs || t >= win.toMs))) continue;
    if (!best || v > best.value) best = { value: v, atMs: t };
  }
  return best;
}

/** The median of the samples before `beforeMs`: what the model did before the incident. */
export function baselineOf(s: CapturedSeries | null, beforeMs: number | null): number | null {
  if (!s || beforeMs === null) return null;
  const xs = samplesOf(s)
    .filter((p) => p.t < beforeMs && p.v !== null)
    .map((p) => p.v as number)
    .sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

/** The first sample at or after `atMs`. */
export function valueAt(s: CapturedSeries | null, atMs: number | null): number | null {
  if (!s || atMs === null) return null;
  return samplesOf(s).find((p) => p.t >= atMs && p.v !== null)?.v ?? null;
}

export interface ModelImpact extends ModelRef {
  objective: Objective;
  objectiveAssumed: boolean;
  failed: Failed | null;
  peakErrorRatio: Peak | null;
  peakP95: Peak | null;
  baselineErrorRatio: number | null;
  baselineP95: number | null;
  /** requests per second before the incident (median of the pre-roll) */
  baselineRate: number | null;
}

export function impactOf(
  room: WarRoom,
  ms: MilestoneTimes,
  objectives: ReadonlyMap<string, Objective> | undefined,
): { window: ReturnType<typeof impactWindow>; models: ModelImpact[] } {
  const win = impactWindow(room, ms);
  const models = modelsOf(room).map((m): ModelImpact => {
    const req = seriesFor(room, m.serviceId, 'requests');
    const er = seriesFor(room, m.serviceId, 'errorRatio');
    const p95 = seriesFor(room, m.serviceId, 'p95');
    const given = objectives?.get(m.serviceId);
    return {
      ...m,
      objective: given ?? DEFAULT_OBJECTIVE,
      objectiveAssumed: given === undefined,
      failed: req && er && win ? failedInferences(req, er, win.fromMs, win.toMs) : null,
      peakErrorRatio: peakOf(er, win),
      peakP95: peakOf(p95, win),
      baselineErrorRatio: baselineOf(er, ms.started),
      baselineP95: baselineOf(p95, ms.started),
      baselineRate: baselineOf(req, ms.started),
    };
  });
  return { window: win, models };
}

export interface GpuCost {
  serviceId: string;
  name: string;
  gpus: number | null;
  /** GPU-hours, exact decimal text (2 fraction digits) */
  gpuHours: string | null;
  pricePerGpuHour: Money | null;
  cost: Money | null;
}

/** GPUs held x the incident's duration (x the price per GPU-hour when given), in exact decimals. */
export function gpuCosts(
  models: readonly ModelRef[],
  durationS: number | null,
  gpusPerModel: ReadonlyMap<string, number> | undefined,
  gpuHourPrice: ReadonlyMap<string, string> | undefined,
): { rows: GpuCost[]; totalGpuHours: string | null; totalCost: Money | null } {
  const rows: GpuCost[] = [];
  let gpuMilliSeconds = 0n;
  const costs: Money[] = [];
  let anyGpus = false;
  for (const m of models) {
    const g = gpusPerModel?.get(m.serviceId);
    if (m.role === 'fallback' && g === undefined) continue;
    const gpus = g !== undefined && Number.isFinite(g) && g >= 0 ? g : null;
    const priceText = gpuHourPrice?.get(m.serviceId);
    const priceUnits = priceText !== undefined ? parseAmount(priceText) : null;
    const price = priceUnits !== null ? { units: priceUnits, currency: 'USD' } : null;
    if (gpus === null || durationS === null) {
      rows.push({
        serviceId: m.serviceId,
        name: m.name,
        gpus,
        gpuHours: null,
        pricePerGpuHour: price,
        cost: null,
      });
      continue;
    }
    anyGpus = true;
    // milli-GPUs (a fractional GPU share stays exact to 1/1000) x seconds
    const milliGpuS = BigInt(Math.round(gpus * 1000)) * BigInt(Math.max(0, Math.round(durationS)));
    gpuMilliSeconds += milliGpuS;
    const cost = price ? { units: scaleUnits(price.units, milliGpuS, 3_600_000n), currency: 'USD' } : null;
    if (cost) costs.push(cost);
    rows.push({
      serviceId: m.serviceId,
      name: m.name,
      gpus,
      gpuHours: hoursText(milliGpuS),
      pricePerGpuHour: price,
      cost,
    });
  }
  return {
    rows,
    totalGpuHours: anyGpus ? hoursText(gpuMilliSeconds) : null,
    totalCost: costs.length > 0 ? sumMoney(costs, 'USD') : null,
  };
}

function hoursText(milliGpuS: bigint): string {
  return formatAmount(scaleUnits(MONEY_SCALE, milliGpuS, 3_600_000n), 2, true);
}

/** What the failed inferences cost to serve, at the model's cost per 1k inferences (exact decimal). */
export function failedSpend(costPer1k: string | null, failed: number): Money | null {
  if (costPer1k === null || !Number.isFinite(failed) || failed <= 0) return null;
  const units = parseAmount(costPer1k);
  if (units === null) return null;
  return { units: scaleUnits(units, BigInt(Math.round(failed)), 1000n), currency: 'USD' };
}
