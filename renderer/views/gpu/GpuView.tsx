import { useMemo, useRef, useState } from 'react';
import { HeatmapChart } from '../../charts/HeatmapChart';
import { TimeChart } from '../../charts/TimeChart';
import { Banner, LastDataBanner } from '../../components/Banner';
import { Empty } from '../../components/Empty';
import { FilterInput } from '../../components/FilterInput';
import { matchesFilter } from '../../components/listFilter';
import { ErrorPanel } from '../../components/ErrorPanel';
import { RefreshButton } from '../../components/RefreshButton';
import { Segmented } from '../../components/Segmented';
import { TimeRangePicker } from '../../components/TimeRangePicker';
import { useRangeInHash } from '../../components/useFromHash';
import { NoPrometheusBanner } from '../../components/PrometheusBanners';
import { Stat } from '../../components/Stat';
import { usePolling } from '../../components/usePolling';
import { useWidth } from '../../components/useWidth';
import { GPU_WINDOWS, gpuStore, useGpu } from '../../state/gpu';
import { CsvButton } from '../../components/CsvButton';
import { gpuCsv } from './gpuCsv';
import { GroupTable, IdleTable, pct, usd } from './GpuTables';
import '../../components/metrics.css';
import { UpdatedAgo } from '../../components/UpdatedAgo';
import { formatTimestamp } from '../../format';
import { PanelCard } from '../../components/PanelCard';

const THRESHOLDS = [0.05, 0.1, 0.2];

export function GpuView() {
  const fleet = useGpu((s) => s.fleet);
  const rangeS = useGpu((s) => s.rangeS);
  const end = useGpu((s) => s.end);
  const range = useMemo(() => ({ rangeS, end }), [rangeS, end]);
  // the range is in the URL: a link reopens the fleet on the same moments
  useRangeInHash(range, (r) => gpuStore.getState().setRange(r.rangeS, r.end));
  const threshold = useGpu((s) => s.idleThreshold);
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box, 1100);
  // the heatmap's plot is the card minus the row labels: at most one column per pixel
  const plotWidth = Math.max(100, width - 260);

  usePolling(() => void gpuStore.getState().load(plotWidth), 60_000, [rangeS, end, threshold, plotWidth]);

  const data = fleet.data;
  const [filter, setFilter] = useState('');
  // the filter narrows the three tables; the figures above them stay the fleet's
  const tables = useMemo(
    () =>
      data && {
        idle: data.idle.filter((r) =>
          matchesFilter(filter, [r.key, r.node, r.modelName, r.namespace, r.pod, r.serviceId]),
        ),
        byNode: data.byNode.filter((r) => matchesFilter(filter, [r.key, r.label])),
        byService: data.byService.filter((r) => matchesFilter(filter, [r.key, r.label])),
      },
    [data, filter],
  );
  const notConfigured = fleet.error?.code === 'NOT_CONFIGURED';

  return (
    <div className="view view-scroll metrics-view" data-testid="gpu-view" ref={box}>
      <div className="toolbar">
        <FilterInput
          value={filter}
          onChange={setFilter}
          placeholder="Filter by node, GPU, model or pod"
          label="Filter the GPU tables by node, GPU, model or pod"
          testId="gpu-filter"
        />
        <TimeRangePicker
          windows={GPU_WINDOWS}
          value={range}
          onChange={(r) => gpuStore.getState().setRange(r.rangeS, r.end)}
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
        <UpdatedAgo at={fleet.updatedAt} />
        <CsvButton
          what="gpus"
          table={() => gpuCsv(data?.byNode ?? [], data?.byService ?? [], data?.idle ?? [])}
          disabled={!data}
        />
        <RefreshButton
          loading={fleet.status === 'loading'}
          onClick={() => void gpuStore.getState().load(plotWidth)}
        />
      </div>

      {notConfigured && <NoPrometheusBanner toSee="GPU utilisation" />}
      {fleet.error && !notConfigured && data && <LastDataBanner error={fleet.error} testId="gpu-stale" />}
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
          Fetched {formatTimestamp(data.cache.fetchedAt)}.
        </Banner>
      )}
      {!data && fleet.status === 'loading' && <div className="loading-line">Loading GPU utilisation…</div>}

      {data && tables && (
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

          <PanelCard
            title={
              <>
                Idle GPUs{' '}
                <span className="muted">
                  allocated, under {pct(data.idleThreshold)} for {data.idlePeriodS / 3600} h
                </span>
              </>
            }
            testId="idle-list"
            empty={
              (data.idle.length === 0 &&
                `No allocated GPU was idle over the last ${data.idlePeriodS / 3600} h.`) ||
              (tables.idle.length === 0 && `No idle GPU matches “${filter}”.`)
            }
          >
            <IdleTable rows={tables.idle} />
          </PanelCard>

          <div className="two-col">
            <GroupTable title="By node" rows={tables.byNode} testId="by-node" filter={filter} />
            <GroupTable
              title="By model service"
              rows={tables.byService}
              testId="by-service"
              filter={filter}
              linkToHealth
            />
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
