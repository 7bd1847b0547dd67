import { useRef } from 'react';
import type { GpuGroup, IdleGpu } from '../../shared/gpu';
import { HeatmapChart } from '../charts/HeatmapChart';
import { TimeChart } from '../charts/TimeChart';
import { formatValue } from '../charts/format';
import { Banner } from '../components/Banner';
import { Empty } from '../components/Empty';
import { ErrorPanel } from '../components/ErrorPanel';
import { Icon } from '../components/Icon';
import { go } from '../components/Shell';
import { Ticks } from '../components/Ticks';
import { useNow } from '../components/useNow';
import { formatAgo, NONE } from '../format';
import { GPU_WINDOWS, gpuStore, useGpu } from '../state/metrics';
import { usePolling, useWidth } from './metricsHooks';
import './metrics.css';

const THRESHOLDS = [0.05, 0.1, 0.2];

const pct = (v: number | null | undefined) => formatValue('ratio', v ?? null);
const usd = (v: number | null | undefined) => (v === null || v === undefined ? NONE : `$${v.toFixed(2)}`);

export function GpuView() {
  const fleet = useGpu((s) => s.fleet);
  const rangeS = useGpu((s) => s.rangeS);
  const threshold = useGpu((s) => s.idleThreshold);
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box, 1100);
  // the heatmap's plot is the card minus the row labels: at most one column per pixel
  const plotWidth = Math.max(100, width - 260);

  usePolling(() => void gpuStore.getState().load(plotWidth), 60_000, [rangeS, threshold, plotWidth]);

  const data = fleet.data;
  const now = useNow(5000);
  const notConfigured = fleet.error?.code === 'NOT_CONFIGURED';

  return (
    <div className="view view-scroll metrics-view" data-testid="gpu-view" ref={box}>
      <div className="toolbar">
        <Segmented
          label="Window"
          options={GPU_WINDOWS.map((w) => ({ label: w.label, value: w.rangeS }))}
          value={rangeS}
          onChange={(v) => gpuStore.getState().setRange(v)}
          testId="gpu-window"
        />
        <Segmented
          label="Idle under"
          options={THRESHOLDS.map((t) => ({ label: `${t * 100}%`, value: t }))}
          value={threshold}
          onChange={(v) => gpuStore.getState().setIdleThreshold(v)}
          testId="gpu-threshold"
        />
        <span className="toolbar-spacer" />
        {fleet.updatedAt !== undefined && (
          <span className="muted">updated {formatAgo(fleet.updatedAt, now)}</span>
        )}
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => void gpuStore.getState().load(plotWidth)}
          disabled={fleet.status === 'loading'}
        >
          <Icon name="refresh" className={fleet.status === 'loading' ? 'spin' : undefined} />
          Refresh
        </button>
      </div>

      {notConfigured && (
        <Banner
          tone="info"
          title="Add a Prometheus URL in Settings to see GPU utilisation"
          action={
            <button type="button" className="btn btn-ghost" onClick={() => go('settings')}>
              Open Settings
            </button>
          }
        />
      )}
      {fleet.error && !notConfigured && data && (
        <Banner
          tone="warning"
          title={`Showing the last good data: ${fleet.error.message}`}
          code={fleet.error.code}
          testId="gpu-stale"
        >
          <Ticks text={fleet.error.hint} />
        </Banner>
      )}
      {fleet.error && !notConfigured && !data && (
        <div className="view-center">
          <ErrorPanel
            title="Could not load GPU utilisation"
            error={fleet.error}
            onRetry={() => void gpuStore.getState().load(plotWidth)}
          />
        </div>
      )}
      {data?.cache?.offline && (
        <Banner
          tone="warning"
          title="Prometheus cannot be reached: showing the copy saved on this computer"
          testId="gpu-offline"
        >
          Fetched {new Date(data.cache.fetchedAt).toLocaleString()}.
        </Banner>
      )}
      {!data && fleet.status === 'loading' && <div className="loading-line">Loading GPU utilisation…</div>}

      {data && (
        <>
          <div className="stat-row" data-testid="gpu-summary">
            <Stat label="GPUs allocated" value={`${data.fleet.allocated} / ${data.fleet.gpus}`} />
            <Stat
              label="Efficiency"
              value={pct(data.fleet.efficiency)}
              title="Mean utilisation of the allocated GPUs over the window (used / allocated)"
              tone={data.fleet.efficiency !== null && data.fleet.efficiency < 0.3 ? 'warning' : undefined}
            />
            <Stat
              label="Fleet utilisation"
              value={pct(data.fleet.avgUtil)}
              title="Mean over every GPU, allocated or not"
            />
            <Stat
              label="Idle GPUs"
              value={String(data.idle.length)}
              tone={data.idle.length ? 'warning' : undefined}
              testId="idle-count"
              title={`Allocated, mean utilisation under ${pct(data.idleThreshold)} over the last ${data.idlePeriodS / 3600} h`}
            />
            <Stat
              label="Idle cost"
              value={`${usd(data.idleCostPerHour)}/h`}
              tone={data.idleCostPerHour > 0 ? 'warning' : undefined}
              testId="idle-cost"
            />
            <Stat label="Fleet cost" value={`${usd(data.fleet.costPerHour)}/h`} />
          </div>
          <p className="source-note muted" data-testid="util-source">
            {sourceText(data.utilSource)}
          </p>
          {data.note && (
            <Empty title="No GPU metrics" testId="gpu-empty">
              {data.note}
            </Empty>
          )}
          {data.heatmap.rows.length > 0 && (
            <HeatmapChart heatmap={data.heatmap} promql={data.promql.heatmap ?? ''} />
          )}

          <section className="panel-card" data-testid="idle-list">
            <h3 className="section-title">
              Idle GPUs{' '}
              <span className="muted">
                allocated, under {pct(data.idleThreshold)} for {data.idlePeriodS / 3600} h
              </span>
            </h3>
            {data.idle.length === 0 ? (
              <p className="muted">No allocated GPU was idle over the last {data.idlePeriodS / 3600} h.</p>
            ) : (
              <IdleTable rows={data.idle} />
            )}
          </section>

          <div className="two-col">
            <GroupTable title="By node" rows={data.byNode} testId="by-node" />
            <GroupTable title="By model service" rows={data.byService} testId="by-service" linkToHealth />
          </div>

          <div className="chart-grid">
            {data.charts.map((c) => (
              <TimeChart key={c.id} chart={c} group="gpu" />
            ))}
          </div>
        </>
      )}
    </div>
  );
}

