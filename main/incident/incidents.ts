/**
 * Incidents over a store: declare, update, notes, close, milestone corrections, and the war room at any moment.
 * The store is the profile's own (live) or an opened incident file's (read-only replay); the code is the same, so
 * a replay shows exactly what the war room showed.
 */
import crypto from 'node:crypto';
import { AppError } from '../../shared/errors';
import type {
  CaptureGap,
  Incident,
  IncidentList,
  IncidentModel,
  IncidentSummary,
  MilestoneName,
  MomentDiff,
  ObjectChange,
  Severity,
  Spread,
  TimelineEntry,
  TimelinePage,
  TimelineSource,
  WarRoom,
  WarRoomAlert,
  WarRoomTile,
} from '../../shared/incident';
import type { Store, TimelineRow } from '../store';
import { parseServiceId } from '../../shared/models';
import { diffObjects, type CapturedObject, type ModelKey } from './changes';
import {
  checkOrder,
  deriveMilestones,
  intervals,
  type ClockEvidence,
  type Objective,
  type SliSeries,
} from './clock';
import { mergeBlocks } from './recorder';

export interface IncidentRecord {
  id: string;
  title: string;
  severity: Severity;
  status: 'investigating' | 'mitigated' | 'resolved';
  commander: string;
  models: IncidentModel[];
  alertNames: string[];
  declaredAt: string;
  closedAt: string | null;
  corrections: Partial<Record<MilestoneName, { at: string; reason: string; by: string }>>;
  /** per model service id: the objective its SLIs are held to when the incident was declared */
  objectives: Record<string, Objective>;
}

export const PRE_ROLL_MS = 60 * 60_000;
export const CHANGES_BEFORE_MS = 30 * 60_000;
const DEFAULT_OBJECTIVE: Objective = { maxErrorRatio: 0.005, maxP95S: 5 };

export type Origin = Incident['origin'];

export function getRecord(store: Store, id: string): IncidentRecord {
  const rec = store.incidents.getIncident(id) as IncidentRecord | undefined;
  if (!rec)
    throw new AppError(
      'NOT_FOUND',
      `There is no incident "${id.slice(0, 80)}".`,
      'Open the incident list and pick one.',
    );
  return rec;
}

function audit(
  store: Store,
  actor: string,
  action: string,
  rec: IncidentRecord,
  details: Record<string, unknown>,
  atMs?: number,
) {
  store.audit.append({
    ...(atMs !== undefined ? { at: new Date(atMs) } : {}),
    actor,
    action,
    target: `incident/${rec.id}`,
    result: 'ok',
    details: { title: rec.title, ...details },
  });
}

function save(store: Store, rec: IncidentRecord) {
  store.incidents.putIncident(
    rec.id,
    Date.parse(rec.declaredAt),
    rec.closedAt ? Date.parse(rec.closedAt) : null,
    rec,
  );
}

export function declare(
  store: Store,
  input: {
    title: string;
    severity: Severity;
    commander?: string;
    models: IncidentModel[];
    alertNames: string[];
  },
  actor: string,
  nowMs: number,
  objectives: Record<string, Objective> = {},
  id = `inc-${new Date(nowMs).toISOString().slice(0, 10)}-${crypto.randomBytes(3).toString('hex')}`,
): IncidentRecord {
  const rec: IncidentRecord = {
    id,
    title: input.title,
    severity: input.severity,
    status: 'investigating',
    commander: input.commander ?? actor,
    models: input.models,
    alertNames: input.alertNames,
    declaredAt: new Date(nowMs).toISOString(),
    closedAt: null,
    corrections: {},
    objectives: Object.fromEntries(
      input.models.map((m) => [m.serviceId, objectives[m.serviceId] ?? DEFAULT_OBJECTIVE]),
    ),
  };
  store.transaction(() => {
    save(store, rec);
    audit(
      store,
      actor,
      'incident.declare',
      rec,
      {
        severity: rec.severity,
        models: rec.models.map((m) => m.serviceId),
      },
      nowMs,
    );
  });
  return rec;
}

