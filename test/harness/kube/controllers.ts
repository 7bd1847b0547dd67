// Controllers: Deployment -> ReplicaSets (revision history exactly as kube-controller-manager keeps it),
// ReplicaSet -> Pods, StatefulSet and DaemonSet -> ControllerRevisions + Pods, a kubelet stand-in that makes
// pods ready after readyDelayMs, Events, and HTTPRoute status. They run synchronously from a work queue
// drained after each write, and write only when something changed.
import { APPS, CORE, defForKind, type ResourceDef } from './resources';
import { qosClass, type Store } from './store';
import { defaultPodSpec } from './strategy';
import type { Obj, WatchEventType } from './types';
import { clone, deepEqual, fnv32a, nowIso, safeEncodeString, sortedCopy, stableStringify } from './util';

const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const POD_TEMPLATE_HASH = 'pod-template-hash';
/** annotations the deployment controller never copies from a Deployment to its ReplicaSets */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);
const MAX_REV_HISTORY_CHARS = 2000;
const NODE_NAME = 'sandbox-node-1';
const MANAGER = 'kube-controller-manager';

export interface ControllerOptions {
  enabled: boolean;
  readyDelayMs: number;
}

function isControlledBy(o: Obj, owner: Obj): boolean {
  return ((o.metadata?.ownerReferences ?? []) as Obj[]).some(
    (r) => r?.controller && r.uid === owner.metadata.uid,
  );
}

function controllerRef(owner: Obj): Obj {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function controllerOf(o: Obj): Obj | undefined {
  return ((o.metadata?.ownerReferences ?? []) as Obj[]).find((r) => r?.controller);
}

function revisionOf(o: Obj): number {
  const v = o.metadata?.annotations?.[REVISION];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isNaN(n) ? 0 : n;
}

function resolveIntOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) {
    const p = Number.parseInt(v, 10);
    const x = (p * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 0;
}

function surgeAndUnavailable(d: Obj): [number, number] {
  const replicas: number = d.spec?.replicas ?? 1;
  if (d.spec?.strategy?.type === 'Recreate') return [0, 0];
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const surge = resolveIntOrPercent(ru.maxSurge ?? '25%', replicas, true);
  let unavailable = resolveIntOrPercent(ru.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, Math.min(unavailable, replicas)];
}

function isUnstarted(p: Obj): boolean {
  const st = p.status;
  if (!st || Object.keys(st).length === 0) return true;
  return (st.phase ?? 'Pending') === 'Pending' && !st.conditions?.length && !st.containerStatuses?.length;
}

export function podIsReady(p: Obj): boolean {
  const conds: Obj[] | undefined = p.status?.conditions;
  if (!conds || conds.length === 0) return p.status?.phase === 'Running';
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** drop what a Go round trip drops or adds (nulls, empty strings, empty lists and maps) before comparing */
function normalized(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalized);
  if (v === null || typeof v !== 'object') return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) {
    const n = normalized(x);
    if (n === null || n === undefined || n === '') continue;
    if (Array.isArray(n) && n.length === 0) continue;
    if (typeof n === 'object' && !Array.isArray(n) && Object.keys(n as Obj).length === 0) continue;
    out[k] = n;
  }
  return out;
}

const templateKeys = new WeakMap<object, string>();
/** the pod template without the pod-template-hash label, as text, for "same template" comparisons */
function templateKey(tpl: Obj | undefined): string {
  if (!tpl) return '';
  let k = templateKeys.get(tpl);
  if (k === undefined) {
    const labels = { ...(tpl.metadata?.labels ?? {}) };
    delete labels[POD_TEMPLATE_HASH];
    const meta = { ...(tpl.metadata ?? {}), labels };
    k = stableStringify(normalized({ ...tpl, metadata: meta }));
    templateKeys.set(tpl, k);
  }
  return k;
}

function setCondition(conds: Obj[], c: Obj, now: string): Obj[] {
  const prev = conds.find((x) => x.type === c.type);
  if (prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message)
    return conds;
  const next: Obj = {
    ...c,
    lastUpdateTime: now,
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now,
  };
  const out = conds.filter((x) => x.type !== c.type);
  out.push(next);
  return out;
}

function orderConditions(conds: Obj[], order: string[]): Obj[] {
  return [...conds].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

/** drop zero counters, as Go's omitempty does */
function omitZero(o: Obj, keep: string[] = []): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== 0 || keep.includes(k)) out[k] = v;
  return out;
}

export class Controllers {
  private queue = new Set<string>();
  private draining = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readyBatch: { due: number; keys: string[] } | undefined;
  private podIp = 2;
  private eventSeq = 0;
  private readonly recentEvents = new Map<string, string>();
  private stopped = false;

