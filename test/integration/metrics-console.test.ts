/**
 * The console's metrics channels against the sandbox's real Prometheus and Alertmanager, through the real
 * dispatcher (outputs checked against the contract). Every number is compared with a value computed here,
 * independently, from the scenario's generated history (its counters, buckets and gauges), not from PromQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelInput, ChannelOutput, Channel } from '../../shared/contract';
import { startSandbox, type Sandbox } from '../harness';
import { sandboxConsole, type SandboxConsole } from '../fixtures/sandboxConsole';
import { prometheusDoor } from '../fixtures/metrics/prometheusDoor';
import type { SeriesDef } from '../harness/scenario';
import { decodeCells, NO_CELL } from '../../shared/gpu';

let sandbox: Sandbox;
let fb: SandboxConsole;
let T: number;

const call = <C extends Channel>(channel: C, input: ChannelInput<C>) => fb.call(channel, input);
/** Alertmanager's silences, read directly */
async function amSilences(): Promise<
  Array<{
    id: string;
    status: { state: string };
    comment: string;
    createdBy: string;
    startsAt: string;
    endsAt: string;
  }>
> {
  const res = await fetch(`${sandbox.alertmanagerUrl}/api/v2/silences`);
  return (await res.json()) as never;
}
const callError = (channel: Channel, input: unknown) => fb.callError(channel, input);

beforeAll(async () => {
  sandbox = await startSandbox({ alertFor: '20s' });
  T = sandbox.scenario.now.getTime() / 1000;
  fb = await sandboxConsole(sandbox, { folderPrefix: 'fb-metrics-', alertmanager: true });
});

afterAll(async () => {
  await fb?.close();
  await sandbox?.stop();
});

// ---------------------------------------------------------------------------------------------------------
// the scenario's history, read directly
// ---------------------------------------------------------------------------------------------------------

