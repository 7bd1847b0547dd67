import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createScenario, type Scenario, type SeriesDef } from '../../harness/scenario';

const NOW = new Date('2025-03-12T15:07:42.123Z');
const T = Date.parse('2025-03-12T15:07:00Z') / 1000;

function digest(chunks: Iterable<string>): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

/** The column of one series, looked up by sample name and a label subset. */
function series(
  s: Scenario,
  name: string,
  labels: Record<string, string>,
): Array<{ def: SeriesDef; values: Float64Array }> {
  const b = s.backfill();
  return b.defs
    .filter((d) => d.name === name && Object.entries(labels).every(([k, v]) => d.labels[k] === v))
    .map((def) => ({ def, values: b.values[def.id]! }));
}

/** Sum over series of (value at index j - value at index i), NaN treated as "not there". */
function increase(cols: Array<{ values: Float64Array }>, i: number, j: number): number {
  let total = 0;
  for (const { values } of cols) {
    const a = values[i]!;
    const b = values[j]!;
    if (!Number.isNaN(a) && !Number.isNaN(b)) total += b - a;
  }
  return total;
}

const scenario = createScenario({ seed: 7, now: NOW });
const times = scenario.timestamps();
const indexAt = (t: number) => times.findIndex((x) => x >= t);

describe('scenario: determinism', () => {
  it('anchors at now rounded down to the minute, 48 h of history, 30 s steps at the end', () => {
    expect(scenario.now.getTime() / 1000).toBe(T);
    expect(times[times.length - 1]).toBe(T);
    expect(times[0]).toBe(T - 48 * 3600);
    expect(times[times.length - 1]! - times[times.length - 2]!).toBe(30);
    expect(times[1]! - times[0]!).toBe(120);
    expect(scenario.incident.startsAt.getTime() / 1000).toBe(T - 45 * 60);
  });

  it('gives the same objects, history and costs for the same seed and now', () => {
    const again = createScenario({ seed: 7, now: new Date(NOW.getTime() + 1000) });
    expect(JSON.stringify(again.kubeObjects())).toBe(JSON.stringify(scenario.kubeObjects()));
    expect(JSON.stringify(again.kubeHistory())).toBe(JSON.stringify(scenario.kubeHistory()));
    expect(again.gpus).toEqual(scenario.gpus);
    const range = { from: T - 3 * 3600, to: T + 1 };
    expect(digest(again.openMetrics(range))).toBe(digest(scenario.openMetrics(range)));
    expect(again.dailyCosts({ days: 40 })).toEqual(scenario.dailyCosts({ days: 40 }));
    const a = again.initialLiveState();
    const b = scenario.initialLiveState();
    expect(again.exposition(again.sampleAt(T + 17, a))).toBe(
      scenario.exposition(scenario.sampleAt(T + 17, b)),
    );
  });

  it('differs for another seed', () => {
    const other = createScenario({ seed: 8, now: NOW });
    expect(other.gpus.map((g) => g.uuid)).not.toEqual(scenario.gpus.map((g) => g.uuid));
    const range = { from: T - 3600, to: T + 1 };
    expect(digest(other.openMetrics(range))).not.toBe(digest(scenario.openMetrics(range)));
  });

  it('writes valid-looking OpenMetrics: TYPE lines, seconds timestamps, # EOF last', () => {
    const text = [...scenario.openMetrics({ from: T - 600, to: T + 1 })].join('');
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE vllm:request_success counter\n');
    expect(text).toContain('# TYPE nv_inference_request_success unknown\n');
    expect(text).toContain('# TYPE vllm:e2e_request_latency_seconds histogram\n');
    expect(text).toMatch(new RegExp(`^vllm:request_success_total\\{.*\\} \\d+ ${T}$`, 'm'));
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+ \d+$/);
    }
  });
});

