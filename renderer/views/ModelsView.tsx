import { useEffect, useMemo, useRef } from 'react';
import type { ModelService, MetricsStatus } from '../../shared/models';
import { Banner } from '../components/Banner';
import { Empty } from '../components/Empty';
import { ErrorPanel } from '../components/ErrorPanel';
import { Icon } from '../components/Icon';
import { go } from '../components/Shell';
import { TableSkeleton } from '../components/Skeleton';
import { Ticks } from '../components/Ticks';
import {
  errorRatioSeverity,
  filterModels,
  formatCompact,
  formatPercent,
  healthSummary,
  replicaSeverity,
  replicaTitle,
  serverLabel,
  shortDigest,
  sortModels,
  splitImage,
  NONE,
  type ModelSortKey,
} from '../format';
import { useModels } from '../state';
import { detailHash } from '../state/modelDetail';
import { isNotConnected, modelsActions } from './modelsActions';
import { NotConnected } from './NotConnected';

interface Column {
  key: ModelSortKey;
  label: string;
  className: string;
  title?: string;
}

const columns: Column[] = [
  { key: 'name', label: 'Model', className: 'col-model' },
  { key: 'server', label: 'Server', className: 'col-server' },
  { key: 'workload', label: 'Workload', className: 'col-workload' },
  { key: 'replicas', label: 'Replicas', className: 'col-replicas num', title: 'Ready / desired' },
  {
    key: 'health',
    label: 'Health',
    className: 'col-health',
    title: 'Failing pods, container restarts and recent warning events (from the watch on the cluster)',
  },
  { key: 'image', label: 'Image', className: 'col-image' },
  { key: 'requestRate', label: 'Requests/s', className: 'col-rate num', title: 'Over the last 5 minutes' },
  {
    key: 'errorRatio',
    label: 'Error ratio',
    className: 'col-errors num',
    title: 'Failed / all requests, last 5 minutes',
  },
];