function sourceText(source: string): string {
  switch (source) {
    case 'engine_active':
      return 'Utilisation: DCGM_FI_PROF_GR_ENGINE_ACTIVE (graphics engine activity).';
    case 'gpu_util':
      return 'Utilisation: DCGM_FI_DEV_GPU_UTIL / 100 (no profiling counters on these GPUs).';
    case 'mixed':
      return 'Utilisation: DCGM_FI_PROF_GR_ENGINE_ACTIVE where a GPU has it, DCGM_FI_DEV_GPU_UTIL / 100 elsewhere.';
    default:
      return 'No dcgm-exporter utilisation metric found.';
  }
}

export function Segmented<T extends number | string>({
  label,
  options,
  value,
  onChange,
  testId,
}: {
  label: string;
  options: Array<{ label: string; value: T }>;
  value: T;
  onChange: (v: T) => void;
  testId?: string;
}) {
  return (
    <div className="seg" role="group" aria-label={label} data-testid={testId}>
      <span className="seg-label">{label}</span>
      {options.map((o) => (
        <button
          key={String(o.value)}
          type="button"
          className={`seg-btn${o.value === value ? ' seg-on' : ''}`}
          aria-pressed={o.value === value}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

export function Stat({
  label,
  value,
  tone,
  title,
  testId,
}: {
  label: string;
  value: string;
  tone?: 'warning' | 'critical' | 'ok';
  title?: string;
  testId?: string;
}) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ''}`} title={title} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value tnum">{value}</div>
    </div>
  );
}

function GroupTable({
  title,
  rows,
  testId,
  linkToHealth,
}: {
  title: string;
  rows: GpuGroup[];
  testId: string;
  linkToHealth?: boolean;
}) {
  return (
    <section className="panel-card" data-testid={testId}>
      <h3 className="section-title">{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">No GPU is held by a pod.</p>
      ) : (
        <table className="grid compact">
          <thead>
            <tr>
              <th scope="col">{linkToHealth ? 'Model service' : 'Node'}</th>
              <th scope="col" className="num">
                GPUs
              </th>
              <th scope="col" className="num" title="Mean utilisation over the window">
                Util
              </th>
              <th scope="col" className="num" title="Used / allocated">
                Efficiency
              </th>
              <th scope="col" className="num">
                Memory
              </th>
              <th scope="col" className="num">
                Power
              </th>
              <th scope="col" className="num">
                $/h
              </th>
            </tr>
          </thead>
          <tbody>
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
                <td
                  className={`num tnum${r.efficiency !== null && r.efficiency < 0.1 ? ' sev-warning' : ''}`}
                >
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
          </tbody>
        </table>
      )}
    </section>
  );
}

function IdleTable({ rows }: { rows: IdleGpu[] }) {
  return (
    <table className="grid compact idle-table">
      <thead>
        <tr>
          <th scope="col">GPU</th>
          <th scope="col">Model</th>
          <th scope="col">Held by</th>
          <th scope="col" className="num">
            Mean util
          </th>
          <th scope="col" className="num">
            Peak util
          </th>
          <th scope="col" className="num">
            Cost
          </th>
        </tr>
      </thead>
      <tbody>
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
            <td
              className="num tnum"
              title={
                r.priceSource === 'opencost'
                  ? 'OpenCost node_gpu_hourly_cost'
                  : r.priceSource === 'table'
                    ? 'Default price table by GPU model'
                    : 'No price known'
              }
            >
              {r.costPerHour === null ? NONE : `$${r.costPerHour.toFixed(2)}/h`}
              <span className="price-src">
                {r.priceSource === 'opencost' ? 'OpenCost' : r.priceSource === 'table' ? 'table' : ''}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
