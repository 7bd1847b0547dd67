/**
 * The sandbox's anomaly monitor: one cost-allocation-tag monitor over the `model` tag.
 *
 * Detection (documented, deterministic): for every `model` tag value, take its daily UnblendedCost series
 * over complete days (the series starts at the model's first record, missing days count 0, days on or after
 * `today` are ignored). A day d with at least 14 days of history before it is anomalous when
 *   cost(d) - mean > max(3 * sd, $1.00)
 * where mean / sd (sample) are over the 14 days before d. Consecutive anomalous days form one anomaly; its
 * baseline (expected spend per day) stays frozen at the first day's mean. Untagged spend is not monitored.
 *
 *   Impact: TotalActualSpend = sum of cost, TotalExpectedSpend = days * mean, TotalImpact = actual - expected,
 *           MaxImpact = max daily (cost - mean), TotalImpactPercentage = impact / expected * 100 (omitted when
 *           expected is 0); dollars rounded to cents.
 *   AnomalyScore: per day z = (cost - mean) / max(sd, 0.01), score = z / (z + 3) (0.5 at the 3-sigma edge);
 *           MaxScore over the anomaly's days, CurrentScore on its last day.
 *   RootCauses: the (service, usage type) pairs whose spend rose most against their own 14-day mean, top 3,
 *           with Region us-east-1 and the sandbox account.
 */
import { createHash } from 'node:crypto';
import { toNumber } from './decimal';
import type { StoredRecord } from './store';
import { tagValue } from './store';
import { mean, round2, stddev } from './stats';

export const BASELINE_DAYS = 14;
export const SIGMA_THRESHOLD = 3;
export const MIN_IMPACT_USD = 1;
export const MONITORED_TAG = 'model';
export const SANDBOX_ACCOUNT_ID = '123456789012';
export const SANDBOX_ACCOUNT_NAME = 'firebreak-sandbox';
export const SANDBOX_REGION = 'us-east-1';

export interface DetectedRootCause {
  service: string;
  usageType: string;
  contribution: number;
}

export interface DetectedAnomaly {
  id: string;
  model: string;
  startDay: number;
  endDay: number;
  maxScore: number;
  currentScore: number;
  maxImpact: number;
  totalImpact: number;
  totalActual: number;
  totalExpected: number;
  rootCauses: DetectedRootCause[];
}

export function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function score(excess: number, sd: number): number {
  const z = excess / Math.max(sd, 0.01);
  return Math.round((z / (z + SIGMA_THRESHOLD)) * 10_000) / 10_000;
}

export function detectAnomalies(records: StoredRecord[], today: number): DetectedAnomaly[] {
  const byModel = new Map<string, StoredRecord[]>();
  for (const r of records) {
    const model = tagValue(r, MONITORED_TAG);
    if (model === undefined || r.day >= today) continue;
    let list = byModel.get(model);
    if (!list) byModel.set(model, (list = []));
    list.push(r);
  }

  const out: DetectedAnomaly[] = [];
  for (const [model, list] of [...byModel.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const first = list.reduce((m, r) => Math.min(m, r.day), Number.POSITIVE_INFINITY);
    const days = today - first;
    const totals = new Array<bigint>(days).fill(0n);
    const byCause = new Map<string, { service: string; usageType: string; daily: bigint[] }>();
    for (const r of list) {
      const i = r.day - first;
      totals[i] = (totals[i] ?? 0n) + r.unblended;
      const key = `${r.service}\u0000${r.usageType}`;
      let c = byCause.get(key);
      if (!c)
        byCause.set(
          key,
          (c = { service: r.service, usageType: r.usageType, daily: new Array<bigint>(days).fill(0n) }),
        );
      c.daily[i] = (c.daily[i] ?? 0n) + r.unblended;
    }
    const series = totals.map(toNumber);

    let open:
      | {
          start: number;
          end: number;
          mu: number;
          sd: number;
          threshold: number;
          scores: number[];
          excess: number[];
          actual: number[];
        }
      | undefined;
    const close = (): void => {
      if (!open) return;
      const o = open;
      open = undefined;
      const n = o.end - o.start + 1;
      const totalActual = o.actual.reduce((a, b) => a + b, 0);
      const totalExpected = o.mu * n;
      const causes: DetectedRootCause[] = [];
      for (const c of byCause.values()) {
        const base = c.daily.slice(o.start - BASELINE_DAYS, o.start).map(toNumber);
        const baseMean = mean(
          base.length === BASELINE_DAYS
            ? base
            : [...base, ...new Array<number>(BASELINE_DAYS - base.length).fill(0)],
        );
        let contribution = 0;
        for (let i = o.start; i <= o.end; i++) contribution += toNumber(c.daily[i] ?? 0n) - baseMean;
        if (contribution > 0)
          causes.push({ service: c.service, usageType: c.usageType, contribution: round2(contribution) });
      }
      causes.sort(
        (a, b) =>
          b.contribution - a.contribution ||
          a.service.localeCompare(b.service) ||
          a.usageType.localeCompare(b.usageType),
      );
      out.push({
        id: uuidFrom(`anomaly|${MONITORED_TAG}|${model}|${first + o.start}`),
        model,
        startDay: first + o.start,
        endDay: first + o.end,
        maxScore: Math.max(...o.scores),
        currentScore: o.scores[o.scores.length - 1] ?? 0,
        maxImpact: round2(Math.max(...o.excess)),
        totalImpact: round2(totalActual - totalExpected),
        totalActual: round2(totalActual),
        totalExpected: round2(totalExpected),
        rootCauses: causes.slice(0, 3),
      });
    };

    for (let i = BASELINE_DAYS; i < days; i++) {
      const x = series[i] ?? 0;
      if (open) {
        if (x - open.mu > open.threshold) {
          open.end = i;
          open.scores.push(score(x - open.mu, open.sd));
          open.excess.push(x - open.mu);
          open.actual.push(x);
          continue;
        }
        close();
      }
      const window = series.slice(i - BASELINE_DAYS, i);
      const mu = mean(window);
      const sd = stddev(window);
      const threshold = Math.max(SIGMA_THRESHOLD * sd, MIN_IMPACT_USD);
      if (x - mu > threshold) {
        open = {
          start: i,
          end: i,
          mu,
          sd,
          threshold,
          scores: [score(x - mu, sd)],
          excess: [x - mu],
          actual: [x],
        };
      }
    }
    close();
  }
  return out;
}
