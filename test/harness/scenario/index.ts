/**
 * The sandbox's one seeded story. `createScenario({ seed, now })` is pure: the same inputs give the same
 * objects, metric values and cost records; nothing here does I/O.
 *
 * The story, anchored at `now` rounded down to the minute (T):
 *   - a GPU fleet: gpu-h100-a/b (p5.48xlarge, 8 x H100) and gpu-l4-a/b (g6.12xlarge, 4 x L4);
 *   - five models on four model servers (vLLM, Triton, KServe serverless, MLServer) plus an idle batch job
 *     holding 2 H100s, and 4 H100 + 4 L4 unallocated;
 *   - the chat HTTPRoute sends 100 % of its traffic (40 req/s at the daily peak) to llama-70b-chat, 0 % to
 *     llama-8b-chat (the fallback);
 *   - at T - 45 min llama-70b-chat is rolled to vllm/vllm-openai:v0.6.4 (revision 2): 25 % of its requests
 *     fail with 5xx, its latency triples and its GPU memory climbs, for as long as that image is live.
 */
import type { CostAnomaly, CostRecord } from './costs';
import { costAnomaly, dailyCostRecords, gpuOwnersOn } from './costs';
import type { Gpu, GpuNode, RouteSpec, Workload } from './fleet';
import {
  CHAT_ROUTE,
  IMAGES,
  INSTANCE_TYPES,
  WORKLOADS,
  buildGpus,
  buildNodes,
  defaultPodNames,
} from './fleet';
import type { Backfill, TimeRange } from './backfill';
import { openMetricsChunks, runBackfill } from './backfill';
import type { KubeObject } from '../kube';
import type { HistoryStep } from './kube-objects';
import { historySteps, initialObjects } from './kube-objects';
import type { Conditions, Incident, LiveState } from './model';
import { MetricModel, cloneState } from './model';
import type { Sample } from './series';
import { toPrometheusText } from './series';

export type { CostAnomaly, CostRecord } from './costs';
export type { Gpu, GpuNode, InstanceType, RouteSpec, Workload } from './fleet';
export type { Backfill, TimeRange } from './backfill';
export type { KubeObject } from '../kube';
export type { HistoryStep } from './kube-objects';
export type { Conditions, Incident, LiveState } from './model';
export type { Sample, SeriesDef } from './series';
export { CLUSTER, IMAGES, INSTANCE_TYPES, REGION } from './fleet';
export { centsToUsd, EC2_SERVICE, usageTypeOf } from './costs';
export { CHANGE_CAUSE, NAME_LABEL } from './kube-objects';
export { diurnalFactor, podIp } from './model';
export { toPrometheusText } from './series';

export const DEFAULT_SEED = 20240917;

export interface ScenarioOptions {
  seed?: number;
  /** Default: the current time. Rounded down to the minute. */
  now?: Date;
  /** Hours of backfilled history; default 48. */
  historyHours?: number;
  /** Seconds between backfilled samples in the last `fineHours` (and the period of the noise); default 30. */
  stepSeconds?: number;
  /**
   * Seconds between backfilled samples before the last `fineHours`; default 120. promtool 2.42 parses about
   * 75 MB of OpenMetrics a second, so 48 h at 30 s for ~570 series (540 MB) took 17 s here; this keeps the
   * start of the sandbox short. Set it equal to stepSeconds for one resolution throughout.
   */
  historyStepSeconds?: number;
  /** Hours at the end of the history sampled every stepSeconds; default 6. */
  fineHours?: number;
  /**
   * The cluster's own pod names per workload and revision (`podNames[workload][revision]`), so the metrics
   * name the pods the test API server's controller made. Missing entries get seeded names.
   */
  podNames?: Record<string, Record<number, readonly string[]>>;
}