function history() {
  const bf = sandbox.scenario.backfill();
  const index = new Map(bf.times.map((t, i) => [t, i]));
  const at = (def: SeriesDef, t: number) => {
    const i = index.get(t);
    if (i === undefined) throw new Error(`no backfilled sample at ${t}`);
    return bf.values[def.id]![i]!;
  };
  const defs = (name: string, where: (l: Readonly<Record<string, string>>) => boolean) =>
    bf.defs.filter((d) => d.name === name && where(d.labels));
  /** what rate(x[w]) is at t in Prometheus 2.42: samples at both window ends, no extrapolation needed */
  const increase = (list: SeriesDef[], t: number, w: number) => {
    let sum = 0;
    for (const d of list) {
      const a = at(d, t - w);
      const b = at(d, t);
      if (Number.isFinite(a) && Number.isFinite(b)) sum += b - a;
    }
    return sum;
  };
  /** avg_over_time(x[w]) at t: the samples in [t - w, t] */
  const avgOver = (d: SeriesDef, t: number, w: number) => {
    const xs = bf.times
      .filter((x) => x >= t - w && x <= t)
      .map((x) => at(d, x))
      .filter(Number.isFinite);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  return { defs, increase, avgOver, at };
}

const podOf = (w: string) => (l: Readonly<Record<string, string>>) => (l.pod ?? '').startsWith(`${w}-`);

/** Prometheus's histogram_quantile, written out again here (linear interpolation in the bucket). */
function quantileFromBuckets(q: number, buckets: Array<[number, number]>): number {
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets[buckets.length - 1]![1];
  const rank = q * total;
  for (let i = 0; i < buckets.length; i++) {
    const [le, c] = buckets[i]!;
    if (c >= rank) {
      if (le === Infinity) return buckets[i - 1]![0];
      const [prevLe, prevC] = i === 0 ? [0, 0] : buckets[i - 1]!;
      return prevLe + (le - prevLe) * ((rank - prevC) / (c - prevC));
    }
  }
  return NaN;
}

const models = {
  llama70: { id: 'llm/Deployment/llama-70b-chat', serverKind: 'vllm', modelName: 'llama-70b-chat' },
  resnet: { id: 'vision/Deployment/resnet50-images', serverKind: 'triton', modelName: 'resnet50' },
  bert: { id: 'nlp/InferenceService/bert-sentiment', serverKind: 'kserve', modelName: 'bert-sentiment' },
  fraud: { id: 'risk/Deployment/fraud-detector', serverKind: 'mlserver', modelName: 'fraud-detector' },
} as const;

describe('model health against the scenario', () => {
  const W = 300;

  it('llama-70b-chat during the incident: request rate, error ratio, p95 and tokens/s', async () => {
    const t = T - 15 * 60; // 30 minutes into the incident, inside the backfilled history
    const h = history();
    const sel = (l: Readonly<Record<string, string>>) => l.namespace === 'llm' && podOf('llama-70b-chat')(l);
    const http = h.defs('http_requests_total', sel);
    const total = h.increase(http, t, W) / W;
    const failed =
      h.increase(
        http.filter((d) => d.labels.status === '5xx'),
        t,
        W,
      ) / W;
    const buckets = h
      .defs('vllm:e2e_request_latency_seconds_bucket', sel)
      .reduce(
        (m, d) => m.set(d.labels.le!, (m.get(d.labels.le!) ?? 0) + h.increase([d], t, W)),
        new Map<string, number>(),
      );
    const p95 = quantileFromBuckets(
      0.95,
      [...buckets].map(([le, c]) => [le === '+Inf' ? Infinity : Number(le), c]),
    );
    const tokens = h.increase(h.defs('vllm:generation_tokens_total', sel), t, W) / W;

    const r = await call('metrics.modelHealth', {
      service: models.llama70,
      rangeS: 3 * 3600,
      end: t * 1000,
      widthPx: 600,
    });
    expect(r.catalogue.detected).toBe('vllm');
    expect(r.now.requestRate!).toBeCloseTo(total, 6);
    expect(r.now.errorRatio!).toBeCloseTo(failed / total, 6);
    expect(r.now.errorRatio!).toBeGreaterThan(0.2); // the incident: 25 % failing
    // histogram_quantile over rate(): Prometheus limits each bucket's extrapolation at zero, which this
    // independent computation does not model, so the quantile agrees to within 1%, not to the digit
    expect(Math.abs(r.now.p95! - p95) / p95).toBeLessThan(0.01);
    expect(r.now.tokensPerS!).toBeCloseTo(tokens, 4);
    // the scenario's own numbers: p95 of a log-normal with 3x the median is far above the healthy one
    const w = sandbox.scenario.workloads.find((x) => x.name === 'llama-70b-chat')!;
    expect(r.now.p95!).toBeGreaterThan(w.latencyMedianSeconds * 3);
    // every chart carries its PromQL, and the error chart shows the spike
    const errors = r.charts.find((c) => c.id === 'errors')!;
    expect(errors.promql[0]).toContain('status=~"5.*"');
    const values = errors.series[0]!.values;
    const incidentIdx = Math.ceil(
      (sandbox.scenario.incident.startsAt.getTime() / 1000 - errors.start) / errors.step,
    );
    expect(
      Math.max(...values.slice(0, incidentIdx - 20).filter((v): v is number => v !== null)),
    ).toBeLessThan(0.01);
    expect(
      Math.max(...values.slice(incidentIdx + 20).filter((v): v is number => v !== null)),
    ).toBeGreaterThan(0.2);
    // and the SLO burns: 25 % errors against a 0.5 % budget is ~50x on the short window
    const page = r.slo.availability.windows.find((x) => x.long === '1h')!;
    expect(page.shortBurn!).toBeCloseTo(r.now.errorRatio! / 0.005, 0);
    expect(page.alerting).toBe(true);
  });

  it('llama-70b-chat before the incident: healthy, rate as the scenario says', async () => {
    const t = T - 3 * 3600;
    const h = history();
    const sel = (l: Readonly<Record<string, string>>) => l.namespace === 'llm' && podOf('llama-70b-chat')(l);
    const http = h.defs('http_requests_total', sel);
    const total = h.increase(http, t, W) / W;
    const r = await call('metrics.modelHealth', {
      service: models.llama70,
      rangeS: 3600,
      end: t * 1000,
      widthPx: 300,
    });
    expect(r.now.requestRate!).toBeCloseTo(total, 6);
    expect(r.now.errorRatio!).toBeLessThan(0.01);
    // the noise-free model rate (route peak x diurnal) is within the scenario's ±8 % noise
    expect(r.now.requestRate! / sandbox.scenario.expectedRequestRate('llama-70b-chat', t)).toBeGreaterThan(
      0.9,
    );
    expect(r.now.requestRate! / sandbox.scenario.expectedRequestRate('llama-70b-chat', t)).toBeLessThan(1.1);
  });

  it('Triton, KServe (Knative) and MLServer: rates and error ratios from their own counters; p95 from their histograms', async () => {
    const t = T - 60 * 60;
    const h = history();
    // Triton: success + failure
    {
      const sel = (l: Readonly<Record<string, string>>) =>
        l.namespace === 'vision' && podOf('resnet50-images')(l);
      const ok = h.increase(h.defs('nv_inference_request_success', sel), t, W) / W;
      const bad = h.increase(h.defs('nv_inference_request_failure', sel), t, W) / W;
      const r = await call('metrics.modelHealth', {
        service: models.resnet,
        rangeS: 3600,
        end: t * 1000,
        widthPx: 300,
      });
      expect(r.catalogue.detected).toBe('triton');
      expect(r.now.requestRate!).toBeCloseTo(ok + bad, 6);
      expect(r.now.errorRatio!).toBeCloseTo(bad / (ok + bad), 6);
      expect(r.now.latencyIsMean).toBe(true);
      const dur = h.increase(h.defs('nv_inference_request_duration_us', sel), t, W) / W;
      expect(r.now.p50!).toBeCloseTo(dur / (ok + bad) / 1e6, 6);
    }
    // KServe serverless: Knative queue-proxy counters, model server histogram
    {
      const sel = (l: Readonly<Record<string, string>>) =>
        l.namespace === 'nlp' && (l.pod ?? '').startsWith('bert-sentiment-predictor-');
      const all = h.defs('revision_request_count', sel);
      const total = h.increase(all, t, W) / W;
      const bad =
        h.increase(
          all.filter((d) => d.labels.response_code_class === '5xx'),
          t,
          W,
        ) / W;
      const buckets = h
        .defs('request_predict_seconds_bucket', sel)
        .reduce(
          (m, d) => m.set(d.labels.le!, (m.get(d.labels.le!) ?? 0) + h.increase([d], t, W)),
          new Map<string, number>(),
        );
      const p95 = quantileFromBuckets(
        0.95,
        [...buckets].map(([le, c]) => [le === '+Inf' ? Infinity : Number(le), c]),
      );
      const r = await call('metrics.modelHealth', {
        service: models.bert,
        rangeS: 3600,
        end: t * 1000,
        widthPx: 300,
      });
      expect(r.catalogue.detected).toBe('kserve');
      expect(r.now.requestRate!).toBeCloseTo(total, 6);
      expect(r.now.errorRatio!).toBeCloseTo(bad / total, 6);
      // histogram_quantile over rate(): Prometheus limits each bucket's extrapolation at zero, which this
      // independent computation does not model, so the quantile agrees to within 1%, not to the digit
      expect(Math.abs(r.now.p95! - p95) / p95).toBeLessThan(0.01);
    }
    // MLServer
    {
      const sel = (l: Readonly<Record<string, string>>) =>
        l.namespace === 'risk' && podOf('fraud-detector')(l);
      const ok = h.increase(h.defs('model_infer_request_success', sel), t, W) / W;
      const bad = h.increase(h.defs('model_infer_request_failure', sel), t, W) / W;
      const r = await call('metrics.modelHealth', {
        service: models.fraud,
        rangeS: 3600,
        end: t * 1000,
        widthPx: 300,
      });
      expect(r.catalogue.detected).toBe('mlserver');
      expect(r.now.requestRate!).toBeCloseTo(ok + bad, 6);
      expect(r.now.errorRatio!).toBeCloseTo(bad / (ok + bad), 6);
    }
  });

  it('the overview tiles carry a sparkline per model with the incident in it', async () => {
    const list = await call('models.list', {});
    const services = list.models.map((m) => ({ id: m.id, serverKind: m.serverKind, modelName: m.modelName }));
    expect(services.length).toBeGreaterThanOrEqual(5);
    const o = await call('metrics.modelOverview', { services });
    const llama = o.tiles.find((x) => x.service.id === models.llama70.id)!;
    expect(llama.error).toBeNull();
    expect(llama.spark.requests.length).toBe(61);
    expect(Math.max(...llama.spark.errorRatio.filter((v): v is number => v !== null))).toBeGreaterThan(0.2);
    const resnet = o.tiles.find((x) => x.service.id === models.resnet.id)!;
    expect(resnet.serverKind).toBe('triton');
  });

  it('SLOs and catalogue overrides are saved per model and audited', async () => {
    await call('metrics.setSlo', {
      serviceId: models.resnet.id,
      slo: { availability: 0.999, latencyThresholdS: 0.05, latencyTarget: 0.99 },
    });
    const r = await call('metrics.modelHealth', {
      service: models.resnet,
      rangeS: 3600,
      end: (T - 3600) * 1000,
      widthPx: 300,
    });
    expect(r.slo.isDefault).toBe(false);
    expect(r.slo.slo.availability).toBe(0.999);
    expect(r.slo.latency.note).toMatch(/no latency histogram/);

    const o = await call('metrics.setOverride', {
      service: models.fraud,
      override: { requests: 'sum(rate(model_infer_request_success{$selector}[$window]))' },
    });
    expect(o.queries.requests[0]).toBe(
      'sum(rate(model_infer_request_success{namespace="risk",pod=~"fraud-detector-[a-z0-9]+-[a-z0-9]+"}[5m]))',
    );
    await call('metrics.setOverride', { service: models.fraud, override: null });
    const audit = await call('audit.list', { limit: 10 });
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['metrics.setSlo', 'metrics.setOverride']),
    );
  });
});

