/**
 * GPU utilisation from dcgm-exporter: the fleet heatmap (GPU x time), breakdowns per node and per model
 * service, memory and power, the idle list with what it costs per hour, and GPU efficiency (used / allocated).
 *
 * Utilisation is DCGM_FI_PROF_GR_ENGINE_ACTIVE (0..1) where a GPU has it, else DCGM_FI_DEV_GPU_UTIL / 100,
 * chosen per GPU by PromQL `or` (which matches series on their labels without the metric name). The pod that
 * holds a GPU is read from `pod`/`namespace`, or `exported_pod`/`exported_namespace` where the scrape did not
 * honour the exporter's labels (those then name the workload; `pod` names the exporter itself).
 */
import { NO_CELL, type GpuFleet, type GpuGroup, type GpuRow, type IdleGpu } from '../../shared/gpu';
import { type RangeChart, type Series, type StepChoice } from '../../shared/series';
import { AppError } from '../../shared/errors';
import { buildChart, failedChart, gridFor, roundForChart } from './charts';
import { tablePrice, type GpuPriceList } from './gpuPrices';
import type { MetricsEnv } from './modelHealth';
import type { GridSeries, InstantSample } from './prometheus';
import { CachedRange, cachedInstant, type CachedGrid } from './rangeCache';

export const ENGINE_ACTIVE = 'DCGM_FI_PROF_GR_ENGINE_ACTIVE';
export const GPU_UTIL = 'DCGM_FI_DEV_GPU_UTIL';
/** the labels that identify one GPU (every spelling dcgm-exporter versions use for the host) */
const GPU_IDENTITY = 'Hostname, hostname, gpu, UUID, modelName';
const HOLDER = 'pod, namespace, exported_pod, exported_namespace';

/** Utilisation 0..1 per series, averaged over `window`, preferring the engine-active field. */
export function utilExpr(window: string): string {
  return `avg_over_time(${ENGINE_ACTIVE}[${window}]) or avg_over_time(${GPU_UTIL}[${window}]) / 100`;
}

/** The heatmap query: one series per GPU (the holder's labels aggregated away, so a new pod does not split a row). */
export function heatmapQuery(step: number): string {
  return `max by (${GPU_IDENTITY}) (${utilExpr(windowFor(step))})`;
}

