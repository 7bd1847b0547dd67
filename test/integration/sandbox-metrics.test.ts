/**
 * The metrics half of the sandbox against the real Prometheus and Alertmanager: the backfilled history tells
 * the scenario's story, the live exporter is scraped, the alert rules reach Alertmanager, and a rollback in
 * the Kubernetes API test server stops the errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../harness';
import type { KubeObject } from '../harness/kube';

let sandbox: Sandbox;
let T: number;
let startSeconds: number;

beforeAll(async () => {
  const t0 = performance.now();
  sandbox = await startSandbox({ alertFor: '10s' });
  startSeconds = (performance.now() - t0) / 1000;
  T = sandbox.scenario.now.getTime() / 1000;
  console.log(`sandbox started in ${startSeconds.toFixed(1)} s`, sandbox.timings);
});

afterAll(async () => {
  await sandbox?.stop();
});

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}
interface MatrixSample {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

async function promApi<T>(path: string, params: Record<string, string | number>): Promise<T> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const res = await fetch(`${sandbox.prometheusUrl}/api/v1/${path}?${qs}`);
  const body = (await res.json()) as { status: string; data: { result: T }; error?: string };
  if (body.status !== 'success') throw new Error(`${path} ${params.query}: ${body.error}`);
  return body.data.result;
}
const query = (expr: string, time?: number) =>
  promApi<VectorSample[]>('query', time === undefined ? { query: expr } : { query: expr, time });
const scalar = async (expr: string, time?: number) => {
  const r = await query(expr, time);
  return r.length ? Number(r[0]!.value[1]) : Number.NaN;
};

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const pods = (workload: string) => `pod=~"${workload}-.+"`;

describe('sandbox metrics', () => {
  it('started within the budget', () => {
    // the brief's target is ~20 s on the 2-core machine; allow for a loaded machine
    expect(startSeconds).toBeLessThan(60);
    expect(sandbox.kubeconfigPath.startsWith(sandbox.dir)).toBe(true);
  });

  it("the backfilled history shows the incident in llama-70b-chat's error ratio", async () => {
    const incident = sandbox.scenario.incident.startsAt.getTime() / 1000;
    const sel = `namespace="llm",${pods('llama-70b-chat')}`;
    const expr = `sum(rate(http_requests_total{${sel},status="5xx"}[5m])) / sum(rate(http_requests_total{${sel}}[5m]))`;
    const [series] = await promApi<MatrixSample[]>('query_range', {
      query: expr,
      start: T - 3 * 3600,
      end: T,
      step: 60,
    });
    const points = series!.values.map(([t, v]) => [t, Number(v)] as const);
    const before = points.filter(([t]) => t <= incident - 60);
    const after = points.filter(([t]) => t >= incident + 6 * 60);
    expect(before.length).toBeGreaterThan(100);
    expect(after.length).toBeGreaterThan(30);
    for (const [, v] of before) expect(v).toBeLessThan(0.01);
    for (const [, v] of after) {
      expect(v).toBeGreaterThan(0.2);
      expect(v).toBeLessThan(0.3);
    }
    // p95 latency triples (estimated from the buckets, so loosely) and GPU memory climbs
    const p95 = `histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{${sel}}[5m])))`;
    const factor = (await scalar(p95, T)) / (await scalar(p95, incident - 5 * 60));
    expect(factor).toBeGreaterThan(2.2);
    expect(factor).toBeLessThan(4);
    const memory = `max(DCGM_FI_DEV_FB_USED{${pods('llama-70b-chat')}})`;
    expect(await scalar(memory, T)).toBeGreaterThan((await scalar(memory, incident - 5 * 60)) + 4000);
  });

  it('request rates match the scenario (within 5 %) in the fine and the coarse history', async () => {
    const { scenario } = sandbox;
    const times = scenario.timestamps();
    const rateQueries: Record<string, (w: string) => string> = {
      'llama-70b-chat': (w) =>
        `sum(rate(http_requests_total{namespace="llm",${pods('llama-70b-chat')}}[${w}]))`,
      'llama-8b-chat': (w) =>
        `sum(rate(http_requests_total{namespace="llm",${pods('llama-8b-chat')}}[${w}]))`,
      'resnet50-images': (w) =>
        `sum(rate(nv_inference_request_success{model="resnet50"}[${w}])) + sum(rate(nv_inference_request_failure{model="resnet50"}[${w}]))`,
      'bert-sentiment': (w) =>
        `sum(rate(revision_request_count{revision_name="bert-sentiment-predictor-00001"}[${w}]))`,
      'fraud-detector': (w) =>
        `sum(rate(model_infer_request_success{model_name="fraud-detector"}[${w}])) + sum(rate(model_infer_request_failure{model_name="fraud-detector"}[${w}]))`,
    };
    expect(Object.keys(rateQueries).sort()).toEqual(scenario.models.map((m) => m.name).sort());
    // fine history (30 s samples): 10 minute windows; coarse history (120 s samples): 30 minute windows
    for (const [at, windowSeconds] of [
      [T - 2 * 3600, 600],
      [T - 30 * 3600, 1800],
    ] as const) {
      for (const [model, expr] of Object.entries(rateQueries)) {
        const inWindow = times.filter((t) => t > at - windowSeconds && t <= at);
        const expected =
          inWindow.reduce((s, t) => s + scenario.expectedRequestRate(model, t), 0) / inWindow.length;
        const got = await scalar(expr(`${windowSeconds / 60}m`), at);
        expect(
          Math.abs(got / expected - 1),
          `${model} at T-${(T - at) / 3600} h: ${got} vs ${expected}`,
        ).toBeLessThan(0.05);
      }
    }
  });

  it('has DCGM series for every GPU, in both label spellings, without the profiling counter on one node', async () => {
    const { gpus } = sandbox.scenario;
    for (const name of [
      'DCGM_FI_DEV_GPU_UTIL',
      'DCGM_FI_DEV_FB_USED',
      'DCGM_FI_DEV_FB_FREE',
      'DCGM_FI_DEV_POWER_USAGE',
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
    ]) {
      const r = await query(`count by (UUID, Hostname, gpu, modelName) (${name})`, T);
      expect(r.map((s) => s.metric.UUID).sort(), name).toEqual(gpus.map((g) => g.uuid).sort());
    }
    const engine = await query('count by (Hostname) (DCGM_FI_PROF_GR_ENGINE_ACTIVE)', T);
    expect(Object.fromEntries(engine.map((s) => [s.metric.Hostname, Number(s.value[1])]))).toEqual({
      'gpu-h100-a': 8,
      'gpu-l4-a': 4,
      'gpu-l4-b': 4,
    });
    expect(await scalar('count(DCGM_FI_DEV_GPU_UTIL{pod!=""})', T)).toBe(15);
    const exported = await query('DCGM_FI_DEV_GPU_UTIL{exported_pod!=""}', T);
    expect(
      exported.map((s) => [
        s.metric.Hostname,
        s.metric.exported_namespace,
        s.metric.exported_pod?.split('-').slice(0, 2).join('-'),
      ]),
    ).toEqual([['gpu-l4-b', 'risk', 'fraud-detector']]);
    // idle waste: the batch job's two H100s do nothing
    const idle = await query('DCGM_FI_DEV_GPU_UTIL{namespace="ml-batch"}', T);
    expect(idle.map((s) => Number(s.value[1]))).toEqual([0, 0]);
  });

  it('has the OpenCost series, consistent with the price table', async () => {
    const nodes = await query('node_total_hourly_cost', T);
    expect(Object.fromEntries(nodes.map((s) => [s.metric.node, Number(s.value[1])]))).toEqual({
      'gpu-h100-a': 98.32,
      'gpu-h100-b': 98.32,
      'gpu-l4-a': 4.6,
      'gpu-l4-b': 4.6,
    });
    for (const s of nodes)
      expect(Object.keys(s.metric)).toEqual(
        expect.arrayContaining(['instance_type', 'region', 'provider_id']),
      );
    for (const name of ['node_gpu_hourly_cost', 'node_cpu_hourly_cost', 'node_ram_hourly_cost']) {
      expect(await scalar(`count(${name})`, T), name).toBe(4);
    }
    expect(await scalar('sum(node_gpu_count)', T)).toBe(24);
    expect(await scalar('sum(container_gpu_allocation)', T)).toBe(16);
    expect(await scalar('count(container_cpu_allocation)', T)).toBe(
      await scalar('count(container_memory_allocation_bytes)', T),
    );
    const gpuCostPerHour = await scalar(
      'sum(container_gpu_allocation * on(node) group_left node_gpu_hourly_cost)',
      T,
    );
    expect(gpuCostPerHour).toBeCloseTo(12 * 12.29 + 4 * 1.15, 6);
  });

  it('scrapes the live exporter', async () => {
    await poll(
      'up{job="firebreak-sandbox-exporter"} == 1',
      async () => ((await scalar('up{job="firebreak-sandbox-exporter"}')) === 1 ? true : undefined),
      30_000,
    );
    const latest = await scalar('max(timestamp(DCGM_FI_DEV_GPU_UTIL))');
    expect(latest).toBeGreaterThan(T);
    expect(sandbox.exporter.scrapes).toBeGreaterThan(0);
    // rate() across the backfill/live boundary stays sane: the live llama-70b-chat rate is near the scenario's
    const live = await scalar(
      `sum(rate(http_requests_total{namespace="llm",${pods('llama-70b-chat')}}[2m]))`,
    );
    const expected = sandbox.scenario.expectedRequestRate('llama-70b-chat', Date.now() / 1000);
    expect(Math.abs(live / expected - 1)).toBeLessThan(0.2);
  });

  it('fires ModelHighErrorRate for llama-70b-chat into Alertmanager', async () => {
    interface Alert {
      labels: Record<string, string>;
      annotations: Record<string, string>;
      status: { state: string };
      startsAt: string;
    }
    const alerts = async (name: string) => {
      const res = await fetch(
        `${sandbox.alertmanagerUrl}/api/v2/alerts?active=true&filter=${encodeURIComponent(`alertname="${name}"`)}`,
      );
      return (await res.json()) as Alert[];
    };
    const alert = await poll(
      'ModelHighErrorRate in Alertmanager',
      async () => (await alerts('ModelHighErrorRate')).find((a) => a.labels.model === 'llama-70b-chat'),
      90_000,
    );
    expect(alert.labels).toMatchObject({
      severity: 'critical',
      namespace: 'llm',
      model: 'llama-70b-chat',
      server: 'vllm',
    });
    expect(alert.annotations.summary).toContain('llama-70b-chat');
    expect(alert.annotations.description).toContain('llama-70b-chat');
    expect(alert.annotations.runbook_url).toMatch(/^https:\/\/runbooks\.example\.com\//);
    expect(alert.status.state).toBe('active');
    // only the broken model alerts
    expect((await alerts('ModelHighErrorRate')).map((a) => a.labels.model)).toEqual(['llama-70b-chat']);
    const idle = await poll(
      'GPUIdle in Alertmanager',
      async () => {
        const got = await alerts('GPUIdle');
        return got.length > 0 ? got : undefined;
      },
      60_000,
    );
    expect(new Set(idle.map((a) => a.labels.namespace))).toEqual(new Set(['ml-batch']));
  });

  it('stops the live errors after the Deployment is rolled back to the good image', async () => {
    const { kube, scenario } = sandbox;
    const { incident } = scenario;
    const deployment = kube.store.get('apps/v1', 'Deployment', incident.namespace, incident.model)!;
    const errorsAndTotal = async (podRegex: string) => {
      const sel = `namespace="llm",pod=~"${podRegex}"`;
      const errors = await scalar(`sum(http_requests_total{${sel},status="5xx"})`);
      const total = await scalar(`sum(http_requests_total{${sel}})`);
      return { errors, total, series: await scalar(`count(http_requests_total{${sel},status="5xx"})`) };
    };
    const currentPods = () =>
      kube.store
        .list('v1', 'Pod', incident.namespace)
        .filter(
          (p) =>
            p.metadata.labels?.['app.kubernetes.io/name'] === incident.model && !p.metadata.deletionTimestamp,
        )
        .map((p) => p.metadata.name)
        .sort();
    const scrapeInterval = 5_000;
    const delta = async (podRegex: string) => {
      const a = await errorsAndTotal(podRegex);
      await new Promise((r) => setTimeout(r, 3 * scrapeInterval));
      const b = await errorsAndTotal(podRegex);
      return { errors: b.errors - a.errors, total: b.total - a.total };
    };

    // while the bad image is live, a quarter of the new requests fail
    const broken = await delta(currentPods().join('|'));
    expect(broken.total).toBeGreaterThan(0);
    expect(broken.errors / broken.total).toBeGreaterThan(0.12);

    // roll back: the template of revision 1 (good image, its args)
    const good = scenario.workloads.find((w) => w.name === incident.model)!;
    const template = structuredClone(deployment.spec) as {
      template: { spec: { containers: Array<{ image: string; args: string[] }> } };
    };
    template.template.spec.containers[0]!.image = incident.goodImage;
    template.template.spec.containers[0]!.args = [...good.args];
    kube.store.apply({ ...deployment, spec: template } as KubeObject);
    const newPods = await poll(
      'the rollback to finish',
      async () => {
        const d = kube.store.get('apps/v1', 'Deployment', incident.namespace, incident.model)!;
        const status = d.status as {
          updatedReplicas?: number;
          replicas?: number;
          availableReplicas?: number;
        };
        const names = currentPods();
        return status.updatedReplicas === 4 &&
          status.replicas === 4 &&
          status.availableReplicas === 4 &&
          names.length === 4
          ? names
          : undefined;
      },
      30_000,
    );
    const regex = newPods.join('|');
    await poll(
      'Prometheus to scrape the new pods',
      async () => ((await errorsAndTotal(regex)).series === 4 ? true : undefined),
      30_000,
    );

    const healed = await delta(regex);
    expect(healed.total).toBeGreaterThan(0);
    // "stops growing": at most the healthy background rate (0.2 %) of the new requests
    expect(healed.errors).toBeLessThanOrEqual(Math.max(1, 0.01 * healed.total));
  });
});