export function update(
  store: Store,
  id: string,
  change: Partial<Pick<IncidentRecord, 'title' | 'severity' | 'commander' | 'models'>> & {
    status?: 'investigating' | 'mitigated';
  },
  actor: string,
): IncidentRecord {
  return store.transaction(() => {
    const rec = open(getRecord(store, id));
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(change) as Array<[keyof typeof change, unknown]>) {
      if (v === undefined) continue;
      before[k] = rec[k];
      after[k] = v;
    }
    Object.assign(rec, after);
    save(store, rec);
    audit(store, actor, 'incident.update', rec, { before, after });
    return rec;
  });
}

function open(rec: IncidentRecord): IncidentRecord {
  if (rec.closedAt)
    throw new AppError(
      'ACTION_REFUSED',
      `Incident "${rec.title}" is resolved.`,
      'A resolved incident is read-only.',
    );
  return rec;
}

export function addNote(store: Store, id: string, text: string, actor: string, nowMs: number): number {
  return store.transaction(() => {
    const rec = open(getRecord(store, id));
    const [entryId] = store.incidents.upsertTimeline([
      {
        key: `note:${rec.id}:${crypto.randomUUID()}`,
        atMs: nowMs,
        source: 'note',
        model: null,
        tone: 'info',
        summary: text,
        object: null,
        details: { incident: rec.id, by: actor },
      },
    ]);
    audit(store, actor, 'incident.note', rec, { note: text.slice(0, 500) }, nowMs);
    return entryId!;
  });
}

export function resolve(
  store: Store,
  id: string,
  force: boolean,
  actor: string,
  nowMs: number,
): IncidentRecord {
  return store.transaction(() => {
    const rec = open(getRecord(store, id));
    const firing = alertsAt(store, rec, nowMs).filter((a) => a.state === 'firing');
    if (firing.length > 0 && !force) {
      throw new AppError(
        'ACTION_REFUSED',
        `${firing.length} linked alert${firing.length > 1 ? 's are' : ' is'} still firing (${firing.map((a) => a.name).join(', ')}).`,
        'Wait for the alerts to resolve, or close it anyway.',
      );
    }
    rec.status = 'resolved';
    rec.closedAt = new Date(nowMs).toISOString();
    save(store, rec);
    audit(
      store,
      actor,
      'incident.resolve',
      rec,
      {
        forced: firing.length > 0,
        firing: firing.map((a) => a.name),
      },
      nowMs,
    );
    return rec;
  });
}

export function correctMilestone(
  store: Store,
  id: string,
  name: MilestoneName,
  at: string,
  reason: string,
  actor: string,
  nowMs: number,
): IncidentRecord {
  return store.transaction(() => {
    const rec = getRecord(store, id);
    const iso = new Date(at).toISOString();
    checkOrder(view(store, rec, 'store', nowMs).milestones, name, iso);
    const before = rec.corrections[name]?.at ?? null;
    rec.corrections[name] = { at: iso, reason, by: actor };
    save(store, rec);
    audit(
      store,
      actor,
      'incident.correctMilestone',
      rec,
      { milestone: name, before, after: iso, reason },
      nowMs,
    );
    return rec;
  });
}

// ---------- reading ----------

export function windowOf(store: Store, rec: IncidentRecord, nowMs: number): { fromMs: number; toMs: number } {
  const declared = Date.parse(rec.declaredAt);
  const toMs = rec.closedAt ? Date.parse(rec.closedAt) + 10 * 60_000 : nowMs;
  const started = rec.corrections.started ? Date.parse(rec.corrections.started.at) : declared;
  return { fromMs: Math.min(declared, started) - PRE_ROLL_MS, toMs: Math.max(toMs, declared) };
}

const involved = (rec: IncidentRecord, model: string | null) =>
  model !== null && rec.models.some((m) => m.serviceId === model || m.fallbackId === model);

