import { useMemo } from 'react';
import type { CapturedSeries, WarRoom } from '../../../shared/incident';
import type { RangeChart } from '../../../shared/series';
import { TimeChart } from '../../charts/TimeChart';

const CHARTS: Array<{ metric: CapturedSeries['metric']; title: string }> = [
  { metric: 'errorRatio', title: 'Error ratio' },
  { metric: 'p95', title: 'p95 latency' },
  { metric: 'requests', title: 'Requests per model' },
];

const MILESTONE_COLORS: Record<string, string> = {
  started: '#f2645a',
  detected: '#e2a93b',
  acknowledged: '#5b9dff',
  mitigated: '#3fb97a',
  resolved: '#3fb97a',
};

/** The captured series of one metric on one aligned grid (a null where a model has no sample). */
export function chartOf(
  series: readonly CapturedSeries[],
  metric: CapturedSeries['metric'],
  title: string,
  names: ReadonlyMap<string, string>,
): RangeChart {
  const picked = series.filter((s) => s.metric === metric);
  const step = picked.length ? Math.min(...picked.map((s) => s.stepS)) : 60;
  const starts = picked.map((s) => Math.floor(Date.parse(s.t0) / 1000));
  const start = starts.length ? Math.min(...starts) : 0;
  const end = picked.length
    ? Math.max(...picked.map((s, i) => starts[i]! + (s.values.length - 1) * s.stepS))
    : start;
  const points = picked.length ? Math.floor((end - start) / step) + 1 : 0;
  return {
    id: `incident-${metric}`,
    title,
    unit: picked[0]?.unit ?? 'count',
    promql: picked.map((s) => `captured series ${s.key} (every ${s.stepS} s, from ${s.t0})`),
    start,
    step,
    points,
    series: picked.map((s, k) => {
      const values: Array<number | null> = new Array<number | null>(points).fill(null);
      s.values.forEach((v, j) => {
        const idx = Math.round((starts[k]! + j * s.stepS - start) / step);
        if (idx >= 0 && idx < points) values[idx] = v;
      });
      const name = s.model ? (names.get(s.model) ?? s.model) : s.key;
      return {
        key: s.key,
        name,
        labels: {},
        values,
        nonFinite: { nan: 0, posInf: 0, negInf: 0 },
      };
    }),
    droppedSeries: 0,
    cache: null,
    note: picked.length ? null : 'Nothing of this was captured.',
  };
}

/** Error ratio, p95 and requests of the involved models as captured, with the milestones and the replay position. */
export function IncidentCharts({ room, position }: { room: WarRoom; position: string | null }) {
  const names = useMemo(() => new Map(room.tiles.map((t) => [t.serviceId, t.name])), [room.tiles]);
  const charts = useMemo(
    () => CHARTS.map((c) => chartOf(room.series, c.metric, c.title, names)),
    [room.series, names],
  );
  const milestones = room.incident.milestones;
  const marks = useMemo(() => {
    const out: Array<{ at: number; label: string; color?: string }> = milestones
      .filter((m) => m.at)
      .map((m) => ({ at: Date.parse(m.at!), label: m.name, color: MILESTONE_COLORS[m.name] }));
    if (position && !room.live) out.push({ at: Date.parse(position), label: 'replay', color: '#eef1f6' });
    // labels closer than 6% of the chart's span would print over each other: the line stays, the label goes
    const span = Math.max(1, ...charts.map((c) => c.step * Math.max(1, c.points - 1) * 1000));
    return out
      .sort((a, b) => a.at - b.at)
      .reduce<{ last: number; marks: typeof out }>(
        (acc, m) =>
          m.at - acc.last < span * 0.06
            ? { last: acc.last, marks: [...acc.marks, { ...m, label: '' }] }
            : { last: m.at, marks: [...acc.marks, m] },
        { last: -Infinity, marks: [] },
      ).marks;
  }, [milestones, position, room.live, charts]);
  return (
    <div className="inc-charts" data-testid="incident-charts">
      {charts.map((c) => (
        <TimeChart key={c.id} chart={c} group="incident" height={150} marks={marks} />
      ))}
    </div>
  );
}