describe('scenario: the fleet and the cluster', () => {
  it('has 2 H100 nodes (8 GPUs) and 2 L4 nodes (4 GPUs), some allocated GPUs idle and some free', () => {
    expect(scenario.nodes.map((n) => `${n.name}:${n.instanceType}`)).toEqual([
      'gpu-h100-a:p5.48xlarge',
      'gpu-h100-b:p5.48xlarge',
      'gpu-l4-a:g6.12xlarge',
      'gpu-l4-b:g6.12xlarge',
    ]);
    expect(scenario.gpus.filter((g) => g.modelName === 'NVIDIA H100 80GB HBM3')).toHaveLength(16);
    expect(scenario.gpus.filter((g) => g.modelName === 'NVIDIA L4')).toHaveLength(8);
    expect(new Set(scenario.gpus.map((g) => g.uuid)).size).toBe(24);
    const allocated = scenario.workloads.reduce((n, w) => n + w.replicas * w.gpusPerReplica, 0);
    expect(allocated).toBe(16);
    expect(scenario.workloads.find((w) => w.name === 'batch-embeddings')?.server).toBeNull();
    expect(scenario.models.map((m) => `${m.name}/${m.server}`).sort()).toEqual([
      'bert-sentiment/kserve',
      'fraud-detector/mlserver',
      'llama-70b-chat/vllm',
      'llama-8b-chat/vllm',
      'resnet50-images/triton',
    ]);
  });

  it('seeds revision 1 and a history step to revision 2 with the bad image', () => {
    const objects = scenario.kubeObjects();
    const dep = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'llama-70b-chat',
    ) as unknown as {
      metadata: { namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
      spec: {
        replicas: number;
        template: {
          spec: { containers: Array<{ image: string; resources: { limits: Record<string, string> } }> };
        };
      };
    };
    expect(dep.metadata.namespace).toBe('llm');
    expect(dep.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'llama-70b-chat',
      team: 'assistant',
    });
    expect(dep.spec.replicas).toBe(4);
    expect(dep.spec.template.spec.containers[0]!.image).toBe('vllm/vllm-openai:v0.6.3');
    expect(dep.spec.template.spec.containers[0]!.resources.limits['nvidia.com/gpu']).toBe('2');
    expect(dep.metadata.annotations['kubernetes.io/change-cause']).toContain('v0.6.3');
    const [step, ...rest] = scenario.kubeHistory();
    expect(rest).toHaveLength(0);
    expect(step!.at).toEqual(scenario.incident.startsAt);
    const next = step!.objects[0] as unknown as typeof dep;
    expect(next.spec.template.spec.containers[0]!.image).toBe('vllm/vllm-openai:v0.6.4');
    expect(next.metadata.annotations['kubernetes.io/change-cause']).toContain('v0.6.4');

    const isvc = objects.find((o) => o.kind === 'InferenceService');
    expect(isvc?.apiVersion).toBe('serving.kserve.io/v1beta1');
    expect(isvc?.metadata.annotations?.['serving.kserve.io/deploymentMode']).toBe('Serverless');
    const route = objects.find((o) => o.kind === 'HTTPRoute') as unknown as {
      apiVersion: string;
      spec: { rules: Array<{ backendRefs: Array<{ name: string; weight: number }> }> };
    };
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.rules[0]!.backendRefs.map((b) => [b.name, b.weight])).toEqual([
      ['llama-70b-chat', 100],
      ['llama-8b-chat', 0],
    ]);
    const services = objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name);
    for (const m of scenario.models) expect(services.some((s) => s.startsWith(m.name))).toBe(true);
  });
});

