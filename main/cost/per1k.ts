/**
 * Cost per 1,000 inferences: attributed cost / successful requests x 1000, over the same days.
 *
 * Only "measured" days count: days Prometheus holds the model servers' counters from start to end (a day it
 * saw only half of would divide a whole day's cost by half a day's requests). Cost is exact (BigInt units);
 * request and token counts are Prometheus numbers, used only as divisors. Per 1M generated tokens for LLMs.
 * The idle part of a model's GPU cost is its GPU cost x (1 - busy share) where busy share is the mean of
 * DCGM engine-active (or GPU_UTIL / 100) over its GPUs' samples that day; days without utilisation (older than
 * Prometheus keeps) get the idle share of the days with it.
 */
import { costPer, scaleUnits } from '../../shared/money';

export interface SubjectSeries {
  key: string;
  /** cost per day of the window (units of money.ts) */
  cost: bigint[];
  /** the GPU part of it */
  gpu: bigint[];
  /** successful requests per day; NaN = no counter that day; null = not a model server */
  successes: Float64Array | null;
  /** generated tokens per day (LLMs) */
  tokens: Float64Array | null;
  /** sum of 0..1 busy samples and their count per day (DCGM) */
  busy: Float64Array | null;
  samples: Float64Array | null;
}

export interface SubjectFigures {
  key: string;
  cost: bigint;
  gpu: bigint;
  /**
   * the idle part of the GPU cost: exact on the days with utilisation, and the same share of the GPU cost of
   * the days without; null when no day has utilisation
   */
  idle: bigint | null;
  /** GPU cost of the days whose utilisation is known (the base of the idle share) */
  gpuMeasured: bigint;
  /** days with GPU cost and known utilisation */
  utilDays: number;
  successes: number | null;
  /** cost over the measured days (the numerator of cost per 1k) */
  measuredCost: bigint;
  measuredDays: number;
  costPer1k: bigint | null;
  tokens: number | null;
  costPer1MTokens: bigint | null;
  daily: { idle: bigint[]; costPer1k: Array<bigint | null>; successes: Array<number | null> };
}

const BUSY_SCALE = 1_000_000;

/** The idle part of one day's GPU cost; null when utilisation is unknown that day. */
export function idlePart(gpu: bigint, busy: number, samples: number): bigint | null {
  if (!(samples > 0) || busy !== busy) return null;
  const busyShare = Math.min(1, Math.max(0, busy / samples));
  const idleMicro = BUSY_SCALE - Math.round(busyShare * BUSY_SCALE);
  return scaleUnits(gpu, BigInt(idleMicro), BigInt(BUSY_SCALE));
}

/**
 * Figures per subject over days [from, to) of the series (indices into the arrays). `measured[i]` says whether
 * day i is fully covered by Prometheus.
 */
export function costPer1kFigures(
  subjects: readonly SubjectSeries[],
  measured: readonly boolean[],
  from: number,
  to: number,
  options: { daily?: boolean } = {},
): SubjectFigures[] {
  const withDaily = options.daily ?? true;
  const out: SubjectFigures[] = new Array(subjects.length);
  for (let s = 0; s < subjects.length; s++) {
    const sub = subjects[s] as SubjectSeries;
    let cost = 0n;
    let gpu = 0n;
    let idle = 0n;
    let idleKnown = false;
    let gpuMeasured = 0n;
    let utilDays = 0;
    let measuredCost = 0n;
    let measuredDays = 0;
    let succ = 0;
    let tokens = 0;
    let anySucc = false;
    const len = withDaily ? to - from : 0;
    const dailyIdle: bigint[] = new Array(len);
    const dailyPer1k: Array<bigint | null> = new Array(len);
    const dailySucc: Array<number | null> = new Array(len);
    const succs = sub.successes;
    const toks = sub.tokens;
    const busy = sub.busy;
    const samples = sub.samples;
    for (let i = from; i < to; i++) {
      const c = sub.cost[i] ?? 0n;
      const g = sub.gpu[i] ?? 0n;
      cost += c;
      gpu += g;
      let dayIdle = 0n;
      if (busy && samples && g !== 0n) {
        const part = idlePart(g, busy[i] as number, samples[i] as number);
        if (part !== null) {
          dayIdle = part;
          idleKnown = true;
          gpuMeasured += g;
          utilDays++;
        }
      }
      idle += dayIdle;
      let dayPer1k: bigint | null = null;
      let daySucc: number | null = null;
      if (succs && measured[i]) {
        const n = succs[i] as number;
        const v = n === n ? n : 0;
        daySucc = v;
        measuredDays++;
        measuredCost += c;
        succ += v;
        anySucc = true;
        if (toks) {
          const t = toks[i] as number;
          if (t === t) tokens += t;
        }
        if (withDaily && v > 0) dayPer1k = costPer(c, v, 1000);
      }
      if (withDaily) {
        dailyIdle[i - from] = dayIdle;
        dailyPer1k[i - from] = dayPer1k;
        dailySucc[i - from] = daySucc;
      }
    }
    // the idle share measured on the days with utilisation, applied to the GPU cost of the other days too
    if (idleKnown && gpuMeasured > 0n && gpu > gpuMeasured)
      idle += scaleUnits(gpu - gpuMeasured, idle, gpuMeasured);
    out[s] = {
      key: sub.key,
      cost,
      gpu,
      idle: idleKnown ? idle : null,
      gpuMeasured,
      utilDays,
      successes: anySucc ? succ : null,
      measuredCost,
      measuredDays,
      costPer1k: anySucc && succ > 0 ? costPer(measuredCost, succ, 1000) : null,
      tokens: toks && anySucc ? tokens : null,
      costPer1MTokens: toks && anySucc && tokens > 0 ? costPer(measuredCost, tokens, 1_000_000) : null,
      daily: { idle: dailyIdle, costPer1k: dailyPer1k, successes: dailySucc },
    };
  }
  return out;
}
