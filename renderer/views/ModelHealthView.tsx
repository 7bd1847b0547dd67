import { useMemo, useRef, useState } from 'react';
import type { ModelServerKind, ServiceRef } from '../../shared/models';
import type { BurnWindow, CatalogueOverride, ModelHealth, ModelTile, Slo } from '../../shared/health';
import { Sparkline } from '../charts/Sparkline';
import { TimeChart } from '../charts/TimeChart';
import { formatValue } from '../charts/format';
import { Banner } from '../components/Banner';
import { Empty } from '../components/Empty';
import { ErrorPanel } from '../components/ErrorPanel';
import { Icon } from '../components/Icon';
import { go } from '../components/Shell';
import { Ticks } from '../components/Ticks';
import { useNow } from '../components/useNow';
import { formatAgo, NONE, serverLabel } from '../format';
import { useModels } from '../state';
import { HEALTH_WINDOWS, healthStore, useHealth } from '../state/metrics';
import { Segmented, Stat } from './GpuView';
import { usePolling, useHashParam, useWidth } from './metricsHooks';
import './metrics.css';

export function selectModel(id: string): void {
  window.location.hash = `#/health?model=${encodeURIComponent(id)}`;
}

export function ModelHealthView() {
  const list = useModels((s) => s.list);
  const overview = useHealth((s) => s.overview);
  const selectedParam = useHashParam('model');
  const services: ServiceRef[] = useMemo(
    () =>
      (list.data?.models ?? []).map((m) => ({ id: m.id, serverKind: m.serverKind, modelName: m.modelName })),
    [list.data],
  );
  const names = useMemo(() => new Map((list.data?.models ?? []).map((m) => [m.id, m])), [list.data]);
  const servicesKey = services.map((s) => s.id).join('|');
  usePolling(() => void healthStore.getState().loadOverview(services), 30_000, [servicesKey]);

  const tiles = new Map((overview.data?.tiles ?? []).map((t) => [t.service.id, t]));
  // the worst first: the commander looks at the top of the list
  const ordered = [...services].sort(
    (a, b) => score(tiles.get(b.id)) - score(tiles.get(a.id)) || a.id.localeCompare(b.id),
  );
  const selected = services.find((s) => s.id === selectedParam) ?? ordered[0] ?? null;

  if (!list.data && list.status === 'error' && list.error) {
    return (
      <div className="view-center">
        <ErrorPanel
          title="Model services could not be listed"
          error={list.error}
          onRetry={() => go('models')}
        />
      </div>
    );
  }
  if (!list.data) return <div className="view loading-line">Loading model services…</div>;
  if (services.length === 0) {
    return (
      <div className="view">
        <Empty title="No model services">
          Model health needs model services from the cluster: see the Models view.
        </Empty>
      </div>
    );
  }

  return (
    <div className="health-layout" data-testid="health-view">
      <nav className="tile-list" aria-label="Model services">
        {overview.error && !overview.data && (
          <div className="tile-error" role="alert">
            {overview.error.message}
          </div>
        )}
        {ordered.map((s) => {
          const m = names.get(s.id);
          return (
            <ModelTileButton
              key={s.id}
              service={s}
              name={m?.name ?? s.id}
              namespace={m?.namespace ?? ''}
              tile={tiles.get(s.id)}
              selected={selected?.id === s.id}
            />
          );
        })}
      </nav>
      {selected && (
        <ModelDetail
          key={selected.id}
          service={selected}
          name={names.get(selected.id)?.name ?? selected.id}
        />
      )}
    </div>
  );
}

function score(t: ModelTile | undefined): number {
  if (!t) return -1;
  return (t.now.errorRatio ?? 0) * 100 + (t.error ? 0.5 : 0);
}

