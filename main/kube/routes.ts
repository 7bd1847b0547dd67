import type { RouteKind, RouteView } from '../../shared/traffic';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { kubeError } from './errors';
import { KINDS, type KubeObject } from './resources';
import { owningController, routeSplit } from './trafficSplit';

type Condition = { type: string; status: string; reason?: string };

/**
 * Every HTTPRoute, Istio VirtualService and Knative Service the user can see, with its current split. Missing
 * CRDs mean none.
 */
export async function listRoutes(kc: KubeConfig): Promise<RouteView[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const cluster = kc.getCurrentCluster()?.name ?? kc.getCurrentContext();
  const list = async (kind: RouteKind): Promise<Array<[RouteKind, KubeObject]>> => {
    try {
      const res = (await api.listClusterCustomObject({ ...KINDS[kind] })) as { items?: KubeObject[] };
      return (res.items ?? []).map((o) => [kind, o]);
    } catch (err) {
      const e = kubeError(err, cluster);
      if (e.code === 'NOT_FOUND') return [];
      throw e;
    }
  };
  const found = await Promise.all([list('HTTPRoute'), list('VirtualService'), list('KnativeService')]);
  const view = ([kind, obj]: [RouteKind, KubeObject]): RouteView => {
    const split = routeSplit(kind, obj);
    // a Gateway API route has conditions per parent gateway; a Knative Service has its own
    const conditions: Condition[] =
      kind === 'KnativeService'
        ? ((obj.status?.conditions ?? []) as Condition[])
        : ((obj.status?.parents ?? []) as Array<{ conditions?: Condition[] }>).flatMap(
            (p) => p.conditions ?? [],
          );
    return {
      kind,
      namespace: split.namespace,
      name: split.name,
      resourceVersion: split.resourceVersion,
      rules: split.rules.map((r) =>
        r.map((b) => ({ name: b.name, port: b.port, weight: b.weight, share: b.share })),
      ),
      ownerWarning: owningController(obj)?.advice ?? null,
      conditions: conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? null })),
    };
  };
  return found
    .flat()
    .map(view)
    .sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.name.localeCompare(b.name) ||
        a.kind.localeCompare(b.kind),
    );
}