  private readonly DEPLOY = APPS('Deployment');
  private readonly RS = APPS('ReplicaSet');
  private readonly STS = APPS('StatefulSet');
  private readonly DS = APPS('DaemonSet');
  private readonly CR = APPS('ControllerRevision');
  private readonly POD = CORE('Pod');
  private readonly EVENT = CORE('Event');
  private readonly SERVICE = CORE('Service');
  private readonly ROUTE = defForKind('gateway.networking.k8s.io/v1', 'HTTPRoute')!;
  private readonly KSVC = defForKind('serving.knative.dev/v1', 'Service')!;

  constructor(
    private readonly store: Store,
    private readonly opts: ControllerOptions,
  ) {
    if (opts.enabled) store.afterCommit = (def, type, obj) => this.onCommit(def, type, obj);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.clear();
  }

  private enqueue(def: ResourceDef, ns: string | undefined, name: string): void {
    // a Knative Service is a `Service` too: it gets a name of its own in the queue
    const kind = def === this.KSVC ? 'KnativeService' : def.kind;
    this.queue.add(`${kind}|${ns ?? ''}|${name}`);
  }

  /** queue every workload once, e.g. after a bulk load */
  enqueueAll(defs: Iterable<ResourceDef>): void {
    if (!this.opts.enabled) return;
    for (const def of defs) {
      if (![this.DEPLOY, this.RS, this.STS, this.DS, this.ROUTE, this.KSVC].includes(def)) continue;
      for (const o of this.store.list(def)) this.enqueue(def, o.metadata.namespace, o.metadata.name);
    }
  }

  private onCommit(def: ResourceDef, type: WatchEventType, obj: Obj): void {
    const ns: string | undefined = obj.metadata.namespace;
    switch (def) {
      case this.DEPLOY:
      case this.STS:
      case this.DS:
        if (type !== 'DELETED') this.enqueue(def, ns, obj.metadata.name);
        return;
      case this.RS: {
        if (type !== 'DELETED') this.enqueue(def, ns, obj.metadata.name);
        const owner = controllerOf(obj);
        if (owner?.kind === 'Deployment') this.enqueue(this.DEPLOY, ns, owner.name);
        return;
      }
      case this.POD: {
        const owner = controllerOf(obj);
        if (owner?.kind === 'ReplicaSet') this.enqueue(this.RS, ns, owner.name);
        else if (owner?.kind === 'StatefulSet') this.enqueue(this.STS, ns, owner.name);
        else if (owner?.kind === 'DaemonSet') this.enqueue(this.DS, ns, owner.name);
        // the kubelet stand-in starts pods that arrive with no status, or Pending with nothing more (as the
        // API makes them); a pod given conditions or containerStatuses keeps the status it was given
        if (type === 'ADDED' && isUnstarted(obj)) this.scheduleReady(ns!, obj.metadata.name);
        return;
      }
      case this.ROUTE:
      case this.KSVC:
        if (type !== 'DELETED') this.enqueue(def, ns, obj.metadata.name);
        return;
      case this.SERVICE:
        if (type === 'MODIFIED') return;
        for (const r of this.store.list(this.ROUTE, ns)) this.enqueue(this.ROUTE, ns, r.metadata.name);
        return;
    }
  }

