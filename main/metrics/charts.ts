/**
 * From grid results to what a chart draws: series with stable keys and plain-text names, values rounded
 * for transport, non-finite samples counted, too many series cut (and said so), and a note that says why a
 * chart is empty.
 */
import {
  type ChartUnit,
  type RangeChart,
  type Series,
  chooseStep,
  type StepChoice,
} from '../../shared/series';
import type { CachedGrid } from './rangeCache';

/** Series per chart sent to the renderer; more would be unreadable and slow. */
export const MAX_CHART_SERIES = 50;

export function seriesKey(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return keys.length ? keys.map((k) => `${k}=${labels[k]}`).join(',') : '{}';
}

/** Legend text from labels (text only; the renderer never treats it as HTML). */
export function seriesName(labels: Record<string, string>, fallback: string): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort();
  if (keys.length === 0) return fallback;
  return keys.map((k) => `${k}=${labels[k]}`).join(', ');
}

/** Keeps 4 significant digits: plenty for a chart, a third of the bytes. */
export function roundForChart(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  if (v === 0) return 0;
  const mag = Math.floor(Math.log10(Math.abs(v)));
  const scale = 10 ** (3 - mag);
  return scale > 1e15 ? v : Math.round(v * scale) / scale;
}

export function gridToSeries(grid: CachedGrid, name: (labels: Record<string, string>) => string): Series[] {
  return grid.series.map((s) => {
    const values: Array<number | null> = new Array(s.values.length);
    for (let i = 0; i < s.values.length; i++) values[i] = roundForChart(s.values[i]!);
    return {
      key: seriesKey(s.labels),
      name: name(s.labels),
      labels: s.labels,
      values,
      nonFinite: s.nonFinite,
    };
  });
}

export interface ChartPart {
  promql: string;
  grid: CachedGrid;
  /** legend name for an unlabelled (aggregated) series */
  name: string;
}

/** One chart from one or more queries on the same grid. */
export function buildChart(
  id: string,
  title: string,
  unit: ChartUnit,
  step: StepChoice,
  parts: ChartPart[],
  emptyNote = 'No data for this window: the model may have had no traffic, or the metric is not scraped.',
): RangeChart {
  const series: Series[] = [];
  let dropped = 0;
  let cache: RangeChart['cache'] = null;
  for (const part of parts) {
    dropped += part.grid.droppedSeries;
    if (part.grid.cache && (!cache || part.grid.cache.offline)) cache = part.grid.cache;
    for (const s of gridToSeries(part.grid, (labels) => seriesName(labels, part.name))) {
      if (series.length >= MAX_CHART_SERIES) {
        dropped++;
        continue;
      }
      series.push(parts.length > 1 && Object.keys(s.labels).length === 0 ? { ...s, key: part.name } : s);
    }
  }
  const drawable = series.some((s) => s.values.some((v) => v !== null));
  const nonFinite = series.reduce((n, s) => n + s.nonFinite.nan + s.nonFinite.posInf + s.nonFinite.negInf, 0);
  let note: string | null = null;
  if (!drawable) {
    note =
      nonFinite > 0
        ? `Every sample in this window is NaN or infinite (${nonFinite}): for ratios that means no traffic; for quantiles, all requests fell outside the histogram's buckets.`
        : emptyNote;
  }
  return {
    id,
    title,
    unit,
    promql: parts.map((p) => p.promql),
    start: step.start,
    step: step.step,
    points: step.points,
    series,
    droppedSeries: dropped,
    cache,
    note,
  };
}

/** A chart that could not be fetched: empty, with the reason as its note and the PromQL still shown. */
export function failedChart(
  id: string,
  title: string,
  unit: ChartUnit,
  step: StepChoice,
  promql: string[],
  message: string,
): RangeChart {
  return {
    id,
    title,
    unit,
    promql,
    start: step.start,
    step: step.step,
    points: step.points,
    series: [],
    droppedSeries: 0,
    cache: null,
    note: message,
  };
}

/** The aligned grid for a window input. */
export function gridFor(
  input: { rangeS: number; end?: number | undefined; widthPx: number },
  now: number,
  minStepS = 15,
): StepChoice {
  const endS = Math.floor((input.end ?? now) / 1000);
  return chooseStep({ start: endS - input.rangeS, end: endS }, input.widthPx, { minStepS });
}

/** The last finite value of a grid's first series (what "now" shows when only the chart is known). */
export function lastValue(grid: CachedGrid | null): number | null {
  const s = grid?.series[0];
  if (!s) return null;
  for (let i = s.values.length - 1; i >= 0; i--) if (Number.isFinite(s.values[i]!)) return s.values[i]!;
  return null;
}

/** Runs tasks with at most `limit` in flight. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
