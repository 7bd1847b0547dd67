import type { GpuGroup, IdleGpu } from '../../../shared/gpu';
import { formatValue } from '../../charts/format';
import { Table, type Column } from '../../components/Table';
import { NONE } from '../../format';
import { PanelCard } from '../../components/PanelCard';

export const pct = (v: number | null | undefined) => formatValue('ratio', v ?? null);
export const usd = (v: number | null | undefined) =>
  v === null || v === undefined ? NONE : `$${v.toFixed(2)}`;

const groupColumns = (first: string): Column[] => [
  { label: first },
  { label: 'GPUs', num: true },
  { label: 'Util', num: true, title: 'Mean utilisation over the window' },
  { label: 'Efficiency', num: true, title: 'Used / allocated' },
  { label: 'Memory', num: true },
  { label: 'Power', num: true },
  { label: '$/h', num: true },
];

/** GPUs grouped by node or by model service; a model service links to its health. */
export function GroupTable({
  title,
  rows,
  testId,
  linkToHealth,
  filter,
}: {
  title: string;
  rows: GpuGroup[];
  testId: string;
  linkToHealth?: boolean;
  /** the view's filter, when it hides rows */
  filter?: string;
}) {
  const empty = filter?.trim() ? `Nothing matches “${filter}”.` : 'No GPU is held by a pod.';
  return (
    <PanelCard title={title} testId={testId} empty={rows.length === 0 && empty}>
      <Table className="compact" columns={groupColumns(linkToHealth ? 'Model service' : 'Node')}>
        {rows.map((r) => (
          <tr key={r.key} data-testid="group-row" data-key={r.key}>
            <td className="ellipsis" title={r.label}>
              {linkToHealth && r.key.split('/').length === 3 ? (
                <a href={`#/health?model=${encodeURIComponent(r.key)}`}>{r.label}</a>
              ) : (
                r.label
              )}
            </td>
            <td className="num tnum">{linkToHealth ? r.gpus : `${r.allocated}/${r.gpus}`}</td>
            <td className="num tnum">{pct(r.avgUtil)}</td>
            <td className={`num tnum${r.efficiency !== null && r.efficiency < 0.1 ? ' sev-warning' : ''}`}>
              {pct(r.efficiency)}
            </td>
            <td className="num tnum">
              {r.memUsedMiB === null
                ? NONE
                : `${formatValue('mib', r.memUsedMiB)}${r.memTotalMiB ? ` / ${formatValue('mib', r.memTotalMiB)}` : ''}`}
            </td>
            <td className="num tnum">{formatValue('watts', r.powerW)}</td>
            <td className="num tnum">{usd(r.costPerHour)}</td>
          </tr>
        ))}
      </Table>
    </PanelCard>
  );
}

const idleColumns: Column[] = [
  { label: 'GPU' },
  { label: 'Model' },
  { label: 'Held by' },
  { label: 'Mean util', num: true },
  { label: 'Peak util', num: true },
  { label: 'Cost', num: true },
];

const priceTitle: Record<IdleGpu['priceSource'], string> = {
  opencost: 'OpenCost node_gpu_hourly_cost',
  table: 'Default price table by GPU model',
  unknown: 'No price known',
};

/** Allocated GPUs under the idle threshold, with what they cost an hour. */
export function IdleTable({ rows }: { rows: IdleGpu[] }) {
  return (
    <Table className="compact idle-table" columns={idleColumns}>
      {rows.map((r) => (
        <tr key={r.key} data-testid="idle-row" data-key={r.key}>
          <td className="mono">{r.key}</td>
          <td className="ellipsis" title={r.modelName ?? ''}>
            {r.modelName ?? NONE}
          </td>
          <td className="ellipsis" title={`${r.namespace}/${r.pod}`}>
            {r.serviceId ? (
              <a href={`#/health?model=${encodeURIComponent(r.serviceId)}`}>{`${r.namespace}/${r.pod}`}</a>
            ) : (
              `${r.namespace}/${r.pod}`
            )}
          </td>
          <td className="num tnum sev-warning">{pct(r.avgUtil)}</td>
          <td className="num tnum">{pct(r.maxUtil)}</td>
          <td className="num tnum" title={priceTitle[r.priceSource]}>
            {r.costPerHour === null ? NONE : `$${r.costPerHour.toFixed(2)}/h`}
            <span className="price-src">
              {r.priceSource === 'opencost' ? 'OpenCost' : r.priceSource === 'table' ? 'table' : ''}
            </span>
          </td>
        </tr>
      ))}
    </Table>
  );
}