  drain(): void {
    if (!this.opts.enabled || this.draining || this.stopped) return;
    this.draining = true;
    try {
      let guard = 0;
      while (this.queue.size) {
        if (++guard > 1_000_000) throw new Error('test kube server: controllers did not settle');
        const k = this.queue.values().next().value as string;
        this.queue.delete(k);
        const [kind, ns, name] = k.split('|') as [string, string, string];
        const n = ns === '' ? undefined : ns;
        try {
          if (kind === 'Deployment') this.syncDeployment(n!, name);
          else if (kind === 'ReplicaSet') this.syncReplicaSet(n!, name);
          else if (kind === 'StatefulSet') this.syncStatefulSet(n!, name);
          else if (kind === 'DaemonSet') this.syncDaemonSet(n!, name);
          else if (kind === 'HTTPRoute') this.syncHTTPRoute(n!, name);
          else if (kind === 'KnativeService') this.syncKnativeService(n!, name);
          else if (kind === 'PodReady') this.makeReady(n!, name);
        } catch (e) {
          // a real controller logs and retries; here, a harness bug should be loud
          console.error(`test kube server: controller ${kind} ${ns}/${name} failed:`, e);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  // ---- writes as the controller manager ----

  private update(def: ResourceDef, obj: Obj, subresource?: 'status'): Obj {
    return this.store.update(def, obj.metadata.namespace, obj.metadata.name, obj, {
      harness: true,
      trusted: true,
      manager: subresource === 'status' && def === this.POD ? 'kubelet' : MANAGER,
      subresource,
    });
  }

  private event(involved: Obj, reason: string, message: string, component: string, type = 'Normal'): void {
    const ns: string = involved.metadata.namespace ?? 'default';
    const now = nowIso(this.store.now());
    const dedupe = `${involved.metadata.uid}|${reason}|${message}`;
    const existingName = this.recentEvents.get(dedupe);
    const existing = existingName ? this.store.get(this.EVENT, ns, existingName) : undefined;
    if (existing) {
      this.update(this.EVENT, { ...existing, count: (existing.count ?? 1) + 1, lastTimestamp: now });
      return;
    }
    const stamp = (BigInt(this.store.now()) * 1_000_000n + BigInt(this.eventSeq++)).toString(16);
    const name = `${involved.metadata.name}.${stamp}`;
    this.store.create(
      this.EVENT,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: {
          kind: involved.kind,
          namespace: ns,
          name: involved.metadata.name,
          uid: involved.metadata.uid,
          apiVersion: involved.apiVersion,
          resourceVersion: involved.metadata.resourceVersion,
        },
        reason,
        message,
        source: { component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: component,
        reportingInstance: '',
      },
      { harness: true, trusted: true },
    );
    this.recentEvents.set(dedupe, name);
    if (this.recentEvents.size > 10_000)
      this.recentEvents.delete(this.recentEvents.keys().next().value as string);
  }

  // ---- pods and the kubelet stand-in ----

  private newPod(
    owner: Obj,
    name: string,
    template: Obj,
    extraLabels: Record<string, string>,
    extraSpec: Obj = {},
  ): Obj {
    const spec: Obj = { ...clone(template.spec ?? {}), ...extraSpec, nodeName: NODE_NAME };
    defaultPodSpec(spec);
    const now = nowIso(this.store.now());
    const n = this.podIp++;
    const ip = `10.244.${(n >> 8) & 255}.${n & 255}`;
    const containers: Obj[] = spec.containers ?? [];
    const unready = `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`;
    const meta: Obj = {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...extraLabels },
      ownerReferences: [controllerRef(owner)],
    };
    if (template.metadata?.annotations) meta.annotations = { ...template.metadata.annotations };
    if (owner.kind === 'ReplicaSet' || owner.kind === 'DaemonSet')
      meta.generateName = `${owner.metadata.name}-`;
    const pod: Obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta,
      spec,
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
          {
            type: 'Ready',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: now,
            reason: 'ContainersNotReady',
            message: unready,
          },
          {
            type: 'ContainersReady',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: now,
            reason: 'ContainersNotReady',
            message: unready,
          },
          { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
        ],
        hostIP: '10.0.0.11',
        hostIPs: [{ ip: '10.0.0.11' }],
        podIP: ip,
        podIPs: [{ ip }],
        startTime: now,
        containerStatuses: containers.map((c) => ({
          name: c.name,
          state: { running: { startedAt: now } },
          lastState: {},
          ready: false,
          restartCount: 0,
          image: c.image,
          imageID: `${String(c.image).split(':')[0]}@sha256:${fnv32a(String(c.image)).toString(16).padStart(8, '0').repeat(8)}`,
          containerID: `containerd://${fnv32a(`${name}/${c.name}`).toString(16).padStart(8, '0').repeat(8)}`,
          started: true,
        })),
        qosClass: 'BestEffort',
      },
    };
    pod.status.qosClass = qosClass({ spec });
    return pod;
  }

  private createPod(owner: Obj, pod: Obj): Obj {
    const created = this.store.create(this.POD, pod, { harness: true, trusted: true, manager: MANAGER });
    this.scheduleReady(created.metadata.namespace, created.metadata.name);
    return created;
  }

  private scheduleReady(ns: string, name: string): void {
    if (this.stopped) return;
    const key = `PodReady|${ns}|${name}`;
    if (this.opts.readyDelayMs <= 0) {
      this.queue.add(key);
      return;
    }
    const due = Date.now() + this.opts.readyDelayMs;
    if (this.readyBatch && due - this.readyBatch.due < 25) {
      this.readyBatch.keys.push(key);
      return;
    }
    const batch = { due, keys: [key] };
    this.readyBatch = batch;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.readyBatch === batch) this.readyBatch = undefined;
      if (this.stopped) return;
      for (const k of batch.keys) this.queue.add(k);
      this.drain();
    }, this.opts.readyDelayMs);
    this.timers.add(t);
  }

  private makeReady(ns: string, name: string): void {
    const p = this.store.get(this.POD, ns, name);
    if (!p || p.metadata.deletionTimestamp || (podIsReady(p) && p.status?.conditions?.length)) return;
    const now = nowIso(this.store.now());
    const containers: Obj[] = p.spec?.containers ?? [];
    const byName = new Map<string, Obj>(
      ((p.status?.containerStatuses ?? []) as Obj[]).map((c) => [c.name, c]),
    );
    const n = this.podIp++;
    const ip = p.status?.podIP ?? `10.244.${(n >> 8) & 255}.${n & 255}`;
    const status: Obj = {
      ...(p.status ?? {}),
      phase: 'Running',
      conditions: [
        'PodReadyToStartContainers',
        'Initialized',
        'Ready',
        'ContainersReady',
        'PodScheduled',
      ].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now })),
      hostIP: p.status?.hostIP ?? '10.0.0.11',
      hostIPs: p.status?.hostIPs ?? [{ ip: '10.0.0.11' }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: p.status?.startTime ?? now,
      containerStatuses: containers.map((c) => {
        const prev = byName.get(c.name);
        return {
          name: c.name,
          state: prev?.state?.running ? prev.state : { running: { startedAt: now } },
          lastState: prev?.lastState ?? {},
          ready: true,
          restartCount: prev?.restartCount ?? 0,
          image: c.image,
          imageID:
            prev?.imageID ??
            `${String(c.image).split(':')[0]}@sha256:${fnv32a(String(c.image)).toString(16).padStart(8, '0').repeat(8)}`,
          containerID:
            prev?.containerID ??
            `containerd://${fnv32a(`${name}/${c.name}`).toString(16).padStart(8, '0').repeat(8)}`,
          started: true,
        };
      }),
      qosClass: p.status?.qosClass ?? qosClass(p),
    };
    this.update(this.POD, { ...p, status }, 'status');
  }

  // ---- Deployment ----

  private syncDeployment(ns: string, name: string): void {
    const d = this.store.get(this.DEPLOY, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const replicas: number = d.spec?.replicas ?? 1;
    const paused = d.spec?.paused === true;
    const [maxSurge, maxUnavailable] = surgeAndUnavailable(d);
    const all = this.store
      .dependents(d.metadata.uid, this.RS)
      .filter((rs) => isControlledBy(rs, d))
      .sort((a, b) =>
        a.metadata.creationTimestamp < b.metadata.creationTimestamp
          ? -1
          : a.metadata.creationTimestamp > b.metadata.creationTimestamp
            ? 1
            : a.metadata.name < b.metadata.name
              ? -1
              : 1,
      );
    const tk = templateKey(d.spec?.template);
    let newRS = all.find((rs) => templateKey(rs.spec?.template) === tk);
    const oldRSs = all.filter((rs) => rs !== newRS);
    const maxOld = oldRSs.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    const newRevision = maxOld + 1;
    let createdNew = false;

    if (newRS) {
      const ann = this.newRSAnnotations(d, newRS, newRevision, true, replicas, maxSurge);
      if (ann) newRS = this.update(this.RS, { ...newRS, metadata: { ...newRS.metadata, annotations: ann } });
    } else if (!paused) {
      newRS = this.createReplicaSet(d, newRevision, replicas, maxSurge);
      createdNew = true;
    }

    // scaling: the new ReplicaSet to spec.replicas, the old ones to 0 (paused: only the active one is scaled)
    if (newRS && !paused) {
      newRS = this.scaleRS(newRS, replicas, d, replicas, maxSurge);
      // rolling update, simplified: old pods stay until new ones are available (Recreate: they go at once);
      // the oldest ReplicaSets are scaled down first, as the real controller does
      let keep =
        d.spec?.strategy?.type === 'Recreate'
          ? 0
          : Math.max(0, replicas - (newRS.status?.availableReplicas ?? 0));
      const newestFirst = [...oldRSs].sort((a, b) => revisionOf(b) - revisionOf(a));
      for (const rs of newestFirst) {
        const cur: number = rs.spec?.replicas ?? 0;
        const target = Math.min(cur, keep);
        keep -= target;
        if (target !== cur) this.scaleRS(rs, target, d, replicas, maxSurge);
      }
    } else {
      const active =
        newRS ??
        [...oldRSs].reverse().find((rs) => (rs.spec?.replicas ?? 0) > 0) ??
        oldRSs[oldRSs.length - 1];
      if (active) {
        const scaled = this.scaleRS(active, replicas, d, replicas, maxSurge);
        if (active === newRS) newRS = scaled;
      }
    }

    // status, from the ReplicaSets as they are now
    const current = this.store.dependents(d.metadata.uid, this.RS).filter((rs) => isControlledBy(rs, d));
    const fresh = newRS ? current.find((rs) => rs.metadata.uid === newRS!.metadata.uid) : undefined;
    const sum = (f: (rs: Obj) => number): number => current.reduce((a, rs) => a + f(rs), 0);
    const statusReplicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = fresh?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const totalSpec = sum((rs) => rs.spec?.replicas ?? 0);
    const now = nowIso(this.store.now());
    let conds: Obj[] = (d.status?.conditions ?? []) as Obj[];
    conds = setCondition(
      conds,
      available >= replicas - maxUnavailable
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          },
      now,
    );
    const complete =
      !!fresh &&
      updated === replicas &&
      statusReplicas === replicas &&
      available >= replicas &&
      (fresh.status?.availableReplicas ?? 0) >= replicas;
    const prevProgress = conds.find((c) => c.type === 'Progressing');
    if (paused) {
      conds = setCondition(
        conds,
        {
          type: 'Progressing',
          status: 'Unknown',
          reason: 'DeploymentPaused',
          message: 'Deployment is paused',
        },
        now,
      );
    } else if (complete && fresh) {
      conds = setCondition(
        conds,
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${fresh.metadata.name}" has successfully progressed.`,
        },
        now,
      );
    } else if (createdNew && fresh) {
      conds = setCondition(
        conds,
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetCreated',
          message: `Created new replica set "${fresh.metadata.name}"`,
        },
        now,
      );
    } else if (prevProgress?.reason === 'DeploymentPaused') {
      conds = setCondition(
        conds,
        {
          type: 'Progressing',
          status: 'Unknown',
          reason: 'DeploymentResumed',
          message: 'Deployment is resumed',
        },
        now,
      );
    } else if (fresh && prevProgress?.reason !== 'NewReplicaSetCreated') {
      conds = setCondition(
        conds,
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${fresh.metadata.name}" is progressing.`,
        },
        now,
      );
    }
    conds = orderConditions(conds, ['Available', 'Progressing', 'ReplicaFailure']);
    const status: Obj = omitZero({
      observedGeneration: d.metadata.generation ?? 1,
      replicas: statusReplicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(totalSpec - available, 0),
    });
    status.conditions = conds;
    if (d.status?.collisionCount) status.collisionCount = d.status.collisionCount;

    // the Deployment's revision annotation follows the new ReplicaSet
    let annotations = d.metadata.annotations;
    const newRev = fresh?.metadata.annotations?.[REVISION];
    if (newRev !== undefined && annotations?.[REVISION] !== newRev)
      annotations = { ...(annotations ?? {}), [REVISION]: newRev };
    if (annotations !== d.metadata.annotations || !deepEqual(status, d.status)) {
      // one write for both (a status-subresource write could not carry the annotation)
      this.update(this.DEPLOY, { ...d, metadata: { ...d.metadata, annotations }, status });
    }

    // keep spec.revisionHistoryLimit old ReplicaSets once the rollout is done
    const limit: number | undefined = d.spec?.revisionHistoryLimit;
    if ((complete || paused) && typeof limit === 'number') {
      const old = current.filter(
        (rs) =>
          rs.metadata.uid !== fresh?.metadata.uid &&
          (rs.spec?.replicas ?? 0) === 0 &&
          (rs.status?.replicas ?? 0) === 0,
      );
      if (old.length > limit) {
        old.sort((a, b) => revisionOf(a) - revisionOf(b));
        for (const rs of old.slice(0, old.length - limit))
          this.store.delete(this.RS, ns, rs.metadata.name, {});
      }
    }
  }

  /** SetNewReplicaSetAnnotations; returns the new annotations, or undefined when nothing changes */
  private newRSAnnotations(
    d: Obj,
    rs: Obj,
    newRevision: number,
    exists: boolean,
    replicas: number,
    maxSurge: number,
  ): Record<string, string> | undefined {
    const ann: Record<string, string> = { ...(rs.metadata.annotations ?? {}) };
    let changed = false;
    for (const [k, v] of Object.entries((d.metadata.annotations ?? {}) as Record<string, string>)) {
      if (ANNOTATIONS_TO_SKIP.has(k)) continue;
      if (ann[k] !== v) {
        ann[k] = v;
        changed = true;
      }
    }
    const oldRevision = ann[REVISION];
    const oldRevisionInt = oldRevision === undefined ? 0 : Number.parseInt(oldRevision, 10);
    if (!Number.isNaN(oldRevisionInt) && oldRevisionInt < newRevision) {
      ann[REVISION] = String(newRevision);
      changed = true;
      if (oldRevision !== undefined) {
        const hist = ann[REVISION_HISTORY];
        if (!hist) ann[REVISION_HISTORY] = oldRevision;
        else {
          let parts = hist.split(',');
          let total = hist.length + oldRevision.length + 1;
          let start = 0;
          while (total > MAX_REV_HISTORY_CHARS && start < parts.length) {
            total -= parts[start]!.length + 1;
            start++;
          }
          if (total <= MAX_REV_HISTORY_CHARS) {
            parts = [...parts.slice(start), oldRevision];
            ann[REVISION_HISTORY] = parts.join(',');
          }
        }
      }
    }
    if (!exists) {
      ann[DESIRED_REPLICAS] = String(replicas);
      ann[MAX_REPLICAS] = String(replicas + maxSurge);
      changed = true;
    }
    return changed ? ann : undefined;
  }

  private createReplicaSet(d: Obj, revision: number, replicas: number, maxSurge: number): Obj {
    let collision: number = d.status?.collisionCount ?? 0;
    for (;;) {
      const hash = safeEncodeString(
        String(fnv32a(templateKey(d.spec.template) + (collision ? `#${collision}` : ''))),
      );
      const name = `${d.metadata.name}-${hash}`;
      if (this.store.get(this.RS, d.metadata.namespace, name)) {
        collision++;
        continue;
      }
      const template = clone(d.spec.template);
      template.metadata = {
        ...(template.metadata ?? {}),
        labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
      };
      const selector = clone(d.spec.selector ?? {});
      selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
      const rs: Obj = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name,
          namespace: d.metadata.namespace,
          labels: template.metadata.labels,
          ownerReferences: [controllerRef(d)],
        },
        spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
      };
      if (!rs.spec.minReadySeconds) delete rs.spec.minReadySeconds;
      rs.metadata.annotations = this.newRSAnnotations(d, rs, revision, false, replicas, maxSurge);
      return this.store.create(this.RS, rs, { harness: true, trusted: true, manager: MANAGER });
    }
  }

  private scaleRS(rs: Obj, to: number, d: Obj, replicas: number, maxSurge: number): Obj {
    const from: number = rs.spec?.replicas ?? 1;
    const ann = { ...(rs.metadata.annotations ?? {}) };
    const annChanged =
      ann[DESIRED_REPLICAS] !== String(replicas) || ann[MAX_REPLICAS] !== String(replicas + maxSurge);
    if (from === to && !annChanged) return rs;
    ann[DESIRED_REPLICAS] = String(replicas);
    ann[MAX_REPLICAS] = String(replicas + maxSurge);
    const next = this.update(this.RS, {
      ...rs,
      metadata: { ...rs.metadata, annotations: ann },
      spec: { ...rs.spec, replicas: to },
    });
    if (from !== to)
      this.event(
        d,
        'ScalingReplicaSet',
        `Scaled ${from < to ? 'up' : 'down'} replica set ${rs.metadata.name} to ${to} from ${from}`,
        'deployment-controller',
      );
    return next;
  }

  // ---- ReplicaSet ----

  private syncReplicaSet(ns: string, name: string): void {
    const rs = this.store.get(this.RS, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const desired: number = rs.spec?.replicas ?? 1;
    let pods = this.store
      .dependents(rs.metadata.uid, this.POD)
      .filter((p) => isControlledBy(p, rs) && !p.metadata.deletionTimestamp);
    if (pods.length < desired) {
      for (let i = pods.length; i < desired; i++) {
        let podName: string;
        do podName = `${rs.metadata.name}-${this.store.rng.string(5)}`;
        while (this.store.get(this.POD, ns, podName));
        const p = this.createPod(rs, this.newPod(rs, podName, rs.spec.template, {}));
        this.event(rs, 'SuccessfulCreate', `Created pod: ${p.metadata.name}`, 'replicaset-controller');
      }
    } else if (pods.length > desired) {
      const victims = [...pods]
        .sort(
          (a, b) =>
            Number(podIsReady(a)) - Number(podIsReady(b)) ||
            (a.metadata.creationTimestamp < b.metadata.creationTimestamp ? 1 : -1),
        )
        .slice(0, pods.length - desired);
      for (const p of victims) {
        this.store.delete(this.POD, ns, p.metadata.name, {});
        this.event(rs, 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'replicaset-controller');
      }
    }
    pods = this.store
      .dependents(rs.metadata.uid, this.POD)
      .filter((p) => isControlledBy(p, rs) && !p.metadata.deletionTimestamp);
    const ready = pods.filter(podIsReady).length;
    const status: Obj = omitZero(
      {
        replicas: pods.length,
        fullyLabeledReplicas: pods.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: rs.metadata.generation ?? 1,
      },
      ['replicas'],
    );
    const fresh = this.store.get(this.RS, ns, name)!;
    if (!deepEqual(status, fresh.status)) this.update(this.RS, { ...fresh, status }, 'status');
  }

  // ---- StatefulSet and DaemonSet: ControllerRevisions ----

  /** the patch a ControllerRevision stores: {"spec":{"template":{...,"$patch":"replace"}}} with sorted keys */
  private revisionData(workload: Obj): Obj {
    return sortedCopy({
      spec: { template: { ...clone(workload.spec?.template ?? {}), $patch: 'replace' } },
    }) as Obj;
  }

  /** find or create the ControllerRevision of the current template; returns [update revision, all revisions] */
  private syncRevisions(w: Obj, hashLabel: string): [Obj, Obj[]] {
    const ns: string = w.metadata.namespace;
    const data = this.revisionData(w);
    const dataText = stableStringify(data);
    let revisions = this.store
      .dependents(w.metadata.uid, this.CR)
      .filter((cr) => isControlledBy(cr, w))
      .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    const maxRev = revisions.reduce((m, cr) => Math.max(m, cr.revision ?? 0), 0);
    const equal = revisions.filter((cr) => stableStringify(cr.data) === dataText);
    let update: Obj;
    if (equal.length && equal[equal.length - 1] === revisions[revisions.length - 1]) {
      update = equal[equal.length - 1]!;
    } else if (equal.length) {
      const cr = equal[equal.length - 1]!;
      update = this.update(this.CR, { ...cr, revision: maxRev + 1 });
    } else {
      let collision: number = w.status?.collisionCount ?? 0;
      for (;;) {
        const hash = safeEncodeString(String(fnv32a(dataText + (collision ? `#${collision}` : ''))));
        const name = `${w.metadata.name}-${hash}`;
        if (this.store.get(this.CR, ns, name)) {
          collision++;
          continue;
        }
        const cr: Obj = {
          apiVersion: 'apps/v1',
          kind: 'ControllerRevision',
          metadata: {
            name,
            namespace: ns,
            labels: { ...(w.spec?.template?.metadata?.labels ?? {}), [hashLabel]: hash },
            ownerReferences: [controllerRef(w)],
          },
          data,
          revision: maxRev + 1,
        };
        if (w.metadata.annotations && Object.keys(w.metadata.annotations).length)
          cr.metadata.annotations = { ...w.metadata.annotations };
        update = this.store.create(this.CR, cr, { harness: true, trusted: true, manager: MANAGER });
        break;
      }
    }
    revisions = this.store
      .dependents(w.metadata.uid, this.CR)
      .filter((cr) => isControlledBy(cr, w))
      .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    return [update, revisions];
  }

  private truncateHistory(w: Obj, revisions: Obj[], live: Set<string>): void {
    const limit: number = w.spec?.revisionHistoryLimit ?? 10;
    const dead = revisions.filter((cr) => !live.has(cr.metadata.name));
    if (dead.length <= limit) return;
    for (const cr of dead.slice(0, dead.length - limit))
      this.store.delete(this.CR, w.metadata.namespace, cr.metadata.name, {});
  }

  private syncStatefulSet(ns: string, name: string): void {
    const sts = this.store.get(this.STS, ns, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const [update, revisions] = this.syncRevisions(sts, 'controller.kubernetes.io/hash');
    const replicas: number = sts.spec?.replicas ?? 1;
    const updateName: string = update.metadata.name;
    const pods = new Map<string, Obj>();
    for (const p of this.store.dependents(sts.metadata.uid, this.POD))
      if (isControlledBy(p, sts)) pods.set(p.metadata.name, p);
    for (let i = 0; i < replicas; i++) {
      const podName = `${name}-${i}`;
      let p = pods.get(podName);
      if (p && p.metadata.labels?.['controller-revision-hash'] !== updateName) {
        this.store.delete(this.POD, ns, podName, {});
        this.event(
          sts,
          'SuccessfulDelete',
          `delete Pod ${podName} in StatefulSet ${name} successful`,
          'statefulset-controller',
        );
        p = undefined;
      }
      if (!p) {
        const extraSpec: Obj = { hostname: podName };
        if (sts.spec?.serviceName) extraSpec.subdomain = sts.spec.serviceName;
        this.createPod(
          sts,
          this.newPod(
            sts,
            podName,
            sts.spec.template,
            {
              'controller-revision-hash': updateName,
              'statefulset.kubernetes.io/pod-name': podName,
              'apps.kubernetes.io/pod-index': String(i),
            },
            extraSpec,
          ),
        );
        this.event(
          sts,
          'SuccessfulCreate',
          `create Pod ${podName} in StatefulSet ${name} successful`,
          'statefulset-controller',
        );
      }
      pods.delete(podName);
    }
    for (const p of pods.values()) {
      this.store.delete(this.POD, ns, p.metadata.name, {});
      this.event(
        sts,
        'SuccessfulDelete',
        `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`,
        'statefulset-controller',
      );
    }
    const current = this.store.dependents(sts.metadata.uid, this.POD).filter((p) => isControlledBy(p, sts));
    const ready = current.filter(podIsReady).length;
    const updated = current.filter(
      (p) => p.metadata.labels?.['controller-revision-hash'] === updateName,
    ).length;
    let currentRevision: string = sts.status?.currentRevision || updateName;
    let currentReplicas = current.filter(
      (p) => p.metadata.labels?.['controller-revision-hash'] === currentRevision,
    ).length;
    if (updated === replicas && ready === replicas) {
      currentRevision = updateName;
      currentReplicas = updated;
    }
    const status: Obj = omitZero(
      {
        observedGeneration: sts.metadata.generation ?? 1,
        replicas: current.length,
        readyReplicas: ready,
        currentReplicas,
        updatedReplicas: updated,
        currentRevision,
        updateRevision: updateName,
        collisionCount: sts.status?.collisionCount ?? 0,
        availableReplicas: ready,
      },
      ['replicas', 'collisionCount', 'availableReplicas'],
    );
    const fresh = this.store.get(this.STS, ns, name)!;
    if (!deepEqual(status, fresh.status)) this.update(this.STS, { ...fresh, status }, 'status');
    this.truncateHistory(sts, revisions, new Set([currentRevision, updateName]));
  }

  private syncDaemonSet(ns: string, name: string): void {
    const ds = this.store.get(this.DS, ns, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const [update, revisions] = this.syncRevisions(ds, 'controller-revision-hash');
    const hash: string = update.metadata.labels?.['controller-revision-hash'];
    const gen = String(ds.metadata.generation ?? 1);
    let pods = this.store.dependents(ds.metadata.uid, this.POD).filter((p) => isControlledBy(p, ds));
    for (const p of pods) {
      if (p.metadata.labels?.['controller-revision-hash'] !== hash) {
        this.store.delete(this.POD, ns, p.metadata.name, {});
        this.event(ds, 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'daemonset-controller');
      }
    }
    pods = this.store.dependents(ds.metadata.uid, this.POD).filter((p) => isControlledBy(p, ds));
    if (pods.length === 0) {
      let podName: string;
      do podName = `${name}-${this.store.rng.string(5)}`;
      while (this.store.get(this.POD, ns, podName));
      const p = this.createPod(
        ds,
        this.newPod(ds, podName, ds.spec.template, {
          'controller-revision-hash': hash,
          'pod-template-generation': gen,
        }),
      );
      this.event(ds, 'SuccessfulCreate', `Created pod: ${p.metadata.name}`, 'daemonset-controller');
      pods = [p];
    }
    const ready = pods.filter(podIsReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).length;
    const status: Obj = omitZero(
      {
        currentNumberScheduled: pods.length,
        numberMisscheduled: 0,
        desiredNumberScheduled: 1,
        numberReady: ready,
        observedGeneration: ds.metadata.generation ?? 1,
        updatedNumberScheduled: updated,
        numberAvailable: ready,
        numberUnavailable: Math.max(1 - ready, 0),
      },
      ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
    );
    const fresh = this.store.get(this.DS, ns, name)!;
    if (!deepEqual(status, fresh.status)) this.update(this.DS, { ...fresh, status }, 'status');
    this.truncateHistory(ds, revisions, new Set([update.metadata.name]));
  }

  // ---- HTTPRoute status, as a Gateway API implementation writes it ----

  private syncHTTPRoute(ns: string, name: string): void {
    const r = this.store.get(this.ROUTE, ns, name);
    if (!r) return;
    const missing: string[] = [];
    let invalidKind: string | undefined;
    for (const rule of (r.spec?.rules ?? []) as Obj[]) {
      for (const b of (rule?.backendRefs ?? []) as Obj[]) {
        const group = b?.group ?? '';
        const kind = b?.kind ?? 'Service';
        const bns = b?.namespace ?? ns;
        if (group === '' && kind === 'Service') {
          if (!this.store.get(this.SERVICE, bns, b?.name)) missing.push(b?.name);
        } else {
          invalidKind ??= `${group}/${kind}`;
        }
      }
    }
    const gen = r.metadata.generation ?? 1;
    const now = nowIso(this.store.now());
    const oldParents: Obj[] = r.status?.parents ?? [];
    const parents = ((r.spec?.parentRefs ?? []) as Obj[]).map((ref, i) => {
      const old = oldParents[i];
      const resolved = invalidKind
        ? {
            type: 'ResolvedRefs',
            status: 'False',
            reason: 'InvalidKind',
            message: `Unsupported backend kind ${invalidKind}`,
          }
        : missing.length
          ? {
              type: 'ResolvedRefs',
              status: 'False',
              reason: 'BackendNotFound',
              message: `backend ref to Service "${missing[0]}" not found`,
            }
          : {
              type: 'ResolvedRefs',
              status: 'True',
              reason: 'ResolvedRefs',
              message: 'Resolved all the Object references for the Route',
            };
      const conds = [
        { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route is accepted' },
        resolved,
      ].map((c) => {
        const prev = ((old?.conditions ?? []) as Obj[]).find((x) => x.type === c.type);
        return {
          ...c,
          observedGeneration: gen,
          lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now,
        };
      });
      return {
        parentRef: ref,
        controllerName: 'sandbox.firebreak.dev/gateway-controller',
        conditions: conds,
      };
    });
    if (parents.length === 0) return;
    const status = { ...(r.status ?? {}), parents };
    if (!deepEqual(status, r.status)) this.update(this.ROUTE, { ...r, status }, 'status');
  }

  // ---- Knative Service status, as Knative Serving writes it (one revision per Service: traffic moves only) ----

  private syncKnativeService(ns: string, name: string): void {
    const s = this.store.get(this.KSVC, ns, name);
    if (!s) return;
    const gen = s.metadata.generation ?? 1;
    const latest: string = s.status?.latestReadyRevisionName ?? `${name}-00001`;
    const now = nowIso(this.store.now());
    const spec: Obj[] = s.spec?.traffic?.length ? s.spec.traffic : [{ latestRevision: true, percent: 100 }];
    const traffic = spec.map((t) => ({
      ...(t.tag ? { tag: t.tag } : {}),
      revisionName: t.revisionName ?? latest,
      latestRevision: t.revisionName === undefined,
      percent: t.percent ?? 0,
    }));
    const conditions = ['ConfigurationsReady', 'Ready', 'RoutesReady'].map((type) => {
      const prev = ((s.status?.conditions ?? []) as Obj[]).find((c) => c.type === type);
      return {
        type,
        status: 'True',
        lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : now,
      };
    });
    const status = {
      ...(s.status ?? {}),
      observedGeneration: gen,
      latestCreatedRevisionName: latest,
      latestReadyRevisionName: latest,
      url: `http://${name}.${ns}.example.com`,
      traffic,
      conditions,
    };
    if (!deepEqual(status, s.status)) this.update(this.KSVC, { ...s, status }, 'status');
  }
}
