/**
 * The flight recorder. While the console is connected it captures a low-resolution ring (every 60 s, kept 60
 * minutes) so every incident has a pre-roll; while an incident is open it captures every 15 s. A capture is one
 * transaction: the inventory's trimmed objects (content-addressed, so an unchanged object costs nothing), the
 * watch changes since the last capture, Events (one row per UID: a series update is the same row with a new count),
 * alert transitions, the involved models' SLI series as compressed blocks, and Firebreak's actions from the audit
 * log. A kill -9 loses at most the capture in flight: SQLite's WAL rolls an unfinished transaction back.
 *
 * `ingest` is the whole capture from a frame; where frames come from (a live cluster, the sample's scenario) is
 * the caller's business, so the same code records both.
 */
import type { Condition } from '../kube/inventory/objects';
import type { Store, TimelineInput } from '../store';
import { changePoints } from './changepoints';
import {
  fieldChanges,
  modelOf,
  nodeModels,
  objectKey,
  summarize,
  type CapturedObject,
  type ModelKey,
} from './changes';

export interface FrameEvent {
  /** the series' identity across both APIs and re-creations (events.ts); the uid when not given */
  key?: string;
  uid: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  /** first and last seen, ms */
  firstMs: number;
  lastMs: number;
  object: string;
  namespace: string;
  name: string;
}

export interface FrameAlert {
  fingerprint: string;
  name: string;
  state: 'firing' | 'silenced';
  severity: string | null;
  summary: string | null;
  labels: Record<string, string>;
  startsMs: number;
  /** the model service it belongs to */
  model: string | null;
}

export interface FrameSeries {
  key: string;
  model: string | null;
  metric: 'requests' | 'errorRatio' | 'p95' | 'gpuUtil' | 'replicasReady';
  unit: 'reqps' | 'ratio' | 'seconds' | 'percent' | 'count';
  t0Ms: number;
  stepS: number;
  values: ArrayLike<number | null>;
}

export interface FrameAction {
  seq: number;
  atMs: number;
  action: string;
  target: string;
  result: string;
  actor: string;
  /** the model service it changed, when it changed one (see actionSubject) */
  model: string | null;
  /** for a silence: the alert names it matches exactly */
  alertNames?: string[];
}

export interface CaptureFrame {
  atMs: number;
  context: string;
  mode: 'ring' | 'incident';
  objects: readonly CapturedObject[];
  events: readonly FrameEvent[];
  /** the alerts active now (null = Alertmanager not read this time: no transitions are inferred) */
  alerts: readonly FrameAlert[] | null;
  series: readonly FrameSeries[];
  actions: readonly FrameAction[];
  /** the models the recorder maps objects to (all model services it knows) */
  models: readonly ModelKey[];
}

/** What a recorder remembers between captures (in memory; a restart only loses the diff of the first capture). */
export interface RecorderMemory {
  /** the last capture's objects by key, and the instances themselves (an informer keeps an unchanged object's) */
  objects: Map<string, CapturedObject>;
  instances: Set<CapturedObject>;
  alerts: Map<string, FrameAlert>;
  lastCaptureIso: string | null;
}

export const newMemory = (): RecorderMemory => ({
  objects: new Map(),
  instances: new Set(),
  alerts: new Map(),
  lastCaptureIso: null,
});

/** Kinds whose changes go on the timeline (Events have their own rows; Services rarely matter). */
const TIMELINE_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'Rollout',
  'InferenceService',
  'KnativeService',
  'HTTPRoute',
  'VirtualService',
  'ReplicaSet',
  'Pod',
  'Node',
]);

const toneOf = (fields: ReadonlyArray<{ path: string; after: string | null }>): TimelineInput['tone'] =>
  fields.some((f) => f.path === 'status.phase' && (f.after === 'Failed' || f.after === 'Unknown')) ||
  fields.some((f) => f.path === 'restarts')
    ? 'warning'
    : 'info';

/** Firebreak's own action as a timeline row (one row per audit entry). */
export function actionEntry(a: FrameAction): TimelineInput {
  return {
    key: `action:${a.seq}`,
    atMs: a.atMs,
    source: 'action',
    model: a.model,
    tone: a.result === 'done' || a.result === 'ok' ? 'ok' : a.result === 'started' ? 'info' : 'warning',
    summary: `${a.action} ${a.target}: ${a.result} (${a.actor})`,
    object: a.target,
    details: {
      seq: a.seq,
      action: a.action,
      result: a.result,
      ...(a.alertNames?.length ? { alertNames: a.alertNames } : {}),
    },
  };
}

/**
 * What an audited action was about, read from the request it records: a workload action's model is the workload's
 * own service id (`namespace/kind/name`); a traffic change's is the first of `models` named among the route's
 * backends; a silence names the alerts it matches exactly. An incident counts as responses only the actions about
 * its models or its alerts, not an operator's work elsewhere in the cluster.
 */
