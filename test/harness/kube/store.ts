// In-memory object storage: one table per kind, one global resourceVersion counter, an event history for
// watches that resume from a resourceVersion, an owner index for garbage collection and controllers, and the
// create/update/delete pipeline (defaults, validation, generation, managedFields, preconditions, dry run).
import { errors } from './errors';
import { CORE, defForKind, type ResourceDef } from './resources';
import { applyDefaults, recordManagedFields, validate } from './strategy';
import type { Obj, WatchEventType } from './types';
import { clone, deepEqual, nowIso, type Rng } from './util';

export interface Entry {
  obj: Obj;
  /** JSON text of obj, made on first use; stored objects are never modified, so it stays valid */
  json?: string;
}

export function entryJson(e: Entry): string {
  return (e.json ??= JSON.stringify(e.obj));
}

export interface HistoryEvent {
  rv: number;
  type: WatchEventType;
  def: ResourceDef;
  entry: Entry;
  prev: Obj | undefined;
}

export interface StoreWatcher {
  def: ResourceDef;
  namespace: string | undefined;
  onEvent(type: WatchEventType, entry: Entry, prev: Obj | undefined): void;
}

export interface WriteCtx {
  dryRun?: boolean;
  /** fieldManager to record in managedFields; none: nothing recorded */
  manager?: string;
  operation?: 'Update' | 'Apply';
  fields?: Obj;
  /** 'status': only the status is taken from the input */
  subresource?: 'status' | 'scale';
  /** reject when input metadata.resourceVersion differs from the stored one */
  checkRv?: boolean;
  /** a harness write (store.apply, controllers): namespaces are created on demand and status is taken as given */
  harness?: boolean;
  /**
   * the controllers' own writes: the input is built from stored (already defaulted, valid) objects and is not
   * modified afterwards, so it is neither copied nor defaulted nor validated again
   */
  trusted?: boolean;
}

export interface DeleteCtx {
  dryRun?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
}

function lowerBound(keys: string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class KindTable {
  readonly items = new Map<string, Entry>();
  private sorted: string[] | null = [];
  set(key: string, e: Entry): void {
    const isNew = !this.items.has(key);
    this.items.set(key, e);
    if (isNew && this.sorted) this.sorted.splice(lowerBound(this.sorted, key), 0, key);
  }
  delete(key: string): void {
    if (!this.items.delete(key)) return;
    if (this.sorted) {
      const i = lowerBound(this.sorted, key);
      if (this.sorted[i] === key) this.sorted.splice(i, 1);
    }
  }
  /** for bulk loads: sort once, later */
  setUnsorted(key: string, e: Entry): void {
    this.items.set(key, e);
    this.sorted = null;
  }
  keys(): string[] {
    if (!this.sorted) this.sorted = [...this.items.keys()].sort();
    return this.sorted;
  }
}

const HISTORY_MAX = 100_000;

export const objKey = (def: ResourceDef, ns: string | undefined, name: string): string =>
  def.namespaced ? `${ns ?? ''}/${name}` : name;

function sameForNoop(a: Obj, b: Obj): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === 'metadata') continue;
    if (!deepEqual(a[k], b[k])) return false;
  }
  const ma = a.metadata ?? {};
  const mb = b.metadata ?? {};
  for (const k of new Set([...Object.keys(ma), ...Object.keys(mb)])) {
    if (k === 'resourceVersion' || k === 'managedFields') continue;
    if (!deepEqual(ma[k], mb[k])) return false;
  }
  return true;
}

export class Store {
  rv = 0;
  /**
   * The clock timestamps are stamped from (creationTimestamp, event and condition times). A seed sets it to the
   * scenario's own times while it plays the story, so objects carry when things happened, not when the test began.
   */
  now: () => number = Date.now;
  /** resourceVersions at or below this are compacted: watches and lists from them answer 410 */
  compactedRv = 0;
  /** every event with rv > historyFloor is in history */
  historyFloor = 0;
  history: HistoryEvent[] = [];
  private historyStart = 0;
  private tables = new Map<ResourceDef, KindTable>();
  private owners = new Map<string, Map<string, { def: ResourceDef; key: string }>>();
  readonly watchers = new Map<ResourceDef, Set<StoreWatcher>>();
  readonly listeners = new Set<(type: WatchEventType, obj: Obj) => void>();
  /** set by the controller manager */
  afterCommit:
    ((def: ResourceDef, type: WatchEventType, obj: Obj, prev: Obj | undefined) => void) | undefined;
  private clusterIp = 10;

