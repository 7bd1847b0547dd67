import type { ModelService } from '../../../shared/models';
import type { CsvTable } from '../../components/CsvButton';

const round = (v: number | null, digits: number) =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/** The Models table as CSV: the rows on screen, in their order; rates over the last 5 minutes. */
export function modelsCsv(models: readonly ModelService[]): CsvTable {
  return {
    header: [
      'model',
      'namespace',
      'workload_kind',
      'server',
      'id',
      'ready',
      'desired',
      'restarts',
      'failing_pods',
      'image',
      'requests_per_s_5m',
      'error_ratio_5m',
    ],
    rows: models.map((m) => [
      m.name,
      m.namespace,
      m.workloadKind,
      m.serverKind,
      m.id,
      m.replicas.ready,
      m.replicas.desired,
      m.health?.restarts,
      m.health?.failingPods.length,
      m.image,
      round(m.requestRate, 3),
      round(m.errorRatio, 4),
    ]),
  };
}