export function actionSubject(
  details: Record<string, unknown>,
  models: readonly ModelKey[],
): { model: string | null; alertNames: string[] } {
  const request = details.request;
  const none = { model: null, alertNames: [] };
  if (typeof request !== 'object' || request === null) return none;
  const r = request as {
    target?: { kind?: unknown; namespace?: unknown; name?: unknown };
    route?: { namespace?: unknown };
    weights?: unknown;
    matchers?: unknown;
  };
  const t = r.target;
  if (t && typeof t.kind === 'string' && typeof t.namespace === 'string' && typeof t.name === 'string')
    return { model: `${t.namespace}/${t.kind}/${t.name}`, alertNames: [] };
  if (r.route && typeof r.weights === 'object' && r.weights !== null) {
    const backends = Object.keys(r.weights);
    const m = models.find((k) => k.namespace === r.route!.namespace && backends.includes(k.name));
    return { model: m?.serviceId ?? null, alertNames: [] };
  }
  if (Array.isArray(r.matchers)) {
    const alertNames = (r.matchers as Array<Record<string, unknown>>)
      .filter((m) => m.name === 'alertname' && m.isEqual !== false && m.isRegex !== true)
      .map((m) => m.value)
      .filter((v): v is string => typeof v === 'string' && v !== '');
    return { model: null, alertNames };
  }
  return none;
}

/** How far back a first capture dates creations from: the ring's hour, the pre-roll an incident reads. */
const CREATED_HORIZON_MS = 60 * 60_000;

/**
 * When an object was created, if that is the moment it appeared: its creationTimestamp, when it lies after the
 * previous capture (or, on a first capture, within the last hour) and not ahead of this one (clock skew).
 * Null for an object that is older (a first capture's old objects; a relist's).
 */
function createdAt(o: CapturedObject, atMs: number, prevMs: number | null): number | null {
  const t = Date.parse(o.metadata.creationTimestamp ?? '');
  if (!Number.isFinite(t)) return prevMs === null ? null : atMs;
  const from = prevMs ?? atMs - CREATED_HORIZON_MS;
  if (t > atMs) return atMs;
  if (t < from - 60_000) return prevMs === null ? null : atMs;
  return t;
}

/** Node conditions whose status is trouble: not Ready, or under pressure, or without network. */
const troubled = (type: string, status: string) => (type === 'Ready' ? status !== 'True' : status === 'True');

/**
 * A first capture's view of a node's recent past: each condition in trouble (not Ready, under pressure) that
 * turned so within the last hour (its lastTransitionTime), as a row at that moment. A node that went NotReady ten
 * minutes before the console was opened is on the timeline when it did; the key is the transition's, so a later
 * first capture adds no duplicate.
 */
