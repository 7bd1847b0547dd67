/**
 * The metric model: given the time, the state of the world (which releases are live, the route's weights,
 * the pods) and the previous counter values, it produces every series the sandbox's exporters would expose.
 * The backfill and the live exporter both run this one function, so they tell the same story and the live
 * counters continue from the backfill's last values.
 *
 * Units and formulas (all deterministic; noise is seeded hashing of (seed, key, floor(t / noiseStepSeconds))):
 *   diurnal(t)     = 0.6 + 0.4 * cos(2*pi*(hourOfDayUTC(t) - 15) / 24)      (1.0 at 15:00 UTC, 0.2 at 03:00)
 *   model req/s    = (directPeakRps + route.peakRps * routeShare) * diurnal(t) * (1 + 0.08 * noise)
 *   per pod req/s  = model req/s / number of pods
 *   5xx share      = (broken ? incident.errorRatio : baseErrorRatio) * (1 + 0.2 * noise)
 *   latency        = log-normal, median = latencyMedian * (broken ? incident.latencyFactor : 1) * (1 + 0.2 * min(load, 1.2)),
 *                    sigma = latencySigma; load = per pod req/s / capacityRpsPerReplica
 *   counter(t)     = counter(t_prev) + rate(t) * (t - t_prev)   (accumulated as floats, exposed floored)
 *   GPU util (%)   = clamp(3 + 92 * load + 3 * noise, 0, 100) on a serving GPU, 0 on an idle or free one
 *   power (W)      = idle + (max - idle) * util / 100 * 0.95 + 2 * noise;  energy (mJ) += power * dt * 1000
 *   FB used (MiB)  = memoryShare * memory (+ a climb to 98.5 % over 40 min while a vLLM release is broken)
 */
import type { Gpu, GpuNode, RouteSpec, Workload } from './fleet';
import { instanceType } from './fleet';
import { hashString, logNormalCdf, mix32, signedNoise, unitNoise } from './random';
import type { Family, LabelPairs, SeriesDef } from './series';
import { SeriesRegistry } from './series';

export interface Incident {
  startsAt: Date;
  model: string;
  namespace: string;
  badImage: string;
  goodImage: string;
  /** The Deployment revision that carries the bad image (1 = the good one). */
  badRevision: number;
  /** Share of requests answered 5xx while the bad image is live. */
  errorRatio: number;
  /** Latency multiplier while the bad image is live (p95 triples). */
  latencyFactor: number;
}

/** What the cluster looks like at a moment: the inputs of the metric model besides time. */
export interface Conditions {
  /** Workloads whose bad release is live. */
  broken: ReadonlySet<string>;
  /** Route backend name -> share of the route's traffic (weight / sum of weights; 0 for all when all are 0). */
  routeShares: Readonly<Record<string, number>>;
  /** Workload -> its running pods, sorted; pod i uses the GPUs of placement slot i. */
  pods: Readonly<Record<string, readonly string[]>>;
}

/** Counter accumulators and the time of the last sample; the exporter keeps one and advances it. */
export interface LiveState {
  /** Unix seconds of the last sample (NaN before the first). */
  t: number;
  acc: Map<string, number>;
  /** Workload -> unix seconds when its current broken spell began. */
  brokenSince: Map<string, number>;
}

export type Emit = (def: SeriesDef, value: number) => void;

export const VLLM_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60];
export const PYTHON_DEFAULT_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
export const KNATIVE_MS_BUCKETS = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

const CLIENT_ERROR_FINISHED_STOP = 0.92;

export function diurnalFactor(tSeconds: number): number {
  const hour = (((tSeconds / 3600) % 24) + 24) % 24;
  return 0.6 + 0.4 * Math.cos((2 * Math.PI * (hour - 15)) / 24);
}

export function emptyState(): LiveState {
  return { t: Number.NaN, acc: new Map(), brokenSince: new Map() };
}

export function cloneState(state: LiveState): LiveState {
  return { t: state.t, acc: new Map(state.acc), brokenSince: new Map(state.brokenSince) };
}

/** Deterministic pod IP: 10.1.x.y from the pod name. */
export function podIp(pod: string): string {
  const h = mix32(hashString(pod));
  return `10.1.${((h >>> 8) % 250) + 2}.${(h % 250) + 2}`;
}

