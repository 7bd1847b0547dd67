/**
 * What the inventory keeps of each object. Every object from a cluster is untrusted input: each projection
 * copies only the fields Firebreak reads, checking each one's type (a wrong type is left out, never trusted), and
 * drops the rest on arrival — managedFields, last-applied-configuration, env values, volumes, probes. The
 * results keep the API's own shape (plain JSON, the same paths), so the pure functions that read real objects
 * (modelServicesFrom, httpRouteSplit, owningController …) read these too.
 *
 * Pods, ReplicaSets and Events are the kinds a big cluster has tens of thousands of: they keep the least.
 *
 * Pods, ReplicaSets and workloads are built with their keys in sorted order (the order of the puts below), so
 * the store can hash them with a plain JSON.stringify instead of a key-sorted copy (a third of a first capture).
 */

export type Labels = Record<string, string>;

export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
}

export interface Meta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  generation?: number;
  labels?: Labels;
  annotations?: Labels;
  ownerReferences?: OwnerRef[];
  /** only the managers' names (who would revert a hand edit), never the fields */
  managedFields?: Array<{ manager: string }>;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ContainerSummary {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  resources?: { limits?: Labels; requests?: Labels };
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Pod {
  kind: 'Pod';
  metadata: Meta;
  spec: { nodeName?: string; gpus: number };
  status: {
    phase?: string;
    reason?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface PodTemplate {
  metadata?: { labels?: Labels };
  spec?: { containers: ContainerSummary[] };
}

export interface Workload {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec: {
    replicas?: number;
    paused?: boolean;
    selector?: { matchLabels?: Labels };
    template?: PodTemplate;
    /** Argo Rollouts: the services a canary/blue-green strategy sends traffic through */
    strategy?: {
      canary?: { canaryService?: string; stableService?: string };
      blueGreen?: { activeService?: string; previewService?: string };
    };
  };
  status: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    observedGeneration?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSet extends Workload {
  kind: 'ReplicaSet';
}

export interface ControllerRevision {
  kind: 'ControllerRevision';
  metadata: Meta;
  revision: number;
}

export interface TrafficTarget {
  revisionName?: string;
  configurationName?: string;
  latestRevision?: boolean;
  percent?: number;
  tag?: string;
}

/** KServe InferenceService, Knative Service: a spec/status kept field by field */
export interface ServingObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec: {
    predictor?: {
      minReplicas?: number;
      maxReplicas?: number;
      canaryTrafficPercent?: number;
      containers?: ContainerSummary[];
      model?: { modelFormat?: { name?: string }; storageUri?: string };
    };
    traffic?: TrafficTarget[];
    template?: PodTemplate;
  };
  status: {
    url?: string;
    conditions?: Condition[];
    traffic?: TrafficTarget[];
    components?: { predictor?: { traffic?: TrafficTarget[]; latestReadyRevision?: string } };
  };
}

export interface BackendRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  port?: number;
  weight?: number;
}

export interface HTTPRoute {
  apiVersion: string;
  kind: 'HTTPRoute';
  metadata: Meta;
  spec: { hostnames?: string[]; rules?: Array<{ backendRefs?: BackendRef[] }> };
  status: { parents?: Array<{ conditions?: Condition[] }> };
}

export interface VirtualService {
  apiVersion: string;
  kind: 'VirtualService';
  metadata: Meta;
  spec: {
    hosts?: string[];
    http?: Array<{
      route?: Array<{
        destination?: { host?: string; subset?: string; port?: { number?: number } };
        weight?: number;
      }>;
    }>;
  };
  status: Record<string, never>;
}

export interface Service {
  kind: 'Service';
  metadata: Meta;
  spec: { selector?: Labels; type?: string };
}

export interface KubeEvent {
  kind: 'Event';
  metadata: Meta;
  type: string;
  reason: string;
  message: string;
  count: number;
  /** the latest of series.lastObservedTime, lastTimestamp, eventTime, firstTimestamp, creationTimestamp */
  lastSeen: string | null;
  /**
   * when the series began: eventTime, else firstTimestamp, else creationTimestamp. A reporter that finds its event
   * expired creates it again under the same name with the original time, so this, not creationTimestamp, is its start.
   */
  firstSeen: string | null;
  involvedObject: { kind: string; name: string; namespace: string; uid: string };
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** A Node: what scheduling and health read; never addresses, provider IDs, images or annotations. */
export interface Node {
  kind: 'Node';
  metadata: Meta;
  spec: { unschedulable?: boolean; taints?: Taint[] };
  /** conditions without heartbeat times or messages, so a kubelet's status update every few seconds is no change */
  status: { conditions?: Condition[]; allocatableGpus: number };
}

// ---------- field checks ----------

const MAX_TEXT = 1000;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const text = (v: unknown, max = MAX_TEXT): string | undefined =>
  typeof v === 'string' ? (v.length > max ? `${v.slice(0, max)}…` : v) : undefined;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined;

/** Sets `key` only when the value is defined: objects stay small and their JSON has no nulls. */
function put<T extends object, K extends keyof T>(o: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) o[key] = value as T[K];
}

/** A label or annotation map: string values only (anything else is dropped). */
export function stringMap(v: unknown): Labels | undefined {
  if (!isRecord(v)) return undefined;
  let out: Labels | undefined;
  let prev: string | undefined;
  let sorted = true;
  for (const k in v) {
    const val = v[k];
    if (typeof val !== 'string') continue;
    if (prev !== undefined && prev > k) sorted = false;
    prev = k;
    (out ??= {})[k] = val;
  }
  if (out && !sorted) {
    // the API sends maps sorted; anything else is put in that order (see the top of this file)
    const copy: Labels = {};
    for (const k of Object.keys(out).sort()) copy[k] = out[k]!;
    return copy;
  }
  return out;
}

function ownerRefs(v: unknown): OwnerRef[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  let refs: OwnerRef[] | undefined;
  for (let i = 0; i < v.length; i++) {
    const o = v[i];
    if (!isRecord(o)) continue;
    const kind = o.kind;
    const name = o.name;
    if (typeof kind !== 'string' || typeof name !== 'string' || !kind || !name) continue;
    (refs ??= []).push({
      apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '',
      controller: o.controller === true,
      kind,
      name,
      uid: typeof o.uid === 'string' ? o.uid : '',
    });
  }
  return refs;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** metadata, or null when it lacks a name (or a namespace, for namespaced kinds) */
export function meta(
  raw: unknown,
  opts: { annotations?: boolean; managers?: boolean; namespaced?: boolean } = {},
): Meta | null {
  const m = rec(raw);
  const name = str(m.name);
  const namespace = str(m.namespace) ?? '';
  if (!name || (opts.namespaced !== false && !namespace)) return null;
  // keys in sorted order (see the top of this file)
  const out = {} as Meta;
  if (opts.annotations) {
    const a = stringMap(m.annotations);
    if (a && LAST_APPLIED in a) delete a[LAST_APPLIED];
    if (a) for (const k of Object.keys(a)) a[k] = text(a[k], 2000) ?? '';
    put(out, 'annotations', a && Object.keys(a).length ? a : undefined);
  }
  put(out, 'creationTimestamp', str(m.creationTimestamp));
  put(out, 'deletionTimestamp', str(m.deletionTimestamp));
  put(out, 'generation', num(m.generation));
  put(out, 'labels', stringMap(m.labels));
  if (opts.managers && Array.isArray(m.managedFields)) {
    const managers = [
      ...new Set(m.managedFields.map((f) => (isRecord(f) ? str(f.manager) : undefined)).filter(Boolean)),
    ] as string[];
    if (managers.length) out.managedFields = managers.map((manager) => ({ manager }));
  }
  out.name = name;
  out.namespace = namespace;
  put(out, 'ownerReferences', ownerRefs(m.ownerReferences));
  out.resourceVersion = str(m.resourceVersion) ?? '';
  out.uid = str(m.uid) ?? '';
  return out;
}

function conditions(v: unknown, withMessage = false): Condition[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Condition[] = [];
  for (const c of v) {
    if (!isRecord(c)) continue;
    const type = str(c.type);
    const status = str(c.status);
    if (!type || !status) continue;
    // keys in sorted order (see the top of this file)
    const cond = {} as Condition;
    if (typeof c.lastTransitionTime === 'string') cond.lastTransitionTime = c.lastTransitionTime;
    if (withMessage) put(cond, 'message', text(c.message, 300));
    if (typeof c.reason === 'string') cond.reason = c.reason;
    cond.status = status;
    cond.type = type;
    out.push(cond);
  }
  return out;
}

function containers(v: unknown): ContainerSummary[] {
  const out: ContainerSummary[] = [];
  for (const c of list(v)) {
    if (!isRecord(c)) continue;
    const name = str(c.name);
    if (!name) continue;
    // keys in sorted order (see the top of this file)
    const s = {} as ContainerSummary;
    put(s, 'args', strings(c.args));
    put(s, 'command', strings(c.command));
    put(s, 'image', str(c.image));
    s.name = name;
    const r = rec(c.resources);
    const limits = stringMap(r.limits);
    const requests = stringMap(r.requests);
    if (limits || requests) {
      s.resources = {};
      put(s.resources, 'limits', limits);
      put(s.resources, 'requests', requests);
    }
    out.push(s);
  }
  return out;
}

function template(v: unknown): PodTemplate | undefined {
  if (!isRecord(v)) return undefined;
  const out: PodTemplate = {};
  const labels = stringMap(rec(v.metadata).labels);
  if (labels) out.metadata = { labels };
  if (isRecord(v.spec)) out.spec = { containers: containers(v.spec.containers) };
  return out;
}

const GPU_RESOURCE = /(^|\/)gpu$|\/mig-/;

/** GPUs a pod asks for: extended resources are whole numbers, requests default to limits. */
export function podGpus(spec: unknown): number {
  if (!isRecord(spec) || !Array.isArray(spec.containers)) return 0;
  let total = 0;
  for (const c of spec.containers) {
    if (!isRecord(c) || !isRecord(c.resources)) continue;
    const lim = isRecord(c.resources.limits) ? c.resources.limits : undefined;
    const req = isRecord(c.resources.requests) ? c.resources.requests : undefined;
    if (lim)
      for (const k in lim) {
        if (!GPU_RESOURCE.test(k)) continue;
        const n = Math.max(quantity(lim[k]), req ? quantity(req[k]) : 0);
        if (n > 0) total += n;
      }
    if (req)
      for (const k in req) {
        if (!GPU_RESOURCE.test(k) || (lim && k in lim)) continue;
        const n = quantity(req[k]);
        if (n > 0) total += n;
      }
  }
  return total;
}

/** an extended resource's quantity ("2" or 2); anything else counts 0 */
function quantity(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : 0;
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function containerState(v: unknown): ContainerState | undefined {
  if (!isRecord(v)) return undefined;
  // keys in sorted order (see the top of this file)
  const out: ContainerState = {};
  if (isRecord(v.running)) {
    out.running = {};
    put(out.running, 'startedAt', str(v.running.startedAt));
  }
  if (isRecord(v.terminated)) {
    out.terminated = {};
    put(out.terminated, 'exitCode', num(v.terminated.exitCode));
    put(out.terminated, 'finishedAt', str(v.terminated.finishedAt));
    put(out.terminated, 'reason', str(v.terminated.reason));
  }
  if (isRecord(v.waiting)) {
    out.waiting = {};
    put(out.waiting, 'message', text(v.waiting.message, 300));
    put(out.waiting, 'reason', str(v.waiting.reason));
  }
  return out.waiting || out.running || out.terminated ? out : undefined;
}

function containerStatuses(v: unknown): ContainerStatus[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: ContainerStatus[] = [];
  for (const c of v) {
    if (!isRecord(c)) continue;
    const name = str(c.name);
    if (!name) continue;
    // keys in sorted order (see the top of this file)
    const s = {} as ContainerStatus;
    put(s, 'lastState', containerState(c.lastState));
    s.name = name;
    s.ready = c.ready === true;
    s.restartCount = Math.max(0, Math.trunc(num(c.restartCount) ?? 0));
    put(s, 'state', containerState(c.state));
    out.push(s);
  }
  return out;
}

// ---------- projections, one per kind ----------

export function projectPod(raw: unknown): Pod | null {
  const o = rec(raw);
  const metadata = meta(o.metadata);
  if (!metadata) return null;
  const spec = rec(o.spec);
  const status = rec(o.status);
  // keys in sorted order (see the top of this file)
  const s: Pod['status'] = {};
  // Ready and PodScheduled say what health needs; the other three conditions of every pod are dropped
  put(
    s,
    'conditions',
    conditions(status.conditions, true)?.filter((c) => c.type === 'Ready' || c.type === 'PodScheduled'),
  );
  put(s, 'containerStatuses', containerStatuses(status.containerStatuses));
  put(s, 'initContainerStatuses', containerStatuses(status.initContainerStatuses));
  put(s, 'phase', str(status.phase));
  put(s, 'reason', str(status.reason));
  const podSpec: Pod['spec'] = { gpus: podGpus(spec) };
  put(podSpec, 'nodeName', str(spec.nodeName));
  return { kind: 'Pod', metadata, spec: podSpec, status: s };
}

function workloadStatus(v: unknown): Workload['status'] {
  const s = rec(v);
  // keys in sorted order (see the top of this file)
  const out: Workload['status'] = {};
  put(out, 'availableReplicas', num(s.availableReplicas));
  put(out, 'conditions', conditions(s.conditions, true));
  put(out, 'observedGeneration', num(s.observedGeneration));
  put(out, 'readyReplicas', num(s.readyReplicas));
  put(out, 'replicas', num(s.replicas));
  put(out, 'updatedReplicas', num(s.updatedReplicas));
  return out;
}

function workloadSpec(v: unknown, withStrategy: boolean): Workload['spec'] {
  const s = rec(v);
  // keys in sorted order (see the top of this file)
  const out: Workload['spec'] = {};
  put(out, 'paused', bool(s.paused));
  put(out, 'replicas', num(s.replicas));
  const matchLabels = stringMap(rec(s.selector).matchLabels);
  if (matchLabels) out.selector = { matchLabels };
  if (withStrategy && isRecord(s.strategy)) {
    const st = s.strategy;
    const strategy: NonNullable<Workload['spec']['strategy']> = {};
    if (isRecord(st.blueGreen)) {
      strategy.blueGreen = {};
      put(strategy.blueGreen, 'activeService', str(st.blueGreen.activeService));
      put(strategy.blueGreen, 'previewService', str(st.blueGreen.previewService));
    }
    if (isRecord(st.canary)) {
      strategy.canary = {};
      put(strategy.canary, 'canaryService', str(st.canary.canaryService));
      put(strategy.canary, 'stableService', str(st.canary.stableService));
    }
    out.strategy = strategy;
  }
  put(out, 'template', template(s.template));
  return out;
}

/** Deployments, StatefulSets, DaemonSets, Argo Rollouts */
export function projectWorkload(kind: string) {
  return (raw: unknown): Workload | null => {
    const o = rec(raw);
    const metadata = meta(o.metadata, { annotations: true, managers: true });
    if (!metadata) return null;
    return {
      apiVersion: str(o.apiVersion) ?? '',
      kind,
      metadata,
      spec: workloadSpec(o.spec, kind === 'Rollout'),
      status: workloadStatus(o.status),
    };
  };
}

export function projectReplicaSet(raw: unknown): ReplicaSet | null {
  const o = rec(raw);
  const metadata = meta(o.metadata, { annotations: true });
  if (!metadata) return null;
  // the revision annotations matter; the others (desired-replicas …) are dropped to keep 6,000 of these small
  if (metadata.annotations) {
    const keep: Labels = {};
    for (const [k, v] of Object.entries(metadata.annotations))
      if (
        k === 'deployment.kubernetes.io/revision' ||
        k === 'kubernetes.io/change-cause' ||
        k === 'rollout.argoproj.io/revision'
      )
        keep[k] = v;
    if (Object.keys(keep).length) metadata.annotations = keep;
    else delete metadata.annotations;
  }
  const spec = workloadSpec(o.spec, false);
  // a ReplicaSet's template: labels and images only (revision history reads the full objects itself)
  if (spec.template?.spec)
    spec.template.spec.containers = spec.template.spec.containers.map((c) => {
      const s = {} as ContainerSummary;
      put(s, 'image', c.image);
      s.name = c.name;
      return s;
    });
  return {
    apiVersion: str(o.apiVersion) ?? '',
    kind: 'ReplicaSet',
    metadata,
    spec,
    status: workloadStatus(o.status),
  };
}

export function projectControllerRevision(raw: unknown): ControllerRevision | null {
  const o = rec(raw);
  const metadata = meta(o.metadata, { annotations: true });
  if (!metadata) return null;
  return { kind: 'ControllerRevision', metadata, revision: num(o.revision) ?? 0 };
}

function traffic(v: unknown): TrafficTarget[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter(isRecord).map((t) => {
    const out: TrafficTarget = {};
    put(out, 'revisionName', str(t.revisionName));
    put(out, 'configurationName', str(t.configurationName));
    put(out, 'latestRevision', bool(t.latestRevision));
    put(out, 'percent', num(t.percent));
    put(out, 'tag', str(t.tag));
    return out;
  });
}

export function projectServing(kind: 'InferenceService' | 'KnativeService') {
  return (raw: unknown): ServingObject | null => {
    const o = rec(raw);
    const metadata = meta(o.metadata, { annotations: true, managers: true });
    if (!metadata) return null;
    const spec = rec(o.spec);
    const status = rec(o.status);
    const out: ServingObject = { apiVersion: str(o.apiVersion) ?? '', kind, metadata, spec: {}, status: {} };
    if (isRecord(spec.predictor)) {
      const p = spec.predictor;
      const predictor: NonNullable<ServingObject['spec']['predictor']> = {};
      put(predictor, 'minReplicas', num(p.minReplicas));
      put(predictor, 'maxReplicas', num(p.maxReplicas));
      put(predictor, 'canaryTrafficPercent', num(p.canaryTrafficPercent));
      if (Array.isArray(p.containers)) predictor.containers = containers(p.containers);
      if (isRecord(p.model)) {
        const m = p.model;
        predictor.model = {};
        put(predictor.model, 'storageUri', str(m.storageUri));
        const format = str(rec(m.modelFormat).name);
        if (format) predictor.model.modelFormat = { name: format };
      }
      out.spec.predictor = predictor;
    }
    put(out.spec, 'traffic', traffic(spec.traffic));
    put(out.spec, 'template', template(spec.template));
    put(out.status, 'url', str(status.url));
    put(out.status, 'conditions', conditions(status.conditions, true));
    put(out.status, 'traffic', traffic(status.traffic));
    const predictorStatus = rec(rec(status.components).predictor);
    if (Object.keys(predictorStatus).length) {
      const ps: { traffic?: TrafficTarget[]; latestReadyRevision?: string } = {};
      put(ps, 'traffic', traffic(predictorStatus.traffic));
      put(ps, 'latestReadyRevision', str(predictorStatus.latestReadyRevision));
      out.status.components = { predictor: ps };
    }
    return out;
  };
}

export function projectHTTPRoute(raw: unknown): HTTPRoute | null {
  const o = rec(raw);
  const metadata = meta(o.metadata, { annotations: true, managers: true });
  if (!metadata) return null;
  const spec = rec(o.spec);
  const rules = list(spec.rules)
    .filter(isRecord)
    .map((r) => ({
      backendRefs: list(r.backendRefs)
        .filter(isRecord)
        .map((b) => {
          const ref: BackendRef = {};
          put(ref, 'group', str(b.group));
          put(ref, 'kind', str(b.kind));
          put(ref, 'name', str(b.name));
          put(ref, 'namespace', str(b.namespace));
          put(ref, 'port', num(b.port));
          put(ref, 'weight', num(b.weight));
          return ref;
        }),
    }));
  const parents = list(rec(o.status).parents)
    .filter(isRecord)
    .map((p) => ({ conditions: conditions(p.conditions, true) ?? [] }));
  const out: HTTPRoute = {
    apiVersion: str(o.apiVersion) ?? '',
    kind: 'HTTPRoute',
    metadata,
    spec: { rules },
    status: { parents },
  };
  put(out.spec, 'hostnames', strings(spec.hostnames));
  return out;
}

export function projectVirtualService(raw: unknown): VirtualService | null {
  const o = rec(raw);
  const metadata = meta(o.metadata, { annotations: true, managers: true });
  if (!metadata) return null;
  const spec = rec(o.spec);
  const http = list(spec.http)
    .filter(isRecord)
    .map((h) => ({
      route: list(h.route)
        .filter(isRecord)
        .map((r) => {
          const d = rec(r.destination);
          const out: {
            destination?: { host?: string; subset?: string; port?: { number?: number } };
            weight?: number;
          } = {};
          const destination: { host?: string; subset?: string; port?: { number?: number } } = {};
          put(destination, 'host', str(d.host));
          put(destination, 'subset', str(d.subset));
          const port = num(rec(d.port).number);
          if (port !== undefined) destination.port = { number: port };
          out.destination = destination;
          put(out, 'weight', num(r.weight));
          return out;
        }),
    }));
  const out: VirtualService = {
    apiVersion: str(o.apiVersion) ?? '',
    kind: 'VirtualService',
    metadata,
    spec: { http },
    status: {},
  };
  put(out.spec, 'hosts', strings(spec.hosts));
  return out;
}

export function projectService(raw: unknown): Service | null {
  const o = rec(raw);
  const metadata = meta(o.metadata);
  if (!metadata) return null;
  const spec = rec(o.spec);
  const out: Service = { kind: 'Service', metadata, spec: {} };
  put(out.spec, 'selector', stringMap(spec.selector));
  put(out.spec, 'type', str(spec.type));
  return out;
}

/**
 * Normal events kept besides every Warning: the ones an incident's story turns on (a rollout scaling ReplicaSets,
 * an autoscaler, containers killed, pods preempted or evicted by a node's taint, nodes going unready or cordoned,
 * Argo Rollouts' steps). The many others (Scheduled, Pulling, Pulled, Created, Started, SuccessfulCreate) repeat
 * what the pods' own watch changes already show, one per container start.
 */
export const NORMAL_EVENT_REASONS: ReadonlySet<string> = new Set([
  'ScalingReplicaSet',
  'SuccessfulRescale',
  'Killing',
  'Preempted',
  'TaintManagerEviction',
  'NodeNotReady',
  'NodeNotSchedulable',
  'NodeSchedulable',
  'RemovingNode',
  'RolloutUpdated',
  'RolloutPaused',
  'RolloutResumed',
  'RolloutAborted',
  'RolloutCompleted',
]);

const validTime = (t: string | undefined): t is string => !!t && !Number.isNaN(Date.parse(t));

function eventOf(
  o: Record<string, unknown>,
  fields: {
    involved: unknown;
    message: unknown;
    count: unknown;
    lastTimestamp: unknown;
    firstTimestamp: unknown;
  },
): KubeEvent | null {
  const type = str(o.type) ?? 'Normal';
  const reason = str(o.reason) ?? '';
  if (type !== 'Warning' && !NORMAL_EVENT_REASONS.has(reason)) return null;
  const metadata = meta(o.metadata);
  if (!metadata) return null;
  delete metadata.labels;
  const inv = rec(fields.involved);
  const series = rec(o.series);
  const seen = [
    str(series.lastObservedTime),
    str(fields.lastTimestamp),
    str(o.eventTime),
    str(fields.firstTimestamp),
    metadata.creationTimestamp,
  ]
    .filter(validTime)
    .sort((a, b) => Date.parse(b) - Date.parse(a));
  const first = [str(o.eventTime), str(fields.firstTimestamp), metadata.creationTimestamp].find(validTime);
  return {
    kind: 'Event',
    metadata,
    type: type === 'Warning' ? 'Warning' : 'Normal',
    reason,
    message: text(fields.message, 500) ?? '',
    count: Math.max(1, Math.trunc(num(series.count) ?? num(fields.count) ?? 1)),
    lastSeen: seen[0] ?? null,
    firstSeen: first ?? null,
    involvedObject: {
      kind: str(inv.kind) ?? '',
      name: str(inv.name) ?? '',
      namespace: str(inv.namespace) ?? metadata.namespace,
      uid: str(inv.uid) ?? '',
    },
  };
}

/** core/v1 Events: every Warning, and the Normal ones in NORMAL_EVENT_REASONS. */
export function projectEvent(raw: unknown): KubeEvent | null {
  const o = rec(raw);
  return eventOf(o, {
    involved: o.involvedObject,
    message: o.message,
    count: o.count,
    lastTimestamp: o.lastTimestamp,
    firstTimestamp: o.firstTimestamp,
  });
}

/** events.k8s.io/v1 Events (regarding, note, deprecated* for what core/v1 calls involvedObject, message, count …). */
export function projectEventV1(raw: unknown): KubeEvent | null {
  const o = rec(raw);
  return eventOf(o, {
    involved: o.regarding,
    message: o.note,
    count: o.deprecatedCount,
    lastTimestamp: o.deprecatedLastTimestamp,
    firstTimestamp: o.deprecatedFirstTimestamp,
  });
}

/** Node labels worth keeping: what the node is (instance type, GPU product and count) and where. */
const NODE_LABELS = [
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
  'nvidia.com/gpu.product',
  'nvidia.com/gpu.count',
  'topology.kubernetes.io/zone',
];

export function projectNode(raw: unknown): Node | null {
  const o = rec(raw);
  const metadata = meta(o.metadata, { namespaced: false });
  if (!metadata) return null;
  if (metadata.labels) {
    const keep: Labels = {};
    for (const k of NODE_LABELS) if (metadata.labels[k] !== undefined) keep[k] = metadata.labels[k];
    if (Object.keys(keep).length) metadata.labels = keep;
    else delete metadata.labels;
  }
  delete metadata.ownerReferences;
  const spec = rec(o.spec);
  const status = rec(o.status);
  const out: Node = { kind: 'Node', metadata, spec: {}, status: { allocatableGpus: 0 } };
  put(out.spec, 'unschedulable', bool(spec.unschedulable));
  if (Array.isArray(spec.taints)) {
    const taints: Taint[] = [];
    for (const t of spec.taints) {
      if (!isRecord(t)) continue;
      const key = str(t.key);
      const effect = str(t.effect);
      if (!key || !effect) continue;
      const taint: Taint = { key, effect };
      put(taint, 'value', text(t.value, 200));
      taints.push(taint);
    }
    if (taints.length) out.spec.taints = taints;
  }
  put(out.status, 'conditions', conditions(status.conditions));
  const allocatable = rec(status.allocatable);
  for (const k in allocatable)
    if (GPU_RESOURCE.test(k)) out.status.allocatableGpus += quantity(allocatable[k]);
  return out;
}

/** The object key an informer stores an object under (also for DELETED events of objects it did not keep). */
export function objectKey(raw: unknown): string | null {
  const m = rec(rec(raw).metadata);
  const name = str(m.name);
  if (!name) return null;
  return `${str(m.namespace) ?? ''}/${name}`;
}