function alertRows(store: Store, rec: IncidentRecord, fromMs: number, toMs: number): TimelineRow[] {
  return store.incidents
    .timeline({ fromMs, toMs, sources: ['alert'], limit: 100_000 })
    .rows.filter(
      (r) =>
        rec.alertNames.includes(String(r.details.name)) || rec.models.some((m) => m.serviceId === r.model),
    );
}

function evidence(store: Store, rec: IncidentRecord, nowMs: number): ClockEvidence {
  const w = windowOf(store, rec, nowMs);
  const series: SliSeries[] = [];
  const blocks = store.incidents.seriesBlocks(w.fromMs, w.toMs);
  for (const m of rec.models) {
    for (const metric of ['errorRatio', 'p95'] as const) {
      const grid = mergeBlocks(
        blocks.filter((b) => b.model === m.serviceId && b.metric === metric),
        w.fromMs,
        w.toMs,
      );
      if (grid) series.push({ model: m.serviceId, metric, ...grid });
    }
  }
  const alerts = alertRows(store, rec, w.fromMs, w.toMs)
    .filter((r) => r.details.transition === 'firing')
    .map((r) => ({ startsMs: r.atMs, summary: r.summary, entryId: r.id }));
  // responses: this incident's notes, and the actions about its models (and fallbacks) or its alerts, not what
  // someone did elsewhere in the cluster meanwhile
  const involved = new Set(modelKeys(rec).map((k) => k.serviceId));
  const aboutIt = (r: { model: string | null; details: Record<string, unknown> }) =>
    (r.model !== null && involved.has(r.model)) ||
    (Array.isArray(r.details.alertNames) &&
      r.details.alertNames.some((n) => typeof n === 'string' && rec.alertNames.includes(n)));
  const responses = store.incidents
    .timeline({ fromMs: w.fromMs, toMs: w.toMs, sources: ['action', 'note'], limit: 100_000 })
    .rows.filter((r) =>
      r.source === 'note' ? r.details.incident === rec.id : r.details.result !== 'failed' && aboutIt(r),
    )
    .map((r) => ({ atMs: r.atMs, kind: r.source as 'action' | 'note', summary: r.summary, entryId: r.id }));
  return {
    declaredMs: Date.parse(rec.declaredAt),
    closedMs: rec.closedAt ? Date.parse(rec.closedAt) : null,
    series,
    objectives: new Map(
      rec.models.map((m) => [m.serviceId, rec.objectives[m.serviceId] ?? DEFAULT_OBJECTIVE]),
    ),
    alerts,
    responses,
    corrections: rec.corrections,
  };
}

export function view(store: Store, rec: IncidentRecord, origin: Origin, nowMs: number): Incident {
  const ev = evidence(store, rec, nowMs);
  const milestones = deriveMilestones(ev);
  const lastAction = ev.responses.filter((r) => r.kind === 'action').at(-1);
  return {
    id: rec.id,
    title: rec.title,
    severity: rec.severity,
    status: rec.status,
    commander: rec.commander,
    models: rec.models,
    alertNames: rec.alertNames,
    declaredAt: rec.declaredAt,
    closedAt: rec.closedAt,
    milestones,
    intervals: intervals(milestones),
    lastActionAt: lastAction ? new Date(lastAction.atMs).toISOString() : null,
    origin,
    readonly: origin !== 'store' || rec.closedAt !== null,
  };
}

export function summaryOf(inc: Incident): IncidentSummary {
  return {
    id: inc.id,
    title: inc.title,
    severity: inc.severity,
    status: inc.status,
    models: inc.models.map((m) => m.name),
    declaredAt: inc.declaredAt,
    startedAt: inc.milestones.find((m) => m.name === 'started')?.at ?? null,
    closedAt: inc.closedAt,
    intervals: inc.intervals,
    origin: inc.origin,
  };
}

/** Median, p90 and range of per-incident intervals (the spread, not a mean: Davidovic, "Incident Metrics in SRE"). */
export function spreadOf(values: ReadonlyArray<number | null>): Spread {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (xs.length === 0) return { n: 0, medianS: null, p90S: null, minS: null, maxS: null };
  const q = (p: number) => {
    const i = (xs.length - 1) * p;
    const lo = Math.floor(i);
    return Math.round(xs[lo]! + (xs[Math.ceil(i)]! - xs[lo]!) * (i - lo));
  };
  return { n: xs.length, medianS: q(0.5), p90S: q(0.9), minS: xs[0]!, maxS: xs.at(-1)! };
}