export interface Scenario {
  seed: number;
  /** `now` rounded down to the minute: the last backfilled sample. */
  now: Date;
  /** The first backfilled sample. */
  start: Date;
  historyHours: number;
  stepSeconds: number;
  historyStepSeconds: number;
  /** The first sample of the fine (stepSeconds) part of the history. */
  fineStart: Date;
  nodes: GpuNode[];
  gpus: Gpu[];
  /** Everything that holds GPUs: the models and the idle batch job. */
  workloads: Workload[];
  /** The workloads that serve inference. */
  models: Workload[];
  route: RouteSpec;
  incident: Incident;
  /** Prices per instance type (integer cents). */
  instanceTypes: typeof INSTANCE_TYPES;
  costAnomaly: CostAnomaly;

  /** Namespaces, Nodes, Deployments (revision 1), the InferenceService and its pods, Services, Gateway, HTTPRoute. */
  kubeObjects(): KubeObject[];
  /** What to apply after kubeObjects(), in order, so the deployment controller makes revision 2. */
  kubeHistory(): HistoryStep[];
  /** The Deployment revision a workload runs at time t (unix seconds) in the story. */
  revisionAt(workload: string, tSeconds: number): number;
  /** Pod names of a workload at a revision. */
  podNames(workload: string, revision: number): readonly string[];
  /** The story's cluster state at t (unix seconds). */
  conditionsAt(tSeconds: number): Conditions;
  /** Noise-free requests per second of a model at t, under the given route shares (default: the story's). */
  expectedRequestRate(
    workload: string,
    tSeconds: number,
    routeShares?: Readonly<Record<string, number>>,
  ): number;
  /** The backfill timestamps (unix seconds). */
  timestamps(): number[];
  /** The history, computed once and kept. */
  backfill(): Backfill;
  /** OpenMetrics text of the history (or of a time range of it), ending with `# EOF`. */
  openMetrics(range?: TimeRange): Generator<string>;
  /** A copy of the counters at the end of the history: the live exporter's starting point. */
  initialLiveState(): LiveState;
  /** Advances `state` to t (unix seconds or a Date) under `conditions` (default: the story's) and returns the values. */
  sampleAt(t: number | Date, state: LiveState, conditions?: Conditions): Sample[];
  /** Prometheus text format for samples. */
  exposition(samples: readonly Sample[]): string;
  /** Cost records for the `days` complete UTC days before now's day. */
  dailyCosts(opts: { days: number }): CostRecord[];
  /** "node/index" -> workload name or null, on a UTC day (YYYY-MM-DD). */
  gpuOwnersOn(date: string): Map<string, string | null>;
}

