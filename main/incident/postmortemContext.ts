/**
 * What the postmortem's sections are written from: the input, the incident's milestone times, the models and
 * their impact, the timeline and ranked changes in a fixed order, and the charts to draw. Plus the small helpers
 * every section uses (times on the incident's day, offsets from *started*, model names).
 */
import type {
  CapturedSeries,
  MilestoneName,
  ObjectChange,
  TimelineEntry,
  WarRoom,
} from '../../shared/incident';
import { formatDuration } from '../../shared/incident';
import type { Objective } from './clock';
import {
  impactOf,
  milestoneTimes,
  modelsOf,
  seriesFor,
  type MilestoneTimes,
  type ModelImpact,
  type ModelRef,
} from './postmortemFacts';
import { clock } from './postmortemText';

export interface PostmortemAudit {
  ok: boolean;
  entries: number;
  brokenAt?: number | null;
  /** the newest entries were deleted (store.audit.verify()) */
  truncated?: { expectedEntries: number };
}

export interface PostmortemInput {
  warRoom: WarRoom;
  /** the whole incident's timeline, in time order */
  timeline: TimelineEntry[];
  /** store.audit.verify() of the profile, or the incident file's own slice check */
  audit: PostmortemAudit;
  /** what the figures came from, e.g. "incident file inc-2026-10-14-a1b2c3.fbi" or "profile store" */
  captureName: string;
  /** exact decimal USD per GPU-hour, per model service id */
  gpuHourPrice?: ReadonlyMap<string, string>;
  /** GPUs held by each involved model */
  gpusPerModel?: ReadonlyMap<string, number>;
  /** each model's objective (when absent: at most 0.5% errors, p95 at most 5 s, and the text says so) */
  objectives?: ReadonlyMap<string, Objective>;
}

export interface PostmortemFile {
  name: string;
  content: Buffer;
}

const CHART_METRICS: ReadonlyArray<CapturedSeries['metric']> = ['errorRatio', 'p95', 'requests'];
export const MILESTONE_LABEL: Record<MilestoneName, string> = {
  started: 'Started',
  detected: 'Detected',
  acknowledged: 'Acknowledged',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
};

export interface Chart {
  model: ModelRef;
  series: CapturedSeries;
  base: string;
}

export interface Ctx {
  room: WarRoom;
  input: PostmortemInput;
  ms: MilestoneTimes;
  day: string;
  names: Map<string, string>;
  impact: ReturnType<typeof impactOf>;
  timeline: TimelineEntry[];
  changes: ObjectChange[];
  charts: Chart[];
}

export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const at = (ctx: Ctx, ms: number | null) => (ms === null ? '—' : clock(ms, ctx.day));
export const sinceStarted = (ctx: Ctx, ms: number) =>
  ctx.ms.started === null
    ? ''
    : ms >= ctx.ms.started
      ? `+${formatDuration((ms - ctx.ms.started) / 1000)}`
      : `−${formatDuration((ctx.ms.started - ms) / 1000)}`;
export const modelName = (ctx: Ctx, id: string | null) =>
  id === null ? 'cluster' : (ctx.names.get(id) ?? id);

/** A file name for a series key: letters, digits, dot, dash, underscore; unique among `taken`. */

function fileBase(key: string, taken: Set<string>): string {
  const slug =
    key
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[.-]+|[.-]+$/g, '')
      .slice(0, 120) || 'series';
  let name = slug;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${slug}-${i}`;
  taken.add(name.toLowerCase());
  return name;
}

export function chartsOf(room: WarRoom): Chart[] {
  const taken = new Set<string>(['timeline']);
  const charts: Chart[] = [];
  for (const model of modelsOf(room))
    for (const metric of CHART_METRICS) {
      const series = seriesFor(room, model.serviceId, metric);
      if (series) charts.push({ model, series, base: fileBase(series.key, taken) });
    }
  return charts;
}

export function objectiveFor(
  impact: ModelImpact | undefined,
  metric: CapturedSeries['metric'],
): number | null {
  if (!impact) return null;
  if (metric === 'errorRatio') return impact.objective.maxErrorRatio;
  if (metric === 'p95') return impact.objective.maxP95S;
  return null;
}

export function actionsAndNotes(ctx: Ctx): TimelineEntry[] {
  return ctx.timeline.filter((e) => e.source === 'action' || e.source === 'note');
}

export function firstAlert(ctx: Ctx) {
  return [...ctx.room.alerts].sort(
    (a, b) => cmp(a.startsAt, b.startsAt) || cmp(a.fingerprint, b.fingerprint),
  )[0];
}

export function contextOf(input: PostmortemInput): Ctx {
  const room = input.warRoom;
  const ms = milestoneTimes(room);
  const names = new Map(modelsOf(room).map((m) => [m.serviceId, m.name]));
  for (const t of room.tiles) if (!names.has(t.serviceId)) names.set(t.serviceId, t.name);
  const startedIso = ms.started !== null ? new Date(ms.started).toISOString() : room.incident.declaredAt;
  return {
    room,
    input,
    ms,
    day: startedIso.slice(0, 10),
    names,
    impact: impactOf(room, ms, input.objectives),
    timeline: [...input.timeline].sort((a, b) => cmp(a.at, b.at) || a.id - b.id),
    changes: [...room.changes].sort(
      (a, b) => b.rank - a.rank || cmp(a.object, b.object) || cmp(a.at ?? '', b.at ?? ''),
    ),
    charts: chartsOf(room),
  };
}