export function ModelsView() {
  const list = useModels((s) => s.list);
  const sort = useModels((s) => s.sort);
  const filter = useModels((s) => s.filter);
  const liveError = useModels((s) => s.liveError);
  const filterRef = useRef<HTMLInputElement>(null);

  // "/" focuses the filter, as in most consoles
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable))
        return;
      e.preventDefault();
      filterRef.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const models = list.data?.models;
  const rows = useMemo(
    () => (models ? sortModels(filterModels(models, filter), sort) : []),
    [models, filter, sort],
  );

  if (list.status === 'error' && isNotConnected(list.error)) {
    return (
      <div className="view view-scroll">
        <NotConnected error={list.error} />
      </div>
    );
  }

  const firstLoad = !list.data && (list.status === 'loading' || list.status === 'idle');
  const failedFirst = !list.data && list.status === 'error' && list.error;
  const metrics = list.data?.metrics;
  const rateKnown = metrics?.status === 'ok';

  return (
    <div className="view" data-testid="models-view">
      <div className="toolbar">
        <label className="filter">
          <Icon name="search" />
          <input
            ref={filterRef}
            type="search"
            placeholder="Filter by name or namespace"
            aria-label="Filter model services by name or namespace"
            value={filter}
            onChange={(e) => modelsActions.setFilter(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                modelsActions.setFilter('');
                e.currentTarget.blur();
              }
            }}
            spellCheck={false}
            autoComplete="off"
          />
          <kbd className="kbd-hint">/</kbd>
        </label>
        {models && <Summary models={models} shown={rows.length} ratesKnown={rateKnown} />}
        <span className="toolbar-spacer" />
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => void modelsActions.refresh()}
          disabled={list.status === 'loading'}
          title="Reload now (the list also refreshes by itself every 10 s)"
        >
          <Icon name="refresh" className={list.status === 'loading' ? 'spin' : undefined} />
          Refresh
        </button>
      </div>

      {metrics && <MetricsBanner metrics={metrics} />}
      {list.data?.inventory?.stale && (
        <Banner tone="warning" title="Cluster data may be out of date" testId="stale-banner">
          The watch on{' '}
          {list.data.inventory.kinds
            .filter((k) => k.state === 'backoff' || k.state === 'listing')
            .map((k) => k.kind)
            .join(', ') || 'the cluster'}{' '}
          has been down for over 30 s
          {list.data.inventory.lastSyncAt
            ? ` (last in sync at ${new Date(list.data.inventory.lastSyncAt).toLocaleTimeString()})`
            : ''}
          ; Firebreak keeps retrying and shows what it saw last.
        </Banner>
      )}
      {list.data && list.status === 'error' && list.error && (
        <Banner
          tone="warning"
          title={`Showing the last good list: ${list.error.message}`}
          code={list.error.code}
        >
          <Ticks text={list.error.hint} />
        </Banner>
      )}
      {list.data && list.status !== 'error' && liveError && (
        <Banner tone="warning" title={`Live updates stopped: ${liveError.message}`} code={liveError.code}>
          <Ticks text={liveError.hint} />
        </Banner>
      )}

      {failedFirst ? (
        <div className="view-center">
          <ErrorPanel
            title="Could not load model services"
            error={failedFirst}
            onRetry={() => void modelsActions.refresh()}
          />
        </div>
      ) : (
        <>
          <div className="table-wrap">
            <table
              className="grid models-table"
              data-testid="models-table"
              aria-busy={firstLoad || undefined}
            >
              <colgroup>
                {columns.map((c) => (
                  <col key={c.key} className={c.className} />
                ))}
              </colgroup>
              <thead>
                <tr>
                  {columns.map((c) => (
                    <SortHeader key={c.key} column={c} sort={sort} />
                  ))}
                </tr>
              </thead>
              {firstLoad ? (
                <TableSkeleton columns={columns.length} rows={7} />
              ) : (
                <tbody>
                  {rows.map((m) => (
                    <ModelRow key={m.id} model={m} rateKnown={rateKnown} />
                  ))}
                </tbody>
              )}
            </table>
            {!firstLoad && models && models.length === 0 && (
              <Empty title={`No model services in context ${list.data?.context ?? ''}`}>
                Firebreak looks for KServe InferenceServices, Argo Rollouts, and Deployments or StatefulSets
                labelled <code>app.kubernetes.io/name</code> that run a known model server. Check the context
                in Settings, or that your account can list workloads in the model namespaces.
              </Empty>
            )}
            {!firstLoad && models && models.length > 0 && rows.length === 0 && (
              <Empty title={`No model service matches “${filter}”`}>
                <button type="button" className="btn btn-ghost" onClick={() => modelsActions.setFilter('')}>
                  Clear the filter
                </button>
              </Empty>
            )}
          </div>
          {rows.length > 0 && (
            <p className="table-note">
              {rateKnown ? 'Requests/s and error ratio over the last 5 minutes. ' : ''}
              <span className="sev-critical">Red</span>: error ratio ≥ 5% or replicas not ready.{' '}
              <span className="sev-warning">Amber</span>: error ratio ≥ 1% or scaled to zero.
            </p>
          )}
        </>
      )}
    </div>
  );
}

function Summary({
  models,
  shown,
  ratesKnown,
}: {
  models: ModelService[];
  shown: number;
  ratesKnown: boolean;
}) {
  const failing = models.filter((m) => errorRatioSeverity(m.errorRatio) === 'critical').length;
  const degraded = models.filter((m) => replicaSeverity(m.replicas) === 'critical').length;
  return (
    <div className="summary" data-testid="models-summary">
      <span className="summary-item">
        <strong className="tnum">
          {shown === models.length ? models.length : `${shown} of ${models.length}`}
        </strong>{' '}
        {models.length === 1 ? 'service' : 'services'}
      </span>
      {ratesKnown && (
        <span className={`summary-item${failing ? ' sev-critical' : ''}`}>
          <strong className="tnum">{failing}</strong> with ≥5% errors
        </span>
      )}
      <span className={`summary-item${degraded ? ' sev-critical' : ''}`}>
        <strong className="tnum">{degraded}</strong> missing replicas
      </span>
    </div>
  );
}

function SortHeader({ column, sort }: { column: Column; sort: { key: ModelSortKey; dir: 'asc' | 'desc' } }) {
  const active = sort.key === column.key;
  return (
    <th
      scope="col"
      className={column.className}
      aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button
        type="button"
        className={`sort${active ? ' sort-active' : ''}`}
        onClick={() => modelsActions.setSort(column.key)}
        title={column.title}
        data-testid={`sort-${column.key}`}
      >
        <span>{column.label}</span>
        <Icon
          name={active ? (sort.dir === 'asc' ? 'sort-asc' : 'sort-desc') : 'sort-none'}
          className="sort-icon"
        />
      </button>
    </th>
  );
}

