import { useMemo } from 'react';
import type { ModelService } from '../../../shared/models';
import { Banner, LastDataBanner } from '../../components/Banner';
import { Empty } from '../../components/Empty';
import { ErrorPanel } from '../../components/ErrorPanel';
import { CsvButton } from '../../components/CsvButton';
import { Icon } from '../../components/Icon';
import { RefreshButton } from '../../components/RefreshButton';
import { Table, type Column } from '../../components/Table';
import { Ticks } from '../../components/Ticks';
import {
  errorRatioSeverity,
  filterModels,
  formatClock,
  replicaSeverity,
  sortModels,
  type ModelSortKey,
} from '../../format';
import { useModels } from '../../state';
import { isNotConnected, modelsActions } from './modelsActions';
import { NotConnected } from '../connections/NotConnected';

import { useStableOrder } from '../../components/stableOrder';
import { MetricsBanner, ModelRow } from './ModelRow';
import { modelClearlyBefore } from './modelOrder';
import { modelsCsv } from './modelsCsv';

interface SortColumn {
  key: ModelSortKey;
  label: string;
  className: string;
  title?: string;
}

const columns: SortColumn[] = [
  { key: 'name', label: 'Model', className: 'col-model' },
  { key: 'server', label: 'Server', className: 'col-server' },
  { key: 'workload', label: 'Workload', className: 'col-workload' },
  { key: 'replicas', label: 'Replicas', className: 'col-replicas num', title: 'Ready / desired' },
  {
    // named for what it counts: pods, not requests (a model answering 25 % errors can have every pod ready)
    key: 'health',
    label: 'Pods',
    className: 'col-health',
    title:
      'Failing pods, container restarts and recent warning events (from the watch on the cluster); errors are in Error ratio',
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

/** The Table's columns: each header sorts by its column. */
function headerColumns(sort: { key: ModelSortKey; dir: 'asc' | 'desc' }): Column[] {
  return columns.map((c) => ({
    col: c.className,
    header: <SortHeader key={c.key} column={c} sort={sort} />,
  }));
}

export function ModelsView() {
  const list = useModels((s) => s.list);
  const sort = useModels((s) => s.sort);
  const tableColumns = useMemo(() => headerColumns(sort), [sort]);
  const filter = useModels((s) => s.filter);
  const liveError = useModels((s) => s.liveError);

  const models = list.data?.models;
  const sorted = useMemo(
    () => (models ? sortModels(filterModels(models, filter), sort) : []),
    [models, filter, sort],
  );
  // at each refresh rows tied or nearly tied keep their place; another sort column starts afresh
  const rows = useStableOrder(sorted, modelId, modelClearlyBefore(sort), `${sort.key}:${sort.dir}`);

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
  // with Prometheus down the copy saved still shows (greyed, "as of"): the rates are known, only old
  const rateKnown = metrics?.status === 'ok' || (metrics?.status === 'error' && metrics.asOf !== undefined);
  const ratesAsOf = metrics?.status === 'error' ? metrics.asOf : undefined;

  return (
    <div className="view" data-testid="models-view">
      <div className="toolbar">
        <label className="filter">
          <Icon name="search" />
          <input
            type="search"
            data-list-filter=""
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
        <CsvButton what="models" table={() => modelsCsv(rows)} disabled={rows.length === 0} />
        <RefreshButton
          loading={list.status === 'loading'}
          onClick={() => void modelsActions.refresh()}
          title="Reload now (the list also refreshes by itself every 10 s)"
        />
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
            ? ` (last in sync at ${formatClock(list.data.inventory.lastSyncAt)})`
            : ''}
          ; Firebreak keeps retrying and shows what it saw last.
        </Banner>
      )}
      {list.data && list.status === 'error' && list.error && (
        <LastDataBanner showing="the last good list" error={list.error} />
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
            <Table
              className="models-table"
              testId="models-table"
              columns={tableColumns}
              skeletonRows={firstLoad ? 7 : undefined}
            >
              {rows.map((m) => (
                <ModelRow key={m.id} model={m} rateKnown={rateKnown} asOf={ratesAsOf} />
              ))}
            </Table>
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
              {ratesAsOf
                ? `Requests/s and error ratio: the 5 minutes before ${formatClock(ratesAsOf)} (greyed: Prometheus cannot be asked now). `
                : rateKnown
                  ? 'Requests/s and error ratio over the last 5 minutes. '
                  : ''}
              <span className="sev-critical">Red</span>: error ratio ≥ 5% or replicas not ready.{' '}
              <span className="sev-warning">Amber</span>: error ratio ≥ 1% or scaled to zero.
            </p>
          )}
        </>
      )}
    </div>
  );
}

const modelId = (m: ModelService) => m.id;

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

function SortHeader({
  column,
  sort,
}: {
  column: SortColumn;
  sort: { key: ModelSortKey; dir: 'asc' | 'desc' };
}) {
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