export interface ModelContext {
  seed: number;
  noiseStepSeconds: number;
  nodes: readonly GpuNode[];
  gpus: readonly Gpu[];
  workloads: readonly Workload[];
  route: RouteSpec;
  incident: Incident;
}

interface Histogram {
  buckets: SeriesDef[];
  bounds: number[];
  sum: SeriesDef;
  count: SeriesDef;
}

interface PodSeries {
  emit(ctx: PodStep): void;
}

interface PodStep {
  podRps: number;
  load: number;
  broken: boolean;
  dt: number;
  idx: number;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

function defineFamilies(registry: SeriesRegistry) {
  return {
    gpuUtil: registry.family('DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).'),
    engineActive: registry.family(
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
      'gauge',
      'Ratio of time the graphics engine is active.',
    ),
    fbUsed: registry.family('DCGM_FI_DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB).'),
    fbFree: registry.family('DCGM_FI_DEV_FB_FREE', 'gauge', 'Framebuffer memory free (in MiB).'),
    power: registry.family('DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W).'),
    energy: registry.family(
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
      'counter',
      'Total energy consumption since boot (in mJ).',
    ),
    vllmSuccess: registry.family(
      'vllm:request_success_total',
      'counter',
      'Count of successfully processed requests.',
    ),
    vllmPrompt: registry.family('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.'),
    vllmGeneration: registry.family(
      'vllm:generation_tokens_total',
      'counter',
      'Number of generation tokens processed.',
    ),
    vllmE2e: registry.family(
      'vllm:e2e_request_latency_seconds',
      'histogram',
      'Histogram of end to end request latency in seconds.',
    ),
    vllmRunning: registry.family(
      'vllm:num_requests_running',
      'gauge',
      'Number of requests currently running on GPU.',
    ),
    httpRequests: registry.family(
      'http_requests_total',
      'counter',
      'Total number of requests by method, status and handler.',
    ),
    tritonSuccess: registry.family(
      'nv_inference_request_success',
      'counter',
      'Number of successful inference requests, all batch sizes',
    ),
    tritonFailure: registry.family(
      'nv_inference_request_failure',
      'counter',
      'Number of failed inference requests, all batch sizes',
    ),
    tritonCount: registry.family(
      'nv_inference_count',
      'counter',
      'Number of inferences performed (does not include cached requests)',
    ),
    tritonDuration: registry.family(
      'nv_inference_request_duration_us',
      'counter',
      'Cumulative inference request duration in microseconds (includes cached requests)',
    ),
    kservePredict: registry.family('request_predict_seconds', 'histogram', 'predict latency'),
    knativeCount: registry.family(
      'revision_request_count',
      'counter',
      'The number of requests that are routed to queue-proxy',
    ),
    knativeLatency: registry.family(
      'revision_request_latencies',
      'histogram',
      'The response latencies of the requests in milliseconds',
    ),
    mlserverSuccess: registry.family(
      'model_infer_request_success',
      'counter',
      'Model infer request success count',
    ),
    mlserverFailure: registry.family(
      'model_infer_request_failure',
      'counter',
      'Model infer request failure count',
    ),
    mlserverDuration: registry.family(
      'rest_server_requests_duration_seconds',
      'histogram',
      'Duration of HTTP requests',
    ),
    nodeTotal: registry.family(
      'node_total_hourly_cost',
      'gauge',
      'node_total_hourly_cost Total node cost per hour',
    ),
    nodeGpu: registry.family(
      'node_gpu_hourly_cost',
      'gauge',
      'node_gpu_hourly_cost hourly cost for each gpu on this node',
    ),
    nodeCpu: registry.family(
      'node_cpu_hourly_cost',
      'gauge',
      'node_cpu_hourly_cost hourly cost for each cpu on this node',
    ),
    nodeRam: registry.family(
      'node_ram_hourly_cost',
      'gauge',
      'node_ram_hourly_cost hourly cost for each gb of ram on this node',
    ),
    nodeGpuCount: registry.family('node_gpu_count', 'gauge', 'node_gpu_count count of gpu on this node'),
    containerGpu: registry.family('container_gpu_allocation', 'gauge', 'container_gpu_allocation GPU used'),
    containerCpu: registry.family(
      'container_cpu_allocation',
      'gauge',
      'container_cpu_allocation Percent of a single CPU used in a minute',
    ),
    containerMemory: registry.family(
      'container_memory_allocation_bytes',
      'gauge',
      'container_memory_allocation_bytes Bytes of RAM used',
    ),
  };
}

type Families = ReturnType<typeof defineFamilies>;

export class MetricModel {
  readonly registry = new SeriesRegistry();
  private readonly ctx: ModelContext;
  private readonly podSeries = new Map<string, PodSeries>();
  private readonly gpuSeries = new Map<string, SeriesDef[]>();
  private readonly containerSeries = new Map<string, SeriesDef[]>();
  private readonly nodeSeries: Array<{ defs: SeriesDef[]; values: number[] }>;
  private readonly keyHashes = new Map<string, number>();
  private state: LiveState = emptyState();
  private out: Emit = () => undefined;
  private readonly fam: Families;
  private readonly nodesByName: ReadonlyMap<string, GpuNode>;

