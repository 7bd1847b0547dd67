/**
 * Alerts as the console shows them: Alertmanager's (firing, or suppressed by a silence or an inhibition)
 * joined with Prometheus's pending ones (Alertmanager never sees an alert before its `for:` has passed),
 * grouped by the model service they are about.
 */
import { safeHttpUrl, type Alert, type AlertGroup } from '../../shared/alerts';
import type { AmAlert } from './alertmanager';
import type { PrometheusAlert } from './prometheus';

/** What grouping needs to know of a model service. */
export interface AlertOwner {
  id: string;
  name: string;
  namespace: string;
  modelName: string;
  podPrefix: string;
  /** the workload's own name (the id's last part), which rules often label `deployment` or `model` */
  workload: string;
}

const RUNBOOK_KEYS = ['runbook_url', 'runbook', 'runbookURL', 'runbook_link', 'playbook'];

function pick(obj: Record<string, string>, ...keys: string[]): string | null {
  for (const k of keys) if (obj[k]) return obj[k]!;
  return null;
}

/** Prometheus's alert fingerprint is not exposed for pending alerts: a stable one from the sorted labels. */
export function labelFingerprint(labels: Record<string, string>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

function toAlert(
  labels: Record<string, string>,
  annotations: Record<string, string>,
  state: Alert['state'],
  extra: { fingerprint: string; startsAt: string | null; silencedBy: string[]; source: Alert['source'] },
): Alert {
  return {
    fingerprint: extra.fingerprint,
    name: labels.alertname ?? '(unnamed)',
    state,
    severity: labels.severity ?? null,
    summary: pick(annotations, 'summary', 'message', 'title'),
    description: pick(annotations, 'description'),
    labels,
    annotations,
    runbookUrl: safeHttpUrl(pick(annotations, ...RUNBOOK_KEYS) ?? pick(labels, ...RUNBOOK_KEYS)),
    startsAt: extra.startsAt,
    silencedBy: extra.silencedBy,
    source: extra.source,
  };
}

export function fromAlertmanager(a: AmAlert): Alert {
  const suppressed = a.status.state === 'suppressed';
  return toAlert(a.labels, a.annotations, suppressed ? 'suppressed' : 'firing', {
    fingerprint: a.fingerprint,
    startsAt: a.startsAt ?? null,
    silencedBy: [
      ...(a.status.silencedBy ?? []),
      ...(a.status.inhibitedBy ?? []).map((id) => `inhibited by ${id}`),
    ],
    source: 'alertmanager',
  });
}

/** Pending alerts from Prometheus; its firing ones are already in Alertmanager (when Alertmanager is configured). */
export function fromPrometheus(alerts: PrometheusAlert[], includeFiring: boolean): Alert[] {
  return alerts
    .filter((a) => a.state === 'pending' || (includeFiring && a.state === 'firing'))
    .map((a) =>
      toAlert(a.labels, a.annotations, a.state === 'pending' ? 'pending' : 'firing', {
        fingerprint: labelFingerprint(a.labels),
        startsAt: a.activeAt,
        silencedBy: [],
        source: 'prometheus',
      }),
    );
}

/**
 * Which model service an alert is about: by `namespace` plus the pod (prefix), or a `model`/`model_name`/
 * `deployment`/`service`/`inferenceservice` label naming the service, its workload or the model it serves.
 */
export function ownerOf(labels: Record<string, string>, owners: readonly AlertOwner[]): AlertOwner | null {
  const ns = labels.namespace ?? labels.exported_namespace;
  const pod = labels.pod ?? labels.exported_pod;
  const inNs = owners.filter((o) => !ns || o.namespace === ns);
  if (pod && ns) {
    let best: AlertOwner | null = null;
    for (const o of inNs)
      if (pod.startsWith(o.podPrefix) && (!best || o.podPrefix.length > best.podPrefix.length)) best = o;
    if (best) return best;
  }
  const names = ['model', 'model_name', 'deployment', 'service', 'inferenceservice', 'app', 'job_name']
    .map((k) => labels[k])
    .filter((v): v is string => !!v);
  for (const n of names) {
    const o = inNs.find((x) => x.workload === n || x.name === n || x.modelName === n);
    if (o) return o;
  }
  return null;
}

const STATE_ORDER: Record<Alert['state'], number> = { firing: 0, pending: 1, suppressed: 2 };
const SEVERITY_ORDER: Record<string, number> = { critical: 0, page: 0, error: 1, warning: 2, info: 3 };

function alertOrder(a: Alert, b: Alert): number {
  return (
    STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
    (SEVERITY_ORDER[a.severity ?? ''] ?? 4) - (SEVERITY_ORDER[b.severity ?? ''] ?? 4) ||
    a.name.localeCompare(b.name) ||
    a.fingerprint.localeCompare(b.fingerprint)
  );
}

/** Groups alerts by model service; alerts about no known service are grouped by their namespace/model labels. */
export function groupAlerts(alerts: Alert[], owners: readonly AlertOwner[]): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const a of alerts) {
    const owner = ownerOf(a.labels, owners);
    let key: string;
    let label: string;
    if (owner) {
      key = owner.id;
      label = `${owner.namespace}/${owner.name}`;
    } else {
      const ns = a.labels.namespace ?? a.labels.exported_namespace;
      const model = a.labels.model ?? a.labels.model_name ?? a.labels.deployment;
      key = ns || model ? `label:${ns ?? '*'}/${model ?? '*'}` : 'other';
      label =
        ns || model
          ? `${ns ?? '(any namespace)'}/${model ?? '(no model label)'}`
          : 'Not about a model service';
    }
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, label, serviceId: owner?.id ?? null, alerts: [] }));
    g.alerts.push(a);
  }
  const list = [...groups.values()];
  for (const g of list) g.alerts.sort(alertOrder);
  const rank = (g: AlertGroup) => Math.min(...g.alerts.map((a) => STATE_ORDER[a.state]));
  return list.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.key === 'other' ? 1 : 0) - (b.key === 'other' ? 1 : 0) ||
      a.label.localeCompare(b.label),
  );
}

