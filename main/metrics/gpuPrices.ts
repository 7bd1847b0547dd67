/**
 * What a GPU costs per hour when OpenCost's `node_gpu_hourly_cost` is not in Prometheus: the on-demand price
 * of a typical AWS instance of that GPU (us-east-1, Linux) divided by its GPU count, so the whole instance
 * price is attributed to its GPUs, as OpenCost does for GPU nodes. Matched on dcgm-exporter's `modelName`.
 * Approximate list prices: the cost domain's own price table, where configured, takes precedence.
 */
export const DEFAULT_GPU_PRICES: ReadonlyArray<{ match: RegExp; usdPerHour: number; basis: string }> = [
  { match: /H100/i, usdPerHour: 12.29, basis: 'p5.48xlarge / 8' },
  { match: /A100.*80\s?GB/i, usdPerHour: 5.12, basis: 'p4de.24xlarge / 8' },
  { match: /A100/i, usdPerHour: 4.1, basis: 'p4d.24xlarge / 8' },
  { match: /L40S/i, usdPerHour: 2.62, basis: 'g6e.12xlarge / 4' },
  { match: /\bL4\b/i, usdPerHour: 1.15, basis: 'g6.12xlarge / 4' },
  { match: /A10G/i, usdPerHour: 1.42, basis: 'g5.12xlarge / 4' },
  { match: /V100/i, usdPerHour: 3.06, basis: 'p3.8xlarge / 4' },
  { match: /\bT4\b/i, usdPerHour: 0.98, basis: 'g4dn.12xlarge / 4' },
];

/** A GPU-hour price list from the cost domain's editable price table: a GPU model name (or part of one). */
export type GpuPriceList = ReadonlyArray<{ match: string; usdPerHour: number }>;

/**
 * The hourly price of a GPU by its dcgm `modelName`: from the given price list (exact name, else the longest
 * entry the name contains, as the cost view prices GPU-hours), else from the defaults above.
 */
export function tablePrice(modelName: string | null, list: GpuPriceList | null = null): number | null {
  if (!modelName) return null;
  if (list && list.length) {
    const m = modelName.toLowerCase();
    const exact = list.find((e) => e.match.toLowerCase() === m);
    if (exact) return exact.usdPerHour;
    const contained = [...list]
      .sort((a, b) => b.match.length - a.match.length)
      .find((e) => m.includes(e.match.toLowerCase()));
    if (contained) return contained.usdPerHour;
  }
  return DEFAULT_GPU_PRICES.find((p) => p.match.test(modelName))?.usdPerHour ?? null;
}
