/**
 * Metric change-points on a captured SLI series: a two-sided CUSUM on deviations from a robust baseline
 * (median, with the median absolute deviation as scale), so one noisy sample does not make a change and a level
 * shift is dated to where it began, not to where the alarm crossed. After a change the baseline restarts at the
 * new level, so a recovery is a change-point too.
 */

export interface ChangePoint {
  atMs: number;
  before: number;
  after: number;
  direction: 'rose' | 'fell';
}

export interface ChangePointOptions {
  /** samples that form a baseline (default 8) */
  warmup?: number;
  /** allowance k and threshold h, in units of the scale (defaults 1 and 8) */
  k?: number;
  h?: number;
  /** the smallest scale, so a flat series still needs a real move (default: 2% of the level, or `minScale`) */
  minScale?: number;
  /** relative move that counts (default 0.5 = 50 %) */
  minRelative?: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function changePoints(
  t0Ms: number,
  stepS: number,
  values: ArrayLike<number | null>,
  opts: ChangePointOptions = {},
): ChangePoint[] {
  const warmup = opts.warmup ?? 8;
  const k = opts.k ?? 1;
  const h = opts.h ?? 8;
  const minRel = opts.minRelative ?? 0.5;
  const pts: Array<{ t: number; v: number }> = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) pts.push({ t: t0Ms + i * stepS * 1000, v });
  }
  const out: ChangePoint[] = [];
  let start = 0;
  while (start + warmup < pts.length) {
    const base = pts.slice(start, start + warmup).map((p) => p.v);
    const level = median(base);
    const mad = median(base.map((v) => Math.abs(v - level))) * 1.4826;
    const scale = Math.max(mad, Math.abs(level) * 0.02, opts.minScale ?? 1e-9);
    let up = 0;
    let down = 0;
    let upStart = start + warmup;
    let downStart = start + warmup;
    let found = -1;
    let dir: 'rose' | 'fell' = 'rose';
    for (let i = start + warmup; i < pts.length; i++) {
      const z = (pts[i]!.v - level) / scale;
      if (up === 0) upStart = i;
      if (down === 0) downStart = i;
      up = Math.max(0, up + z - k);
      down = Math.max(0, down - z - k);
      if (up > h) {
        found = upStart;
        dir = 'rose';
        break;
      }
      if (down > h) {
        found = downStart;
        dir = 'fell';
        break;
      }
    }
    if (found < 0) break;
    const after = median(pts.slice(found, Math.min(pts.length, found + warmup)).map((p) => p.v));
    const rel = Math.abs(after - level) / Math.max(Math.abs(level), scale);
    if (rel >= minRel) out.push({ atMs: pts[found]!.t, before: level, after, direction: dir });
    start = found;
  }
  return out;
}