describe('GPUs against the scenario', () => {
  it('heatmap cells are the mean engine activity (or GPU_UTIL / 100 where the node lacks it) over each cell', async () => {
    const end = T - 30 * 60;
    const g = await call('metrics.gpuFleet', {
      rangeS: 3 * 3600,
      end: end * 1000,
      widthPx: 400,
      idleThreshold: 0.1,
      idlePeriodS: 3600,
    });
    expect(g.heatmap.rows).toHaveLength(sandbox.scenario.gpus.length);
    expect(g.utilSource).toBe('mixed');
    expect(g.heatmap.step).toBe(30);
    const h = history();
    const checked: string[] = [];
    for (const key of ['gpu-h100-a/0', 'gpu-h100-b/0', 'gpu-l4-a/1', 'gpu-l4-b/0', 'gpu-h100-b/3']) {
      const [node, gpu] = key.split('/');
      const row = g.heatmap.rows.find((r) => r.key === key)!;
      const lacksEngine = !sandbox.scenario.nodes.find((n) => n.name === node)!.hasEngineActive;
      const name = lacksEngine ? 'DCGM_FI_DEV_GPU_UTIL' : 'DCGM_FI_PROF_GR_ENGINE_ACTIVE';
      for (const i of [10, 150, g.heatmap.points - 1]) {
        const t = g.heatmap.start + i * g.heatmap.step;
        const defs = h
          .defs(name, (l) => l.Hostname === node && l.gpu === gpu)
          .filter((d) => Number.isFinite(h.at(d, t)));
        const expected = Math.max(...defs.map((d) => h.avgOver(d, t, 60) / (lacksEngine ? 100 : 1)));
        // per-mille integers: within rounding of the expected ratio
        expect(Math.abs(decodeCells(row.cells)[i]! / 1000 - expected)).toBeLessThanOrEqual(0.0005 + 1e-9);
      }
      checked.push(key);
    }
    expect(checked).toHaveLength(5);
  });

  it('per node, per model service (any pod label spelling), efficiency, and the idle list with OpenCost prices', async () => {
    const g = await call('metrics.gpuFleet', {
      rangeS: 3600,
      widthPx: 400,
      idleThreshold: 0.1,
      idlePeriodS: 3600,
    });
    const sc = sandbox.scenario;
    expect(g.fleet.gpus).toBe(sc.gpus.length);
    const allocated = sc.workloads.reduce((n, w) => n + w.replicas * w.gpusPerReplica, 0);
    expect(g.fleet.allocated).toBe(allocated);
    // the exported_* spelling on gpu-l4-b still finds fraud-detector's pod and its service
    const l4b0 = g.heatmap.rows.find((r) => r.key === 'gpu-l4-b/0')!;
    expect(l4b0.pod).toMatch(/^fraud-detector-/);
    expect(l4b0.serviceId).toBe('risk/Deployment/fraud-detector');
    const fraud = g.byService.find((s) => s.key === 'risk/Deployment/fraud-detector')!;
    expect(fraud.gpus).toBe(1);
    const llama = g.byService.find((s) => s.key === 'llm/Deployment/llama-70b-chat')!;
    expect(llama.gpus).toBe(8);
    expect(llama.efficiency).toBe(llama.avgUtil);
    // efficiency = mean utilisation of allocated GPUs
    const allocRows = g.heatmap.rows.filter((r) => r.pod !== null);
    const mean = (cells: Uint16Array) => {
      const f = [...cells].filter((v) => v !== NO_CELL);
      return f.reduce((a, b) => a + b, 0) / f.length;
    };
    expect(g.fleet.efficiency!).toBeCloseTo(
      allocRows.reduce((s, r) => s + mean(decodeCells(r.cells)) / 1000, 0) / allocRows.length,
      2,
    );
    expect(g.byNode.map((n) => n.key)).toEqual(['gpu-h100-a', 'gpu-h100-b', 'gpu-l4-a', 'gpu-l4-b']);
    const h100b = g.byNode.find((n) => n.key === 'gpu-h100-b')!;
    expect(h100b.costPerHour).toBeCloseTo(
      (8 * sc.instanceTypes['p5.48xlarge']!.pricePerGpuHourCents) / 100,
      2,
    );
    // the idle batch job's two H100s, priced by OpenCost's node_gpu_hourly_cost
    const batch = g.idle.filter((i) => i.namespace === 'ml-batch');
    expect(batch.map((i) => i.key).sort()).toEqual(['gpu-h100-b/2', 'gpu-h100-b/3']);
    for (const i of batch) {
      expect(i.avgUtil).toBe(0);
      expect(i.priceSource).toBe('opencost');
      expect(i.costPerHour).toBeCloseTo(sc.instanceTypes['p5.48xlarge']!.pricePerGpuHourCents / 100, 4);
    }
    // only allocated GPUs under the threshold are listed; unallocated ones never
    for (const i of g.idle) {
      expect(i.pod).not.toBeNull();
      expect(i.avgUtil).toBeLessThan(0.1);
    }
    expect(g.idleCostPerHour).toBeGreaterThanOrEqual(2 * 12.29 - 0.01);
    expect(g.charts.map((c) => c.id)).toEqual(['byService', 'memory', 'power']);
    expect(g.charts[0]!.series.map((s) => s.key)).toContain('llm/Deployment/llama-70b-chat');
  });
});

