/**
 * The history: the metric model run at every backfill timestamp, kept as one value column per series, and
 * written as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`.
 */
import type { Conditions, LiveState, MetricModel } from './model';
import { emptyState } from './model';
import type { Family, SeriesDef } from './series';
import { formatValue } from './series';

export interface Backfill {
  /** Sample timestamps, unix seconds, ascending. */
  times: number[];
  /** Every series that has at least one sample. */
  defs: SeriesDef[];
  /** values[def.id][k] = value at times[k], NaN where the series had no sample. */
  values: Array<Float64Array | undefined>;
  /** The counters after the last timestamp: where the live exporter carries on. */
  finalState: LiveState;
}

export function runBackfill(
  model: MetricModel,
  times: readonly number[],
  conditionsAt: (t: number) => Conditions,
): Backfill {
  const values: Array<Float64Array | undefined> = [];
  const state = emptyState();
  const n = times.length;
  let k = 0;
  const emit = (def: SeriesDef, value: number) => {
    let column = values[def.id];
    if (!column) values[def.id] = column = new Float64Array(n).fill(Number.NaN);
    column[k] = value;
  };
  for (k = 0; k < n; k++) {
    const t = times[k]!;
    model.advance(state, t, conditionsAt(t), emit);
  }
  const defs = model.registry.defs.filter((def) => values[def.id] !== undefined);
  return { times: [...times], defs, values, finalState: state };
}

export interface TimeRange {
  /** Inclusive, unix seconds. */
  from?: number;
  /** Exclusive, unix seconds. */
  to?: number;
}

/**
 * OpenMetrics text for the samples with from <= t < to (all by default), in chunks of roughly `chunkBytes`,
 * ending with `# EOF`. Timestamps are in seconds, as promtool expects.
 */
export function* openMetricsChunks(
  backfill: Backfill,
  range: TimeRange = {},
  chunkBytes = 1 << 20,
): Generator<string> {
  const { times, values } = backfill;
  let first = 0;
  while (first < times.length && times[first]! < (range.from ?? -Infinity)) first++;
  let end = first;
  while (end < times.length && times[end]! < (range.to ?? Infinity)) end++;

  const byFamily = new Map<Family, SeriesDef[]>();
  for (const def of backfill.defs) {
    let list = byFamily.get(def.family);
    if (!list) byFamily.set(def.family, (list = []));
    list.push(def);
  }
  const families = [...byFamily.keys()].sort((a, b) => a.order - b.order);
  let buffer: string[] = [];
  let size = 0;
  for (const family of families) {
    let typed = false;
    for (const def of byFamily.get(family)!) {
      const column = values[def.id]!;
      const prefix = `${def.name}${def.labelText} `;
      for (let k = first; k < end; k++) {
        const v = column[k]!;
        if (Number.isNaN(v)) continue;
        if (!typed) {
          buffer.push(`# TYPE ${family.omName} ${family.omType}\n`);
          typed = true;
        }
        const line = `${prefix}${formatValue(def, v)} ${times[k]}\n`;
        buffer.push(line);
        size += line.length;
        if (size >= chunkBytes) {
          yield buffer.join('');
          buffer = [];
          size = 0;
        }
      }
    }
  }
  buffer.push('# EOF\n');
  yield buffer.join('');
}
