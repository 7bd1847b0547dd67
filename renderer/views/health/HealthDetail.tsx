import { useMemo, useRef } from 'react';
import { NOW_LABEL, type ModelHealth } from '../../../shared/health';
import type { ModelServerKind, ServiceRef } from '../../../shared/models';
import { TimeChart } from '../../charts/TimeChart';
import { formatValue } from '../../charts/format';
import { Banner, LastDataBanner } from '../../components/Banner';
import { ErrorPanel } from '../../components/ErrorPanel';
import { NoPrometheusBanner } from '../../components/PrometheusBanners';
import { RefreshButton } from '../../components/RefreshButton';
import { TimeRangePicker } from '../../components/TimeRangePicker';
import { useRangeInHash } from '../../components/useFromHash';
import { Stat } from '../../components/Stat';
import { usePolling } from '../../components/usePolling';
import { useWidth } from '../../components/useWidth';
import { formatClock, serverLabel } from '../../format';
import { Ticks } from '../../components/Ticks';
import { HEALTH_WINDOWS, healthStore, useHealth } from '../../state/health';
import { CataloguePanel } from './CataloguePanel';
import { SloPanel } from './SloPanel';
import { UpdatedAgo } from '../../components/UpdatedAgo';

/** The chosen model: its figures now, its SLO and burn rates, its charts and its metrics mapping. */
export function HealthDetail({ service, name }: { service: ServiceRef; name: string }) {
  const health = useHealth((s) => s.health);
  const healthFor = useHealth((s) => s.healthFor);
  const rangeS = useHealth((s) => s.rangeS);
  const end = useHealth((s) => s.end);
  const range = useMemo(() => ({ rangeS, end }), [rangeS, end]);
  // the range is in the URL (with the model): a link reopens these charts on the same moments
  useRangeInHash(range, (r) => healthStore.getState().setRange(r.rangeS, r.end));
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box, 1000);
  const chartWidth = Math.max(200, Math.floor(width / 2) - 80);
  usePolling(() => void healthStore.getState().load(service, chartWidth), 30_000, [
    service.id,
    rangeS,
    end,
    chartWidth,
  ]);

  const data = health.data && healthFor === service.id ? health.data : undefined;
  const error = healthFor === service.id ? health.error : undefined;

  return (
    <div
      className="view view-scroll metrics-view health-detail"
      ref={box}
      data-testid="model-health"
      data-model={name}
    >
      <div className="toolbar">
        <h2 className="detail-title">{name}</h2>
        <span className={`badge badge-${data?.catalogue.used ?? service.serverKind}`}>
          {serverLabel((data?.catalogue.used ?? service.serverKind) as ModelServerKind)}
        </span>
        <span className="toolbar-spacer" />
        <TimeRangePicker
          windows={HEALTH_WINDOWS}
          value={range}
          onChange={(r) => healthStore.getState().setRange(r.rangeS, r.end)}
          testId="health-window"
        />
        {data && <UpdatedAgo at={health.updatedAt} />}
        <RefreshButton
          loading={health.status === 'loading'}
          onClick={() => void healthStore.getState().load(service, chartWidth)}
        />
      </div>
      {data && (
        <p className="detail-reason muted" title={data.catalogue.reason}>
          {data.catalogue.reason}
        </p>
      )}

      {error && error.code === 'NOT_CONFIGURED' && <NoPrometheusBanner toSee="model health" />}
      {error && error.code !== 'NOT_CONFIGURED' && data && <LastDataBanner error={error} />}
      {error && error.code !== 'NOT_CONFIGURED' && !data && (
        <ErrorPanel
          title={`Health of ${name} could not be loaded`}
          error={error}
          onRetry={() => void healthStore.getState().load(service, chartWidth)}
        />
      )}
      {!data && !error && <div className="loading-line">Loading {name}…</div>}
      {data && <HealthBody data={data} service={service} />}
    </div>
  );
}

function HealthBody({ data, service }: { data: ModelHealth; service: ServiceRef }) {
  const n = data.now;
  const stale = data.stale ?? null;
  const offline = stale !== null || data.charts.some((c) => c.cache?.offline);
  const latencyChart = data.charts.find((c) => c.id === 'latency');
  return (
    <>
      {offline && (
        <Banner
          tone="warning"
          title={`Prometheus cannot be asked: showing the copy saved on this computer${
            stale ? `, as of ${formatClock(stale.asOf)}` : ''
          }`}
          code={stale?.error.code}
          testId="health-offline"
        >
          {stale && <Ticks text={`${stale.error.message} ${stale.error.hint}`} />}
        </Banner>
      )}
      {data.partial.length > 0 && !offline && (
        <Banner tone="warning" title={`${data.partial.length} of ${data.charts.length} charts failed`}>
          {data.partial.map((p) => `${p.chart}: ${p.message}`).join(' · ')}
        </Banner>
      )}
      <p className="muted now-caption" data-testid="now-caption">
        Now: {NOW_LABEL}, the same figures as Models and Traffic, whatever the chart window
      </p>
      <div
        className={`stat-row${stale ? ' stale-value' : ''}`}
        data-testid="health-now"
        data-stale={stale ? 'true' : undefined}
        title={stale ? `As of ${formatClock(stale.asOf)}: Prometheus cannot be asked now` : undefined}
      >
        <Stat label="Requests" value={formatValue('reqps', n.requestRate)} />
        <Stat
          label="Error ratio"
          value={formatValue('ratio', n.errorRatio)}
          tone={
            n.errorRatio !== null && n.errorRatio >= 0.05
              ? 'critical'
              : n.errorRatio !== null && n.errorRatio >= 0.01
                ? 'warning'
                : undefined
          }
          testId="now-errors"
        />
        {n.latencyIsMean ? (
          <Stat label="Latency (mean)" value={formatValue('seconds', n.p50)} />
        ) : (
          <>
            <Stat label="p50" value={formatValue('seconds', n.p50)} />
            <Stat label="p95" value={formatValue('seconds', n.p95)} testId="now-p95" />
            <Stat label="p99" value={formatValue('seconds', n.p99)} />
          </>
        )}
        <Stat label="In flight" value={formatValue('count', n.inflight)} />
        {n.tokensPerS !== null && <Stat label="Tokens" value={formatValue('tokps', n.tokensPerS)} />}
      </div>

      <SloPanel data={data} service={service} />

      <div className="chart-grid">
        {data.charts.map((c) => (
          <TimeChart
            key={c.id}
            chart={c}
            group="health"
            markLine={
              c === latencyChart && !n.latencyIsMean
                ? { value: data.slo.slo.latencyThresholdS, label: 'SLO' }
                : undefined
            }
          />
        ))}
      </div>

      <CataloguePanel data={data} service={service} />
    </>
  );
}
