import { afterAll, describe, expect, it } from 'vitest';
import { conditionsFromKube, routeShares, startExporter, type ReadableStore } from '../../harness/exporter';
import { createScenario, type KubeObject } from '../../harness/scenario';

const scenario = createScenario({ seed: 11, now: new Date('2025-06-02T10:00:00Z') });
const T = scenario.now.getTime() / 1000;

/** A store with the scenario's objects (after its history) and a pod list per workload. */
function fakeStore(): ReadableStore & { put(o: KubeObject): void } {
  const objects = new Map<string, KubeObject>();
  const key = (apiVersion: string, kind: string, ns: string | undefined, name: string) =>
    `${apiVersion}|${kind}|${ns ?? ''}|${name}`;
  const put = (o: KubeObject) =>
    objects.set(key(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name), o);
  scenario.kubeObjects().forEach(put);
  scenario.kubeHistory().forEach((step) => step.objects.forEach(put));
  return {
    put,
    list: (apiVersion, kind, ns) =>
      [...objects.values()].filter(
        (o) =>
          o.apiVersion === apiVersion && o.kind === kind && (ns === undefined || o.metadata.namespace === ns),
      ),
    get: (apiVersion, kind, ns, name) => objects.get(key(apiVersion, kind, ns, name)),
  };
}

function withImage(store: ReadableStore, image: string): KubeObject {
  const d = structuredClone(store.get('apps/v1', 'Deployment', 'llm', 'llama-70b-chat')) as KubeObject & {
    spec: { template: { spec: { containers: Array<{ image: string }> } } };
  };
  d.spec.template.spec.containers[0]!.image = image;
  return d;
}

function withWeights(store: ReadableStore, w70: number, w8: number): KubeObject {
  const r = structuredClone(
    store.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'llm', 'chat'),
  ) as KubeObject & {
    spec: { rules: Array<{ backendRefs: Array<{ name: string; weight?: number }> }> };
  };
  r.spec.rules[0]!.backendRefs = [
    { name: 'llama-70b-chat', weight: w70 },
    { name: 'llama-8b-chat', weight: w8 },
  ];
  return r;
}

/** Sum of a sample name's values over pods of a workload, from exposition text. */
function sum(text: string, name: string, podPrefix: string, extra = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) || !line.includes(`pod="${podPrefix}-`) || !line.includes(extra))
      continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('routeShares', () => {
  it('is weight / sum, default weight 1, all 0 when every weight is 0', () => {
    const route = (refs: Array<{ name: string; weight?: number }>) => ({
      spec: { rules: [{ backendRefs: refs }] },
    });
    expect(
      routeShares(
        route([
          { name: 'a', weight: 100 },
          { name: 'b', weight: 0 },
        ]),
      ),
    ).toEqual({ a: 1, b: 0 });
    expect(
      routeShares(
        route([
          { name: 'a', weight: 30 },
          { name: 'b', weight: 10 },
        ]),
      ),
    ).toEqual({ a: 0.75, b: 0.25 });
    expect(routeShares(route([{ name: 'a' }, { name: 'b' }]))).toEqual({ a: 0.5, b: 0.5 });
    expect(
      routeShares(
        route([
          { name: 'a', weight: 0 },
          { name: 'b', weight: 0 },
        ]),
      ),
    ).toEqual({ a: 0, b: 0 });
    expect(routeShares(undefined)).toEqual({});
  });
});

describe('conditionsFromKube', () => {
  it('reads the bad image, the weights and the pods from the store', () => {
    const store = fakeStore();
    const conditions = conditionsFromKube(scenario, store, () => T * 1000);
    let c = conditions();
    expect([...c.broken]).toEqual(['llama-70b-chat']);
    expect(c.routeShares).toEqual({ 'llama-70b-chat': 1, 'llama-8b-chat': 0 });
    // no controller made pods: the scenario's names for the live revision; the InferenceService's pods are seeded
    expect(c.pods['llama-70b-chat']).toEqual(scenario.podNames('llama-70b-chat', 2));
    expect(c.pods['bert-sentiment']).toEqual(scenario.podNames('bert-sentiment', 1));

    store.put(withImage(store, scenario.incident.goodImage));
    store.put(withWeights(store, 1, 3));
    const pod = (name: string, phase = 'Running'): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'llm', labels: { 'app.kubernetes.io/name': 'llama-8b-chat' } },
      status: { phase },
    });
    store.put(pod('llama-8b-chat-abc-2'));
    store.put(pod('llama-8b-chat-abc-1'));
    store.put(pod('llama-8b-chat-abc-3', 'Pending'));
    c = conditions();
    expect(c.broken.size).toBe(0);
    expect(c.routeShares).toEqual({ 'llama-70b-chat': 0.25, 'llama-8b-chat': 0.75 });
    expect(c.pods['llama-8b-chat']).toEqual(['llama-8b-chat-abc-1', 'llama-8b-chat-abc-2']);
  });
});