describe('scenario: the incident', () => {
  const window = (fromS: number, toS: number) => [indexAt(fromS), indexAt(toS)] as const;
  const model = { namespace: 'llm' };
  const llama = (name: string, extra: Record<string, string> = {}) =>
    series(scenario, name, { ...model, ...extra }).filter((s) =>
      s.def.labels.pod!.startsWith('llama-70b-chat-'),
    );
  const inc = scenario.incident.startsAt.getTime() / 1000;

  it("llama-70b-chat's error ratio is low before and about 25 % after the rollout", () => {
    const ratio = (i: number, j: number) =>
      increase(llama('http_requests_total', { status: '5xx' }), i, j) /
      increase(llama('http_requests_total'), i, j);
    // before: pods of revision 1; after: pods of revision 2 (each window within one set of pods)
    const before = ratio(...window(inc - 3600, inc - 30));
    const after = ratio(...window(inc + 30, T));
    expect(before).toBeLessThan(0.01);
    expect(after).toBeGreaterThan(0.22);
    expect(after).toBeLessThan(0.28);
  });

  it('its mean latency triples and its GPU memory climbs; the other models stay healthy', () => {
    const mean = (i: number, j: number) =>
      increase(llama('vllm:e2e_request_latency_seconds_sum'), i, j) /
      increase(llama('vllm:e2e_request_latency_seconds_count'), i, j);
    const factor = mean(...window(inc + 30, T)) / mean(...window(inc - 45 * 60, inc - 30));
    expect(factor).toBeGreaterThan(2.6);
    expect(factor).toBeLessThan(3.4);

    const gpu0 = series(scenario, 'DCGM_FI_DEV_FB_USED', { Hostname: 'gpu-h100-a', gpu: '0' });
    const at = (t: number) => gpu0.map((s) => s.values[indexAt(t)]!).find((v) => !Number.isNaN(v))!;
    expect(at(inc - 60)).toBe(Math.round(0.9 * 81559));
    expect(at(T)).toBeGreaterThan(at(inc) + 4000);

    const triton = (name: string) => series(scenario, name, { model: 'resnet50' });
    const [i, j] = window(inc + 30, T);
    const failures = increase(triton('nv_inference_request_failure'), i, j);
    const total = failures + increase(triton('nv_inference_request_success'), i, j);
    expect(failures / total).toBeLessThan(0.005);
  });

  it('request counters follow the documented rate formula', () => {
    const resnet = (name: string) => series(scenario, name, { model: 'resnet50' });
    const [i, j] = window(T - 6 * 3600 + 30, T);
    const counted =
      increase(resnet('nv_inference_request_success'), i, j) +
      increase(resnet('nv_inference_request_failure'), i, j);
    let expected = 0;
    for (let k = i + 1; k <= j; k++)
      expected += scenario.expectedRequestRate('resnet50-images', times[k]!) * (times[k]! - times[k - 1]!);
    expect(Math.abs(counted / expected - 1)).toBeLessThan(0.01);
  });
});