  constructor(readonly rng: Rng) {}

  table(def: ResourceDef): KindTable {
    let t = this.tables.get(def);
    if (!t) this.tables.set(def, (t = new KindTable()));
    return t;
  }

  getEntry(def: ResourceDef, ns: string | undefined, name: string): Entry | undefined {
    return this.tables.get(def)?.items.get(objKey(def, ns, name));
  }

  get(def: ResourceDef, ns: string | undefined, name: string): Obj | undefined {
    return this.getEntry(def, ns, name)?.obj;
  }

  count(def: ResourceDef): number {
    return this.tables.get(def)?.items.size ?? 0;
  }

  /**
   * Visit entries in key order (namespace/name), optionally only one namespace, starting at key `from`.
   * The visitor returns false to stop.
   */
  scan(
    def: ResourceDef,
    ns: string | undefined,
    from: string | undefined,
    visit: (e: Entry, key: string) => boolean,
  ): void {
    const t = this.tables.get(def);
    if (!t) return;
    const keys = t.keys();
    const prefix = def.namespaced && ns !== undefined ? `${ns}/` : '';
    let i = lowerBound(keys, from !== undefined && from > prefix ? from : prefix);
    for (; i < keys.length; i++) {
      const k = keys[i]!;
      if (prefix && !k.startsWith(prefix)) break;
      const e = t.items.get(k);
      if (e && !visit(e, k)) break;
    }
  }

  list(def: ResourceDef, ns?: string): Obj[] {
    const out: Obj[] = [];
    this.scan(def, ns, undefined, (e) => {
      out.push(e.obj);
      return true;
    });
    return out;
  }

  /** objects whose ownerReferences name uid, optionally of one kind */
  dependents(uid: string, def?: ResourceDef): Obj[] {
    const m = this.owners.get(uid);
    if (!m) return [];
    const out: Obj[] = [];
    for (const ref of m.values()) {
      if (def && ref.def !== def) continue;
      const e = this.tables.get(ref.def)?.items.get(ref.key);
      if (e) out.push(e.obj);
    }
    return out;
  }

  private indexOwners(def: ResourceDef, key: string, obj: Obj | undefined, prev: Obj | undefined): void {
    const id = `${def.apiVersion}|${def.kind}|${key}`;
    for (const r of (prev?.metadata?.ownerReferences ?? []) as Obj[]) this.owners.get(r?.uid)?.delete(id);
    for (const r of (obj?.metadata?.ownerReferences ?? []) as Obj[]) {
      if (!r?.uid) continue;
      let m = this.owners.get(r.uid);
      if (!m) this.owners.set(r.uid, (m = new Map()));
      m.set(id, { def, key });
    }
  }

  // ---- bulk load ----

  /** load objects without events or controllers; returns the defs seen */
  load(objects: Obj[]): Set<ResourceDef> {
    const seen = new Set<ResourceDef>();
    const now = nowIso(this.now());
    const namespaces = new Set<string>();
    const nsDef = CORE('Namespace');
    for (const input of objects) {
      const def = defForKind(input.apiVersion, input.kind);
      if (!def || def.virtual)
        throw new Error(`test kube server: cannot load ${input.apiVersion} ${input.kind}`);
      const meta: Obj = { ...input.metadata };
      const obj: Obj = { ...input, metadata: meta };
      if (def.namespaced) {
        meta.namespace ??= 'default';
        namespaces.add(meta.namespace);
      } else delete meta.namespace;
      meta.uid ??= this.rng.uuid();
      meta.creationTimestamp ??= now;
      if (def.generation) meta.generation ??= 1;
      if (def.group === 'apps' && obj.spec) {
        obj.spec = copyForDefaults(obj.spec);
        applyDefaults(def, obj);
      } else if (def === nsDef) {
        applyDefaults(def, obj);
      }
      meta.resourceVersion = String(++this.rv);
      const key = objKey(def, meta.namespace, meta.name);
      const t = this.table(def);
      const prev = t.items.get(key)?.obj;
      t.setUnsorted(key, { obj });
      this.indexOwners(def, key, obj, prev);
      seen.add(def);
    }
    for (const ns of namespaces) if (!this.get(nsDef, undefined, ns)) this.loadNamespace(ns, now);
    return seen;
  }

