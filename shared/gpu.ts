/**
 * GPUs: the fleet view (utilisation heatmap, per node and per model service, idle GPUs with their cost, memory and
 * power) and its slice of the channel table.
 */
import { z } from 'zod';
import { CacheInfo, RangeChart, WindowInput } from './series';

export const GpuRow = z.object({
  /** `<node>/<gpu index>` */
  key: z.string(),
  node: z.string(),
  gpu: z.string(),
  uuid: z.string().nullable(),
  modelName: z.string().nullable(),
  /** who holds the GPU now (from the pod labels in any spelling), null = unallocated */
  namespace: z.string().nullable(),
  pod: z.string().nullable(),
  /** the model service that pod belongs to, when known */
  serviceId: z.string().nullable(),
  /**
   * utilisation at each heatmap column: base64 of little-endian uint16 per-mille (0..1000 = 0..100 % in 0.1 %
   * steps; 65535 = no sample). Half a million cells travel as one string per row instead of as numbers; read
   * them with `decodeCells`.
   */
  cells: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
});
export type GpuRow = z.infer<typeof GpuRow>;

export const GpuGroup = z.object({
  key: z.string(),
  label: z.string(),
  gpus: z.number().int().nonnegative(),
  allocated: z.number().int().nonnegative(),
  /** mean utilisation 0..1 over the window, over the group's GPUs */
  avgUtil: z.number().nullable(),
  /** sum of utilisation of allocated GPUs / number of allocated GPUs */
  efficiency: z.number().nullable(),
  memUsedMiB: z.number().nullable(),
  memTotalMiB: z.number().nullable(),
  powerW: z.number().nullable(),
  costPerHour: z.number().nullable(),
});
export type GpuGroup = z.infer<typeof GpuGroup>;

export const PriceSource = z.enum(['opencost', 'table', 'unknown']);
export const IdleGpu = z.object({
  key: z.string(),
  node: z.string(),
  gpu: z.string(),
  modelName: z.string().nullable(),
  namespace: z.string().nullable(),
  pod: z.string().nullable(),
  serviceId: z.string().nullable(),
  avgUtil: z.number(),
  maxUtil: z.number(),
  costPerHour: z.number().nullable(),
  priceSource: PriceSource,
});
export type IdleGpu = z.infer<typeof IdleGpu>;

export const GpuFleet = z.object({
  fetchedAt: z.string(),
  /** which DCGM field the utilisation comes from */
  utilSource: z.enum(['engine_active', 'gpu_util', 'mixed', 'none']),
  heatmap: z.object({ start: z.number(), step: z.number(), points: z.number().int(), rows: z.array(GpuRow) }),
  fleet: GpuGroup,
  byNode: z.array(GpuGroup),
  byService: z.array(GpuGroup),
  idle: z.array(IdleGpu),
  idleCostPerHour: z.number(),
  idleThreshold: z.number(),
  idlePeriodS: z.number(),
  charts: z.array(RangeChart),
  promql: z.record(z.string(), z.string()),
  cache: CacheInfo.nullable(),
  note: z.string().nullable(),
});
export type GpuFleet = z.infer<typeof GpuFleet>;

export const GpuFleetInput = WindowInput.extend({
  /** a GPU is idle when its mean utilisation over idlePeriodS is below this (0..1) */
  idleThreshold: z.number().min(0).max(1).default(0.1),
  idlePeriodS: z
    .number()
    .int()
    .min(300)
    .max(30 * 86400)
    .default(3600),
  context: z.string().min(1).max(512).optional(),
}).strict();

// ---------- heatmap cells ----------

/** No sample in a heatmap cell. */
export const NO_CELL = 65535;

/** A heatmap row's cells (see GpuRow.cells): per-mille utilisation, NO_CELL where there was no sample. */
export function decodeCells(base64: string): Uint16Array {
  const bin = atob(base64);
  const out = new Uint16Array(bin.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
  return out;
}

// ---------- channels (spread into contract.ts) ----------

export const gpuChannels = {
  /** the GPU view: heatmap, per node / per model service, idle GPUs with cost, memory and power */
  'metrics.gpuFleet': { input: GpuFleetInput, output: GpuFleet },
} as const;