describe('the live exporter', () => {
  let clock = (T + 10) * 1000;
  const store = fakeStore();
  const started = startExporter({
    scenario,
    conditions: conditionsFromKube(scenario, store, () => clock),
    now: () => clock,
  });
  afterAll(async () => (await started).stop());

  it('serves Prometheus text on /metrics, continuing the backfill', async () => {
    const exporter = await started;
    const res = await fetch(`${exporter.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('# TYPE vllm:request_success_total counter');
    expect(text).toContain('# TYPE DCGM_FI_DEV_GPU_UTIL gauge');
    expect(text).toMatch(/^DCGM_FI_DEV_GPU_UTIL\{.*exported_pod="fraud-detector-/m);
    expect(text).not.toMatch(/^DCGM_FI_PROF_GR_ENGINE_ACTIVE\{.*Hostname="gpu-h100-b"/m);
    expect(text).toMatch(/^DCGM_FI_PROF_GR_ENGINE_ACTIVE\{.*Hostname="gpu-h100-a"/m);
    expect(text).toMatch(
      /^node_gpu_hourly_cost\{node="gpu-h100-a",instance_type="p5.48xlarge",.*\} 12\.29$/m,
    );
    const b = scenario.backfill();
    const last = b.times.length - 1;
    const backfilled = b.defs
      .filter(
        (d) =>
          d.name === 'http_requests_total' &&
          d.labels.pod!.startsWith('llama-70b-chat-') &&
          !Number.isNaN(b.values[d.id]![last]!),
      )
      .reduce((s, d) => s + b.values[d.id]![last]!, 0);
    const live = sum(text, 'http_requests_total', 'llama-70b-chat');
    const expected = scenario.expectedRequestRate('llama-70b-chat', T + 10) * 10;
    expect(live - backfilled).toBeGreaterThan(expected * 0.8);
    expect(live - backfilled).toBeLessThan(expected * 1.2 + 4);
    expect((await fetch(`${exporter.url}/nope`)).status).toBe(404);
  });

  it('stops the errors after a rollback and moves the traffic with the route weights', async () => {
    const exporter = await started;
    const scrape = (dtSeconds: number) => {
      clock += dtSeconds * 1000;
      return exporter.metricsText();
    };
    const errors = (text: string) => sum(text, 'http_requests_total', 'llama-70b-chat', 'status="5xx"');
    const requests = (text: string, pod: string) => sum(text, 'http_requests_total', pod);

    let a = scrape(5);
    let b = scrape(60);
    expect(
      (errors(b) - errors(a)) / (requests(b, 'llama-70b-chat') - requests(a, 'llama-70b-chat')),
    ).toBeGreaterThan(0.2);

    store.put(withImage(store, scenario.incident.goodImage));
    a = scrape(5);
    b = scrape(60);
    expect(
      (errors(b) - errors(a)) / (requests(b, 'llama-70b-chat') - requests(a, 'llama-70b-chat')),
    ).toBeLessThan(0.01);

    store.put(withWeights(store, 0, 100));
    a = scrape(5);
    b = scrape(60);
    expect(requests(b, 'llama-70b-chat') - requests(a, 'llama-70b-chat')).toBe(0);
    const t = clock / 1000;
    const expected8b =
      scenario.expectedRequestRate('llama-8b-chat', t, { 'llama-70b-chat': 0, 'llama-8b-chat': 1 }) * 60;
    expect(expected8b).toBeGreaterThan(scenario.expectedRequestRate('llama-8b-chat', t) * 60 * 3);
    const got = requests(b, 'llama-8b-chat') - requests(a, 'llama-8b-chat');
    expect(Math.abs(got / expected8b - 1)).toBeLessThan(0.1);
  });
});