describe('alerts', () => {
  it('shows pending alerts from Prometheus, then firing ones from Alertmanager grouped by model service, with runbooks', async () => {
    const seenStates = new Set<string>();
    const deadline = Date.now() + 90_000;
    let list: ChannelOutput<'alerts.list'> | null = null;
    while (Date.now() < deadline) {
      list = await call('alerts.list', {});
      for (const g of list.groups) for (const a of g.alerts) seenStates.add(`${a.name}:${a.state}`);
      const llama = list.groups.find((g) => g.serviceId === models.llama70.id);
      if (
        llama?.alerts.some(
          (a) => a.name === 'ModelHighErrorRate' && a.state === 'firing' && a.source === 'alertmanager',
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(list!.alertmanager.status).toBe('ok');
    expect(list!.prometheus.status).toBe('ok');
    const llama = list!.groups.find((g) => g.serviceId === models.llama70.id)!;
    const firing = llama.alerts.find((a) => a.name === 'ModelHighErrorRate' && a.state === 'firing')!;
    expect(firing.runbookUrl).toMatch(/^https:\/\/runbooks\.example\.com\//);
    expect(firing.summary).toMatch(/llama-70b-chat/);
    expect(firing.severity).toBe('critical');
    expect(list!.counts.firing).toBeGreaterThan(0);
    // the alerts were pending (for: 20s) before they fired, unless the first look came late
    expect(
      [...seenStates].some((s) => s.endsWith(':pending')) || seenStates.has('ModelHighErrorRate:firing'),
    ).toBe(true);
  });

  it('a silence is created in Alertmanager, audited with before/after, and the alerts show as suppressed', async () => {
    // the idle batch job's GPUs
    const deadline = Date.now() + 90_000;
    for (;;) {
      const l = await call('alerts.list', {});
      if (
        l.groups.some((g) =>
          g.alerts.some(
            (a) => a.name === 'GPUIdle' && a.state === 'firing' && a.labels.namespace === 'ml-batch',
          ),
        )
      )
        break;
      if (Date.now() > deadline) throw new Error('GPUIdle never fired');
      await new Promise((r) => setTimeout(r, 1000));
    }
    const request = {
      type: 'silence' as const,
      matchers: [
        { name: 'alertname', value: 'GPUIdle' },
        { name: 'namespace', value: 'ml-batch' },
      ],
      durationMinutes: 60,
      comment: 'batch job waits for its queue; capacity review on Monday',
    };
    // the preview: what it covers now, and nothing written yet
    const before = await amSilences();
    const prepared = await call('actions.prepare', { request });
    expect(prepared.target.kind).toBe('Silence');
    expect(prepared.confirmPhrase).toBe('GPUIdle');
    expect(prepared.context).toBe(sandbox.alertmanagerUrl);
    expect(prepared.permission.allowed).toBe(true);
    expect(prepared.dryRun.ok).toBe(true);
    expect(prepared.noop).toBeNull();
    const covered = prepared.diff.filter((d) => d.path.startsWith('GPUIdle {') && d.after === 'silenced');
    expect(covered.length).toBeGreaterThanOrEqual(2);
    // each covered alert by what tells it apart (the batch job's GPUs differ by index)
    expect(covered.every((d) => /gpu="\d+"/.test(d.path) && d.before === 'firing')).toBe(true);
    expect(new Set(covered.map((d) => d.path)).size).toBe(covered.length);
    expect(prepared.diff.find((d) => d.path === 'Silence matchers')?.after).toBe(
      'alertname="GPUIdle", namespace="ml-batch"',
    );
    expect(await amSilences()).toEqual(before);

    // a wrong confirmation writes nothing
    const wrong = await callError('actions.execute', { id: prepared.id, confirm: 'GPU' });
    expect(wrong.code).toBe('ACTION_REFUSED');
    expect(await amSilences()).toEqual(before);

    // confirmed: created, then watched until Alertmanager shows the alerts as silenced by it
    const outcome = await call('actions.execute', { id: prepared.id, confirm: 'GPUIdle' });
    expect(outcome.status).toBe('done');
    const silenceId = /Silence (\S+) is active/.exec(outcome.message)?.[1];
    expect(silenceId).toBeTruthy();
    const created = (await amSilences()).find((x) => x.id === silenceId)!;
    expect(created.status.state).toBe('active');
    expect(created.comment).toBe(request.comment);
    expect(created.createdBy).toMatch(/.+/);
    // (Alertmanager moves a start that is already past to its own now: a few milliseconds)
    expect(Math.abs(Date.parse(created.endsAt) - Date.parse(created.startsAt) - 60 * 60_000)).toBeLessThan(
      5000,
    );
    const now = await call('alerts.list', {});
    const idle = now.groups
      .flatMap((g) => g.alerts)
      .filter(
        (a) => a.source === 'alertmanager' && a.name === 'GPUIdle' && a.labels.namespace === 'ml-batch',
      );
    expect(idle.length).toBe(covered.length);
    expect(idle.every((a) => a.state === 'suppressed' && a.silencedBy.includes(silenceId!))).toBe(true);

    const audit = await call('audit.list', { limit: 5 });
    const entry = audit.find((e) => e.seq === outcome.auditSeq)!;
    expect(entry.action).toBe('silence');
    expect(entry.result).toBe('done');
    expect(entry.target).toBe(`Silence alertname="GPUIdle", namespace="ml-batch" id=${silenceId}`);
    expect((entry.details.after as { silenceId: string }).silenceId).toBe(silenceId);
    expect((entry.details.before as { matchingAlerts: unknown[] }).matchingAlerts.length).toBe(
      covered.length,
    );
    expect((await call('audit.verify', {})).ok).toBe(true);

    // the same silence again: nothing to do, and nothing written
    const again = await call('actions.prepare', { request });
    expect(again.noop).toMatch(new RegExp(`Silence ${silenceId} .* already has these matchers`));
    const noop = await call('actions.execute', { id: again.id, confirm: 'GPUIdle' });
    expect(noop.status).toBe('noop');
    expect((await amSilences()).filter((x) => x.status.state === 'active').length).toBe(
      before.filter((x) => x.status.state === 'active').length + 1,
    );
  });

  it('a silence is expired from the console: previewed, confirmed, DELETEd in Alertmanager, audited; its alerts fire again', async () => {
    // the silence the test above created: listed by alerts.list, with the alerts it silences
    const listed = (await call('alerts.list', {})).silences.find(
      (s) => s.matchers === 'alertname="GPUIdle", namespace="ml-batch"' && s.state === 'active',
    );
    expect(listed).toBeTruthy();
    const id = listed!.id;
    expect(listed!.silencing).toBeGreaterThanOrEqual(2);
    const request = { type: 'expireSilence' as const, silenceId: id };

    const prepared = await call('actions.prepare', { request });
    expect(prepared.target).toMatchObject({ kind: 'Silence', name: 'GPUIdle', uid: id });
    expect(prepared.confirmPhrase).toBe('GPUIdle');
    expect(prepared.noop).toBeNull();
    expect(prepared.summary).toContain(`Expire silence ${id}`);
    const released = prepared.diff.filter(
      (d) => d.before === 'silenced' && d.after === 'firing (notifies again)',
    );
    expect(released.length).toBe(listed!.silencing);
    expect(prepared.warnings.join(' ')).toMatch(/notifying \(paging\) again/);
    // nothing written by the preview, nor by a wrong confirmation
    expect((await amSilences()).find((x) => x.id === id)?.status.state).toBe('active');
    expect((await callError('actions.execute', { id: prepared.id, confirm: 'GPU' })).code).toBe(
      'ACTION_REFUSED',
    );
    expect((await amSilences()).find((x) => x.id === id)?.status.state).toBe('active');

    const outcome = await call('actions.execute', { id: prepared.id, confirm: 'GPUIdle' });
    expect(outcome.status).toBe('done');
    expect(outcome.message).toMatch(new RegExp(`Silence ${id} has expired`));
    expect((await amSilences()).find((x) => x.id === id)?.status.state).toBe('expired');
    const after = await call('alerts.list', {});
    expect(after.silences.some((s) => s.id === id)).toBe(false);
    const idle = after.groups
      .flatMap((g) => g.alerts)
      .filter(
        (a) => a.source === 'alertmanager' && a.name === 'GPUIdle' && a.labels.namespace === 'ml-batch',
      );
    expect(idle.length).toBe(released.length);
    expect(idle.every((a) => a.state === 'firing' && !a.silencedBy.includes(id))).toBe(true);

    const entry = (await call('audit.list', { limit: 5 })).find((e) => e.seq === outcome.auditSeq)!;
    expect(entry).toMatchObject({ action: 'expireSilence', result: 'done' });
    expect(entry.target).toBe(`Silence alertname="GPUIdle", namespace="ml-batch" id=${id}`);
    expect((entry.details.before as { silence: { state: string } }).silence.state).toBe('active');
    expect((entry.details.after as { state: string }).state).toBe('expired');
    expect((await call('audit.verify', {})).ok).toBe(true);

    // once more: already ended, nothing to do
    const again = await call('actions.prepare', { request });
    expect(again.noop).toMatch(/already ended/);
    // an id Alertmanager does not know, and one that is not an id at all
    expect(
      (
        await callError('actions.prepare', {
          request: { ...request, silenceId: '00000000-0000-0000-0000-000000000000' },
        })
      ).code,
    ).toBe('NOT_FOUND');
    expect(
      (await callError('actions.prepare', { request: { ...request, silenceId: '../alerts' } })).code,
    ).toBe('INVALID_INPUT');
  });

  it('a silence that matches nothing active is allowed, with a warning; a bad regular expression is refused', async () => {
    const none = await call('actions.prepare', {
      request: {
        type: 'silence',
        matchers: [{ name: 'alertname', value: 'NoSuchAlert' }],
        durationMinutes: 30,
        comment: 'ahead of maintenance',
      },
    });
    expect(none.warnings.join(' ')).toMatch(/matches no alert active now/);
    expect(none.dryRun.ok).toBe(true);
    const bad = await call('actions.prepare', {
      request: {
        type: 'silence',
        matchers: [
          { name: 'alertname', value: 'GPUIdle' },
          { name: 'pod', value: '(unclosed', isRegex: true },
        ],
        durationMinutes: 30,
        comment: 'a typo',
      },
    });
    expect(bad.dryRun.ok).toBe(false);
    expect(bad.dryRun.message).toMatch(/not a valid regular expression/);
    const refused = await callError('actions.execute', { id: bad.id, confirm: 'GPUIdle' });
    expect(refused.code).toBe('DRY_RUN_FAILED');
  });

  it('alerts are grouped by the model services the Models view shows, mapping rules included', async () => {
    const batchGroup = (l: Awaited<ReturnType<typeof call<'alerts.list'>>>) =>
      l.groups.find((g) => g.serviceId === 'ml-batch/Deployment/batch-embeddings');
    expect(batchGroup(await call('alerts.list', {}))).toBeDefined();
    const { defaults } = await call('models.mappingRules', {});
    await call('models.saveMappingRules', { rules: { ...defaults, ignoreNamespaces: ['ml-batch'] } });
    try {
      // no longer a model service: its alerts are not under it (the Models view no longer lists it either)
      expect(batchGroup(await call('alerts.list', {}))).toBeUndefined();
      const models = await call('models.list', {});
      expect(models.models.some((m) => m.namespace === 'ml-batch')).toBe(false);
    } finally {
      await call('models.saveMappingRules', { rules: null });
    }
    expect(batchGroup(await call('alerts.list', {}))).toBeDefined();
  });

  it('refuses a silence that would match everything', async () => {
    const e = await callError('actions.prepare', {
      request: {
        type: 'silence',
        matchers: [{ name: 'alertname', value: '.*', isRegex: true }],
        durationMinutes: 60,
        comment: 'all of it',
      },
    });
    expect(e.code).toBe('INVALID_INPUT');
  });
});

describe('bad input gives a clear state', () => {
  it('a 4xx with an error body: the query is refused with Prometheus’s own message', async () => {
    const e = await callError('metrics.range', { promql: 'sum(rate(x[5m])', rangeS: 3600, widthPx: 200 });
    expect(e.code).toBe('PROMETHEUS_BAD_QUERY');
    expect(e.message).toMatch(/parse error/);
  });

  it('empty results, NaN and +Inf each produce a chart with a note, never a blank one', async () => {
    const empty = await call('metrics.range', {
      promql: 'no_such_metric_anywhere',
      rangeS: 3600,
      widthPx: 200,
    });
    expect(empty.series).toEqual([]);
    expect(empty.note).toMatch(/No data/);
    const nan = await call('metrics.range', { promql: 'vector(0) / 0', rangeS: 3600, widthPx: 200 });
    expect(nan.series[0]!.nonFinite.nan).toBe(nan.points);
    expect(nan.note).toMatch(/NaN or infinite/);
    const inf = await call('metrics.range', { promql: 'vector(1) / 0', rangeS: 3600, widthPx: 200 });
    expect(inf.series[0]!.nonFinite.posInf).toBe(inf.points);
    expect(inf.series[0]!.values.every((v) => v === null)).toBe(true);
  });

  it('a series with thousands of points per pixel is fetched at one point per pixel', async () => {
    const r = await call('metrics.range', {
      promql: 'sum(DCGM_FI_DEV_POWER_USAGE)',
      rangeS: 2 * 86400,
      widthPx: 100,
    });
    expect(r.points).toBeLessThanOrEqual(100);
    expect(r.series[0]!.values.length).toBe(r.points);
    expect(r.step).toBeGreaterThanOrEqual(1800);
  });

  it('label values containing HTML come back as plain strings (the renderer shows text)', async () => {
    const r = await call('metrics.range', {
      promql: 'label_replace(vector(1), "model", "<img src=x onerror=alert(1)>", "", "")',
      rangeS: 3600,
      widthPx: 100,
    });
    expect(r.series[0]!.labels.model).toBe('<img src=x onerror=alert(1)>');
    expect(r.series[0]!.name).toBe('model=<img src=x onerror=alert(1)>');
  });

  it('Prometheus down: what was seen is served from the cache, marked offline; the rest is PROMETHEUS_UNREACHABLE', async () => {
    const input = { service: models.llama70, rangeS: 3600, end: (T - 7200) * 1000, widthPx: 300 };
    // answers are saved per Prometheus: the outage happens behind the URL the console was set to
    const door = await prometheusDoor(sandbox.prometheusUrl);
    await call('settings.update', { prometheus: { url: door.url, auth: { kind: 'none' } } });
    try {
      const before = await call('metrics.modelHealth', input);
      await new Promise((r) => setTimeout(r, 50)); // cache writes are deferred
      await door.set('refused');
      // the same view again: answered from the cache without asking Prometheus at all
      const same = await call('metrics.modelHealth', input);
      const cachedReq = same.charts.find((c) => c.id === 'requests')!;
      expect(cachedReq.cache).not.toBeNull();
      expect(cachedReq.series[0]!.values).toEqual(
        before.charts.find((c) => c.id === 'requests')!.series[0]!.values,
      );
      // a minute later: Prometheus cannot be asked, the latest answer is shown on the new grid, marked offline
      const later = await call('metrics.modelHealth', { ...input, end: input.end + 60_000 });
      const req = later.charts.find((c) => c.id === 'requests')!;
      expect(req.cache?.offline).toBe(true);
      const shift = 60 / req.step;
      expect(req.series[0]!.values.slice(0, -shift)).toEqual(cachedReq.series[0]!.values.slice(shift));
      expect(req.series[0]!.values.slice(-shift).every((v) => v === null)).toBe(true);
      const e = await callError('metrics.modelHealth', { ...input, end: (T - 20_000) * 1000 });
      expect(e.code).toBe('PROMETHEUS_UNREACHABLE');
      expect(e.message).toContain(door.url);
      const alerts = await call('alerts.list', {});
      expect(alerts.prometheus.status).toBe('error');
      // another Prometheus is not served what this one answered
      await call('settings.update', { prometheus: { url: 'http://127.0.0.1:1', auth: { kind: 'none' } } });
      expect((await callError('metrics.modelHealth', input)).code).toBe('PROMETHEUS_UNREACHABLE');
    } finally {
      await call('settings.update', { prometheus: { url: sandbox.prometheusUrl, auth: { kind: 'none' } } });
      await door.close();
    }
  });
});
