/** Prometheus's histogram_quantile, as a reference the tests check (no production code needs it: PromQL computes it). */
import type { Bucket } from '../../../shared/health';

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