export function list(
  stores: ReadonlyArray<{ store: Store; origin: Origin }>,
  nowMs: number,
): Pick<IncidentList, 'open' | 'past' | 'spread'> {
  const all = stores.flatMap(({ store, origin }) =>
    (store.incidents.listIncidents() as IncidentRecord[]).map((r) =>
      summaryOf(view(store, r, origin, nowMs)),
    ),
  );
  const seen = new Set<string>();
  const unique = all.filter((s) => (seen.has(s.id) ? false : (seen.add(s.id), true)));
  const past = unique.filter((s) => s.closedAt !== null);
  return {
    open: unique.filter((s) => s.closedAt === null),
    past,
    spread: {
      detect: spreadOf(past.map((s) => s.intervals.timeToDetectS)),
      mitigate: spreadOf(past.map((s) => s.intervals.timeToMitigateS)),
      resolve: spreadOf(past.map((s) => s.intervals.timeToResolveS)),
    },
  };
}

const toEntry = (r: TimelineRow): TimelineEntry => ({
  id: r.id,
  at: new Date(r.atMs).toISOString(),
  source: r.source as TimelineSource,
  model: r.model,
  tone: r.tone as TimelineEntry['tone'],
  summary: r.summary,
  count: r.count,
  lastAt: r.lastMs !== null ? new Date(r.lastMs).toISOString() : null,
  object: r.object,
  diff:
    r.source === 'change' && typeof r.details.from === 'string' && typeof r.details.to === 'string'
      ? { from: r.details.from, to: r.details.to }
      : null,
});

/** Stretches with no capture: a gap row, or two captures further apart than 2.5 intervals. */
export function gapsOf(store: Store, fromMs: number, toMs: number): CaptureGap[] {
  const caps = store.incidents.captures(fromMs, toMs);
  const gaps: CaptureGap[] = [];
  for (let i = 1; i < caps.length; i++) {
    const a = caps[i - 1]!;
    const b = caps[i]!;
    const expected = a.mode === 'incident' && b.mode === 'incident' ? 15_000 : 60_000;
    if (a.mode === 'gap' || b.atMs - a.atMs > expected * 2.5)
      gaps.push({
        from: new Date(a.atMs).toISOString(),
        to: new Date(b.atMs).toISOString(),
        reason: a.note ?? 'no capture',
      });
  }
  return gaps;
}

export function timelinePage(
  store: Store,
  rec: IncidentRecord,
  nowMs: number,
  q: { sources?: TimelineSource[]; models?: string[]; offset: number; limit: number },
): TimelinePage {
  const w = windowOf(store, rec, nowMs);
  const notOthersNotes = (r: TimelineRow) => r.source !== 'note' || r.details.incident === rec.id;
  const { total, rows } = store.incidents.timeline({
    fromMs: w.fromMs,
    toMs: w.toMs,
    ...(q.sources ? { sources: q.sources } : {}),
    ...(q.models ? { models: q.models } : {}),
    offset: q.offset,
    limit: q.limit,
  });
  return {
    range: { from: new Date(w.fromMs).toISOString(), to: new Date(w.toMs).toISOString() },
    total,
    offset: q.offset,
    entries: rows.filter(notOthersNotes).map(toEntry),
    gaps: gapsOf(store, w.fromMs, w.toMs),
    facets: store.incidents.timelineFacets(w.fromMs, w.toMs),
  };
}

export function modelKeys(rec: IncidentRecord): ModelKey[] {
  const keys: ModelKey[] = [];
  for (const m of rec.models) {
    for (const id of [m.serviceId, m.fallbackId]) {
      if (!id) continue;
      const p = parseServiceId(id);
      keys.push({ serviceId: id, name: p.name, namespace: p.namespace });
    }
  }
  return keys;
}

