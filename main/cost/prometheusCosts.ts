/**
 * What cost needs from Prometheus, per UTC day, each as one range query evaluated at day ends (step 1 d):
 * - successful requests per (namespace, pod): the model server catalogue's `successes` PromQL with `rate(…[5m])`
 *   turned into `increase(…[1d])` (where a server has no success counter: requests - failures);
 * - generated tokens (vLLM) per pod;
 * - GPU busy time per pod (DCGM engine-active, else GPU_UTIL / 100), for the idle share;
 * - OpenCost allocation x hourly price per pod (GPU, CPU, RAM) and per node (hardware), for the OpenCost source;
 * - GPU-hours per pod and GPU model from dcgm-exporter, for the price table source.
 * Time sums use a 5-minute subquery over (day start, day end], 288 points a day, each worth 1/12 hour.
 * Results go through the series cache (a closed day never changes, so it is asked once).
 */
import { DAY_MS, type DayRange } from '../../shared/cost';
import type { ModelServerKind } from '../../shared/models';
import { AppError } from '../../shared/errors';
import { rateCatalogue } from '../metrics/catalogue';
import { ENGINE_ACTIVE, GPU_UTIL, holderOf, nodeOf } from '../metrics/gpu';
import type { PrometheusClient } from '../metrics/prometheus';
import { CachedRange, type CachedGrid } from '../metrics/rangeCache';
import type { SeriesCache } from '../store';

export const DAY_S = 86_400;
/** (day start, day end]: 288 five-minute points */
const DAY_SUBQUERY = '[86399s:5m]';
const POINTS_PER_HOUR = 12;

export const KIND_ORDER: readonly ModelServerKind[] = [
  'vllm',
  'triton',
  'mlserver',
  'torchserve',
  'rayserve',
  'kserve',
  'knative',
  'generic',
];

