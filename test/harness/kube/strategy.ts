// Per-kind defaulting and validation, as the real registry strategies and admission webhooks do them.
import { ApiError, errors } from './errors';
import type { ResourceDef } from './resources';
import { labelSelectorObjMatches } from './selectors';
import type { Obj } from './types';
import { stableStringify } from './util';

// ---- defaulting ----

function defaultContainer(c: Obj): void {
  if (c.terminationMessagePath === undefined) c.terminationMessagePath = '/dev/termination-log';
  if (c.terminationMessagePolicy === undefined) c.terminationMessagePolicy = 'File';
  if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
    const last = c.image.split('/').pop() ?? '';
    const tagged = last.includes(':') || c.image.includes('@');
    c.imagePullPolicy = !tagged || c.image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
  }
  if (c.resources === undefined) c.resources = {};
  for (const p of (c.ports ?? []) as Obj[]) if (p.protocol === undefined) p.protocol = 'TCP';
}

export function defaultPodSpec(spec: Obj | undefined): void {
  if (!spec || typeof spec !== 'object') return;
  for (const c of (spec.containers ?? []) as Obj[]) if (c && typeof c === 'object') defaultContainer(c);
  for (const c of (spec.initContainers ?? []) as Obj[]) if (c && typeof c === 'object') defaultContainer(c);
  if (spec.restartPolicy === undefined) spec.restartPolicy = 'Always';
  if (spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = 30;
  if (spec.dnsPolicy === undefined) spec.dnsPolicy = 'ClusterFirst';
  if (spec.securityContext === undefined) spec.securityContext = {};
  if (spec.schedulerName === undefined) spec.schedulerName = 'default-scheduler';
}

function defaultTemplate(spec: Obj | undefined): void {
  if (!spec || typeof spec !== 'object') return;
  if (spec.template && typeof spec.template === 'object') {
    if (!spec.template.metadata) spec.template.metadata = {};
    // metav1.ObjectMeta.creationTimestamp has no omitempty: templates always carry it as null
    if (spec.template.metadata.creationTimestamp === undefined)
      spec.template.metadata.creationTimestamp = null;
    defaultPodSpec(spec.template.spec);
  }
}

/** mutates obj (a fresh copy owned by the caller) */
export function applyDefaults(def: ResourceDef, obj: Obj): void {
  const spec = obj.spec;
  switch (`${def.apiVersion}|${def.kind}`) {
    case 'apps/v1|Deployment':
      if (!spec) return;
      if (spec.replicas === undefined) spec.replicas = 1;
      if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
      if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
      if (spec.strategy === undefined) spec.strategy = { type: 'RollingUpdate' };
      if (spec.strategy.type === undefined) spec.strategy.type = 'RollingUpdate';
      if (spec.strategy.type === 'RollingUpdate') {
        spec.strategy.rollingUpdate = {
          maxUnavailable: '25%',
          maxSurge: '25%',
          ...(spec.strategy.rollingUpdate ?? {}),
        };
      }
      defaultTemplate(spec);
      return;
    case 'apps/v1|ReplicaSet':
      if (!spec) return;
      if (spec.replicas === undefined) spec.replicas = 1;
      defaultTemplate(spec);
      return;
    case 'apps/v1|StatefulSet':
      if (!spec) return;
      if (spec.replicas === undefined) spec.replicas = 1;
      if (spec.podManagementPolicy === undefined) spec.podManagementPolicy = 'OrderedReady';
      if (spec.updateStrategy === undefined) spec.updateStrategy = { type: 'RollingUpdate' };
      if (spec.updateStrategy.type === 'RollingUpdate' && spec.updateStrategy.rollingUpdate === undefined)
        spec.updateStrategy.rollingUpdate = { partition: 0 };
      if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
      if (spec.persistentVolumeClaimRetentionPolicy === undefined)
        spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Retain' };
      defaultTemplate(spec);
      return;
    case 'apps/v1|DaemonSet':
      if (!spec) return;
      if (spec.updateStrategy === undefined) spec.updateStrategy = { type: 'RollingUpdate' };
      if (spec.updateStrategy.type === 'RollingUpdate')
        spec.updateStrategy.rollingUpdate = {
          maxUnavailable: 1,
          maxSurge: 0,
          ...(spec.updateStrategy.rollingUpdate ?? {}),
        };
      if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
      defaultTemplate(spec);
      return;
    case 'v1|Pod':
      defaultPodSpec(spec);
      return;
    case 'v1|Service':
      if (!spec) return;
      if (spec.type === undefined) spec.type = 'ClusterIP';
      if (spec.sessionAffinity === undefined) spec.sessionAffinity = 'None';
      for (const p of (spec.ports ?? []) as Obj[]) {
        if (p.protocol === undefined) p.protocol = 'TCP';
        if (p.targetPort === undefined) p.targetPort = p.port;
      }
      if (spec.ipFamilies === undefined) spec.ipFamilies = ['IPv4'];
      if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = 'SingleStack';
      if (spec.internalTrafficPolicy === undefined) spec.internalTrafficPolicy = 'Cluster';
      return;
    case 'v1|Namespace':
      obj.metadata.labels = {
        ...(obj.metadata.labels ?? {}),
        'kubernetes.io/metadata.name': obj.metadata.name,
      };
      if (!obj.spec) obj.spec = { finalizers: ['kubernetes'] };
      if (!obj.status) obj.status = { phase: 'Active' };
      return;
  }
}

// ---- validation ----

type Cause = { field: string; message: string; reason?: string };

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function goMap(m: Record<string, string> | undefined): string {
  const entries = Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return `map[string]string{${entries.map(([k, v]) => `"${k}":"${v}"`).join(', ')}}`;
}

export function validateName(def: ResourceDef, name: unknown): Cause[] {
  if (typeof name !== 'string' || name === '')
    return [
      {
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
        reason: 'FieldValueRequired',
      },
    ];
  const label = def.kind === 'Namespace' || (def.kind === 'Service' && def.group === '');
  if (label) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return [
        {
          field: 'metadata.name',
          message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        },
      ];
    }
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [
      {
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ];
  }
  return [];
}