function windowFor(stepS: number): string {
  const s = Math.max(60, stepS);
  return s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

export function nodeOf(labels: Record<string, string>): string {
  const instance = labels.instance?.replace(/:\d+$/, '');
  return labels.Hostname || labels.hostname || labels.node || labels.kubernetes_node || instance || 'unknown';
}

/** The workload pod holding a GPU, in any label spelling; the exporter's own pod does not count. */
export function holderOf(labels: Record<string, string>): { namespace: string; pod: string } | null {
  const pod = labels.exported_pod || labels.pod;
  const namespace = labels.exported_namespace || labels.namespace;
  if (!pod || !namespace) return null;
  if (!labels.exported_pod && /^(nvidia-)?dcgm-exporter/.test(pod)) return null;
  return { namespace, pod };
}

export function gpuKey(labels: Record<string, string>): string {
  return `${nodeOf(labels)}/${labels.gpu ?? labels.UUID ?? labels.device ?? '?'}`;
}

/** A model service as far as pods go: the one whose pod prefix is the longest match wins. */
export interface PodOwner {
  id: string;
  namespace: string;
  podPrefix: string;
}

export function serviceOfPod(namespace: string, pod: string, owners: readonly PodOwner[]): string | null {
  let best: PodOwner | null = null;
  for (const o of owners) {
    if (
      o.namespace === namespace &&
      pod.startsWith(o.podPrefix) &&
      (!best || o.podPrefix.length > best.podPrefix.length)
    )
      best = o;
  }
  return best?.id ?? null;
}

/** With no cluster to ask: a readable group from the pod name (`<deployment>-<hash>-<suffix>` -> deployment). */
export function workloadFromPod(pod: string): string {
  const isvc = /^(.*)-predictor(-\d+)?-deployment-.+$/.exec(pod) ?? /^(.*)-predictor-.+$/.exec(pod);
  if (isvc) return isvc[1]!;
  const deploy = /^(.*)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/.exec(pod);
  if (deploy) return deploy[1]!;
  const sts = /^(.*)-\d+$/.exec(pod);
  if (sts) return sts[1]!;
  return pod;
}

function groupKeyOf(
  holder: { namespace: string; pod: string },
  owners: readonly PodOwner[],
): { key: string; serviceId: string | null } {
  const serviceId = serviceOfPod(holder.namespace, holder.pod, owners);
  return { key: serviceId ?? `${holder.namespace}/${workloadFromPod(holder.pod)}`, serviceId };
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** The heatmap alone (what the bench measures): one range query, rows on the aligned grid, sorted by node and GPU. */
export async function gpuHeatmap(
  env: MetricsEnv,
  grid: StepChoice,
  opts: { refresh?: boolean; maxRows?: number } = {},
): Promise<{
  promql: string;
  start: number;
  step: number;
  points: number;
  rows: GpuRow[];
  /** mean utilisation (0..1) of each row over the window, by row key; null = no sample */
  means: Map<string, number | null>;
  raw: CachedGrid;
}> {
  const range = new CachedRange(env.client, env.cache);
  const promql = heatmapQuery(grid.step);
  const raw = await range.get(
    {
      query: promql,
      start: grid.start,
      end: grid.end,
      step: grid.step,
      maxSeries: opts.maxRows ?? 4096,
      encoding: 'permille',
      timeoutMs: 60_000,
    },
    { signal: env.signal, stale: env.stale, refresh: opts.refresh, ...(env.now ? { now: env.now } : {}) },
  );
  const rows: GpuRow[] = new Array(raw.series.length);
  const means = new Map<string, number | null>();
  for (let r = 0; r < raw.series.length; r++) {
    const s = raw.series[r]!;
    const cells = permilleCells(s);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i]!;
      if (c !== NO_CELL) {
        sum += c;
        count++;
      }
    }
    const key = gpuKey(s.labels);
    means.set(key, count ? sum / count / 1000 : null);
    rows[r] = {
      key,
      node: nodeOf(s.labels),
      gpu: s.labels.gpu ?? '?',
      uuid: s.labels.UUID ?? null,
      modelName: s.labels.modelName ?? null,
      namespace: null,
      pod: null,
      serviceId: null,
      cells: cellsBase64(cells),
    };
  }
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  rows.sort((a, b) => cmp(a.node, b.node) || Number(a.gpu) - Number(b.gpu) || cmp(a.gpu, b.gpu));
  return { promql, start: raw.start, step: raw.step, points: raw.points, rows, means, raw };
}

/** A row's cells as per-mille uint16, clamped to 0..1000 (a ratio above 1 from a misbehaving exporter is full). */
function permilleCells(s: GridSeries): Uint16Array {
  const cached = s.permille;
  if (cached) {
    let clean = true;
    for (let i = 0; i < cached.length; i++) {
      const c = cached[i]!;
      if (c > 1000 && c !== NO_CELL) {
        clean = false;
        break;
      }
    }
    if (clean) return cached;
    return cached.map((c) => (c === NO_CELL ? NO_CELL : Math.min(1000, c)));
  }
  const src = s.values;
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    out[i] = v === v ? (v <= 0 ? 0 : v >= 1 ? 1000 : Math.round(v * 1000)) : NO_CELL;
  }
  return out;
}