export function createScenario(options: ScenarioOptions = {}): Scenario {
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0;
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 60_000) * 60_000);
  const historyHours = options.historyHours ?? 48;
  const stepSeconds = options.stepSeconds ?? 30;
  const historyStepSeconds = options.historyStepSeconds ?? 120;
  const fineHours = Math.min(options.fineHours ?? 6, historyHours);
  if (!(historyHours > 0)) throw new Error('historyHours must be > 0');
  for (const [name, value] of Object.entries({ stepSeconds, historyStepSeconds })) {
    if (!(value > 0 && Number.isInteger(value))) throw new Error(`${name} must be a positive integer`);
  }
  const nowS = now.getTime() / 1000;
  const fineStartS = nowS - Math.floor((fineHours * 3600) / stepSeconds) * stepSeconds;
  const startS =
    fineStartS - Math.floor(((historyHours - fineHours) * 3600) / historyStepSeconds) * historyStepSeconds;

  const nodes = buildNodes(seed);
  const gpus = buildGpus(seed, nodes);
  const workloads = WORKLOADS.map((w) => ({
    ...w,
    args: [...w.args],
    placement: w.placement.map((p) => ({ ...p, gpus: [...p.gpus] })),
  }));
  const models = workloads.filter((w) => w.server !== null);
  const route: RouteSpec = { ...CHAT_ROUTE, backends: CHAT_ROUTE.backends.map((b) => ({ ...b })) };
  const incident: Incident = {
    startsAt: new Date((nowS - 45 * 60) * 1000),
    model: 'llama-70b-chat',
    namespace: 'llm',
    badImage: IMAGES.vllmBad,
    goodImage: IMAGES.vllmGood,
    badRevision: 2,
    errorRatio: 0.25,
    latencyFactor: 3,
  };
  const incidentS = incident.startsAt.getTime() / 1000;
  const byName = new Map(workloads.map((w) => [w.name, w]));
  const workload = (name: string): Workload => {
    const w = byName.get(name);
    if (!w) throw new Error(`no workload ${name} in the scenario`);
    return w;
  };

  const podNameCache = new Map<string, readonly string[]>();
  const podNames = (name: string, revision: number): readonly string[] => {
    const key = `${name}#${revision}`;
    let names = podNameCache.get(key);
    if (!names) {
      const given = options.podNames?.[name]?.[revision];
      names = given ? [...given].sort() : defaultPodNames(seed, workload(name), revision);
      podNameCache.set(key, names);
    }
    return names;
  };
  const revisionAt = (name: string, tSeconds: number) =>
    name === incident.model && tSeconds >= incidentS ? incident.badRevision : 1;

  const totalWeight = route.backends.reduce((s, b) => s + b.weight, 0);
  const storyShares: Record<string, number> = Object.fromEntries(
    route.backends.map((b) => [b.name, totalWeight > 0 ? b.weight / totalWeight : 0]),
  );
  const brokenSet: ReadonlySet<string> = new Set([incident.model]);
  const healthySet: ReadonlySet<string> = new Set();
  const conditionsAt = (tSeconds: number): Conditions => ({
    broken: tSeconds >= incidentS ? brokenSet : healthySet,
    routeShares: storyShares,
    pods: Object.fromEntries(workloads.map((w) => [w.name, podNames(w.name, revisionAt(w.name, tSeconds))])),
  });

  const model = new MetricModel({
    seed,
    noiseStepSeconds: stepSeconds,
    nodes,
    gpus,
    workloads,
    route,
    incident,
  });
  const createdAt = new Date((startS - 30 * 86400) * 1000);
  const kubeCtx = {
    nodes,
    workloads,
    route,
    incident,
    createdAt,
    servingPods: (w: Workload) => podNames(w.name, 1),
  };
  const costCtx = { now, nodes, gpus, workloads };

  let times: number[] | undefined;
  const timestamps = () => {
    if (!times) {
      times = [];
      for (let t = startS; t < fineStartS; t += historyStepSeconds) times.push(t);
      for (let t = fineStartS; t <= nowS; t += stepSeconds) times.push(t);
    }
    return times;
  };
  let history: Backfill | undefined;
  const backfill = () => (history ??= runBackfill(model, timestamps(), conditionsAt));

  return {
    seed,
    now,
    start: new Date(startS * 1000),
    historyHours,
    stepSeconds,
    historyStepSeconds,
    fineStart: new Date(fineStartS * 1000),
    nodes,
    gpus,
    workloads,
    models,
    route,
    incident,
    instanceTypes: INSTANCE_TYPES,
    costAnomaly: costAnomaly(costCtx),
    kubeObjects: () => initialObjects(kubeCtx),
    kubeHistory: () => historySteps(kubeCtx),
    revisionAt,
    podNames,
    conditionsAt,
    expectedRequestRate: (name, tSeconds, routeShares = storyShares) =>
      model.meanRequestRate(workload(name), tSeconds, routeShares),
    timestamps: () => [...timestamps()],
    backfill,
    openMetrics: (range) => openMetricsChunks(backfill(), range),
    initialLiveState: () => cloneState(backfill().finalState),
    sampleAt(t, state, conditions) {
      const tSeconds = typeof t === 'number' ? t : t.getTime() / 1000;
      const samples: Sample[] = [];
      model.advance(state, tSeconds, conditions ?? conditionsAt(tSeconds), (def, value) =>
        samples.push({ def, value }),
      );
      return samples;
    },
    exposition: (samples) => toPrometheusText(samples),
    dailyCosts: ({ days }) => dailyCostRecords(costCtx, days),
    gpuOwnersOn: (date) => new Map([...gpuOwnersOn(costCtx, date)].map(([k, w]) => [k, w?.name ?? null])),
  };
}