/** decoded captures, a few per store: a replay seeks back and forth over the same ones */
const decoded = new WeakMap<Store, Map<number, CapturedObject[]>>();
const DECODED_KEEP = 6;

function objectsAt(store: Store, atMs: number): { objects: CapturedObject[]; at: string | null } {
  const cap = store.incidents.captureAt(atMs);
  if (!cap || cap.snapshotId === null) return { objects: [], at: null };
  let cache = decoded.get(store);
  if (!cache) decoded.set(store, (cache = new Map()));
  let objects = cache.get(cap.snapshotId);
  if (objects) cache.delete(cap.snapshotId);
  else objects = store.snapshots.objects<CapturedObject>(cap.snapshotId);
  cache.set(cap.snapshotId, objects);
  if (cache.size > DECODED_KEEP) cache.delete(cache.keys().next().value!);
  return { objects, at: new Date(cap.atMs).toISOString() };
}

/** war room reads, per store: the capture's workloads and routes of the involved models, a few captures */
const named = new WeakMap<Store, Map<string, CapturedObject[]>>();

/**
 * The objects the war room shows at a moment: each involved model's workload and the HTTPRoutes of its namespace.
 * Only those are decoded (a capture of a large cluster holds tens of thousands), so a seek stays fast.
 */
function warRoomObjectsAt(
  store: Store,
  rec: IncidentRecord,
  atMs: number,
): { objects: CapturedObject[]; at: string | null } {
  const cap = store.incidents.captureAt(atMs);
  if (!cap || cap.snapshotId === null) return { objects: [], at: null };
  const wanted = modelKeys(rec).flatMap((m) => {
    const p = parseServiceId(m.serviceId);
    return [
      { kind: p.kind, namespace: p.namespace, name: p.name },
      { kind: 'HTTPRoute', namespace: p.namespace },
    ];
  });
  let cache = named.get(store);
  if (!cache) named.set(store, (cache = new Map()));
  const key = `${cap.snapshotId}:${JSON.stringify(wanted)}`;
  let objects = cache.get(key);
  if (objects) cache.delete(key);
  else objects = store.snapshots.objectsNamed<CapturedObject>(cap.snapshotId, wanted);
  cache.set(key, objects);
  if (cache.size > 64) cache.delete(cache.keys().next().value!);
  return { objects, at: new Date(cap.atMs).toISOString() };
}

export function diffMoments(
  store: Store,
  rec: IncidentRecord,
  fromMs: number,
  toMs: number,
  model?: string,
): MomentDiff {
  const capA = store.incidents.captureAt(Math.min(fromMs, toMs));
  const capB = store.incidents.captureAt(Math.max(fromMs, toMs));
  const atA = capA?.snapshotId != null ? new Date(capA.atMs).toISOString() : null;
  const atB = capB?.snapshotId != null ? new Date(capB.atMs).toISOString() : null;
  const diff = atA && atB ? { from: atA, to: atB } : null;
  const opts = { models: modelKeys(rec), ...(model ? { model } : {}), at: atB, diff };
  const keyOf = (o: CapturedObject) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
  const result = (changes: ObjectChange[], compared: number): MomentDiff => ({
    from: new Date(Math.min(fromMs, toMs)).toISOString(),
    to: new Date(Math.max(fromMs, toMs)).toISOString(),
    fromCapture: atA,
    toCapture: atB,
    changes,
    compared,
  });
  if (capA?.snapshotId != null && capB?.snapshotId != null) {
    // what the two captures share is the same stored row: only what differs is read
    const d = store.snapshots.changedObjects<CapturedObject>(capA.snapshotId, capB.snapshotId);
    // a node ranks for the models whose pods it hosts, changed or not: that needs the whole captures
    if (![...d.before, ...d.after].some((o) => o.kind === 'Node'))
      return result(
        diffObjects(d.before, d.after, opts),
        d.unchanged + new Set([...d.before, ...d.after].map(keyOf)).size,
      );
  }
  const a = objectsAt(store, Math.min(fromMs, toMs));
  const b = objectsAt(store, Math.max(fromMs, toMs));
  return result(
    diffObjects(a.objects, b.objects, opts),
    new Set([...a.objects, ...b.objects].map(keyOf)).size,
  );
}