function cellsBase64(cells: Uint16Array): string {
  const bytes = Buffer.from(cells.buffer, cells.byteOffset, cells.byteLength);
  if (LITTLE_ENDIAN) return bytes.toString('base64');
  return Buffer.from(bytes).swap16().toString('base64');
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface GpuNow {
  key: string;
  node: string;
  gpu: string;
  modelName: string | null;
  holder: { namespace: string; pod: string } | null;
  memUsed: number | null;
  memTotal: number | null;
  power: number | null;
  avgUtil: number | null;
  maxUtil: number | null;
  samples: number;
}

/** Everything the GPU view shows. */
export async function gpuFleet(
  env: MetricsEnv,
  input: {
    rangeS: number;
    end?: number | undefined;
    widthPx: number;
    idleThreshold: number;
    idlePeriodS: number;
  },
  owners: readonly PodOwner[],
  /** GPU-hour prices from the cost view's price table, used where OpenCost is not in Prometheus */
  prices: GpuPriceList | null = null,
): Promise<GpuFleet> {
  const now = (env.now ?? Date.now)();
  const grid = gridFor(input, now, 30);
  const evalTime = new Date(grid.end * 1000);
  const period = windowFor(input.idlePeriodS);
  const client = env.client;
  const range = new CachedRange(client, env.cache);

  // the last answers are kept, so the view opened offline still says who holds which GPU
  const remember = input.end === undefined;
  const instant = async (q: string): Promise<InstantSample[]> => {
    try {
      return (
        await cachedInstant(client, env.cache, q, {
          time: evalTime,
          signal: env.signal,
          stale: env.stale,
          remember,
        })
      ).samples;
    } catch (err) {
      if (err instanceof AppError && err.code === 'PROMETHEUS_BAD_QUERY') throw err;
      return [];
    }
  };

  const promql: Record<string, string> = {
    heatmap: heatmapQuery(grid.step),
    byHolder: `avg by (${HOLDER}) (${utilExpr(windowFor(grid.step))})`,
    memory: `sum by (Hostname, hostname) (DCGM_FI_DEV_FB_USED)`,
    power: `sum by (Hostname, hostname) (DCGM_FI_DEV_POWER_USAGE)`,
    holders: `max by (${GPU_IDENTITY}, ${HOLDER}) (${GPU_UTIL})`,
    idleAvg: `${utilExpr(period)}`,
    idleMax: `max_over_time(${ENGINE_ACTIVE}[${period}]) or max_over_time(${GPU_UTIL}[${period}]) / 100`,
    idleSamples: `count_over_time(${GPU_UTIL}[${period}])`,
    memUsed: `max by (${GPU_IDENTITY}) (DCGM_FI_DEV_FB_USED)`,
    memFree: `max by (${GPU_IDENTITY}) (DCGM_FI_DEV_FB_FREE)`,
    powerNow: `max by (${GPU_IDENTITY}) (DCGM_FI_DEV_POWER_USAGE)`,
    price: 'max by (node) (node_gpu_hourly_cost)',
    source: `count by (__name__) ({__name__=~"${ENGINE_ACTIVE}|${GPU_UTIL}"})`,
  };

  // the heatmap decides whether there is anything to show: its failure is the view's failure
  const heatmapP = gpuHeatmap(env, grid);
  const [heat, holders, idleAvg, idleMax, idleSamples, memUsed, memFree, powerNow, price, source] =
    await Promise.all([
      heatmapP,
      instant(promql.holders!),
      instant(promql.idleAvg!),
      instant(promql.idleMax!),
      instant(promql.idleSamples!),
      instant(promql.memUsed!),
      instant(promql.memFree!),
      instant(promql.powerNow!),
      instant(promql.price!),
      instant(promql.source!),
    ]);

  const charts: RangeChart[] = await Promise.all([
    lineChart('memory', 'GPU memory used by node', 'mib', promql.memory!, grid, range, env, (l) => nodeOf(l)),
    lineChart('power', 'GPU power by node', 'watts', promql.power!, grid, range, env, (l) => nodeOf(l)),
  ]);

  // ---- per GPU, now ----
  const gpus = new Map<string, GpuNow>();
  const at = (labels: Record<string, string>): GpuNow => {
    const key = gpuKey(labels);
    let g = gpus.get(key);
    if (!g) {
      g = {
        key,
        node: nodeOf(labels),
        gpu: labels.gpu ?? '?',
        modelName: labels.modelName ?? null,
        holder: null,
        memUsed: null,
        memTotal: null,
        power: null,
        avgUtil: null,
        maxUtil: null,
        samples: 0,
      };
      gpus.set(key, g);
    }
    return g;
  };
  for (const r of heat.rows)
    at({ Hostname: r.node, gpu: r.gpu, ...(r.modelName ? { modelName: r.modelName } : {}) });
  for (const s of holders) {
    const g = at(s.labels);
    const h = holderOf(s.labels);
    if (h) g.holder = h;
  }
  for (const s of memUsed) if (Number.isFinite(s.value)) at(s.labels).memUsed = s.value;
  for (const s of memFree) {
    const g = at(s.labels);
    if (Number.isFinite(s.value) && g.memUsed !== null) g.memTotal = g.memUsed + s.value;
  }
  for (const s of powerNow) if (Number.isFinite(s.value)) at(s.labels).power = s.value;

  // the idle statistics are per (GPU, holder) series: keep the current holder's
  const holderMatch = (s: InstantSample, g: GpuNow) => {
    const h = holderOf(s.labels);
    return (
      (h === null && g.holder === null) ||
      (h !== null && g.holder !== null && h.pod === g.holder.pod && h.namespace === g.holder.namespace)
    );
  };
  for (const s of idleAvg) {
    const g = gpus.get(gpuKey(s.labels));
    if (g && holderMatch(s, g) && Number.isFinite(s.value)) g.avgUtil = s.value;
  }
  for (const s of idleMax) {
    const g = gpus.get(gpuKey(s.labels));
    if (g && holderMatch(s, g) && Number.isFinite(s.value)) g.maxUtil = s.value;
  }
  for (const s of idleSamples) {
    const g = gpus.get(gpuKey(s.labels));
    if (g && holderMatch(s, g) && Number.isFinite(s.value)) g.samples = s.value;
  }

  const nodePrice = new Map<string, number>();
  for (const s of price) if (s.labels.node && Number.isFinite(s.value)) nodePrice.set(s.labels.node, s.value);
  const priceOf = (g: {
    node: string;
    modelName: string | null;
  }): { usd: number | null; source: IdleGpu['priceSource'] } => {
    const oc = nodePrice.get(g.node);
    if (oc !== undefined) return { usd: oc, source: 'opencost' };
    const t = tablePrice(g.modelName, prices);
    return t !== null ? { usd: t, source: 'table' } : { usd: null, source: 'unknown' };
  };

  // ---- rows: holder and service of each GPU now ----
  for (const r of heat.rows) {
    const g = gpus.get(r.key);
    if (g?.holder) {
      r.namespace = g.holder.namespace;
      r.pod = g.holder.pod;
      r.serviceId = serviceOfPod(g.holder.namespace, g.holder.pod, owners);
    }
  }
  const rowMean = heat.means;

  // ---- groups ----
  const group = (key: string, label: string, members: GpuNow[]): GpuGroup => {
    const utils = members.map((g) => rowMean.get(g.key) ?? null).filter((v): v is number => v !== null);
    const allocated = members.filter((g) => g.holder !== null);
    const allocUtils = allocated
      .map((g) => rowMean.get(g.key) ?? null)
      .filter((v): v is number => v !== null);
    const sum = (xs: Array<number | null>) => {
      const f = xs.filter((v): v is number => v !== null);
      return f.length ? f.reduce((a, b) => a + b, 0) : null;
    };
    return {
      key,
      label,
      gpus: members.length,
      allocated: allocated.length,
      avgUtil: utils.length ? round3(utils.reduce((a, b) => a + b, 0) / utils.length) : null,
      efficiency: allocUtils.length
        ? round3(allocUtils.reduce((a, b) => a + b, 0) / allocUtils.length)
        : null,
      memUsedMiB: sum(members.map((g) => g.memUsed)),
      memTotalMiB: sum(members.map((g) => g.memTotal)),
      powerW: roundOrNull(sum(members.map((g) => g.power))),
      costPerHour: roundOrNull(sum(members.map((g) => priceOf(g).usd)), 100),
    };
  };
  const all = [...gpus.values()];
  const byNodeMap = new Map<string, GpuNow[]>();
  for (const g of all) byNodeMap.set(g.node, [...(byNodeMap.get(g.node) ?? []), g]);
  const byServiceMap = new Map<string, { serviceId: string | null; members: GpuNow[] }>();
  for (const g of all) {
    if (!g.holder) continue;
    const { key, serviceId } = groupKeyOf(g.holder, owners);
    const entry = byServiceMap.get(key) ?? { serviceId, members: [] };
    entry.members.push(g);
    byServiceMap.set(key, entry);
  }

  // ---- idle list: allocated, present for most of the period, mean utilisation under the threshold ----
  const fullSamples = Math.max(0, ...all.map((g) => g.samples));
  const idle: IdleGpu[] = all
    .filter((g) => g.holder !== null && g.avgUtil !== null && g.avgUtil < input.idleThreshold)
    .filter((g) => fullSamples === 0 || g.samples >= 0.8 * fullSamples)
    .map((g) => {
      const p = priceOf(g);
      return {
        key: g.key,
        node: g.node,
        gpu: g.gpu,
        modelName: g.modelName,
        namespace: g.holder!.namespace,
        pod: g.holder!.pod,
        serviceId: serviceOfPod(g.holder!.namespace, g.holder!.pod, owners),
        avgUtil: round3(g.avgUtil!),
        maxUtil: round3(g.maxUtil ?? g.avgUtil!),
        costPerHour: p.usd,
        priceSource: p.source,
      };
    })
    .sort((a, b) => (b.costPerHour ?? 0) - (a.costPerHour ?? 0) || a.key.localeCompare(b.key));

  // ---- per model service over time ----
  const serviceChart = await serviceUtilChart(promql.byHolder!, grid, range, env, owners);

  const engine = source.find((s) => s.labels.__name__ === ENGINE_ACTIVE)?.value ?? 0;
  const util = source.find((s) => s.labels.__name__ === GPU_UTIL)?.value ?? 0;
  const utilSource: GpuFleet['utilSource'] =
    engine === 0 && util === 0
      ? heat.rows.length
        ? 'mixed'
        : 'none'
      : engine === 0
        ? 'gpu_util'
        : engine >= util
          ? 'engine_active'
          : 'mixed';

  let note: string | null = null;
  if (heat.rows.length === 0) {
    note = `No dcgm-exporter metrics (${ENGINE_ACTIVE} or ${GPU_UTIL}) in this window: is dcgm-exporter installed and scraped?`;
  } else if (![...heat.means.values()].some((m) => m !== null)) {
    note = 'GPUs were found but have no samples in this window.';
  }

  return {
    fetchedAt: new Date(now).toISOString(),
    utilSource,
    heatmap: { start: heat.start, step: heat.step, points: heat.points, rows: heat.rows },
    fleet: group('fleet', 'Fleet', all),
    byNode: [...byNodeMap.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([node, members]) => group(node, node, members)),
    byService: [...byServiceMap.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, { serviceId, members }]) => ({ ...group(serviceId ?? key, key, members) })),
    idle,
    idleCostPerHour: Math.round(idle.reduce((s, g) => s + (g.costPerHour ?? 0), 0) * 100) / 100,
    idleThreshold: input.idleThreshold,
    idlePeriodS: input.idlePeriodS,
    charts: [serviceChart, ...charts],
    promql,
    cache: heat.raw.cache,
    note,
  };
}