function validatePodSpec(spec: Obj | undefined, path: string, causes: Cause[]): void {
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ field: `${path}.containers`, message: 'Required value', reason: 'FieldValueRequired' });
    return;
  }
  const names = new Set<string>();
  containers.forEach((c: Obj, i: number) => {
    if (!c || typeof c.name !== 'string' || !c.name)
      causes.push({
        field: `${path}.containers[${i}].name`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    else if (names.has(c.name))
      causes.push({
        field: `${path}.containers[${i}].name`,
        message: `Duplicate value: "${c.name}"`,
        reason: 'FieldValueDuplicate',
      });
    else names.add(c.name);
    if (!c || typeof c.image !== 'string' || !c.image)
      causes.push({
        field: `${path}.containers[${i}].image`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
  });
}

function validateWorkload(def: ResourceDef, obj: Obj, old: Obj | undefined, causes: Cause[]): void {
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') {
    causes.push({ field: 'spec', message: 'Required value', reason: 'FieldValueRequired' });
    return;
  }
  const sel = spec.selector;
  if (
    !sel ||
    (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
  ) {
    causes.push({
      field: 'spec.selector',
      message: sel
        ? `Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for ${def.singular}`
        : 'Required value',
      reason: sel ? 'FieldValueInvalid' : 'FieldValueRequired',
    });
  } else if (!labelSelectorObjMatches(sel, spec.template?.metadata?.labels)) {
    causes.push({
      field: 'spec.template.metadata.labels',
      message: `Invalid value: ${goMap(spec.template?.metadata?.labels)}: \`selector\` does not match template \`labels\``,
    });
  }
  if (
    spec.replicas !== undefined &&
    (typeof spec.replicas !== 'number' || !Number.isInteger(spec.replicas) || spec.replicas < 0)
  ) {
    causes.push({
      field: 'spec.replicas',
      message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`,
    });
  }
  if (!spec.template || typeof spec.template !== 'object')
    causes.push({ field: 'spec.template', message: 'Required value', reason: 'FieldValueRequired' });
  else {
    validatePodSpec(spec.template.spec, 'spec.template.spec', causes);
    const rp = spec.template.spec?.restartPolicy;
    if (rp !== undefined && rp !== 'Always')
      causes.push({
        field: 'spec.template.spec.restartPolicy',
        message: `Unsupported value: "${rp}": supported values: "Always"`,
        reason: 'FieldValueNotSupported',
      });
  }
  if (old && stableStringify(old.spec?.selector) !== stableStringify(spec.selector)) {
    causes.push({
      field: 'spec.selector',
      message: `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable`,
    });
  }
}

function webhookDenied(webhook: string, message: string): ApiError {
  return new ApiError(400, 'BadRequest', `admission webhook "${webhook}" denied the request: ${message}`);
}

/** throws an ApiError when obj is invalid */
export function validate(def: ResourceDef, obj: Obj, old: Obj | undefined): void {
  const causes: Cause[] = old ? [] : validateName(def, obj.metadata?.name);
  switch (`${def.apiVersion}|${def.kind}`) {
    case 'apps/v1|Deployment':
    case 'apps/v1|ReplicaSet':
    case 'apps/v1|StatefulSet':
    case 'apps/v1|DaemonSet':
      validateWorkload(def, obj, old, causes);
      break;
    case 'v1|Pod':
      validatePodSpec(obj.spec, 'spec', causes);
      break;
    case 'gateway.networking.k8s.io/v1|HTTPRoute':
      ((obj.spec?.rules ?? []) as Obj[]).forEach((r, i) =>
        ((r?.backendRefs ?? []) as Obj[]).forEach((b, j) => {
          const w = b?.weight;
          if (w === undefined) return;
          const f = `spec.rules[${i}].backendRefs[${j}].weight`;
          if (typeof w !== 'number' || !Number.isInteger(w))
            causes.push({
              field: f,
              message: `Invalid value: "${typeof w}": ${f} in body must be of type integer: "${typeof w}"`,
              reason: 'FieldValueTypeInvalid',
            });
          else if (w < 0)
            causes.push({
              field: f,
              message: `Invalid value: ${w}: ${f} in body should be greater than or equal to 0`,
            });
          else if (w > 1000000)
            causes.push({
              field: f,
              message: `Invalid value: ${w}: ${f} in body should be less than or equal to 1000000`,
            });
        }),
      );
      break;
    case 'networking.istio.io/v1|VirtualService':
      for (const h of (obj.spec?.http ?? []) as Obj[]) {
        const route: Obj[] = h?.route ?? [];
        if (route.length > 1) {
          const sum = route.reduce((a, r) => a + (typeof r?.weight === 'number' ? r.weight : 0), 0);
          if (sum !== 100)
            throw webhookDenied(
              'validation.istio.io',
              `configuration is invalid: total destination weight ${sum} != 100`,
            );
        }
      }
      break;
    case 'serving.knative.dev/v1|Service': {
      const traffic: Obj[] | undefined = obj.spec?.traffic;
      if (Array.isArray(traffic) && traffic.length) {
        const sum = traffic.reduce((a, t) => a + (typeof t?.percent === 'number' ? t.percent : 0), 0);
        if (sum !== 100)
          throw webhookDenied(
            'validation.webhook.serving.knative.dev',
            `validation failed: Traffic targets sum to ${sum}, want 100: spec.traffic`,
          );
      }
      break;
    }
    case 'serving.kserve.io/v1beta1|InferenceService': {
      const p = obj.spec?.predictor?.canaryTrafficPercent;
      if (p !== undefined && (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 100)) {
        causes.push({
          field: 'spec.predictor.canaryTrafficPercent',
          message: `Invalid value: ${JSON.stringify(p)}: spec.predictor.canaryTrafficPercent in body should be less than or equal to 100`,
        });
      }
      break;
    }
  }
  if (causes.length) throw errors.invalid(def, obj.metadata?.name ?? '', causes);
}

// ---- managedFields ----

function toFieldsV1(v: unknown, depth: number): Obj {
  if (depth <= 0 || v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) {
    if (k.startsWith('$')) continue;
    out[`f:${k}`] = toFieldsV1(x, depth - 1);
  }
  return out;
}

/** fieldsV1 approximated from the document a write sent (top levels only; no list keys) */
export function fieldsFromBody(body: unknown): Obj {
  if (Array.isArray(body)) {
    // JSON Patch: the first path segments of each op
    const out: Obj = {};
    for (const op of body as Obj[]) {
      const segs = String(op?.path ?? '')
        .split('/')
        .slice(1, 4)
        .filter((s) => s && !/^\d+$/.test(s) && s !== '-');
      let cur = out;
      for (const s of segs) cur = cur[`f:${s.replace(/~1/g, '/').replace(/~0/g, '~')}`] ??= {};
    }
    return out;
  }
  const f = toFieldsV1(body, 4);
  delete f['f:apiVersion'];
  delete f['f:kind'];
  const meta = f['f:metadata'];
  if (meta) {
    for (const k of [
      'f:name',
      'f:namespace',
      'f:resourceVersion',
      'f:uid',
      'f:creationTimestamp',
      'f:managedFields',
      'f:generation',
    ])
      delete meta[k];
    if (Object.keys(meta).length === 0) delete f['f:metadata'];
  }
  return f;
}

function mergeFields(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? mergeFields(out[k], v) : v;
  return out;
}

export function recordManagedFields(
  obj: Obj,
  prev: Obj[] | undefined,
  manager: string,
  operation: 'Update' | 'Apply',
  apiVersion: string,
  time: string,
  fields: Obj,
  subresource?: string,
): void {
  const list: Obj[] = (prev ?? []).map((e) => e);
  const idx = list.findIndex(
    (e) =>
      e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? ''),
  );
  const entry: Obj = {
    manager,
    operation,
    apiVersion,
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: idx >= 0 ? mergeFields(list[idx]!.fieldsV1 ?? {}, fields) : fields,
  };
  if (subresource) entry.subresource = subresource;
  if (idx >= 0) list[idx] = entry;
  else list.push(entry);
  obj.metadata.managedFields = list;
}