  constructor(ctx: ModelContext) {
    this.ctx = ctx;
    this.nodesByName = new Map(ctx.nodes.map((n) => [n.name, n]));
    this.fam = defineFamilies(this.registry);
    this.nodeSeries = ctx.nodes.map((node) => {
      const type = instanceType(node.instanceType);
      const labels: LabelPairs = [
        ['node', node.name],
        ['instance_type', node.instanceType],
        ['region', node.region],
        ['provider_id', node.providerId],
        ['job', 'opencost'],
        ['instance', '10.0.0.50:9003'],
      ];
      const f = this.fam;
      const defs = [f.nodeTotal, f.nodeGpu, f.nodeCpu, f.nodeRam, f.nodeGpuCount].map((family) =>
        this.registry.series(family, undefined, labels, 4),
      );
      return {
        defs,
        values: [type.pricePerHourCents / 100, type.pricePerGpuHourCents / 100, 0, 0, type.gpusPerInstance],
      };
    });
  }

  private noise(key: string, idx: number): number {
    let h = this.keyHashes.get(key);
    if (h === undefined) this.keyHashes.set(key, (h = hashString(key)));
    return signedNoise(this.ctx.seed, h, idx);
  }

  /** Adds `inc` to a counter and emits its new value (floored when `floor`). */
  private count(def: SeriesDef, inc: number, floor = true): void {
    const value = (this.state.acc.get(def.key) ?? 0) + inc;
    this.state.acc.set(def.key, value);
    this.out(def, floor ? Math.floor(value) : round3(value));
  }

  private histogram(family: Family, bounds: number[], labels: LabelPairs): Histogram {
    const r = this.registry;
    return {
      bounds,
      buckets: [...bounds.map(String), '+Inf'].map((le) =>
        r.series(family, `${family.name}_bucket`, [...labels, ['le', le]], 0),
      ),
      sum: r.series(family, `${family.name}_sum`, labels, 3),
      count: r.series(family, `${family.name}_count`, labels, 0),
    };
  }

  /** Observes `n` log-normal values (median, sigma; `scale` converts seconds to the histogram's unit). */
  private observe(h: Histogram, n: number, median: number, sigma: number, scale = 1): void {
    for (let i = 0; i < h.buckets.length; i++) {
      const bound = h.bounds[i];
      const share = bound === undefined ? 1 : logNormalCdf(bound / scale, median, sigma);
      this.count(h.buckets[i]!, n * share);
    }
    this.count(h.sum, n * median * Math.exp((sigma * sigma) / 2) * scale, false);
    this.count(h.count, n);
  }

  private commonLabels(w: Workload, pod: string, port = w.port): LabelPairs {
    return [
      ['namespace', w.namespace],
      ['pod', pod],
      ['job', 'kubernetes-pods'],
      ['instance', `${podIp(pod)}:${port}`],
    ];
  }