function ModelTileButton({
  service,
  name,
  namespace,
  tile,
  selected,
}: {
  service: ServiceRef;
  name: string;
  namespace: string;
  tile: ModelTile | undefined;
  selected: boolean;
}) {
  const err = tile?.now.errorRatio ?? null;
  const tone = err !== null && err >= 0.05 ? 'critical' : err !== null && err >= 0.01 ? 'warning' : 'accent';
  return (
    <button
      type="button"
      className={`tile${selected ? ' tile-on' : ''}${tone === 'critical' ? ' tile-critical' : ''}`}
      aria-current={selected ? 'true' : undefined}
      onClick={() => selectModel(service.id)}
      data-testid="model-tile"
      data-model={name}
    >
      <div className="tile-head">
        <span className="tile-name">{name}</span>
        <span className={`badge badge-${tile?.serverKind ?? service.serverKind}`}>
          {serverLabel(tile?.serverKind ?? service.serverKind)}
        </span>
      </div>
      <div className="tile-ns muted">{namespace}</div>
      {tile?.error ? (
        <div className="tile-error">{tile.error}</div>
      ) : (
        <div className="tile-metrics">
          <TileMetric
            label="req/s"
            value={formatValue('reqps', tile?.now.requestRate)}
            spark={tile?.spark.requests ?? []}
          />
          <TileMetric
            label="errors"
            value={formatValue('ratio', tile?.now.errorRatio)}
            spark={tile?.spark.errorRatio ?? []}
            tone={tone}
          />
          <TileMetric
            label={tile?.now.latencyIsMean ? 'mean' : 'p95'}
            value={formatValue('seconds', tile?.now.p95)}
            spark={tile?.spark.p95 ?? []}
          />
        </div>
      )}
    </button>
  );
}

function TileMetric({
  label,
  value,
  spark,
  tone = 'accent',
}: {
  label: string;
  value: string;
  spark: Array<number | null>;
  tone?: 'accent' | 'critical' | 'warning';
}) {
  return (
    <div className="tile-metric">
      <span className="tile-metric-label">{label}</span>
      <span className={`tile-metric-value tnum${tone !== 'accent' ? ` sev-${tone}` : ''}`}>{value}</span>
      <Sparkline values={spark} tone={tone} label={`${label}, last hour`} />
    </div>
  );
}