/** Alertmanager's matcher semantics, for the audit entry's "before" (which alerts the silence will cover). */
export function matchesSilence(
  labels: Record<string, string>,
  matchers: ReadonlyArray<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>,
): boolean {
  return matchers.every((m) => {
    const v = labels[m.name] ?? '';
    let hit: boolean;
    if (m.isRegex) {
      try {
        hit = new RegExp(`^(?:${m.value})$`).test(v);
      } catch {
        hit = false;
      }
    } else hit = v === m.value;
    return m.isEqual ? hit : !hit;
  });
}

const UNIT: Record<string, string> = { s: 's', m: 'min', h: 'h', d: 'd', w: 'w' };

/**
 * What an alert's value is, as far as its rule's PromQL says: "at last evaluation", plus the rate window when
 * the expression has exactly one (`rate(x[2m])`, or a recording rule named `…:rate2m` by the usual
 * level:metric:operation convention). No window is invented when none can be read, and an alert no Prometheus
 * rule of ours evaluates (sent to Alertmanager by another tool) gets no note: nothing says what its value is.
 */
export function valueNote(query: string | undefined): string | undefined {
  if (!query) return undefined;
  const base = 'at last evaluation';
  const windows = new Set<string>();
  for (const m of query.matchAll(/\[(\d+)([smhdw])(?::[^\]]*)?\]/g)) windows.add(`${m[1]}-${UNIT[m[2]!]}`);
  for (const m of query.matchAll(/:[a-z0-9_]*?rate(\d+)([smhdw])\b/g)) windows.add(`${m[1]}-${UNIT[m[2]!]}`);
  if (windows.size !== 1) return base;
  const kind = /\b(rate|irate|increase)\(|:[a-z0-9_]*rate\d/.test(query) ? 'rate' : 'window';
  return `${base}, ${[...windows][0]} ${kind}`;
}