  private createPodSeries(w: Workload, pod: string): PodSeries {
    const r = this.registry;
    const common = this.commonLabels(w, pod);
    const latency = (step: PodStep) =>
      w.latencyMedianSeconds *
      (step.broken ? this.ctx.incident.latencyFactor : 1) *
      (1 + 0.2 * Math.min(step.load, 1.2));
    const errorRatio = (step: PodStep) =>
      (step.broken ? this.ctx.incident.errorRatio : w.baseErrorRatio) *
      (1 + 0.2 * this.noise(`${w.name}:errors`, step.idx));
    switch (w.server) {
      case 'vllm': {
        const model: LabelPairs = [['model_name', w.metricModelName], ...common];
        const stop = r.series(
          this.fam.vllmSuccess,
          'vllm:request_success_total',
          [['finished_reason', 'stop'], ...model],
          0,
        );
        const length = r.series(
          this.fam.vllmSuccess,
          'vllm:request_success_total',
          [['finished_reason', 'length'], ...model],
          0,
        );
        const prompt = r.series(this.fam.vllmPrompt, 'vllm:prompt_tokens_total', model, 0);
        const generation = r.series(this.fam.vllmGeneration, 'vllm:generation_tokens_total', model, 0);
        const e2e = this.histogram(this.fam.vllmE2e, VLLM_BUCKETS, model);
        const running = r.series(this.fam.vllmRunning, 'vllm:num_requests_running', model, 0);
        const http = (status: string) =>
          r.series(
            this.fam.httpRequests,
            'http_requests_total',
            [['handler', '/v1/chat/completions'], ['method', 'POST'], ['status', status], ...common],
            0,
          );
        const [h2, h4, h5] = [http('2xx'), http('4xx'), http('5xx')];
        return {
          emit: (step) => {
            const n = step.podRps * step.dt;
            const failed = n * errorRatio(step);
            const clientErrors = n * w.clientErrorRatio;
            const ok = n - failed - clientErrors;
            const median = latency(step);
            this.count(stop, ok * CLIENT_ERROR_FINISHED_STOP);
            this.count(length, ok * (1 - CLIENT_ERROR_FINISHED_STOP));
            this.count(prompt, ok * w.promptTokens * (1 + 0.1 * this.noise(`${w.name}:prompt`, step.idx)));
            this.count(
              generation,
              ok * w.generationTokens * (1 + 0.1 * this.noise(`${w.name}:generation`, step.idx)),
            );
            this.observe(e2e, ok, median, w.latencySigma);
            this.out(
              running,
              Math.round(step.podRps * median * Math.exp((w.latencySigma * w.latencySigma) / 2)),
            );
            this.count(h2, ok);
            this.count(h4, clientErrors);
            this.count(h5, failed);
          },
        };
      }
      case 'triton': {
        const model: LabelPairs = [
          ['model', w.metricModelName],
          ['version', w.metricModelVersion],
          ...common,
        ];
        const success = r.series(this.fam.tritonSuccess, 'nv_inference_request_success', model, 0);
        const failure = r.series(this.fam.tritonFailure, 'nv_inference_request_failure', model, 0);
        const inferences = r.series(this.fam.tritonCount, 'nv_inference_count', model, 0);
        const duration = r.series(this.fam.tritonDuration, 'nv_inference_request_duration_us', model, 0);
        return {
          emit: (step) => {
            const n = step.podRps * step.dt;
            const failed = n * errorRatio(step);
            const median = latency(step);
            this.count(success, n - failed);
            this.count(failure, failed);
            this.count(inferences, n - failed);
            this.count(duration, n * median * Math.exp((w.latencySigma * w.latencySigma) / 2) * 1e6);
          },
        };
      }
      case 'kserve': {
        const revision = `${w.name}-predictor-00001`;
        const predict = this.histogram(this.fam.kservePredict, PYTHON_DEFAULT_BUCKETS, [
          ['model_name', w.metricModelName],
          ...common,
        ]);
        const queueCommon = this.commonLabels(w, pod, 9091);
        const requests = (cls: string) =>
          r.series(
            this.fam.knativeCount,
            'revision_request_count',
            [['revision_name', revision], ['response_code_class', cls], ...queueCommon],
            0,
          );
        const [ok2, err5] = [requests('2xx'), requests('5xx')];
        const latencies = this.histogram(this.fam.knativeLatency, KNATIVE_MS_BUCKETS, [
          ['revision_name', revision],
          ...queueCommon,
        ]);
        return {
          emit: (step) => {
            const n = step.podRps * step.dt;
            const failed = n * errorRatio(step);
            const median = latency(step);
            this.observe(predict, n, median, w.latencySigma);
            this.count(ok2, n - failed);
            this.count(err5, failed);
            // the queue proxy adds about 2 ms
            this.observe(latencies, n, median + 0.002, w.latencySigma, 1000);
          },
        };
      }
      case 'mlserver': {
        const model: LabelPairs = [
          ['model_name', w.metricModelName],
          ['model_version', w.metricModelVersion],
          ...common,
        ];
        const success = r.series(this.fam.mlserverSuccess, 'model_infer_request_success', model, 0);
        const failure = r.series(this.fam.mlserverFailure, 'model_infer_request_failure', model, 0);
        const duration = this.histogram(this.fam.mlserverDuration, PYTHON_DEFAULT_BUCKETS, [
          ['method', 'POST'],
          ['path', `/v2/models/${w.metricModelName}/infer`],
          ...common,
        ]);
        return {
          emit: (step) => {
            const n = step.podRps * step.dt;
            const failed = n * errorRatio(step);
            this.count(success, n - failed);
            this.count(failure, failed);
            this.observe(duration, n, latency(step), w.latencySigma);
          },
        };
      }
      default:
        return { emit: () => undefined };
    }
  }

