/**
 * What changed between two captures: per object, the fields that moved, classified (image, revision, args, env
 * names, resources, replicas, route weights, node conditions) and ranked by how likely they matter to the incident's
 * models. Captured objects are the inventory's trimmed projections, which carry no env values; this code never
 * reads `value` or `valueFrom` of an env entry even if one were there.
 */
import type { ChangeKind, FieldChange, ObjectChange } from '../../shared/incident';

/** The parts of a trimmed object this reads: every projection has kind and metadata. */
export interface CapturedObject {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

/** A model as the recorder maps objects to it: same namespace, and the workload's name (or its pods', RSs'). */
export interface ModelKey {
  serviceId: string;
  name: string;
  namespace: string;
}

export const objectKey = (o: CapturedObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** node name -> the model whose pods run there (the first one found), from a capture's pods */
export type NodeModels = ReadonlyMap<string, string>;

export function nodeModels(
  objects: Iterable<CapturedObject>,
  models: readonly ModelKey[],
): Map<string, string> {
  const out = new Map<string, string>();
  if (models.length === 0) return out;
  for (const o of objects) {
    if (o.kind !== 'Pod') continue;
    const node = (o.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!node || out.has(node)) continue;
    const m = modelOf(o, models);
    if (m) out.set(node, m);
  }
  return out;
}

/**
 * Which involved model an object belongs to (null = none of them). A Node belongs to a model whose pods it hosts
 * (`nodes`, from the same capture): a taint or condition on a node that runs none of them is not their change.
 */
export function modelOf(o: CapturedObject, models: readonly ModelKey[], nodes?: NodeModels): string | null {
  if (o.kind === 'Node') return nodes?.get(o.metadata.name) ?? null;
  const ns = o.metadata.namespace ?? '';
  for (const m of models) {
    if (m.namespace !== ns) continue;
    const n = o.metadata.name;
    if (n === m.name || n.startsWith(`${m.name}-`)) return m.serviceId;
    if (o.kind === 'HTTPRoute' || o.kind === 'VirtualService' || o.kind === 'KnativeService') {
      if (JSON.stringify(o.spec ?? {}).includes(`"${m.name}"`)) return m.serviceId;
    }
  }
  return null;
}

const show = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);

type Get = (o: CapturedObject) => unknown;
const path =
  (...keys: Array<string | number>): Get =>
  (o) => {
    let cur: unknown = o;
    for (const k of keys) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string | number, unknown>)[k];
    }
    return cur;
  };

interface Containers {
  name: string;
  image?: string;
  args?: string[];
  command?: string[];
  env?: Array<{ name?: string }>;
  resources?: unknown;
}
function containersOf(o: CapturedObject): Containers[] {
  const spec = o.spec as Record<string, unknown> | undefined;
  const template = spec?.template as { spec?: { containers?: Containers[] } } | undefined;
  const predictor = spec?.predictor as { containers?: Containers[] } | undefined;
  return template?.spec?.containers ?? predictor?.containers ?? [];
}

/** The fields compared, each with the kind of change it is. Order = the order shown. */
const FIELDS: Array<{ kind: ChangeKind; path: string; get: Get }> = [
  {
    kind: 'revision',
    path: 'revision',
    get: path('metadata', 'annotations', 'deployment.kubernetes.io/revision'),
  },
  { kind: 'replicas', path: 'spec.replicas', get: path('spec', 'replicas') },
  { kind: 'replicas', path: 'status.readyReplicas', get: path('status', 'readyReplicas') },
  { kind: 'other', path: 'spec.paused', get: path('spec', 'paused') },
  { kind: 'replicas', path: 'spec.predictor.minReplicas', get: path('spec', 'predictor', 'minReplicas') },
  {
    kind: 'route',
    path: 'spec.predictor.canaryTrafficPercent',
    get: path('spec', 'predictor', 'canaryTrafficPercent'),
  },
  { kind: 'route', path: 'spec.traffic', get: path('spec', 'traffic') },
  { kind: 'other', path: 'status.phase', get: path('status', 'phase') },
  {
    kind: 'node',
    path: 'status.conditions',
    get: (o) => (o.kind === 'Node' ? undefined : path('status', 'conditions')(o)),
  },
];