  loadNamespace(ns: string, now = nowIso(this.now())): void {
    const def = CORE('Namespace');
    const obj: Obj = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        uid: this.rng.uuid(),
        creationTimestamp: now,
        resourceVersion: String(++this.rv),
      },
    };
    applyDefaults(def, obj);
    this.table(def).set(ns, { obj });
  }

  // ---- writes ----

  private commit(type: WatchEventType, def: ResourceDef, obj: Obj, prev: Obj | undefined): Entry {
    const rv = ++this.rv;
    obj.metadata.resourceVersion = String(rv);
    const key = objKey(def, obj.metadata.namespace, obj.metadata.name);
    const t = this.table(def);
    const entry: Entry = { obj };
    if (type === 'DELETED') {
      t.delete(key);
      this.indexOwners(def, key, undefined, prev);
    } else {
      t.set(key, entry);
      this.indexOwners(def, key, obj, prev);
    }
    this.history.push({ rv, type, def, entry, prev });
    if (this.history.length - this.historyStart > HISTORY_MAX) {
      const drop = this.history.length - this.historyStart - HISTORY_MAX;
      this.historyStart += drop;
      this.historyFloor = this.history[this.historyStart - 1]!.rv;
      if (this.historyStart > HISTORY_MAX) {
        this.history = this.history.slice(this.historyStart);
        this.historyStart = 0;
      }
    }
    const ws = this.watchers.get(def);
    if (ws) {
      const ns = obj.metadata.namespace;
      for (const w of [...ws])
        if (w.namespace === undefined || w.namespace === ns) w.onEvent(type, entry, prev);
    }
    if (this.listeners.size) {
      for (const l of [...this.listeners]) {
        try {
          l(type, JSON.parse(entryJson(entry)));
        } catch {
          // a listener's error is the listener's problem
        }
      }
    }
    this.afterCommit?.(def, type, obj, prev);
    return entry;
  }

  /** history events with rv > from (from must be >= historyFloor) */
  eventsSince(from: number): HistoryEvent[] {
    const h = this.history;
    let lo = this.historyStart;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[mid]!.rv <= from) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }

  compact(): void {
    this.compactedRv = this.rv;
    this.historyFloor = this.rv;
    this.history = [];
    this.historyStart = 0;
  }

  ensureNamespace(ns: string): void {
    const def = CORE('Namespace');
    if (this.get(def, undefined, ns)) return;
    this.create(def, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { harness: true });
  }

  create(def: ResourceDef, input: Obj, ctx: WriteCtx): Obj {
    const obj: Obj = ctx.trusted ? { ...input, metadata: { ...input.metadata } } : clone(input);
    obj.apiVersion = def.apiVersion;
    obj.kind = def.kind;
    const meta: Obj = (obj.metadata ??= {});
    if (def.namespaced) {
      if (!meta.namespace) meta.namespace = 'default';
      if (!this.get(CORE('Namespace'), undefined, meta.namespace)) {
        if (ctx.harness) this.ensureNamespace(meta.namespace);
        else throw errors.namespaceNotFound(meta.namespace);
      }
    } else delete meta.namespace;
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName)
      meta.name = `${meta.generateName}${this.rng.string(5)}`;
    if (typeof meta.name === 'string' && this.getEntry(def, meta.namespace, meta.name))
      throw errors.alreadyExists(def, meta.name);
    delete meta.resourceVersion;
    if (!ctx.harness || !meta.uid) meta.uid = this.rng.uuid();
    if (!ctx.harness || !meta.creationTimestamp) meta.creationTimestamp = nowIso(this.now());
    delete meta.deletionTimestamp;
    if (def.generation) meta.generation = 1;
    else delete meta.generation;
    if (!ctx.harness) delete meta.managedFields;
    if (def.status && !ctx.harness) {
      if (def.kind === 'Pod' && def.group === '') obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
      else delete obj.status;
    }
    if (!ctx.trusted) {
      applyDefaults(def, obj);
      validate(def, obj, undefined);
    }
    if (
      def.kind === 'Service' &&
      def.group === '' &&
      obj.spec &&
      obj.spec.type !== 'ExternalName' &&
      obj.spec.clusterIP === undefined
    ) {
      const n = this.clusterIp++;
      obj.spec.clusterIP = `10.96.${(n >> 8) & 255}.${n & 255}`;
      obj.spec.clusterIPs = [obj.spec.clusterIP];
    }
    if (ctx.manager)
      recordManagedFields(
        obj,
        undefined,
        ctx.manager,
        ctx.operation ?? 'Update',
        def.apiVersion,
        nowIso(this.now()),
        ctx.fields ?? {},
        ctx.subresource,
      );
    if (ctx.dryRun) return obj;
    this.commit('ADDED', def, obj, undefined);
    return obj;
  }

  /** input: the complete new object (PUT body, or the patched object) */
  update(def: ResourceDef, ns: string | undefined, name: string, input: Obj, ctx: WriteCtx): Obj {
    const old = this.get(def, ns, name);
    if (!old) throw errors.notFound(def, name);
    const obj: Obj = ctx.trusted ? input : clone(input);
    const inMeta: Obj = obj.metadata ?? {};
    if (
      ctx.checkRv &&
      inMeta.resourceVersion !== undefined &&
      inMeta.resourceVersion !== '' &&
      String(inMeta.resourceVersion) !== old.metadata.resourceVersion
    ) {
      throw errors.conflict(def, name);
    }
    if (inMeta.uid !== undefined && inMeta.uid !== '' && inMeta.uid !== old.metadata.uid && !ctx.harness) {
      throw errors.conflict(
        def,
        name,
        `Precondition failed: UID in precondition: ${inMeta.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    let result: Obj;
    if (ctx.subresource === 'status') {
      // stored objects are never modified, so sharing their parts is safe
      result = { ...old, metadata: { ...old.metadata }, status: obj.status };
      if (obj.status === undefined) delete result.status;
    } else {
      result = { ...obj };
      result.apiVersion = def.apiVersion;
      result.kind = def.kind;
      const meta: Obj = { ...inMeta };
      meta.name = old.metadata.name;
      if (def.namespaced) meta.namespace = old.metadata.namespace;
      else delete meta.namespace;
      meta.uid = old.metadata.uid;
      meta.creationTimestamp = old.metadata.creationTimestamp;
      if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.generation !== undefined) meta.generation = old.metadata.generation;
      else delete meta.generation;
      if (!(ctx.harness && inMeta.managedFields) || ctx.trusted) {
        if (old.metadata.managedFields) meta.managedFields = old.metadata.managedFields;
        else delete meta.managedFields;
      }
      result.metadata = meta;
      const keepStatus = def.status && !(ctx.harness && 'status' in obj);
      if (keepStatus) {
        if (old.status !== undefined) result.status = old.status;
        else delete result.status;
      }
      if (!ctx.trusted) {
        applyDefaults(def, result);
        validate(def, result, old);
      }
    }
    if (def.generation) {
      let changed: boolean;
      if (def.custom) {
        changed = false;
        for (const k of new Set([...Object.keys(old), ...Object.keys(result)])) {
          if (k === 'metadata' || k === 'status') continue;
          if (!deepEqual(old[k], result[k])) {
            changed = true;
            break;
          }
        }
      } else changed = !deepEqual(old.spec, result.spec);
      result.metadata.generation = (old.metadata.generation ?? 1) + (changed ? 1 : 0);
    }
    result.metadata.resourceVersion = old.metadata.resourceVersion;
    if (sameForNoop(result, old)) return old;
    if (ctx.manager)
      recordManagedFields(
        result,
        result.metadata.managedFields,
        ctx.manager,
        ctx.operation ?? 'Update',
        def.apiVersion,
        nowIso(this.now()),
        ctx.fields ?? {},
        ctx.subresource,
      );
    if (ctx.dryRun) return result;
    this.commit('MODIFIED', def, result, old);
    return result;
  }

  delete(def: ResourceDef, ns: string | undefined, name: string, ctx: DeleteCtx): Obj {
    const old = this.get(def, ns, name);
    if (!old) throw errors.notFound(def, name);
    const pre = ctx.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw errors.conflict(
        def,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(
        def,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    if (ctx.dryRun) return old;
    const gone: Obj = { ...old, metadata: { ...old.metadata } };
    this.commit('DELETED', def, gone, old);
    const uid: string = old.metadata.uid;
    if (def.kind === 'Namespace' && def.group === '') {
      // everything in the namespace goes, at once (a real cluster shows Terminating for a while)
      for (const [d, t] of this.tables) {
        if (!d.namespaced) continue;
        for (const e of [...t.items.values()]) {
          const o = e.obj;
          if (o.metadata.namespace !== name || this.get(d, name, o.metadata.name) !== o) continue;
          this.commit('DELETED', d, { ...o, metadata: { ...o.metadata } }, o);
        }
      }
    }
    const deps = this.owners.get(uid);
    if (deps && deps.size) {
      for (const ref of [...deps.values()]) {
        const e = this.tables.get(ref.def)?.items.get(ref.key);
        if (!e) continue;
        const dep = e.obj;
        if (ctx.propagationPolicy === 'Orphan') {
          const refs = ((dep.metadata.ownerReferences ?? []) as Obj[]).filter((r) => r.uid !== uid);
          const next: Obj = { ...dep, metadata: { ...dep.metadata } };
          if (refs.length) next.metadata.ownerReferences = refs;
          else delete next.metadata.ownerReferences;
          this.update(ref.def, dep.metadata.namespace, dep.metadata.name, next, {
            harness: true,
            manager: 'kube-controller-manager',
          });
        } else {
          const others = ((dep.metadata.ownerReferences ?? []) as Obj[]).filter(
            (r) => r.uid !== uid && this.ownerExists(r, dep.metadata.namespace),
          );
          if (others.length === 0)
            this.delete(ref.def, dep.metadata.namespace, dep.metadata.name, {
              propagationPolicy: ctx.propagationPolicy,
            });
        }
      }
    }
    return gone;
  }

  private ownerExists(ref: Obj, ns: string | undefined): boolean {
    const def = defForKind(ref.apiVersion, ref.kind);
    if (!def) return false;
    const o = this.get(def, def.namespaced ? ns : undefined, ref.name);
    return !!o && o.metadata.uid === ref.uid;
  }
}

/** copy the parts of a workload spec that defaulting writes to, so a caller's object is never modified */
function copyForDefaults(spec: Obj): Obj {
  const out: Obj = { ...spec };
  if (spec.strategy) out.strategy = { ...spec.strategy };
  if (spec.updateStrategy) out.updateStrategy = { ...spec.updateStrategy };
  const t = spec.template;
  if (t && typeof t === 'object') {
    const ps = t.spec;
    const copyContainers = (cs: unknown): unknown =>
      Array.isArray(cs)
        ? cs.map((c) =>
            c && typeof c === 'object'
              ? { ...c, ...(Array.isArray(c.ports) ? { ports: c.ports.map((p: Obj) => ({ ...p })) } : {}) }
              : c,
          )
        : cs;
    out.template = {
      ...t,
      metadata: { ...(t.metadata ?? {}) },
      ...(ps && typeof ps === 'object'
        ? {
            spec: {
              ...ps,
              containers: copyContainers(ps.containers),
              ...(ps.initContainers ? { initContainers: copyContainers(ps.initContainers) } : {}),
            },
          }
        : {}),
    };
  }
  return out;
}

export function qosClass(pod: Obj): string {
  const cs: Obj[] = pod.spec?.containers ?? [];
  let any = false;
  let guaranteed = cs.length > 0;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r])))
        guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