  private gpuDefs(gpu: Gpu, node: GpuNode, owner: { w: Workload; pod: string } | null): SeriesDef[] {
    const cacheKey = `${gpu.uuid}|${owner?.pod ?? ''}`;
    let defs = this.gpuSeries.get(cacheKey);
    if (defs) return defs;
    const labels: Array<[string, string]> = [
      ['gpu', String(gpu.index)],
      ['UUID', gpu.uuid],
      ['pci_bus_id', gpu.pciBusId],
      ['device', gpu.device],
      ['modelName', gpu.modelName],
      ['Hostname', node.name],
    ];
    if (owner) {
      const p = node.exportedLabels ? 'exported_' : '';
      labels.push(
        [`${p}pod`, owner.pod],
        [`${p}namespace`, owner.w.namespace],
        [`${p}container`, owner.w.container],
      );
    }
    labels.push(['job', 'dcgm-exporter'], ['instance', `${node.internalIp}:9400`]);
    const f = this.fam;
    const r = this.registry;
    defs = [
      r.series(f.gpuUtil, undefined, labels, 0),
      r.series(f.fbUsed, undefined, labels, 0),
      r.series(f.fbFree, undefined, labels, 0),
      r.series(f.power, undefined, labels, 3),
      r.series(f.energy, undefined, labels, 0),
    ];
    if (node.hasEngineActive) defs.push(r.series(f.engineActive, undefined, labels, 4));
    this.gpuSeries.set(cacheKey, defs);
    return defs;
  }

  private containerDefs(w: Workload, pod: string, node: string): SeriesDef[] {
    const cacheKey = `${pod}|${node}`;
    let defs = this.containerSeries.get(cacheKey);
    if (defs) return defs;
    const labels: LabelPairs = [
      ['namespace', w.namespace],
      ['pod', pod],
      ['container', w.container],
      ['node', node],
      ['job', 'opencost'],
      ['instance', '10.0.0.50:9003'],
    ];
    const f = this.fam;
    defs = [f.containerGpu, f.containerCpu, f.containerMemory].map((family) =>
      this.registry.series(family, undefined, labels, 0),
    );
    this.containerSeries.set(cacheKey, defs);
    return defs;
  }

  /** Model requests per second before noise, under the given route shares. */
  meanRequestRate(w: Workload, tSeconds: number, routeShares: Readonly<Record<string, number>>): number {
    const viaRoute = this.ctx.route.backends.some((b) => b.name === w.name)
      ? this.ctx.route.peakRps * (routeShares[w.name] ?? 0)
      : 0;
    return (w.directPeakRps + viaRoute) * diurnalFactor(tSeconds);
  }

