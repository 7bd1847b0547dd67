import { useEffect, useMemo, useRef } from 'react';
import type { RouteView } from '../../../shared/traffic';
import { LastDataBanner } from '../../components/Banner';
import { Empty } from '../../components/Empty';
import { ErrorPanel } from '../../components/ErrorPanel';
import { RefreshButton } from '../../components/RefreshButton';
import { useNow } from '../../components/useNow';
import { formatAgo } from '../../format';
import { modelsStore, useModels } from '../../state';
import { actionsStore } from '../../state/actions';
import { describeLoad, describeOverPeak, loadAfter } from '../../state/routeHealth';
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
    const before = ruleWeights(route, rule);
    pending.current = { key: routeKey(route), route, rule, before };
    void actionsStore
      .getState()
      .open(
        { type: 'traffic', route: routeRef(route), rule, weights },
        { ...weightPathLabels(route, rule), notes: loadNotes(route, rule, before, weights) },
      );
  };
}

/** The dialog's notes: the load each backend whose share grows would get, and a warning above its peak. */
function loadNotes(route: RouteView, rule: number, before: Weights, after: Weights) {
  const names = (route.rules[rule] ?? []).map((b) => b.name);
  const list = modelsStore.getState().list.data;
  const model = (n: string) => list?.models.find((m) => m.name === n && m.namespace === route.namespace);
  const peaks = trafficStore.getState().peaks;
  const loads =
    list?.metrics.status === 'ok'
      ? loadAfter(names, before, after, model, (n) => peaks[model(n)?.id ?? ''] ?? null)
      : null;
  if (!loads)
    return [
      {
        tone: 'info' as const,
        text: 'The load on each backend cannot be estimated: request rates are not known.',
      },
    ];
  return loads.flatMap((l) => {
    const over = describeOverPeak(l);
    return [
      { tone: 'info' as const, text: `${describeLoad(l)} (from the rule's requests now, last 5 min).` },
      ...(over ? [{ tone: 'warning' as const, text: over }] : []),
    ];
  });
}

/** Reads the peaks of the routes' backends that are model services, when the routes or models change. */
function usePeaks(routes: RouteView[] | undefined) {
  const models = useModels((s) => s.list.data?.models);
  const key = useMemo(() => {
    const ids = new Set<string>();
    for (const r of routes ?? [])
      for (const b of r.rules.flat()) {
        const m = models?.find((x) => x.name === b.name && x.namespace === r.namespace);
        if (m) ids.add(m.id);
      }
    return [...ids].sort().join(' ');
  }, [routes, models]);
  useEffect(() => {
    const services = (models ?? [])
      .filter((m) => key.split(' ').includes(m.id))
      .map((m) => ({ id: m.id, serverKind: m.serverKind, modelName: m.modelName }));
    void trafficStore.getState().loadPeaks(services);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key is what matters, not each new list
  }, [key]);
}

export function TrafficView() {
  const routes = useTraffic((s) => s.routes);
  const changes = useTraffic((s) => s.changes);
  const now = useNow(5000);
  const change = useChangeSplit();
  usePeaks(routes.data);

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
