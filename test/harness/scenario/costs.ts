/**
 * Daily AWS cost records for the Cost Explorer test server, from the same fleet and prices as the metrics.
 *
 * Units and arithmetic (exact, integers until the final string):
 *   - every GPU node runs 24 h a day, every day; its whole on-demand price is attributed to its GPUs:
 *       cost per GPU-hour (cents) = instance price per hour (cents) / GPUs per instance   (1229 for p5.48xlarge, 115 for g6.12xlarge)
 *   - a record per (day, owner, instance type): owner = the workload whose pod holds the GPUs (tags model, team,
 *     namespace, cluster) or nobody (no tags: untagged, unallocated GPUs)
 *       unblendedCost (USD) = GPUs * 24 * cost per GPU-hour / 100, written with exactly 2 decimals
 *       amortizedCost       = unblendedCost (on-demand, no commitments)
 *       usageQuantity       = instance-hours = GPUs * 24 / GPUs per instance (an integer here)
 *   - so one day of the whole fleet = 24 * sum of instance prices = $4,940.16.
 *   - the story's cost anomaly: batch-embeddings ran a re-index on 6 H100s (instead of 2) for 3 days,
 *     10 to 8 days before `now`'s day; those 4 GPUs are otherwise unallocated, so the fleet total stays the same.
 */
import type { Gpu, GpuNode, Workload } from './fleet';
import { CLUSTER, instanceType } from './fleet';

export interface CostRecord {
  /** YYYY-MM-DD, a UTC day. */
  date: string;
  service: string;
  usageType: string;
  /** model, team, namespace, cluster; {} = untagged. */
  tags: Record<string, string>;
  /** USD, a plain decimal string. */
  unblendedCost: string;
  amortizedCost: string;
  usageQuantity: string;
}

export const EC2_SERVICE = 'Amazon Elastic Compute Cloud - Compute';

export interface CostAnomaly {
  workload: string;
  /** YYYY-MM-DD days of the anomaly. */
  dates: string[];
  /** GPUs it held on those days (instead of its usual allocation). */
  gpus: Array<{ node: string; index: number }>;
}

const DAY_MS = 86_400_000;

export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Cents as a decimal string with two fraction digits. */
export function centsToUsd(cents: number): string {
  if (!Number.isInteger(cents)) throw new Error(`cents must be an integer, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function usageTypeOf(instanceTypeName: string): string {
  return `USE1-BoxUsage:${instanceTypeName}`;
}

export interface CostContext {
  now: Date;
  nodes: readonly GpuNode[];
  gpus: readonly Gpu[];
  workloads: readonly Workload[];
}

export function costAnomaly(ctx: CostContext): CostAnomaly {
  const today = Math.floor(ctx.now.getTime() / DAY_MS) * DAY_MS;
  return {
    workload: 'batch-embeddings',
    dates: [10, 9, 8].map((d) => utcDate(today - d * DAY_MS)),
    gpus: [2, 3, 4, 5, 6, 7].map((index) => ({ node: 'gpu-h100-b', index })),
  };
}

/** Who holds each GPU ("node/index" -> workload or null) on a day. */
export function gpuOwnersOn(ctx: CostContext, date: string): Map<string, Workload | null> {
  const owners = new Map<string, Workload | null>();
  for (const gpu of ctx.gpus) owners.set(`${gpu.node}/${gpu.index}`, null);
  for (const w of ctx.workloads) {
    for (const slot of w.placement) for (const index of slot.gpus) owners.set(`${slot.node}/${index}`, w);
  }
  const anomaly = costAnomaly(ctx);
  if (anomaly.dates.includes(date)) {
    const w = ctx.workloads.find((x) => x.name === anomaly.workload) ?? null;
    for (const g of anomaly.gpus) owners.set(`${g.node}/${g.index}`, w);
  }
  return owners;
}

/** Records for the `days` complete UTC days before `now`'s day (oldest first). */
export function dailyCostRecords(ctx: CostContext, days: number): CostRecord[] {
  const today = Math.floor(ctx.now.getTime() / DAY_MS) * DAY_MS;
  const nodeType = new Map(ctx.nodes.map((n) => [n.name, n.instanceType]));
  const records: CostRecord[] = [];
  for (let d = days; d >= 1; d--) {
    const date = utcDate(today - d * DAY_MS);
    // (owner name or '', instance type) -> GPU count, in a stable order
    const groups = new Map<string, { owner: Workload | null; type: string; gpus: number }>();
    for (const [key, owner] of gpuOwnersOn(ctx, date)) {
      const type = nodeType.get(key.split('/')[0]!)!;
      const groupKey = `${owner?.name ?? ''}|${type}`;
      const group = groups.get(groupKey) ?? { owner, type, gpus: 0 };
      group.gpus++;
      groups.set(groupKey, group);
    }
    for (const { owner, type, gpus } of groups.values()) {
      const it = instanceType(type);
      const cents = gpus * 24 * it.pricePerGpuHourCents;
      const cost = centsToUsd(cents);
      records.push({
        date,
        service: EC2_SERVICE,
        usageType: usageTypeOf(type),
        tags: owner
          ? { model: owner.name, team: owner.team, namespace: owner.namespace, cluster: CLUSTER }
          : {},
        unblendedCost: cost,
        amortizedCost: cost,
        usageQuantity: String((gpus * 24) / it.gpusPerInstance),
      });
    }
  }
  return records;
}