function roundOrNull(v: number | null, scale = 10): number | null {
  return v === null ? null : Math.round(v * scale) / scale;
}

async function lineChart(
  id: string,
  title: string,
  unit: RangeChart['unit'],
  query: string,
  grid: StepChoice,
  range: CachedRange,
  env: MetricsEnv,
  name: (labels: Record<string, string>) => string,
): Promise<RangeChart> {
  try {
    const g = await range.get(
      { query, ...grid, maxSeries: 200 },
      { signal: env.signal, stale: env.stale, ...(env.now ? { now: env.now } : {}) },
    );
    const chart = buildChart(id, title, unit, grid, [{ promql: query, grid: g, name: title }]);
    chart.series = chart.series.map((s) => ({ ...s, name: name(s.labels) }));
    return chart;
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError('PROMETHEUS_ERROR', String(err), 'Retry.');
    return failedChart(id, title, unit, grid, [query], `${e.message} ${e.hint}`);
  }
}

/** Mean utilisation per model service over time: the holder series grouped by the service of their pod. */
async function serviceUtilChart(
  query: string,
  grid: StepChoice,
  range: CachedRange,
  env: MetricsEnv,
  owners: readonly PodOwner[],
): Promise<RangeChart> {
  const id = 'byService';
  const title = 'GPU utilisation by model service (mean over its GPUs)';
  try {
    const g = await range.get(
      { query, ...grid, maxSeries: 4096 },
      { signal: env.signal, stale: env.stale, ...(env.now ? { now: env.now } : {}) },
    );
    const groups = new Map<string, { sum: Float64Array; n: Float64Array }>();
    for (const s of g.series) {
      const h = holderOf(s.labels);
      if (!h) continue;
      const { key } = groupKeyOf(h, owners);
      let acc = groups.get(key);
      if (!acc) groups.set(key, (acc = { sum: new Float64Array(g.points), n: new Float64Array(g.points) }));
      for (let i = 0; i < g.points; i++) {
        const v = s.values[i]!;
        if (v === v) {
          acc.sum[i]! += v;
          acc.n[i]! += 1;
        }
      }
    }
    const series: Series[] = [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, acc]) => ({
        key,
        name: key,
        labels: { service: key },
        values: Array.from(acc.sum, (v, i) => (acc.n[i]! > 0 ? roundForChart(v / acc.n[i]!) : null)),
        nonFinite: { nan: 0, posInf: 0, negInf: 0 },
      }));
    const chart = buildChart(id, title, 'ratio', grid, [], 'No GPU is held by a pod in this window.');
    const drawable = series.some((s) => s.values.some((v) => v !== null));
    return {
      ...chart,
      promql: [query],
      series,
      cache: g.cache,
      note: drawable ? null : 'No GPU is held by a pod in this window.',
    };
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError('PROMETHEUS_ERROR', String(err), 'Retry.');
    return failedChart(id, title, 'ratio', grid, [query], `${e.message} ${e.hint}`);
  }
}
