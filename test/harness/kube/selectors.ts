// Label and field selectors, in the string syntax of ?labelSelector= / ?fieldSelector= and as LabelSelector objects.
import { errors } from './errors';
import type { ResourceDef } from './resources';
import type { Obj } from './types';

type Req = {
  key: string;
  op: 'eq' | 'neq' | 'in' | 'notin' | 'exists' | '!exists' | 'gt' | 'lt';
  values: string[];
};

export type Matcher = (o: Obj) => boolean;

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x.length > 0);
}

export function parseLabelSelector(s: string): Req[] {
  const reqs: Req[] = [];
  for (const part of splitTopLevel(s)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s!=<>()]+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      reqs.push({
        key: m[1]!,
        op: m[2] as 'in' | 'notin',
        values: m[3]!
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v.length > 0),
      });
    } else if ((m = part.match(/^([^\s!=<>()]+)\s*(==|!=|=)\s*([^\s]*)$/))) {
      reqs.push({ key: m[1]!, op: m[2] === '!=' ? 'neq' : 'eq', values: [m[3]!] });
    } else if ((m = part.match(/^([^\s!=<>()]+)\s*(<|>)\s*(-?\d+)$/))) {
      reqs.push({ key: m[1]!, op: m[2] === '>' ? 'gt' : 'lt', values: [m[3]!] });
    } else if ((m = part.match(/^!\s*([^\s!=<>()]+)$/))) {
      reqs.push({ key: m[1]!, op: '!exists', values: [] });
    } else if ((m = part.match(/^([^\s!=<>()]+)$/))) {
      reqs.push({ key: m[1]!, op: 'exists', values: [] });
    } else {
      throw errors.badRequest(
        `unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`,
      );
    }
  }
  return reqs;
}

function matchReqs(reqs: Req[], labels: Record<string, string> | undefined): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels![r.key] : undefined;
    switch (r.op) {
      case 'eq':
        if (v !== r.values[0]) return false;
        break;
      case 'neq':
        if (v === r.values[0]) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        const t = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > t) : !(n < t)) return false;
        break;
      }
    }
  }
  return true;
}

export function labelMatcher(s: string | undefined): Matcher | null {
  if (!s || !s.trim()) return null;
  const reqs = parseLabelSelector(s);
  return (o) => matchReqs(reqs, o.metadata?.labels);
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const KIND_FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Namespace: ['status.phase'],
  ReplicaSet: ['status.replicas'],
  'events.k8s.io|Event': [
    'regarding.kind',
    'regarding.namespace',
    'regarding.name',
    'regarding.uid',
    'regarding.apiVersion',
    'regarding.resourceVersion',
    'regarding.fieldPath',
    'reason',
    'reportingController',
    'type',
  ],
  Node: ['spec.unschedulable'],
};

function fieldValue(o: Obj, path: string): string {
  if (path === 'source') return o.source?.component ?? o.reportingComponent ?? '';
  let cur: unknown = o;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Obj)[p];
  }
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

export function fieldMatcher(s: string | undefined, def: ResourceDef): Matcher | null {
  if (!s || !s.trim()) return null;
  const allowed = def.custom
    ? COMMON_FIELDS
    : [
        ...COMMON_FIELDS,
        ...(def.group === ''
          ? (KIND_FIELDS[def.kind] ?? [])
          : def.kind === 'ReplicaSet'
            ? KIND_FIELDS.ReplicaSet!
            : (KIND_FIELDS[`${def.group}|${def.kind}`] ?? [])),
      ];
  const reqs: { path: string; neq: boolean; value: string }[] = [];
  for (const part of splitTopLevel(s)) {
    const m = part.match(/^([^!=]+?)\s*(==|!=|=)\s*(.*)$/);
    if (!m) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const path = m[1]!.trim();
    if (!allowed.includes(path)) throw errors.badRequest(`field label not supported: ${path}`);
    reqs.push({ path, neq: m[2] === '!=', value: m[3]!.trim() });
  }
  return (o) => reqs.every((r) => (fieldValue(o, r.path) === r.value) !== r.neq);
}

/** LabelSelector object ({matchLabels, matchExpressions}) -> matcher over a label map */
export function labelSelectorObjMatches(
  sel: Obj | undefined | null,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return false;
  const ml: Record<string, string> = sel.matchLabels ?? {};
  for (const [k, v] of Object.entries(ml)) if (labels?.[k] !== v) return false;
  for (const e of (sel.matchExpressions ?? []) as Obj[]) {
    const v = labels?.[e.key];
    const has = labels !== undefined && e.key in labels;
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(v)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(v)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** LabelSelector object -> the string form (`a=b,c in (d)`), as client-go's LabelSelectorAsSelector prints it */
export function labelSelectorToString(sel: Obj | undefined | null): string {
  if (!sel) return '';
  const parts: { key: string; s: string }[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>))
    parts.push({ key: k, s: `${k}=${v}` });
  for (const e of (sel.matchExpressions ?? []) as Obj[]) {
    const vals = [...((e.values ?? []) as string[])].sort().join(',');
    if (e.operator === 'In') parts.push({ key: e.key, s: `${e.key} in (${vals})` });
    else if (e.operator === 'NotIn') parts.push({ key: e.key, s: `${e.key} notin (${vals})` });
    else if (e.operator === 'Exists') parts.push({ key: e.key, s: e.key });
    else if (e.operator === 'DoesNotExist') parts.push({ key: e.key, s: `!${e.key}` });
  }
  parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return parts.map((p) => p.s).join(',');
}
