import { useMemo } from 'react';
import { NOW_LABEL } from '../../../shared/health';
import type { ServiceRef } from '../../../shared/models';
import { Empty } from '../../components/Empty';
import { ErrorPanel } from '../../components/ErrorPanel';
import { go } from '../../components/Shell';
import { useModelParam } from '../../components/useFromHash';
import { usePolling } from '../../components/usePolling';
import { useModels } from '../../state';
import { healthStore, useHealth } from '../../state/health';
import { clearlyGreater, useStableOrder } from '../../components/stableOrder';
import { formatClock } from '../../format';
import { HealthDetail } from './HealthDetail';
import { ModelTileButton, score } from './ModelTile';
import '../../components/metrics.css';

const serviceId = (s: ServiceRef) => s.id;

export function ModelHealthView() {
  const list = useModels((s) => s.list);
  const overview = useHealth((s) => s.overview);
  const selectedParam = useModelParam();
  const services: ServiceRef[] = useMemo(
    () =>
      (list.data?.models ?? []).map((m) => ({ id: m.id, serverKind: m.serverKind, modelName: m.modelName })),
    [list.data],
  );
  const names = useMemo(() => new Map((list.data?.models ?? []).map((m) => [m.id, m])), [list.data]);
  const servicesKey = services.map((s) => s.id).join('|');
  usePolling(() => void healthStore.getState().loadOverview(services), 30_000, [servicesKey]);

  const tiles = new Map((overview.data?.tiles ?? []).map((t) => [t.service.id, t]));
  // the worst first: the commander looks at the top of the list; tiles nearly tied hold still at each refresh
  const sorted = useMemo(() => {
    const byId = new Map((overview.data?.tiles ?? []).map((t) => [t.service.id, t]));
    return [...services].sort(
      (a, b) => score(byId.get(b.id)) - score(byId.get(a.id)) || a.id.localeCompare(b.id),
    );
  }, [services, overview.data]);
  const ordered = useStableOrder(
    sorted,
    serviceId,
    (a, b) => clearlyGreater(score(tiles.get(a.id)), score(tiles.get(b.id)), 0.05, 0.2),
    'worst-first',
  );
  const stale = overview.data?.stale ?? null;
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
      <nav
        className={`tile-list${stale ? ' stale-value' : ''}`}
        aria-label="Model services"
        data-stale={stale ? 'true' : undefined}
      >
        <div className="muted tile-list-note" data-testid="tiles-window">
          Figures: {NOW_LABEL}. Sparklines: last hour.
        </div>
        {stale && (
          <div
            className="tile-list-note sev-warning"
            data-testid="tiles-stale"
            title={`${stale.error.message}\n${stale.error.hint}`}
          >
            Prometheus cannot be asked: figures as of {formatClock(stale.asOf)}
          </div>
        )}
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
        <HealthDetail
          key={selected.id}
          service={selected}
          name={names.get(selected.id)?.name ?? selected.id}
        />
      )}
    </div>
  );
}