describe('scenario: counters', () => {
  it('never decrease, and histogram buckets are cumulative', () => {
    const b = scenario.backfill();
    let checked = 0;
    for (const def of b.defs) {
      const counter = def.family.type === 'counter' || def.family.type === 'histogram';
      if (!counter) continue;
      const v = b.values[def.id]!;
      let prev = -Infinity;
      for (let k = 0; k < v.length; k++) {
        if (Number.isNaN(v[k]!)) continue;
        if (v[k]! < prev) throw new Error(`${def.key} decreases at ${times[k]}: ${prev} -> ${v[k]}`);
        prev = v[k]!;
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
    // buckets: le ascending -> counts ascending, +Inf = _count
    const k = times.length - 1;
    const buckets = series(scenario, 'vllm:e2e_request_latency_seconds_bucket', {}).filter(
      (s) => !Number.isNaN(s.values[k]!),
    );
    const byPod = new Map<string, Array<[number, number]>>();
    for (const s of buckets) {
      const le = s.def.labels.le === '+Inf' ? Infinity : Number(s.def.labels.le);
      byPod.set(s.def.labels.pod!, [...(byPod.get(s.def.labels.pod!) ?? []), [le, s.values[k]!]]);
    }
    expect(byPod.size).toBe(6);
    for (const [pod, list] of byPod) {
      list.sort((x, y) => x[0] - y[0]);
      for (let n = 1; n < list.length; n++) expect(list[n]![1]).toBeGreaterThanOrEqual(list[n - 1]![1]);
      const count = series(scenario, 'vllm:e2e_request_latency_seconds_count', { pod })[0]!.values[k]!;
      expect(list[list.length - 1]![1]).toBe(count);
    }
  });

  it('carry on from the backfill in live samples', () => {
    const b = scenario.backfill();
    const state = scenario.initialLiveState();
    const last = new Map(b.defs.map((d) => [d.key, b.values[d.id]![times.length - 1]!]));
    let compared = 0;
    for (const t of [T + 5, T + 10, T + 70]) {
      for (const { def, value } of scenario.sampleAt(t, state)) {
        if (def.family.type === 'gauge') continue;
        const before = last.get(def.key);
        if (before === undefined || Number.isNaN(before)) continue;
        expect(value).toBeGreaterThanOrEqual(before);
        last.set(def.key, value);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(600);
    // and the backfill itself is untouched by live sampling
    expect(scenario.initialLiveState().t).toBe(T);
  });
});

describe('scenario: daily costs', () => {
  const toCents = (usd: string) => {
    const [whole, frac = ''] = usd.split('.');
    return Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
  };
  // independent figures: on-demand prices per instance-hour, whole instance attributed to its GPUs
  const P5 = 9832; // cents per hour, 8 x H100
  const G6 = 460; // cents per hour, 4 x L4

  it('sum to GPU-hours x price per day, with tagged and untagged records', () => {
    const days = 30;
    const records = scenario.dailyCosts({ days });
    const dates = [...new Set(records.map((r) => r.date))];
    expect(dates).toHaveLength(days);
    expect(dates[dates.length - 1]).toBe('2025-03-11');
    expect(dates[0]).toBe('2025-02-10');
    const total = records.reduce((s, r) => s + toCents(r.unblendedCost), 0);
    expect(total).toBe(days * 24 * (2 * P5 + 2 * G6));
    for (const r of records) {
      expect(r.service).toBe('Amazon Elastic Compute Cloud - Compute');
      expect(r.amortizedCost).toBe(r.unblendedCost);
      expect(r.unblendedCost).toMatch(/^\d+\.\d{2}$/);
      expect(r.usageType).toMatch(/^USE1-BoxUsage:(p5\.48xlarge|g6\.12xlarge)$/);
    }
    const untagged = records.filter((r) => !r.tags.model);
    expect(untagged.length).toBeGreaterThan(0);

    const normalDay = '2025-03-11';
    const cost = (model: string | undefined, date: string) =>
      records
        .filter((r) => r.date === date && r.tags.model === model)
        .reduce((s, r) => s + toCents(r.unblendedCost), 0);
    expect(cost('llama-70b-chat', normalDay)).toBe((8 * 24 * P5) / 8);
    expect(cost('llama-8b-chat', normalDay)).toBe((2 * 24 * P5) / 8);
    expect(cost('resnet50-images', normalDay)).toBe((2 * 24 * G6) / 4);
    expect(cost(undefined, normalDay)).toBe((4 * 24 * P5) / 8 + (4 * 24 * G6) / 4);
    const llama = records.find((r) => r.date === normalDay && r.tags.model === 'llama-70b-chat')!;
    expect(llama.tags).toEqual({
      model: 'llama-70b-chat',
      team: 'assistant',
      namespace: 'llm',
      cluster: 'firebreak-sandbox',
    });
    expect(llama.usageQuantity).toBe('24');
  });

  it('has the batch-embeddings anomaly 10 to 8 days back at the fleet total', () => {
    const records = scenario.dailyCosts({ days: 20 });
    expect(scenario.costAnomaly.dates).toEqual(['2025-03-02', '2025-03-03', '2025-03-04']);
    const batch = (date: string) =>
      records
        .filter((r) => r.date === date && r.tags.model === 'batch-embeddings')
        .reduce((s, r) => s + toCents(r.unblendedCost), 0);
    expect(batch('2025-03-03')).toBe(6 * 24 * (P5 / 8));
    expect(batch('2025-03-05')).toBe(2 * 24 * (P5 / 8));
    const day = (date: string) =>
      records.filter((r) => r.date === date).reduce((s, r) => s + toCents(r.unblendedCost), 0);
    expect(day('2025-03-03')).toBe(day('2025-03-05'));
  });
});
