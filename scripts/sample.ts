/**
 * `npm run sample`: makes the bundled sample incident (resources/sample-incident/sample-incident.fbi) from the sandbox scenario,
 * deterministically and with fixed dates. The story: llama-70b-chat rolls to vLLM v0.6.4 (revision 2), its error
 * ratio and p95 rise, the alert fires, the commander declares, moves the chat route to llama-8b-chat, rolls back,
 * restores the route; the model recovers and the incident is closed.
 *
 * The metrics are the scenario's own counters sampled every 15 s (the same model the sandbox's Prometheus is
 * backfilled from), read the way the catalogue reads vLLM: rates of http_requests_total and p95 from the latency
 * histogram. The objects are the scenario's, through the inventory's own projections; the capture, timeline,
 * clock and file are Firebreak's production code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createScenario, type Sample } from '../test/harness/scenario';
import { INVENTORY_KINDS } from '../main/kube/inventory/kinds';
import { openStore } from '../main/store';
import type { CapturedObject, ModelKey } from '../main/incident/changes';
import {
  ingest,
  newMemory,
  updateChangePoints,
  type CaptureFrame,
  type FrameAlert,
  type FrameSeries,
} from '../main/incident/recorder';
import { declare, type IncidentRecord } from '../main/incident/incidents';
import { exportIncident } from '../main/incident/incidentFile';

export const SAMPLE_NOW = new Date('2026-10-14T18:00:00Z');
export const SAMPLE_ID = 'inc-2026-10-14-sample';
const ACTOR = 'dana@firebreak-sample';
const STEP_S = 15;
const RATE_WINDOW_S = 60;

const min = 60_000;

export function buildSample(outFile: string): { bytes: number; captures: number } {
  const sc = createScenario({ now: SAMPLE_NOW, historyHours: 2, fineHours: 2, stepSeconds: STEP_S });
  const R = sc.incident.startsAt.getTime(); // the rollout
  const t = {
    alert: R + 2 * min,
    declare: R + 4 * min,
    note: R + 5 * min,
    route: R + 6 * min,
    rollback: R + 9 * min,
    restore: R + 13 * min,
    close: R + 26 * min,
    end: R + 30 * min,
  };
  const start = R - 30 * min;
  const bad = sc.incident.model;
  const models = sc.models.map((w) => ({
    serviceId: `${w.namespace}/${w.kind}/${w.name}`,
    name: w.name,
    namespace: w.namespace,
  }));
  const bySvc = new Map(models.map((m) => [m.name, m.serviceId]));

  // --- the cluster over time: scenario objects, our changes applied, through the inventory's projections
  const project = (raw: Record<string, unknown>): CapturedObject | null => {
    const kind = INVENTORY_KINDS.find(
      (k) =>
        k.name === raw.kind ||
        (raw.kind === 'Service' && k.name === 'Service' && String(raw.apiVersion) === 'v1'),
    );
    return kind ? (kind.project(raw) as unknown as CapturedObject | null) : null;
  };
  const base = sc.kubeObjects() as Array<Record<string, unknown>>;
  const badDeployment = sc.kubeHistory()[0]!.objects[0] as Record<string, unknown>;
  const goodDeployment = base.find(
    (o) => o.kind === 'Deployment' && (o.metadata as { name: string }).name === bad,
  )!;
  const route = base.find((o) => o.kind === 'HTTPRoute')!;
  const withRv = (o: Record<string, unknown>, rv: string, extra: Record<string, unknown> = {}) => {
    const meta = {
      ...(o.metadata as Record<string, unknown>),
      resourceVersion: rv,
      uid: `uid-${(o.metadata as { name: string }).name}-${String(o.kind)}`,
      ...extra,
    };
    return { ...o, metadata: meta };
  };
  const deploymentAt = (ms: number) => {
    const rolledBack = ms >= t.rollback;
    const d = ms >= R && !rolledBack ? badDeployment : goodDeployment;
    const revision = rolledBack ? 3 : ms >= R ? 2 : 1;
    const meta = d.metadata as { annotations?: Record<string, string> };
    const settling = (ms >= R && ms < R + 2 * min) || (rolledBack && ms < t.rollback + 2 * min);
    const replicas = (d.spec as { replicas: number }).replicas;
    return {
      ...withRv(d, `d-${revision}-${settling ? 's' : 'r'}`, {
        annotations: { ...meta.annotations, 'deployment.kubernetes.io/revision': String(revision) },
        generation: revision,
      }),
      status: {
        replicas,
        readyReplicas: settling ? replicas - 1 : replicas,
        availableReplicas: settling ? replicas - 1 : replicas,
        updatedReplicas: replicas,
        observedGeneration: revision,
      },
    };
  };
  const ready = (o: Record<string, unknown>) => {
    const n = (o.spec as { replicas?: number }).replicas ?? 1;
    return {
      ...o,
      status: {
        replicas: n,
        readyReplicas: n,
        availableReplicas: n,
        updatedReplicas: n,
        observedGeneration: 1,
      },
    };
  };
  const routeAt = (ms: number) => {
    const toFallback = ms >= t.route && ms < t.restore;
    const spec = route.spec as { rules: Array<{ backendRefs: Array<Record<string, unknown>> }> };
    const rules = spec.rules.map((r) => ({
      ...r,
      backendRefs: r.backendRefs.map((b) => ({
        ...b,
        weight: b.name === bad ? (toFallback ? 0 : 100) : toFallback ? 100 : 0,
      })),
    }));
    return withRv(
      { ...route, spec: { ...spec, rules } },
      toFallback ? 'r-2' : ms >= t.restore ? 'r-3' : 'r-1',
    );
  };
  const podsAt = (ms: number) => {
    const out: Array<Record<string, unknown>> = [];
    for (const w of sc.workloads) {
      if (w.kind !== 'Deployment') continue;
      const rev = w.name === bad && ms >= R && ms < t.rollback ? 2 : 1;
      sc.podNames(w.name, rev).forEach((name, i) => {
        const restarts =
          w.name === bad && rev === 2 ? Math.floor(Math.max(0, ms - R - 3 * min) / (4 * min)) : 0;
        out.push({
          kind: 'Pod',
          apiVersion: 'v1',
          metadata: {
            name,
            namespace: w.namespace,
            uid: `uid-${name}`,
            resourceVersion: `p-${rev}-${restarts}`,
            labels: { 'app.kubernetes.io/name': w.name },
          },
          spec: {
            nodeName: w.placement[i]?.node ?? '',
            containers: [
              {
                name: w.container,
                image: rev === 2 ? sc.incident.badImage : w.image,
                resources: { limits: { 'nvidia.com/gpu': String(w.gpusPerReplica) } },
              },
            ],
          },
          status: {
            phase: 'Running',
            containerStatuses: [{ name: w.container, ready: true, restartCount: restarts }],
          },
        });
      });
    }
    return out;
  };
  const objectsAt = (ms: number): CapturedObject[] => {
    const raw = [
      ...base
        .filter(
          (o) =>
            o.kind !== 'HTTPRoute' &&
            !(o.kind === 'Deployment' && (o.metadata as { name: string }).name === bad),
        )
        .map((o, i) => withRv(o.kind === 'Deployment' ? ready(o) : o, `b-${i}`)),
      deploymentAt(ms),
      routeAt(ms),
      ...podsAt(ms),
    ];
    return raw.map(project).filter((o): o is CapturedObject => o !== null);
  };

  // --- the metrics: the scenario's counters every 15 s, under the conditions our actions made
  const conditionsAt = (ms: number) => {
    const c = sc.conditionsAt(ms / 1000);
    const fallback = ms >= t.route && ms < t.restore;
    return {
      ...c,
      broken: ms >= R && ms < t.rollback ? new Set([bad]) : new Set<string>(),
      routeShares: fallback ? { [bad]: 0, 'llama-8b-chat': 1 } : c.routeShares,
    };
  };
  const state = sc.initialLiveState();
  const times: number[] = [];
  for (let ms = start - 10 * min; ms <= t.end; ms += STEP_S * 1000) times.push(ms);
  // warm the counters up to the first sample
  const history: Array<Map<string, number>> = [];
  const gpuUtil: Array<Map<string, number[]>> = [];
  for (const ms of times) {
    const samples: Sample[] = sc.sampleAt(ms / 1000, state, conditionsAt(ms));
    const acc = new Map<string, number>();
    const util = new Map<string, number[]>();
    for (const s of samples) {
      const name = s.def.name;
      const l = s.def.labels;
      const modelOfPod = (pod?: string) =>
        sc.workloads.find((w) => pod && pod.startsWith(`${w.name}-`))?.name;
      if (name === 'DCGM_FI_DEV_GPU_UTIL') {
        const m = modelOfPod(l.pod ?? l.exported_pod);
        if (m) util.set(m, [...(util.get(m) ?? []), s.value]);
        continue;
      }
      if (name !== 'http_requests_total' && name !== 'vllm:e2e_request_latency_seconds_bucket') continue;
      const m = modelOfPod(l.pod);
      if (!m) continue;
      if (name === 'http_requests_total') {
        if (!String(l.handler ?? '').startsWith('/v1/')) continue;
        const k = `${m}|req`;
        acc.set(k, (acc.get(k) ?? 0) + s.value);
        if (String(l.status).startsWith('5')) acc.set(`${m}|err`, (acc.get(`${m}|err`) ?? 0) + s.value);
      } else {
        const k = `${m}|le=${l.le}`;
        acc.set(k, (acc.get(k) ?? 0) + s.value);
      }
    }
    history.push(acc);
    gpuUtil.push(util);
  }
  const lag = RATE_WINDOW_S / STEP_S;
  const rate = (i: number, key: string) => {
    if (i < lag) return null;
    const a = history[i - lag]!.get(key);
    const b = history[i]!.get(key);
    return a === undefined || b === undefined ? null : Math.max(0, b - a) / RATE_WINDOW_S;
  };
  const p95 = (i: number, m: string) => {
    if (i < lag) return null;
    const buckets = [...history[i]!.keys()]
      .filter((k) => k.startsWith(`${m}|le=`))
      .map((k) => ({
        le: k.slice(m.length + 4) === '+Inf' ? Infinity : Number(k.slice(m.length + 4)),
        n: (history[i]!.get(k) ?? 0) - (history[i - lag]!.get(k) ?? 0),
      }))
      .sort((a, b) => a.le - b.le);
    const total = buckets.at(-1)?.n ?? 0;
    if (total <= 0) return null;
    const rank = 0.95 * total;
    let prevLe = 0;
    let prevN = 0;
    for (const b of buckets) {
      if (b.n >= rank)
        return b.le === Infinity
          ? prevLe
          : prevLe + ((b.le - prevLe) * (rank - prevN)) / Math.max(1e-9, b.n - prevN);
      prevLe = b.le;
      prevN = b.n;
    }
    return null;
  };
  const seriesFor = (m: string, from: number, to: number): FrameSeries[] => {
    const id = bySvc.get(m)!;
    const idx = times.map((ms, i) => [ms, i] as const).filter(([ms]) => ms > from && ms <= to);
    if (idx.length === 0) return [];
    const t0Ms = idx[0]![0];
    const mk = (
      metric: FrameSeries['metric'],
      unit: FrameSeries['unit'],
      f: (i: number) => number | null,
    ): FrameSeries => ({
      key: `${id}:${metric}`,
      model: id,
      metric,
      unit,
      t0Ms,
      stepS: STEP_S,
      values: idx.map(([, i]) => {
        const v = f(i);
        return v === null ? null : Math.round(v * 1e5) / 1e5;
      }),
    });
    return [
      mk('requests', 'reqps', (i) => rate(i, `${m}|req`)),
      mk('errorRatio', 'ratio', (i) => {
        const r = rate(i, `${m}|req`);
        const e = rate(i, `${m}|err`) ?? 0;
        return r && r > 0 ? e / r : null;
      }),
      mk('p95', 'seconds', (i) => p95(i, m)),
      mk('gpuUtil', 'percent', (i) => {
        const u = gpuUtil[i]!.get(m);
        return u && u.length ? u.reduce((s, x) => s + x, 0) / u.length : null;
      }),
    ];
  };

  // --- record it with the production recorder
  const store = openStore(':memory:');
  const memory = newMemory();
  const alert = (ms: number): FrameAlert[] =>
    ms >= t.alert && ms < t.restore
      ? [
          {
            fingerprint: 'a1b2c3d4e5f60718',
            name: 'ModelHighErrorRate',
            state: 'firing',
            severity: 'page',
            summary: `${bad}: more than 5% of requests fail (2-min rate)`,
            labels: { alertname: 'ModelHighErrorRate', namespace: 'llm', service: bad, severity: 'page' },
            startsMs: t.alert,
            model: bySvc.get(bad)!,
          },
        ]
      : [];
  const actions = [
    {
      at: t.route,
      action: 'traffic',
      target: 'HTTPRoute llm/chat',
      before: { [bad]: 100, 'llama-8b-chat': 0 },
      after: { [bad]: 0, 'llama-8b-chat': 100 },
    },
    {
      at: t.rollback,
      action: 'rollback',
      target: `Deployment llm/${bad}`,
      before: { revision: 2, image: sc.incident.badImage },
      after: { revision: 1, image: sc.incident.goodImage },
    },
    {
      at: t.restore,
      action: 'traffic',
      target: 'HTTPRoute llm/chat',
      before: { [bad]: 0, 'llama-8b-chat': 100 },
      after: { [bad]: 100, 'llama-8b-chat': 0 },
    },
  ];
  let rec: IncidentRecord | null = null;
  let last = start - 10 * min;
  const involvedNames = [bad, 'llama-8b-chat'];
  const modelKeys: ModelKey[] = models;
  // the rollout as the deployment controller reports it (Normal events the recorder keeps: ScalingReplicaSet)
  const rolloutEvents = (ms: number) =>
    ms >= R
      ? [
          { to: 2, from: 1, msg: `Scaled up replica set ${bad}-rev2 to 4 from 0` },
          { to: 1, from: 2, msg: `Scaled down replica set ${bad}-rev1 to 0 from 4` },
        ].map((e, i) => ({
          key: `Deployment llm/${bad}|ScalingReplicaSet|llm/${bad}.rollout-${e.to}-${e.from}`,
          uid: `ev-${bad}-scaling-${i}`,
          type: 'Normal',
          reason: 'ScalingReplicaSet',
          message: e.msg,
          count: 1,
          firstMs: R + i * 40_000,
          lastMs: R + i * 40_000,
          object: `Deployment llm/${bad}`,
          namespace: 'llm',
          name: bad,
        }))
      : [];
  const events = (ms: number) =>
    ms >= R + 3 * min && ms < t.rollback
      ? sc.podNames(bad, 2).map((pod) => ({
          uid: `ev-${pod}-unhealthy`,
          type: 'Warning',
          reason: 'Unhealthy',
          message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
          count: 1 + Math.floor((Math.min(ms, t.rollback) - (R + 3 * min)) / 10_000),
          firstMs: R + 3 * min,
          lastMs: Math.min(ms, t.rollback),
          object: `Pod llm/${pod}`,
          namespace: 'llm',
          name: pod,
        }))
      : [];
  let captures = 0;
  for (let ms = start; ms <= t.end;) {
    const mode = rec ? 'incident' : 'ring';
    if (!rec && ms >= t.declare) {
      rec = declare(
        store,
        {
          title: `${bad} failing after the v0.6.4 rollout`,
          severity: 'SEV2',
          commander: ACTOR,
          models: [
            {
              serviceId: bySvc.get(bad)!,
              name: bad,
              serverKind: 'vllm',
              modelName: bad,
              fallbackId: bySvc.get('llama-8b-chat')!,
            },
          ],
          alertNames: ['ModelHighErrorRate'],
        },
        ACTOR,
        t.declare,
        { [bySvc.get(bad)!]: { maxErrorRatio: 0.005, maxP95S: 12 } },
        SAMPLE_ID,
      );
    }
    const due = actions.filter((a) => a.at > last && a.at <= ms);
    const frameActions = due.map((a) => {
      const e = store.audit.append({
        actor: ACTOR,
        action: a.action,
        target: a.target,
        result: 'done',
        details: { before: a.before, after: a.after, incident: SAMPLE_ID },
        at: new Date(a.at),
      });
      return {
        seq: e.seq,
        atMs: a.at,
        action: a.action,
        target: a.target,
        result: 'done',
        actor: ACTOR,
        model: bySvc.get(bad)!,
      };
    });
    if (rec && t.note > last && t.note <= ms) {
      store.incidents.upsertTimeline([
        {
          key: `note:${SAMPLE_ID}:1`,
          atMs: t.note,
          source: 'note',
          model: null,
          tone: 'info',
          summary: 'Errors began with the v0.6.4 rollout; moving chat to llama-8b-chat, then rolling back.',
          object: null,
          details: { incident: SAMPLE_ID, by: ACTOR },
        },
      ]);
      store.audit.append({
        actor: ACTOR,
        action: 'incident.note',
        target: `incident/${SAMPLE_ID}`,
        result: 'ok',
        details: { note: 'moving chat to llama-8b-chat' },
        at: new Date(t.note),
      });
    }
    const frame: CaptureFrame = {
      atMs: ms,
      context: 'firebreak-sandbox',
      mode,
      objects: objectsAt(ms),
      events: [...rolloutEvents(ms), ...events(ms)],
      alerts: alert(ms),
      series: involvedNames.flatMap((m) =>
        seriesFor(m, last === start - 10 * min ? start - 60 * min : last, ms),
      ),
      actions: frameActions,
      models: modelKeys,
    };
    ingest(store, frame, memory);
    captures++;
    last = ms;
    if (rec && ms >= t.close && !rec.closedAt) {
      rec.status = 'resolved';
      rec.closedAt = new Date(t.close).toISOString();
      store.incidents.putIncident(rec.id, Date.parse(rec.declaredAt), t.close, rec);
      store.audit.append({
        actor: ACTOR,
        action: 'incident.resolve',
        target: `incident/${SAMPLE_ID}`,
        result: 'ok',
        details: { title: rec.title },
        at: new Date(t.close),
      });
    }
    ms += (rec ? 15 : 60) * 1000;
  }
  updateChangePoints(store, start - 60 * min, t.end, new Map(models.map((m) => [m.serviceId, m.name])));
  const file = exportIncident(store, SAMPLE_ID, t.end);
  store.close();
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, file.bytes);
  return { bytes: file.bytes.length, captures };
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const out = path.resolve(import.meta.dirname, '..', 'resources', 'sample-incident', 'sample-incident.fbi');
  const r = buildSample(out);
  console.log(`sample incident: ${out} (${(r.bytes / 1e6).toFixed(2)} MB, ${r.captures} captures)`);
}