  /**
   * Advances `state` to `tSeconds` under `conditions` and emits every series' value at that time.
   * Counters grow by rate(t) * (t - state.t); the first call (state.t NaN) only sets the starting values.
   */
  advance(state: LiveState, tSeconds: number, conditions: Conditions, emit: Emit): void {
    this.state = state;
    this.out = emit;
    const dt = Number.isNaN(state.t) ? 0 : Math.max(0, tSeconds - state.t);
    const idx = Math.floor(tSeconds / this.ctx.noiseStepSeconds);
    const owners = new Map<string, { w: Workload; pod: string; load: number }>();

    for (const w of this.ctx.workloads) {
      const broken = conditions.broken.has(w.name);
      if (broken && !state.brokenSince.has(w.name)) state.brokenSince.set(w.name, tSeconds);
      if (!broken) state.brokenSince.delete(w.name);
      const pods = conditions.pods[w.name] ?? [];
      if (pods.length === 0) continue;
      const modelRps =
        w.server === null
          ? 0
          : this.meanRequestRate(w, tSeconds, conditions.routeShares) *
            (1 + 0.08 * this.noise(`${w.name}:rps`, idx));
      const podRps = modelRps / pods.length;
      const load = podRps / w.capacityRpsPerReplica;
      pods.forEach((pod, slot) => {
        let series = this.podSeries.get(pod);
        if (!series) this.podSeries.set(pod, (series = this.createPodSeries(w, pod)));
        series.emit({ podRps, load, broken, dt, idx });
        const placement = w.placement[slot];
        if (!placement) return;
        for (const index of placement.gpus) owners.set(`${placement.node}/${index}`, { w, pod, load });
        const [gpuDef, cpuDef, memDef] = this.containerDefs(w, pod, placement.node);
        this.out(gpuDef!, w.gpusPerReplica);
        this.out(cpuDef!, w.cpuPerReplica);
        this.out(memDef!, w.memoryBytesPerReplica);
      });
    }

    for (const gpu of this.ctx.gpus) {
      const node = this.nodesByName.get(gpu.node)!;
      const owner = owners.get(`${gpu.node}/${gpu.index}`) ?? null;
      const defs = this.gpuDefs(gpu, node, owner);
      const serving = owner !== null && owner.w.server !== null;
      const util = serving
        ? Math.min(
            100,
            Math.max(0, Math.round(3 + 92 * owner.load + 3 * this.noise(`util:${gpu.uuid}`, idx))),
          )
        : 0;
      let used = 0;
      if (owner) {
        let share =
          owner.w.memoryShare + (owner.w.server === 'vllm' || !serving ? 0 : 0.1 * Math.min(owner.load, 1));
        const since = state.brokenSince.get(owner.w.name);
        if (since !== undefined && owner.w.server === 'vllm') {
          share += (0.985 - share) * Math.min(1, (tSeconds - since) / 2400);
        }
        used = Math.round(share * gpu.memoryMiB);
      }
      const power =
        gpu.idlePowerW +
        ((gpu.maxPowerW - gpu.idlePowerW) * util * 0.95) / 100 +
        2 * this.noise(`power:${gpu.uuid}`, idx);
      const [utilDef, usedDef, freeDef, powerDef, energyDef, engineDef] = defs;
      this.out(utilDef!, util);
      this.out(usedDef!, used);
      this.out(freeDef!, gpu.memoryMiB - used);
      this.out(powerDef!, round3(power));
      const energyKey = `energy:${gpu.uuid}`;
      if (!state.acc.has(energyKey)) {
        // energy since boot: some weeks of idle-ish draw before the history starts
        const boot =
          gpu.idlePowerW * 86400 * 1000 * (14 + 14 * unitNoise(this.ctx.seed, hashString(energyKey), 0));
        state.acc.set(energyKey, Math.floor(boot));
      }
      const energy = state.acc.get(energyKey)! + power * dt * 1000;
      state.acc.set(energyKey, energy);
      this.out(energyDef!, Math.floor(energy));
      if (engineDef) this.out(engineDef, Math.round(util * 93) / 10000);
    }

    for (const { defs, values } of this.nodeSeries) defs.forEach((def, i) => this.out(def, values[i]!));
    state.t = tSeconds;
  }
}
