import { csvDollars } from '../../../shared/csv';
import type { GpuGroup, IdleGpu } from '../../../shared/gpu';
import type { CsvTable } from '../../components/CsvButton';

const ratio = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);
const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** The GPU tables as one CSV: a `scope` column says node, model service or idle GPU; money to the cent. */
export function gpuCsv(
  byNode: readonly GpuGroup[],
  byService: readonly GpuGroup[],
  idle: readonly IdleGpu[],
): CsvTable {
  const group = (scope: string) => (g: GpuGroup) => [
    scope,
    g.key,
    g.label,
    g.gpus,
    g.allocated,
    ratio(g.avgUtil),
    ratio(g.efficiency),
    null,
    round1(g.memUsedMiB),
    round1(g.memTotalMiB),
    round1(g.powerW),
    csvDollars(g.costPerHour),
    null,
  ];
  return {
    header: [
      'scope',
      'key',
      'name',
      'gpus',
      'allocated',
      'mean_util',
      'efficiency',
      'peak_util',
      'memory_used_mib',
      'memory_total_mib',
      'power_w',
      'usd_per_hour',
      'price_source',
    ],
    rows: [
      ...byNode.map(group('node')),
      ...byService.map(group('model_service')),
      ...idle.map((r) => [
        'idle_gpu',
        r.key,
        r.pod ? `${r.namespace ?? ''}/${r.pod}` : r.modelName,
        1,
        1,
        ratio(r.avgUtil),
        null,
        ratio(r.maxUtil),
        null,
        null,
        null,
        csvDollars(r.costPerHour),
        r.priceSource,
      ]),
    ],
  };
}
