// JSON merge patch (RFC 7386) and strategic merge patch for the fields of the built-in kinds used here.
// Both return new objects and never modify their inputs (unchanged subtrees are shared).
import type { Obj } from './types';

export function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Obj = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

// ---- strategic merge patch ----

/** patchMergeKey of the list fields whose patchStrategy is "merge" (k8s.io/api types) */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  resourceClaims: 'name',
  topologySpreadConstraints: 'topologyKey',
  conditions: 'type',
  ownerReferences: 'uid',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
};
/** primitive lists with patchStrategy "merge" */
const PRIMITIVE_MERGE = new Set(['finalizers']);

function mergeKeyFor(field: string, orig: unknown[] | undefined, patch: unknown[]): string | undefined {
  if (field === 'ports') {
    const items = [...(orig ?? []), ...patch].filter(isPlainObject);
    return items.some((i) => 'containerPort' in i) ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

const DELETE = Symbol('delete');

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v))
    return v.filter((i) => !(isPlainObject(i) && i.$patch === 'delete')).map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (x === null) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

function smpMap(orig: Obj | undefined, patch: Obj): Obj | typeof DELETE {
  if (patch.$patch === 'delete') return DELETE;
  if (patch.$patch === 'replace') return stripDirectives(patch) as Obj;
  const result: Obj = orig ? { ...orig } : {};
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders.push([k.slice('$setElementOrder/'.length), v]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(result[f]) && Array.isArray(v))
        result[f] = (result[f] as unknown[]).filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete result[k];
    } else if (isPlainObject(v)) {
      const r = smpMap(isPlainObject(result[k]) ? result[k] : undefined, v);
      if (r === DELETE) delete result[k];
      else result[k] = r;
    } else if (Array.isArray(v)) {
      result[k] = smpList(k, Array.isArray(result[k]) ? result[k] : undefined, v);
    } else {
      result[k] = v;
    }
  }
  for (const [f, order] of orders) {
    const list = result[f];
    if (!Array.isArray(list)) continue;
    const key = mergeKeyFor(f, list, []);
    const pos = (item: unknown): number => {
      const idx = order.findIndex((o) =>
        key && isPlainObject(o) && isPlainObject(item) ? o[key] === item[key] : o === item,
      );
      return idx < 0 ? Number.MAX_SAFE_INTEGER : idx;
    };
    result[f] = list
      .map((item, i) => ({ item, i }))
      .sort((a, b) => pos(a.item) - pos(b.item) || a.i - b.i)
      .map((x) => x.item);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(result)) if (!keep.has(k)) delete result[k];
  }
  return result;
}

function smpList(field: string, orig: unknown[] | undefined, patch: unknown[]): unknown[] {
  if (PRIMITIVE_MERGE.has(field)) {
    const out = [...(orig ?? [])];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const key = mergeKeyFor(field, orig, patch);
  if (!key) return stripDirectives(patch) as unknown[];
  if (patch.some((i) => isPlainObject(i) && i.$patch === 'replace')) {
    return stripDirectives(patch.filter((i) => !(isPlainObject(i) && i.$patch === 'replace'))) as unknown[];
  }
  const out = [...(orig ?? [])];
  for (const item of patch) {
    if (!isPlainObject(item)) continue;
    const idx = out.findIndex((o) => isPlainObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = smpMap(out[idx] as Obj, item);
      if (merged === DELETE) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      out.push(stripDirectives(item));
    }
  }
  return out;
}

export function strategicMergePatch(orig: Obj, patch: unknown): Obj {
  if (!isPlainObject(patch)) throw new Error('strategic merge patch must be a JSON object');
  const r = smpMap(orig, patch);
  return r === DELETE ? {} : r;
}