function ModelRow({ model, rateKnown }: { model: ModelService; rateKnown: boolean }) {
  const errSev = errorRatioSeverity(model.errorRatio);
  const repSev = replicaSeverity(model.replicas);
  const rowSev =
    errSev === 'critical' || repSev === 'critical' ? 'critical' : errSev === 'warning' ? 'warning' : '';
  return (
    <tr
      className={`row-link${rowSev ? ` row-${rowSev}` : ''}`}
      data-testid="model-row"
      data-model={model.name}
      onClick={() => {
        window.location.hash = detailHash(model.id);
      }}
    >
      <td className="col-model">
        <div className="model-cell" title={`${model.namespace}/${model.name}\nmodel: ${model.modelName}`}>
          <a
            className="model-name model-link"
            href={detailHash(model.id)}
            onClick={(e) => e.stopPropagation()}
          >
            {model.name}
          </a>
          <span className="model-ns">{model.namespace}</span>
        </div>
      </td>
      <td className="col-server">
        <span className={`badge badge-${model.serverKind}`}>{serverLabel(model.serverKind)}</span>
      </td>
      <td className="col-workload muted">{model.workloadKind}</td>
      <td
        className={`col-replicas num tnum sev-${repSev}`}
        title={replicaTitle(model.replicas)}
        data-testid="replicas"
      >
        {model.replicas.ready}
        <span className="sep">/</span>
        {model.replicas.desired}
      </td>
      <td className="col-health">
        <HealthCell model={model} />
      </td>
      <td className="col-image">
        <ImageCell image={model.image} />
      </td>
      <td className="col-rate num tnum" data-testid="request-rate">
        {rateKnown ? <Rate value={model.requestRate} /> : <span className="muted">{NONE}</span>}
      </td>
      <td className={`col-errors num tnum sev-${rateKnown ? errSev : 'none'}`} data-testid="error-ratio">
        {rateKnown ? <ErrorRatio value={model.errorRatio} /> : <span className="muted">{NONE}</span>}
      </td>
    </tr>
  );
}

function HealthCell({ model }: { model: ModelService }) {
  const h = healthSummary(model);
  if (!h) return <span className="muted">{NONE}</span>;
  return (
    <span className={`health-note sev-${h.severity}`} title={h.title} data-testid="health">
      {h.text}
    </span>
  );
}

function Rate({ value }: { value: number | null }) {
  if (value === null) return <span className="muted">{NONE}</span>;
  return (
    <>
      {formatCompact(value)}
      <span className="unit">/s</span>
    </>
  );
}

function ErrorRatio({ value }: { value: number | null }) {
  if (value === null)
    return (
      <span className="muted" title="No traffic in the last 5 minutes">
        {NONE}
      </span>
    );
  const sev = errorRatioSeverity(value);
  return (
    <span className={sev === 'critical' ? 'pill pill-critical' : undefined}>{formatPercent(value)}</span>
  );
}

function ImageCell({ image }: { image: string | null }) {
  if (!image) return <span className="muted">{NONE}</span>;
  const { modelSource, repository, tag, digest } = splitImage(image);
  if (modelSource)
    return (
      <span
        className="image"
        title={`Model format ${modelSource.format}, loaded from ${modelSource.storageUri}`}
      >
        <span className="image-repo image-format">{modelSource.format}</span>
        <span className="image-source">{modelSource.storageUri}</span>
      </span>
    );
  return (
    <span className="image" title={image}>
      <span className="image-repo">{repository}</span>
      {tag && <span className="image-tag">:{tag}</span>}
      {digest && <span className="image-digest">@{shortDigest(digest)}</span>}
    </span>
  );
}

function MetricsBanner({ metrics }: { metrics: MetricsStatus }) {
  if (metrics.status === 'not_configured')
    return (
      <Banner
        tone="info"
        testId="metrics-banner"
        title="Add a Prometheus URL in Settings to see live request and error rates"
        action={
          <button type="button" className="btn btn-ghost" onClick={() => go('settings')}>
            Open Settings
          </button>
        }
      />
    );
  if (metrics.status === 'error')
    return (
      <Banner
        tone="critical"
        testId="metrics-banner"
        title={`Request and error rates unavailable: ${metrics.error.message}`}
        code={metrics.error.code}
        action={
          <button type="button" className="btn btn-ghost" onClick={() => go('settings')}>
            Check settings
          </button>
        }
      >
        <Ticks text={metrics.error.hint} />
      </Banner>
    );
  return null;
}
