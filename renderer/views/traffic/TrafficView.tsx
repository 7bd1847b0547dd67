import { useEffect, useRef } from 'react';
import type { RouteView } from '../../../shared/traffic';
import { LastDataBanner } from '../../components/Banner';
import { Empty } from '../../components/Empty';
import { ErrorPanel } from '../../components/ErrorPanel';
import { RefreshButton } from '../../components/RefreshButton';
import { useNow } from '../../components/useNow';
import { formatAgo } from '../../format';
import { actionsStore } from '../../state/actions';
import {
  routeKey,
  routeRef,
  ruleWeights,
  trafficStore,
  useTraffic,
  weightPathLabels,
  type Weights,
} from '../../state/traffic';
import '../actions/actions.css';
import './traffic.css';

import { RouteCard } from './RouteCard';

/** Routes are read again this often while the view is open (they are not streamed). */
const ROUTES_REFRESH_MS = 15_000;

interface Pending {
  key: string;
  route: RouteView;
  rule: number;
  before: Weights;
}

/** The one place a change of weights starts: remembers what was there, then opens the dialog. */
function useChangeSplit() {
  const pending = useRef<Pending | null>(null);
  useEffect(
    () =>
      actionsStore.onSettled((request, outcome) => {
        if (request.type !== 'traffic') return;
        const p = pending.current;
        if (p && outcome?.status === 'done' && p.key === routeKey(request.route) && p.rule === request.rule)
          trafficStore.getState().remember(routeRef(p.route), p.rule, p.before);
        void trafficStore.getState().load();
        void trafficStore.getState().loadChanges();
      }),
    [],
  );
  return (route: RouteView, rule: number, weights: Weights) => {
    pending.current = { key: routeKey(route), route, rule, before: ruleWeights(route, rule) };
    void actionsStore
      .getState()
      .open({ type: 'traffic', route: routeRef(route), rule, weights }, weightPathLabels(route, rule));
  };
}

export function TrafficView() {
  const routes = useTraffic((s) => s.routes);
  const changes = useTraffic((s) => s.changes);
  const now = useNow(5000);
  const change = useChangeSplit();

  useEffect(() => {
    const load = () => {
      if (document.visibilityState === 'hidden') return;
      // not while a dialog is open: what the user reviews must not move under them
      if (actionsStore.getState().dialog.phase !== 'closed') return;
      void trafficStore.getState().load();
    };
    void trafficStore.getState().load();
    void trafficStore.getState().loadChanges();
    const t = setInterval(load, ROUTES_REFRESH_MS);
    return () => clearInterval(t);
  }, []);

  const reload = () => {
    void trafficStore.getState().load();
    void trafficStore.getState().loadChanges();
  };

  const firstLoad = !routes.data && routes.status !== 'error';
  return (
    <div className="view view-scroll traffic" data-testid="traffic-view">
      <div className="toolbar">
        <span className="muted traffic-lead">
          Traffic split of each HTTPRoute, VirtualService and Knative Service: move traffic to a fallback, and
          undo it.
        </span>
        <span className="toolbar-spacer" />
        {routes.updatedAt !== undefined && (
          <span className="muted tnum traffic-updated">updated {formatAgo(routes.updatedAt, now)}</span>
        )}
        <RefreshButton loading={routes.status === 'loading'} onClick={reload} />
      </div>

      {routes.data && routes.status === 'error' && routes.error && (
        <LastDataBanner showing="the routes last read" error={routes.error} />
      )}
      {!routes.data && routes.status === 'error' && routes.error && (
        <div className="view-center">
          <ErrorPanel title="Could not list the routes" error={routes.error} onRetry={reload} />
        </div>
      )}
      {firstLoad && <div className="loading-line">Reading routes…</div>}
      {routes.data && routes.data.length === 0 && (
        <Empty title="No routes in this cluster">
          Firebreak shows Gateway API HTTPRoutes, Istio VirtualServices and Knative Services. None exist, or
          the CRDs are not installed, or your account cannot list them.
        </Empty>
      )}
      {routes.data?.map((route) => (
        <RouteCard
          key={routeKey(route)}
          route={route}
          changes={changes.data}
          changesError={changes.status === 'error' ? changes.error?.message : undefined}
          onChange={change}
        />
      ))}
    </div>
  );
}