interface NodeShape {
  spec?: { unschedulable?: boolean; taints?: Array<{ key: string; value?: string; effect: string }> };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string }> };
}

/** A node's changes as a commander reads them: one per condition ("Ready True → False (KubeletNotReady)"), taints. */
function nodeFields(
  b: CapturedObject,
  a: CapturedObject,
  one: (kind: ChangeKind, p: string, x: unknown, y: unknown) => void,
) {
  const nb = b as unknown as NodeShape;
  const na = a as unknown as NodeShape;
  const cond = (n: NodeShape) =>
    new Map(
      (n.status?.conditions ?? []).map((c) => [c.type, c.reason ? `${c.status} (${c.reason})` : c.status]),
    );
  const cb = cond(nb);
  const ca = cond(na);
  // Ready first: the one that says whether pods run there at all
  const types = [...new Set([...cb.keys(), ...ca.keys()])].sort((x, y) =>
    x === 'Ready' ? -1 : y === 'Ready' ? 1 : x.localeCompare(y),
  );
  for (const t of types) one('node', `conditions[${t}]`, cb.get(t), ca.get(t));
  const taints = (n: NodeShape) =>
    (n.spec?.taints ?? [])
      .map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`)
      .sort()
      .join(', ') || null;
  one('node', 'taints', taints(nb), taints(na));
  one('node', 'unschedulable', nb.spec?.unschedulable ?? false, na.spec?.unschedulable ?? false);
}

function routeWeights(o: CapturedObject): string | null {
  if (o.kind === 'HTTPRoute') {
    const rules = path('spec', 'rules')(o) as
      Array<{ backendRefs?: Array<{ name?: string; weight?: number }> }> | undefined;
    return show(
      (rules ?? [])
        .map((r) => (r.backendRefs ?? []).map((b) => `${b.name}=${b.weight ?? 1}`).join(', '))
        .join(' | '),
    );
  }
  if (o.kind === 'VirtualService') {
    const http = path('spec', 'http')(o) as
      | Array<{ route?: Array<{ destination?: { host?: string; subset?: string }; weight?: number }> }>
      | undefined;
    return show(
      (http ?? [])
        .map((h) =>
          (h.route ?? [])
            .map(
              (r) =>
                `${r.destination?.host ?? ''}${r.destination?.subset ? `:${r.destination.subset}` : ''}=${r.weight ?? 100}`,
            )
            .join(', '),
        )
        .join(' | '),
    );
  }
  return null;
}

function restarts(o: CapturedObject): number | null {
  if (o.kind !== 'Pod') return null;
  const statuses = path('status', 'containerStatuses')(o) as Array<{ restartCount?: number }> | undefined;
  return (statuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0);
}

/** Field-level changes of one object (before or after may be missing: created / deleted). */
export function fieldChanges(
  before: CapturedObject | undefined,
  after: CapturedObject | undefined,
): Array<FieldChange & { kind: ChangeKind }> {
  const out: Array<FieldChange & { kind: ChangeKind }> = [];
  const one = (kind: ChangeKind, p: string, a: unknown, b: unknown) => {
    const sa = show(a);
    const sb = show(b);
    if (sa !== sb) out.push({ kind, path: p, before: sa, after: sb });
  };
  const b = before;
  const a = after;
  if (!b || !a) {
    const o = (a ?? b)!;
    out.push({
      kind: o.kind === 'Pod' ? 'other' : o.kind === 'ReplicaSet' ? 'revision' : 'other',
      path: '(object)',
      before: b ? 'present' : null,
      after: a ? 'present' : null,
    });
    return out;
  }
  const cb = new Map(containersOf(b).map((c) => [c.name, c]));
  const ca = new Map(containersOf(a).map((c) => [c.name, c]));
  for (const name of new Set([...cb.keys(), ...ca.keys()])) {
    const x = cb.get(name);
    const y = ca.get(name);
    const pre = `containers[${name}]`;
    one('image', `${pre}.image`, x?.image, y?.image);
    one('args', `${pre}.args`, x?.args, y?.args);
    one('args', `${pre}.command`, x?.command, y?.command);
    // names only: values are never captured and never shown
    one(
      'env',
      `${pre}.env (names)`,
      x?.env?.map((e) => e.name).join(', '),
      y?.env?.map((e) => e.name).join(', '),
    );
    one('resources', `${pre}.resources`, x?.resources, y?.resources);
  }
  if (a.kind === 'Node') nodeFields(b, a, one);
  for (const f of FIELDS) one(f.kind, f.path, f.get(b), f.get(a));
  one('route', 'weights', routeWeights(b), routeWeights(a));
  one('other', 'restarts', restarts(b), restarts(a));
  return out;
}

const RANK: Record<ChangeKind, number> = {
  image: 100,
  revision: 90,
  args: 80,
  env: 70,
  resources: 60,
  route: 55,
  replicas: 40,
  hpa: 40,
  node: 35,
  other: 10,
};
const KIND_WEIGHT: Record<string, number> = {
  Deployment: 3,
  StatefulSet: 3,
  Rollout: 3,
  InferenceService: 3,
  HTTPRoute: 2.5,
  VirtualService: 2.5,
  KnativeService: 2.5,
  Node: 2,
  ReplicaSet: 1,
  Pod: 0.5,
};

/** A one-line summary a commander reads: "image vllm:v0.6.3 → vllm:v0.6.4". */
export function summarize(key: string, fields: ReadonlyArray<FieldChange & { kind: ChangeKind }>): string {
  const top = fields.slice(0, 2).map((f) => {
    if (f.path === '(object)') return f.after ? 'created' : 'deleted';
    const label = f.path.replace(/^containers\[[^\]]+\]\./, '');
    return `${label} ${f.before ?? '∅'} → ${f.after ?? '∅'}`;
  });
  const more = fields.length > 2 ? ` (+${fields.length - 2} more)` : '';
  return `${key}: ${top.join('; ')}${more}`;
}

export interface DiffOptions {
  models: readonly ModelKey[];
  /** only objects of this model (a service id) */
  model?: string;
  at?: string | null;
  diff?: { from: string; to: string } | null;
}

/** What changed from `before` to `after`, ranked: the involved models' workloads and routes first. */
export function diffObjects(
  before: readonly CapturedObject[],
  after: readonly CapturedObject[],
  opts: DiffOptions,
): ObjectChange[] {
  const mb = new Map(before.map((o) => [objectKey(o), o]));
  const ma = new Map(after.map((o) => [objectKey(o), o]));
  const out: ObjectChange[] = [];
  // a node ranks for the models it hosts at either moment (a drained node hosts them only before)
  let nodes: Map<string, string> | undefined;
  const nodesOf = () =>
    (nodes ??= new Map([...nodeModels(after, opts.models), ...nodeModels(before, opts.models)]));
  for (const key of new Set([...mb.keys(), ...ma.keys()])) {
    const b = mb.get(key);
    const a = ma.get(key);
    if (b === a) continue;
    if (a && b && a.metadata.resourceVersion && a.metadata.resourceVersion === b.metadata.resourceVersion)
      continue;
    const obj = (a ?? b)!;
    if (obj.kind === 'Event') continue; // events are their own timeline rows
    const model = modelOf(obj, opts.models, obj.kind === 'Node' ? nodesOf() : undefined);
    if (opts.model && model !== opts.model) continue;
    const fields = fieldChanges(b, a);
    if (fields.length === 0) continue;
    const kinds = [...new Set(fields.map((f) => f.kind))];
    const best = Math.max(...kinds.map((k) => RANK[k]));
    const rank = best * (KIND_WEIGHT[obj.kind] ?? 1) * (model ? 2 : 1);
    out.push({
      object: key,
      model,
      kinds,
      rank,
      at: opts.at ?? null,
      summary: summarize(key, fields),
      fields: fields.map(({ path: p, before: x, after: y }) => ({ path: p, before: x, after: y })),
      diff: opts.diff ?? null,
    });
  }
  return out.sort((x, y) => y.rank - x.rank || x.object.localeCompare(y.object));
}