/** The ranked changes of the involved models in the 30 minutes before *started*. */
const changesCache = new WeakMap<Store, Map<string, ObjectChange[]>>();

export function changesBefore(store: Store, rec: IncidentRecord, startedMs: number): ObjectChange[] {
  // the same two captures give the same answer: keyed by them, so a seek does not diff the cluster again
  const a = store.incidents.captureAt(startedMs - CHANGES_BEFORE_MS)?.id ?? 0;
  const b = store.incidents.captureAt(startedMs + 60_000)?.id ?? 0;
  const key = `${rec.id}:${a}:${b}`;
  let cache = changesCache.get(store);
  if (!cache) changesCache.set(store, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const d = diffMoments(store, rec, startedMs - CHANGES_BEFORE_MS, startedMs + 60_000);
  // each change at the time the recorder saw it (its timeline row), not the capture it is compared at
  const seen = new Map<string, number>();
  for (const r of store.incidents.timeline({
    fromMs: startedMs - CHANGES_BEFORE_MS,
    toMs: startedMs + 60_000,
    sources: ['change'],
    limit: 100_000,
  }).rows)
    if (r.object && !seen.has(r.object)) seen.set(r.object, r.atMs);
  const changes = d.changes
    .filter((c) => c.model !== null)
    .slice(0, 30)
    .map((c) => {
      const t = seen.get(c.object);
      return t === undefined ? c : { ...c, at: new Date(t).toISOString() };
    });
  if (cache.size > 20) cache.clear();
  cache.set(key, changes);
  return changes;
}

export function alertsAt(store: Store, rec: IncidentRecord, atMs: number): WarRoomAlert[] {
  const w = windowOf(store, rec, atMs);
  const latest = new Map<string, TimelineRow>();
  for (const r of alertRows(store, rec, w.fromMs - PRE_ROLL_MS, atMs))
    latest.set(String(r.details.fingerprint), r);
  return [...latest.values()]
    .map((r) => ({
      fingerprint: String(r.details.fingerprint),
      name: String(r.details.name),
      state: r.details.transition as WarRoomAlert['state'],
      severity: (r.details.severity as string | null) ?? null,
      summary: (r.details.summary as string | null) ?? null,
      model: r.model,
      startsAt: new Date(Number(r.details.startsMs)).toISOString(),
      endsAt: r.details.transition === 'resolved' ? new Date(r.atMs).toISOString() : null,
    }))
    .sort(
      (x, y) =>
        (x.state === 'firing' ? 0 : 1) - (y.state === 'firing' ? 0 : 1) ||
        x.startsAt.localeCompare(y.startsAt),
    );
}

function lastAt(
  values: ReadonlyArray<number | null>,
  t0Ms: number,
  stepS: number,
  atMs: number,
): number | null {
  const i = Math.min(values.length - 1, Math.floor((atMs - t0Ms) / (stepS * 1000)));
  // at most 30 s back: a model with no traffic now has no error ratio now, not the last one it had
  for (let j = i; j >= 0 && j > i - 3; j--) if (values[j] !== null) return values[j]!;
  return null;
}

function shareOf(objects: readonly CapturedObject[], name: string, namespace: string): number | null {
  for (const o of objects) {
    if (o.kind !== 'HTTPRoute' || o.metadata.namespace !== namespace) continue;
    const rules =
      (o.spec as { rules?: Array<{ backendRefs?: Array<{ name?: string; weight?: number }> }> }).rules ?? [];
    for (const r of rules) {
      const refs = r.backendRefs ?? [];
      const total = refs.reduce((s, b) => s + (b.weight ?? 1), 0);
      const mine = refs.find((b) => b.name === name);
      if (mine) return total > 0 ? (mine.weight ?? 1) / total : 0;
    }
  }
  return null;
}

export function warRoom(
  store: Store,
  rec: IncidentRecord,
  origin: Origin,
  atMs: number,
  live: boolean,
  costPer1k: ReadonlyMap<string, string | null> = new Map(),
): WarRoom {
  const incident = view(store, rec, origin, live ? atMs : Math.max(atMs, Date.now()));
  const w = windowOf(store, rec, live ? atMs : Date.now());
  const blocks = store.incidents.seriesBlocks(w.fromMs, w.toMs);
  const bySeries = new Map<string, typeof blocks>();
  for (const b of blocks) bySeries.set(b.seriesKey, [...(bySeries.get(b.seriesKey) ?? []), b]);
  const series = [...bySeries.entries()]
    .map(([key, list]) => {
      const g = mergeBlocks(list, w.fromMs, w.toMs);
      const first = list[0]!;
      return g
        ? {
            key,
            model: first.model,
            metric: first.metric as WarRoom['series'][number]['metric'],
            unit: first.unit as WarRoom['series'][number]['unit'],
            t0: new Date(g.t0Ms).toISOString(),
            stepS: g.stepS,
            values: g.values,
          }
        : null;
    })
    .filter((s): s is NonNullable<typeof s> => s !== null && involved(rec, s.model));
  const { objects, at: capturedAt } = warRoomObjectsAt(store, rec, atMs);
  const tiles: WarRoomTile[] = [];
  const roles = rec.models.flatMap((m) => [
    { id: m.serviceId, role: 'involved' as const },
    ...(m.fallbackId ? [{ id: m.fallbackId, role: 'fallback' as const }] : []),
  ]);
  for (const { id, role } of roles) {
    if (tiles.some((t) => t.serviceId === id)) continue;
    const p = parseServiceId(id);
    const value = (metric: string) => {
      const s = series.find((x) => x.model === id && x.metric === metric);
      return s ? lastAt(s.values, Date.parse(s.t0), s.stepS, atMs) : null;
    };
    const wl = objects.find(
      (o) => o.kind === p.kind && o.metadata.name === p.name && o.metadata.namespace === p.namespace,
    );
    const spec = wl?.spec as
      { replicas?: number; template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined;
    const status = wl?.status as { readyReplicas?: number } | undefined;
    const errorRatio = value('errorRatio');
    const p95 = value('p95');
    const obj =
      rec.objectives[rec.models.find((m) => m.serviceId === id)?.serviceId ?? ''] ?? DEFAULT_OBJECTIVE;
    tiles.push({
      serviceId: id,
      name: p.name,
      role,
      requestRate: value('requests'),
      errorRatio,
      p95,
      gpuUtil: value('gpuUtil'),
      costPer1k: costPer1k.get(id) ?? null,
      replicas: wl ? { ready: status?.readyReplicas ?? 0, desired: spec?.replicas ?? 0 } : null,
      image: spec?.template?.spec?.containers?.[0]?.image ?? null,
      trafficShare: shareOf(objects, p.name, p.namespace),
      breaching: (errorRatio ?? 0) > obj.maxErrorRatio || (p95 ?? 0) > obj.maxP95S,
      asOf: capturedAt,
    });
  }
  const started = incident.milestones.find((m) => m.name === 'started')?.at;
  const caps = store.incidents.captures(w.fromMs, w.toMs).filter((c) => c.mode !== 'gap');
  return {
    incident,
    at: new Date(atMs).toISOString(),
    live,
    tiles,
    alerts: alertsAt(store, rec, atMs),
    series,
    changes: changesBefore(store, rec, started ? Date.parse(started) : Date.parse(rec.declaredAt)),
    capture: {
      from: caps[0] ? new Date(caps[0].atMs).toISOString() : null,
      to: caps.at(-1) ? new Date(caps.at(-1)!.atMs).toISOString() : null,
      captures: caps.length,
      lastCaptureAt: caps.at(-1) ? new Date(caps.at(-1)!.atMs).toISOString() : null,
      recording: live && rec.closedAt === null,
    },
    cursorEntryId: store.incidents.timelineCursor(w.fromMs, atMs),
  };
}