function ModelDetail({ service, name }: { service: ServiceRef; name: string }) {
  const health = useHealth((s) => s.health);
  const healthFor = useHealth((s) => s.healthFor);
  const rangeS = useHealth((s) => s.rangeS);
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box, 1000);
  const chartWidth = Math.max(200, Math.floor(width / 2) - 80);
  usePolling(() => void healthStore.getState().load(service, chartWidth), 30_000, [
    service.id,
    rangeS,
    chartWidth,
  ]);

  const data = health.data && healthFor === service.id ? health.data : undefined;
  const error = healthFor === service.id ? health.error : undefined;
  const now = useNow(5000);

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
        <Segmented
          label="Window"
          options={HEALTH_WINDOWS.map((w) => ({ label: w.label, value: w.rangeS }))}
          value={rangeS}
          onChange={(v) => healthStore.getState().setRange(v)}
          testId="health-window"
        />
        {health.updatedAt !== undefined && data && (
          <span className="muted">updated {formatAgo(health.updatedAt, now)}</span>
        )}
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => void healthStore.getState().load(service, chartWidth)}
          disabled={health.status === 'loading'}
        >
          <Icon name="refresh" className={health.status === 'loading' ? 'spin' : undefined} />
          Refresh
        </button>
      </div>
      {data && (
        <p className="detail-reason muted" title={data.catalogue.reason}>
          {data.catalogue.reason}
        </p>
      )}

      {error && error.code === 'NOT_CONFIGURED' && (
        <Banner
          tone="info"
          title="Add a Prometheus URL in Settings to see model health"
          action={
            <button type="button" className="btn btn-ghost" onClick={() => go('settings')}>
              Open Settings
            </button>
          }
        />
      )}
      {error && error.code !== 'NOT_CONFIGURED' && data && (
        <Banner tone="warning" title={`Showing the last good data: ${error.message}`} code={error.code}>
          <Ticks text={error.hint} />
        </Banner>
      )}
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
  const offline = data.charts.some((c) => c.cache?.offline);
  const latencyChart = data.charts.find((c) => c.id === 'latency');
  return (
    <>
      {offline && (
        <Banner
          tone="warning"
          title="Prometheus cannot be reached: charts show the copy saved on this computer"
          testId="health-offline"
        />
      )}
      {data.partial.length > 0 && !offline && (
        <Banner tone="warning" title={`${data.partial.length} of ${data.charts.length} charts failed`}>
          {data.partial.map((p) => `${p.chart}: ${p.message}`).join(' · ')}
        </Banner>
      )}
      <div className="stat-row" data-testid="health-now">
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

function burnText(v: number | null): string {
  if (v === null) return NONE;
  return `${v < 10 ? v.toFixed(2) : v.toFixed(1)}×`;
}

function BurnRows({ title, windows }: { title: string; windows: BurnWindow[] }) {
  return (
    <>
      {windows.map((w, i) => (
        <tr key={`${title}-${w.long}`} data-testid="burn-row">
          {i === 0 && (
            <th rowSpan={windows.length} scope="rowgroup">
              {title}
            </th>
          )}
          <td className="mono">
            {w.long} / {w.short}
          </td>
          <td className="num tnum">{burnText(w.longBurn)}</td>
          <td className="num tnum">{burnText(w.shortBurn)}</td>
          <td className="num tnum muted">&gt; {w.threshold}×</td>
          <td>
            {w.alerting ? (
              <span className={`pill pill-${w.severity === 'page' ? 'critical' : 'warning'}`}>
                {w.severity === 'page' ? 'page' : 'ticket'}
              </span>
            ) : (
              <span className="muted">ok</span>
            )}
          </td>
        </tr>
      ))}
    </>
  );
}

function SloPanel({ data, service }: { data: ModelHealth; service: ServiceRef }) {
  const [editing, setEditing] = useState(false);
  const slo = data.slo;
  return (
    <section className="panel-card" data-testid="slo-panel">
      <div className="section-row">
        <h3 className="section-title">
          SLO {slo.isDefault && <span className="muted">(default: none saved for this model)</span>}
        </h3>
        <span className="muted">
          {(slo.slo.availability * 100).toFixed(2)}% of requests succeed ·{' '}
          {(slo.slo.latencyTarget * 100).toFixed(1)}% within{' '}
          {formatValue('seconds', slo.slo.latencyThresholdS)}
        </span>
        <span className="toolbar-spacer" />
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => setEditing((v) => !v)}
          data-testid="edit-slo"
        >
          {editing ? 'Cancel' : 'Edit SLO'}
        </button>
      </div>
      {editing && <SloForm initial={slo.slo} service={service} onDone={() => setEditing(false)} />}
      <table className="grid compact burn-table">
        <thead>
          <tr>
            <th scope="col">Error budget</th>
            <th scope="col">Windows</th>
            <th scope="col" className="num">
              Burn, long
            </th>
            <th scope="col" className="num">
              Burn, short
            </th>
            <th scope="col" className="num">
              Alert when
            </th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          <BurnRows title="Availability" windows={slo.availability.windows} />
          {slo.latency.note ? (
            <tr>
              <th scope="row">Latency</th>
              <td colSpan={5} className="muted">
                {slo.latency.note}
              </td>
            </tr>
          ) : (
            <BurnRows title="Latency" windows={slo.latency.windows} />
          )}
        </tbody>
      </table>
      <p className="table-note">
        Burn rate = share of bad requests over the window / error budget (1 − target). 1× spends the budget
        exactly over 30 days.
      </p>
    </section>
  );
}

function SloForm({ initial, service, onDone }: { initial: Slo; service: ServiceRef; onDone: () => void }) {
  const saving = useHealth((s) => s.saving);
  const saveError = useHealth((s) => s.saveError);
  const [availability, setAvailability] = useState(String(+(initial.availability * 100).toFixed(3)));
  const [threshold, setThreshold] = useState(String(initial.latencyThresholdS));
  const [target, setTarget] = useState(String(+(initial.latencyTarget * 100).toFixed(3)));
  const submit = async () => {
    const slo = {
      availability: Number(availability) / 100,
      latencyThresholdS: Number(threshold),
      latencyTarget: Number(target) / 100,
    };
    if (await healthStore.getState().saveSlo(service, slo)) onDone();
  };
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      data-testid="slo-form"
    >
      <label>
        Availability target (%)
        <input
          className="input"
          inputMode="decimal"
          value={availability}
          onChange={(e) => setAvailability(e.target.value)}
          name="availability"
        />
      </label>
      <label>
        Latency threshold (s)
        <input
          className="input"
          inputMode="decimal"
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
          name="threshold"
        />
      </label>
      <label>
        Within threshold (%)
        <input
          className="input"
          inputMode="decimal"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          name="target"
        />
      </label>
      <button type="submit" className="btn btn-primary" disabled={saving}>
        Save SLO
      </button>
      <button
        type="button"
        className="btn btn-ghost"
        disabled={saving}
        onClick={() =>
          void healthStore
            .getState()
            .saveSlo(service, null)
            .then((ok) => ok && onDone())
        }
      >
        Reset to default
      </button>
      {saveError && <ErrorPanel inline error={saveError} />}
    </form>
  );
}

