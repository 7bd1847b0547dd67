/**
 * What a route's split means for the people behind it, from the Models list's "now" figures (last 5 min):
 * the error ratio users see through a rule, and the load each backend would get under other weights.
 * Pure (unit-tested); the Traffic view and its dialog show the results as text.
 */
import type { ModelService } from '../../shared/models';
import type { Weights } from './traffic';

type Figures = Pick<ModelService, 'requestRate' | 'errorRatio' | 'replicas'>;

/** Each backend's share of the rule's traffic, 0..1 (weight / sum of weights; all 0 when nothing gets any). */
export function shares(names: readonly string[], weights: Weights): number[] {
  const w = names.map((n) => Math.max(0, weights[n] ?? 0));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => (sum > 0 ? x / sum : 0));
}

/**
 * The error ratio a user of the rule sees: Σ share × the backend's error ratio, over the backends that get
 * traffic. Null when one of them has no known ratio (named in `unknown`).
 */
export function routeErrorRatio(
  names: readonly string[],
  weights: Weights,
  figures: (name: string) => Figures | undefined,
): { ratio: number | null; unknown: string[] } {
  const s = shares(names, weights);
  let ratio = 0;
  const unknown: string[] = [];
  names.forEach((n, i) => {
    if ((s[i] ?? 0) === 0) return;
    const e = figures(n)?.errorRatio;
    if (e === null || e === undefined) unknown.push(n);
    else ratio += (s[i] ?? 0) * e;
  });
  return { ratio: unknown.length ? null : ratio, unknown };
}

export interface BackendLoad {
  name: string;
  /** requests/s now (last 5 min) */
  now: number;
  /** requests/s it would get: the rule's traffic now × its new share */
  next: number;
  /** next / now; null when it serves nothing now */
  factor: number | null;
  replicas: number | null;
  /** the most it served over the last day; null = not known */
  peak: number | null;
  overPeak: boolean;
}

/**
 * The load each backend would get from a change of weights, for the backends whose share grows. The rule's
 * traffic is taken as the sum of its backends' request rates now (a backend also reached another way makes
 * this an overestimate). Null when a backend's rate is unknown.
 */
export function loadAfter(
  names: readonly string[],
  before: Weights,
  after: Weights,
  figures: (name: string) => Figures | undefined,
  peak: (name: string) => number | null,
): BackendLoad[] | null {
  const rates = names.map((n) => figures(n)?.requestRate);
  if (rates.some((r) => r === null || r === undefined)) return null;
  const total = (rates as number[]).reduce((a, b) => a + b, 0);
  const s0 = shares(names, before);
  const s1 = shares(names, after);
  const out: BackendLoad[] = [];
  names.forEach((name, i) => {
    if ((s1[i] ?? 0) <= (s0[i] ?? 0)) return;
    const now = rates[i] as number;
    const next = total * (s1[i] ?? 0);
    const p = peak(name);
    out.push({
      name,
      now,
      next,
      factor: now > 0 ? next / now : null,
      replicas: figures(name)?.replicas.ready ?? null,
      peak: p,
      overPeak: p !== null && next > p,
    });
  });
  return out;
}

const rate = (v: number) => `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10}/s`;

/** "about 6x its current requests (6.5/s → 40/s) on 2 replicas" */
export function describeLoad(l: BackendLoad): string {
  const on = l.replicas === null ? '' : ` on ${l.replicas} ${l.replicas === 1 ? 'replica' : 'replicas'}`;
  if (l.factor === null) return `${l.name} would get about ${rate(l.next)}, from none now${on}`;
  const x = l.factor >= 3 ? String(Math.round(l.factor)) : String(Math.round(l.factor * 10) / 10);
  return `${l.name} would get about ${x}x its current requests (${rate(l.now)} → ${rate(l.next)})${on}`;
}

/** The warning beside a load above what the backend served at its peak. */
export function describeOverPeak(l: BackendLoad): string | null {
  if (!l.overPeak || l.peak === null) return null;
  return `That is more than ${l.name} served at its peak over the last 24 h (${rate(l.peak)}): watch its latency and errors, or scale it up first.`;
}