/** `sum by (namespace, pod) (rate(x[5m]))` -> `sum by (namespace, pod) (increase(x[1d]))` */
export function increaseOf(expr: string | null, window = '1d'): string | null {
  if (!expr) return null;
  return expr.replace(/\brate\(/g, 'increase(').replace(/\[5m\]/g, `[${window}]`);
}

/** The metric names a catalogue expression reads (for the "was there data at this time" check). */
export function metricNamesOf(expr: string | null): string[] {
  if (!expr) return [];
  const names = new Set<string>();
  for (const m of expr.matchAll(/\b(?:rate|increase)\(([a-zA-Z_:][a-zA-Z0-9_:]*)/g))
    names.add(m[1] as string);
  return [...names];
}

export interface SuccessQueries {
  kind: ModelServerKind;
  successes: string | null;
  requests: string | null;
  errors: string | null;
}

export function successQueries(kind: ModelServerKind): SuccessQueries {
  const q = rateCatalogue[kind];
  if (q.successes) return { kind, successes: increaseOf(q.successes), requests: null, errors: null };
  return { kind, successes: null, requests: increaseOf(q.requests), errors: increaseOf(q.errors) };
}

export const TOKENS_QUERY = 'sum by (namespace, pod) (increase(vllm:generation_tokens_total[1d]))';
const HOLDER = 'namespace, pod, exported_namespace, exported_pod';
export const GPU_BUSY_QUERY = `sum by (${HOLDER}) (sum_over_time(${ENGINE_ACTIVE}[1d]) or sum_over_time(${GPU_UTIL}[1d]) / 100)`;
export const GPU_SAMPLES_QUERY = `sum by (${HOLDER}) (count_over_time(${ENGINE_ACTIVE}[1d]) or count_over_time(${GPU_UTIL}[1d]))`;
/**
 * GPU-hours: the 5-minute points at which a GPU had a fresh sample (under 150 s old). A GPU counts once per point:
 * when a pod is replaced, the old pod's series and its successor's both name the GPU for a while (Prometheus's
 * 5-minute lookback, or no staleness marker in backfilled data), so only the newest series of each physical GPU
 * (UUID, index and host, in any of their spellings) is taken.
 */
const PHYSICAL_GPU = 'UUID, uuid, gpu, Hostname, hostname, node';
export const GPU_HOURS_QUERY = `sum by (${HOLDER}, modelName, Hostname, hostname) (count_over_time((topk by (${PHYSICAL_GPU}) (1, timestamp(${GPU_UTIL})) > time() - 150)${DAY_SUBQUERY})) / ${POINTS_PER_HOUR}`;

const alloc = (allocation: string, price: string) =>
  `sum by (namespace, pod) (sum_over_time((${allocation} * on (node) group_left () max by (node) (${price}))${DAY_SUBQUERY})) / ${POINTS_PER_HOUR}`;
export const OPENCOST_QUERIES = {
  gpu: alloc('container_gpu_allocation', 'node_gpu_hourly_cost'),
  cpu: alloc('container_cpu_allocation', 'node_cpu_hourly_cost'),
  ram: alloc('container_memory_allocation_bytes / 1073741824', 'node_ram_hourly_cost'),
  nodeTotal: `sum(sum_over_time(sum(node_total_hourly_cost)${DAY_SUBQUERY})) / ${POINTS_PER_HOUR}`,
  nodeGpu: `sum(sum_over_time(sum(max by (node) (node_gpu_hourly_cost) * on (node) max by (node) (node_gpu_count))${DAY_SUBQUERY})) / ${POINTS_PER_HOUR}`,
} as const;

/** A pod's value per day (NaN: no value that day). */
export interface PodDaily {
  namespace: string;
  pod: string;
  labels: Record<string, string>;
  values: Float64Array;
}

export interface PrometheusCostEnv {
  client: PrometheusClient | null;
  cache: SeriesCache | null;
  now?: () => number;
  signal?: AbortSignal;
}

/** The grid that puts day d's value at the end of day d. */
export function dayEndGrid(days: DayRange): { start: number; end: number; step: number } {
  return { start: (days.start + 1) * DAY_S, end: days.end * DAY_S, step: DAY_S };
}

async function daily(
  env: PrometheusCostEnv,
  query: string,
  days: DayRange,
  grid = dayEndGrid(days),
): Promise<CachedGrid> {
  const range = new CachedRange(env.client, env.cache);
  return range.get(
    { query, start: grid.start, end: grid.end, step: grid.step, maxSeries: 20_000, timeoutMs: 60_000 },
    { ...(env.signal ? { signal: env.signal } : {}), ...(env.now ? { now: env.now } : {}) },
  );
}

function byHolder(grid: CachedGrid, exported: boolean): PodDaily[] {
  const out: PodDaily[] = [];
  for (const s of grid.series) {
    const h = exported
      ? holderOf(s.labels)
      : s.labels.namespace && s.labels.pod
        ? { namespace: s.labels.namespace, pod: s.labels.pod }
        : null;
    if (!h) continue;
    out.push({ namespace: h.namespace, pod: h.pod, labels: s.labels, values: s.values });
  }
  return out;
}

export interface DataPresence {
  /** per day of the window: model-server counters were there from the day's start to its end */
  measured: boolean[];
  /** the first day with any data of interest (model servers, dcgm-exporter, OpenCost); null: none at all */
  firstDay: number | null;
}

const OPENCOST_NAMES = ['node_total_hourly_cost', 'container_gpu_allocation'];

/**
 * Which days Prometheus holds data for, from one cheap query (a count per metric name at each midnight):
 * a day is "measured" for cost per 1k when model-server counters were there at its start and at its end.
 * The heavier per-day queries are then asked only from the first day with any data.
 */
export async function dataPresence(
  env: PrometheusCostEnv,
  days: DayRange,
  kinds: readonly ModelServerKind[],
): Promise<DataPresence> {
  const modelNames = new Set<string>();
  for (const k of kinds) {
    const q = rateCatalogue[k];
    for (const e of [q.successes, q.requests]) for (const n of metricNamesOf(e)) modelNames.add(n);
  }
  const n = days.end - days.start;
  if (n <= 0) return { measured: [], firstDay: null };
  const all = [...modelNames, GPU_UTIL, ...OPENCOST_NAMES];
  const regex = all.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const grid = await daily(env, `count by (__name__) ({__name__=~"${regex}"})`, days, {
    start: days.start * DAY_S,
    end: days.end * DAY_S,
    step: DAY_S,
  });
  const models = new Array<boolean>(n + 1).fill(false);
  const any = new Array<boolean>(n + 1).fill(false);
  for (const s of grid.series) {
    const isModel = modelNames.has(s.labels.__name__ ?? '');
    for (let i = 0; i <= n; i++) {
      if (!((s.values[i] ?? NaN) > 0)) continue;
      any[i] = true;
      if (isModel) models[i] = true;
    }
  }
  // day i has data when there was some at its start or at its end (a history starting mid-day counts)
  let firstDay: number | null = null;
  for (let i = 0; i < n; i++) {
    if (any[i] || any[i + 1]) {
      firstDay = days.start + i;
      break;
    }
  }
  return {
    measured: Array.from({ length: n }, (_, i) => models[i] === true && models[i + 1] === true),
    firstDay,
  };
}

export interface KindSuccesses {
  kind: ModelServerKind;
  pods: PodDaily[];
}

/** Successful requests per pod and day, for each server kind asked. */
export async function dailySuccesses(
  env: PrometheusCostEnv,
  days: DayRange,
  kinds: readonly ModelServerKind[],
): Promise<KindSuccesses[]> {
  return Promise.all(
    kinds.map(async (kind) => {
      const q = successQueries(kind);
      if (q.successes) return { kind, pods: byHolder(await daily(env, q.successes, days), false) };
      if (!q.requests) return { kind, pods: [] };
      const [requests, errors] = await Promise.all([
        daily(env, q.requests, days),
        q.errors ? daily(env, q.errors, days) : Promise.resolve(null),
      ]);
      const failed = new Map<string, Float64Array>();
      for (const p of errors ? byHolder(errors, false) : []) failed.set(`${p.namespace}/${p.pod}`, p.values);
      const pods = byHolder(requests, false).map((p) => {
        const f = failed.get(`${p.namespace}/${p.pod}`);
        const values = new Float64Array(p.values.length);
        for (let i = 0; i < values.length; i++) {
          const all = p.values[i] as number;
          const bad = f ? (f[i] as number) : 0;
          values[i] = all === all ? Math.max(0, all - (bad === bad ? bad : 0)) : NaN;
        }
        return { ...p, values };
      });
      return { kind, pods };
    }),
  );
}

export async function dailyTokens(env: PrometheusCostEnv, days: DayRange): Promise<PodDaily[]> {
  return byHolder(await daily(env, TOKENS_QUERY, days), false);
}

/** Per pod and day: GPU busy seconds-equivalent (sum of 0..1 samples) and the number of samples. */
export async function dailyGpuBusy(
  env: PrometheusCostEnv,
  days: DayRange,
): Promise<{ busy: PodDaily[]; samples: PodDaily[] }> {
  const [busy, samples] = await Promise.all([
    daily(env, GPU_BUSY_QUERY, days),
    daily(env, GPU_SAMPLES_QUERY, days),
  ]);
  return { busy: byHolder(busy, true), samples: byHolder(samples, true) };
}

export interface OpenCostDaily {
  gpu: PodDaily[];
  cpu: PodDaily[];
  ram: PodDaily[];
  /** whole-cluster hardware cost per day (NaN: none) */
  nodeTotal: Float64Array;
  nodeGpu: Float64Array;
  fetchedAt: string | null;
}

export async function dailyOpenCost(env: PrometheusCostEnv, days: DayRange): Promise<OpenCostDaily> {
  const [gpu, cpu, ram, nodeTotal, nodeGpu] = await Promise.all([
    daily(env, OPENCOST_QUERIES.gpu, days),
    daily(env, OPENCOST_QUERIES.cpu, days),
    daily(env, OPENCOST_QUERIES.ram, days),
    daily(env, OPENCOST_QUERIES.nodeTotal, days),
    daily(env, OPENCOST_QUERIES.nodeGpu, days),
  ]);
  const n = days.end - days.start;
  const single = (g: CachedGrid) => g.series[0]?.values ?? new Float64Array(n).fill(NaN);
  return {
    gpu: byHolder(gpu, false),
    cpu: byHolder(cpu, false),
    ram: byHolder(ram, false),
    nodeTotal: single(nodeTotal),
    nodeGpu: single(nodeGpu),
    fetchedAt: gpu.cache?.fetchedAt ?? new Date((env.now ?? Date.now)()).toISOString(),
  };
}

export interface GpuHours {
  holder: { namespace: string; pod: string } | null;
  modelName: string | null;
  node: string;
  values: Float64Array;
}

/** GPU-hours per (holder or none, GPU model, node) and day, from dcgm-exporter's presence. */
export async function dailyGpuHours(env: PrometheusCostEnv, days: DayRange): Promise<GpuHours[]> {
  const grid = await daily(env, GPU_HOURS_QUERY, days);
  return grid.series.map((s) => ({
    holder: holderOf(s.labels),
    modelName: s.labels.modelName ?? null,
    node: nodeOf(s.labels),
    values: s.values,
  }));
}

/** GPU-hours so far today (instant query at `now` over the time since midnight). */
export async function gpuHoursToday(env: PrometheusCostEnv, nowMs: number): Promise<GpuHours[]> {
  if (!env.client) return [];
  const sinceMidnight = Math.floor((nowMs % DAY_MS) / 1000);
  if (sinceMidnight < 300) return [];
  const query = GPU_HOURS_QUERY.replace(DAY_SUBQUERY, `[${sinceMidnight - 1}s:5m]`);
  try {
    const samples = await env.client.query(query, {
      time: new Date(nowMs),
      ...(env.signal ? { signal: env.signal } : {}),
    });
    return samples.map((s) => ({
      holder: holderOf(s.labels),
      modelName: s.labels.modelName ?? null,
      node: nodeOf(s.labels),
      values: Float64Array.of(s.value),
    }));
  } catch (err) {
    if (err instanceof AppError && err.code === 'PROMETHEUS_BAD_QUERY') throw err;
    return [];
  }
}

/** Node -> instance type, where kube-state-metrics or OpenCost says (for node-hour prices). */
export async function nodeInstanceTypes(env: PrometheusCostEnv, atMs: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!env.client) return out;
  const query =
    'max by (node, instance_type) (node_total_hourly_cost) or max by (node, instance_type) (label_replace(kube_node_labels, "instance_type", "$1", "label_node_kubernetes_io_instance_type", "(.+)"))';
  try {
    for (const s of await env.client.query(query, { time: new Date(atMs) })) {
      if (s.labels.node && s.labels.instance_type && !out.has(s.labels.node))
        out.set(s.labels.node, s.labels.instance_type);
    }
  } catch {
    // optional: node-hour prices then apply only where GPU prices do not
  }
  return out;
}

/** Prometheus's spelling of a Kubernetes label in kube-state-metrics (`app.kubernetes.io/name` -> `label_app_kubernetes_io_name`). */
export function kubeStateLabel(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/**
 * Pod -> the value of a pod label, from kube-state-metrics' `kube_pod_labels` over the window (for attribution
 * by label). Empty when kube-state-metrics is not scraped: the pods' cost is then unattributed.
 */
export async function podLabelValues(
  env: PrometheusCostEnv,
  key: string,
  days: DayRange,
  atMs: number,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!env.client || days.end <= days.start) return out;
  const label = kubeStateLabel(key);
  const query = `max by (namespace, pod, ${label}) (max_over_time(kube_pod_labels{${label}!=""}[${days.end - days.start}d]))`;
  const at = new Date(Math.min(atMs, days.end * DAY_MS));
  for (const s of await env.client.query(query, {
    time: at,
    ...(env.signal ? { signal: env.signal } : {}),
  })) {
    const v = s.labels[label];
    if (s.labels.namespace && s.labels.pod && v) out.set(`${s.labels.namespace}/${s.labels.pod}`, v);
  }
  return out;
}