const OVERRIDE_FIELDS: Array<{ key: keyof CatalogueOverride; label: string; placeholder: string }> = [
  { key: 'selector', label: 'Pod selector', placeholder: 'namespace="llm",pod=~"chat-.*"' },
  { key: 'requests', label: 'Requests/s', placeholder: 'sum(rate(my_requests_total{$selector}[$window]))' },
  {
    key: 'errors',
    label: 'Errors/s',
    placeholder: 'sum(rate(my_requests_total{$selector,code=~"5.."}[$window]))',
  },
  { key: 'latencyBuckets', label: 'Latency histogram (_bucket)', placeholder: 'my_latency_seconds_bucket' },
  { key: 'inflight', label: 'In flight', placeholder: 'sum(my_inflight{$selector})' },
  { key: 'tokens', label: 'Tokens/s', placeholder: 'sum(rate(my_tokens_total{$selector}[$window]))' },
];

function CataloguePanel({ data, service }: { data: ModelHealth; service: ServiceRef }) {
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const c = data.catalogue;
  return (
    <section className="panel-card" data-testid="catalogue-panel">
      <div className="section-row">
        <h3 className="section-title">Metrics mapping</h3>
        <span className="muted">
          {c.override ? 'overridden for this model' : `detected: ${c.detected ?? 'nothing known'}`} · selector{' '}
          <code>{c.selector}</code>
        </span>
        <span className="toolbar-spacer" />
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => setOpen((v) => !v)}
          aria-expanded={open}
        >
          {open ? 'Hide' : 'Show'} details
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => setEditing((v) => !v)}
          data-testid="edit-override"
        >
          {editing ? 'Cancel' : 'Override'}
        </button>
      </div>
      {open && (
        <div className="catalogue-details">
          <p className="muted">{c.reason}</p>
          <p className="muted">
            Metric names found for these pods: {c.metricsFound.length ? c.metricsFound.join(', ') : 'none'}
          </p>
        </div>
      )}
      {editing && <OverrideForm service={service} initial={c.override} onDone={() => setEditing(false)} />}
    </section>
  );
}

function OverrideForm({
  service,
  initial,
  onDone,
}: {
  service: ServiceRef;
  initial: CatalogueOverride | null;
  onDone: () => void;
}) {
  const saving = useHealth((s) => s.saving);
  const saveError = useHealth((s) => s.saveError);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(OVERRIDE_FIELDS.map((f) => [f.key, String(initial?.[f.key] ?? '')])),
  );
  const submit = async () => {
    const override: Record<string, string> = {};
    for (const f of OVERRIDE_FIELDS) if (values[f.key]?.trim()) override[f.key] = values[f.key]!.trim();
    const result = await healthStore
      .getState()
      .saveOverride(service, Object.keys(override).length ? (override as CatalogueOverride) : null);
    if (result) onDone();
  };
  return (
    <form
      className="override-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <p className="muted">
        Leave a field empty to keep the catalogue&apos;s query. <code>$selector</code> and{' '}
        <code>$window</code> are filled in.
      </p>
      {OVERRIDE_FIELDS.map((f) => (
        <label key={f.key} className="override-field">
          <span>{f.label}</span>
          <input
            className="input mono"
            value={values[f.key] ?? ''}
            placeholder={f.placeholder}
            spellCheck={false}
            onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
          />
        </label>
      ))}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          Save override
        </button>
        {initial && (
          <button
            type="button"
            className="btn btn-ghost"
            disabled={saving}
            onClick={() =>
              void healthStore
                .getState()
                .saveOverride(service, null)
                .then((r) => r && onDone())
            }
          >
            Remove override
          </button>
        )}
      </div>
      {saveError && <ErrorPanel inline error={saveError} />}
    </form>
  );
}