function nodeTransitions(
  node: CapturedObject,
  key: string,
  atMs: number,
  model: string | null,
): TimelineInput[] {
  const list = (node.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return list.flatMap((c) => {
    const t = Date.parse(c.lastTransitionTime ?? '');
    if (!Number.isFinite(t) || t > atMs || t <= atMs - CREATED_HORIZON_MS || !troubled(c.type, c.status))
      return [];
    const now = `${c.status}${c.reason ? ` (${c.reason})` : ''}`;
    return [
      {
        key: `change:${key}:conditions[${c.type}]:${c.lastTransitionTime}`,
        atMs: t,
        source: 'change',
        model,
        tone: 'warning',
        summary: `${key}: conditions[${c.type}] → ${now} (before the first capture)`,
        object: key,
        details: {
          fields: [{ kind: 'node', path: `conditions[${c.type}]`, before: null, after: now }],
          to: new Date(atMs).toISOString(),
        },
      },
    ];
  });
}

function createdSummary(key: string, o: CapturedObject): string {
  if (o.kind !== 'ReplicaSet') return `${key}: created`;
  const revision = o.metadata.annotations?.['deployment.kubernetes.io/revision'];
  const containers =
    (o.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined)?.template
      ?.spec?.containers ?? [];
  const images = containers.map((c) => c.image).filter(Boolean);
  const what = [revision ? `revision ${revision}` : null, ...images].filter(Boolean).join(', ');
  return `${key}: created${what ? ` (${what})` : ''}`;
}

export interface IngestResult {
  captureId: number;
  snapshotId: number;
  newObjects: number;
  changes: number;
  durationMs: number;
}

export function ingest(store: Store, frame: CaptureFrame, memory: RecorderMemory): IngestResult {
  const started = performance.now();
  const at = new Date(frame.atMs);
  const atIso = at.toISOString();
  const prevIso = memory.lastCaptureIso;
  const entries: TimelineInput[] = [];

  // only new instances can have changed: comparing instances first keeps a recapture of 29,000 objects cheap
  const first = memory.instances.size === 0;
  const current = new Set(frame.objects);
  const byKey = memory.objects;
  // which model a node hosts, worked out only when a node changed (it walks every pod)
  let nodes: Map<string, string> | undefined;
  const modelFor = (o: CapturedObject) =>
    modelOf(
      o,
      frame.models,
      o.kind === 'Node' ? (nodes ??= nodeModels(frame.objects, frame.models)) : undefined,
    );
  for (const after of frame.objects) {
    if (memory.instances.has(after)) continue;
    const key = objectKey(after);
    const before = byKey.get(key);
    byKey.set(key, after);
    if (before === after || !TIMELINE_KINDS.has(after.kind)) continue;
    if (first || !before) {
      // a node's conditions that changed in the pre-roll, before the console was running, dated by the node
      if (first && after.kind === 'Node') {
        entries.push(...nodeTransitions(after, key, frame.atMs, modelFor(after)));
        continue;
      }
      // a creation, dated by the object itself: a ReplicaSet made before the console was running (a rollout in
      // the pre-roll) is on the timeline when it happened
      if (first && after.kind !== 'ReplicaSet') continue;
      const created = createdAt(after, frame.atMs, first || !prevIso ? null : Date.parse(prevIso));
      if (created === null) continue;
      entries.push({
        key: `change:${key}:created:${after.metadata.uid || after.metadata.resourceVersion || atIso}`,
        atMs: created,
        source: 'change',
        model: modelFor(after),
        tone: 'info',
        summary: createdSummary(key, after),
        object: key,
        details: { fields: fieldChanges(undefined, after), from: prevIso, to: atIso },
      });
      continue;
    }
    if (before.metadata.resourceVersion === after.metadata.resourceVersion) continue;
    const fields = fieldChanges(before, after);
    if (fields.length === 0) continue;
    entries.push({
      key: `change:${key}:${after.metadata.resourceVersion ?? atIso}`,
      atMs: frame.atMs,
      source: 'change',
      model: modelFor(after),
      tone: toneOf(fields),
      summary: summarize(key, fields),
      object: key,
      details: { fields: fields.slice(0, 20), from: prevIso, to: atIso },
    });
  }
  for (const before of memory.instances) {
    if (current.has(before)) continue;
    const key = objectKey(before);
    if (byKey.get(key) !== before) continue; // replaced by a newer instance, not deleted
    byKey.delete(key);
    if (!TIMELINE_KINDS.has(before.kind) || before.kind === 'Pod') continue;
    entries.push({
      key: `change:${key}:deleted:${before.metadata.resourceVersion ?? ''}`,
      atMs: frame.atMs,
      source: 'change',
      model: modelFor(before),
      tone: 'warning',
      summary: `${key}: deleted`,
      object: key,
      details: { from: prevIso, to: atIso },
    });
  }

  for (const e of frame.events) {
    entries.push({
      key: `event:${e.key ?? e.uid}`,
      atMs: e.firstMs,
      lastMs: e.lastMs,
      count: e.count,
      source: 'event',
      // an event is its involved object's: a Node's (NodeNotReady, a kubelet's eviction) goes to the models it hosts
      model: modelFor({
        kind: e.object.slice(0, Math.max(0, e.object.indexOf(' '))),
        metadata: { name: e.name, namespace: e.namespace },
      } as CapturedObject),
      tone: e.type === 'Warning' ? 'warning' : 'info',
      summary: `${e.reason}: ${e.message}`,
      object: e.object,
      details: { type: e.type, reason: e.reason },
    });
  }

  if (frame.alerts) {
    const now = new Map(frame.alerts.map((a) => [a.fingerprint, a]));
    for (const a of frame.alerts) {
      const was = memory.alerts.get(a.fingerprint);
      if (was && was.state === a.state && was.startsMs === a.startsMs) continue;
      entries.push({
        key: `alert:${a.fingerprint}:${a.startsMs}:${a.state}`,
        atMs: a.state === 'firing' && !was ? a.startsMs : frame.atMs,
        source: 'alert',
        model: a.model,
        tone: a.state === 'firing' ? 'critical' : 'info',
        summary: `${a.name} ${a.state === 'firing' ? 'firing' : 'silenced'}${a.summary ? `: ${a.summary}` : ''}`,
        object: null,
        details: { ...a, transition: a.state },
      });
    }
    for (const [fp, a] of memory.alerts) {
      if (now.has(fp)) continue;
      entries.push({
        key: `alert:${fp}:${a.startsMs}:resolved`,
        atMs: frame.atMs,
        source: 'alert',
        model: a.model,
        tone: 'ok',
        summary: `${a.name} resolved`,
        object: null,
        details: { ...a, state: 'resolved', transition: 'resolved', endsMs: frame.atMs },
      });
    }
    memory.alerts = now;
  }

  for (const a of frame.actions) entries.push(actionEntry(a));

  const result = store.transaction(() => {
    const snap = store.snapshots.create({
      source: `recorder:${frame.context}`,
      takenAt: at,
      objects: frame.objects as unknown[],
      meta: { mode: frame.mode },
    });
    const captureId = store.incidents.addCapture({
      atMs: frame.atMs,
      mode: frame.mode,
      context: frame.context,
      snapshotId: snap.id,
      durationMs: 0,
      note: null,
    });
    for (const s of frame.series) {
      store.incidents.putSeriesBlock({
        seriesKey: s.key,
        model: s.model,
        metric: s.metric,
        unit: s.unit,
        t0Ms: s.t0Ms,
        stepS: s.stepS,
        values: Float64Array.from(s.values, (v) => (v === null ? Number.NaN : v)),
      });
    }
    store.incidents.upsertTimeline(entries);
    return { captureId, snapshotId: snap.id, newObjects: snap.newObjects };
  });
  memory.instances = current;
  memory.lastCaptureIso = atIso;
  return { ...result, changes: entries.length, durationMs: performance.now() - started };
}

/** Records that nothing was captured between two moments (disconnected, app closed, relist). */
export function recordGap(store: Store, context: string, atMs: number, reason: string): void {
  store.incidents.addCapture({ atMs, mode: 'gap', context, snapshotId: null, durationMs: 0, note: reason });
}

/**
 * Recomputes the metric change-points of the SLI series in a window and replaces the derived rows: a change-point
 * is a reading of the captured data, so it is derived again as more data arrives, never duplicated.
 */
export function updateChangePoints(
  store: Store,
  fromMs: number,
  toMs: number,
  names: ReadonlyMap<string, string>,
): void {
  const blocks = store.incidents.seriesBlocks(fromMs, toMs);
  const bySeries = new Map<string, typeof blocks>();
  for (const b of blocks) {
    if (b.metric !== 'errorRatio' && b.metric !== 'p95') continue;
    bySeries.set(b.seriesKey, [...(bySeries.get(b.seriesKey) ?? []), b]);
  }
  for (const [key, list] of bySeries) {
    const grid = mergeBlocks(list, fromMs, toMs);
    if (!grid) continue;
    const first = list[0]!;
    const name = names.get(first.model ?? '') ?? first.model ?? key;
    const what = first.metric === 'errorRatio' ? 'error ratio' : 'p95 latency';
    const fmt = (v: number) =>
      first.metric === 'errorRatio' ? `${(v * 100).toFixed(1)}%` : `${v.toFixed(2)} s`;
    const cps = changePoints(grid.t0Ms, grid.stepS, grid.values, {
      minScale: first.metric === 'errorRatio' ? 0.002 : 0.05,
    });
    store.incidents.replaceTimeline(
      `cp:${key}:`,
      cps.map((c) => ({
        key: `cp:${key}:${c.atMs}`,
        atMs: c.atMs,
        source: 'changepoint',
        model: first.model,
        tone: c.direction === 'rose' ? 'critical' : 'ok',
        summary: `${what} of ${name} ${c.direction} from ${fmt(c.before)} to ${fmt(c.after)}`,
        object: null,
        details: { metric: first.metric, before: c.before, after: c.after },
      })),
    );
  }
}

/** Blocks of one series merged onto one grid (later blocks win where they overlap). */
export function mergeBlocks(
  blocks: ReadonlyArray<{ t0Ms: number; stepS: number; values: Float64Array }>,
  fromMs: number,
  toMs: number,
): { t0Ms: number; stepS: number; values: Array<number | null> } | null {
  if (blocks.length === 0) return null;
  const stepS = Math.min(...blocks.map((b) => b.stepS));
  const stepMs = stepS * 1000;
  const start = Math.max(fromMs, Math.min(...blocks.map((b) => b.t0Ms)));
  const t0Ms = Math.ceil(start / stepMs) * stepMs;
  const n = Math.max(0, Math.floor((toMs - t0Ms) / stepMs) + 1);
  if (n === 0 || n > 200_000) return null;
  const values = new Array<number | null>(n).fill(null);
  for (const b of blocks) {
    for (let i = 0; i < b.values.length; i++) {
      const v = b.values[i]!;
      if (!Number.isFinite(v)) continue;
      const t = b.t0Ms + i * b.stepS * 1000;
      const j = Math.round((t - t0Ms) / stepMs);
      if (j >= 0 && j < n) values[j] = v;
    }
  }
  return { t0Ms, stepS, values };
}
