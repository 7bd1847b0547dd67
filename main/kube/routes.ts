import type { RouteView } from '../../shared/actions';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { kubeError } from './errors';
import { KINDS, type KubeObject } from './resources';
import { httpRouteSplit, owningController, virtualServiceSplit } from './trafficSplit';

/** Every HTTPRoute and Istio VirtualService the user can see, with its current split. Missing CRDs mean none. */
export async function listRoutes(kc: KubeConfig): Promise<RouteView[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const cluster = kc.getCurrentCluster()?.name ?? kc.getCurrentContext();
  const list = async (kind: 'HTTPRoute' | 'VirtualService'): Promise<KubeObject[]> => {
    try {
      const res = (await api.listClusterCustomObject({ ...KINDS[kind] })) as { items?: KubeObject[] };
      return res.items ?? [];
    } catch (err) {
      const e = kubeError(err, cluster);
      if (e.code === 'NOT_FOUND') return [];
      throw e;
    }
  };
  const [httpRoutes, virtualServices] = await Promise.all([list('HTTPRoute'), list('VirtualService')]);
  const view = (obj: KubeObject, kind: 'HTTPRoute' | 'VirtualService'): RouteView => {
    const split = kind === 'HTTPRoute' ? httpRouteSplit(obj) : virtualServiceSplit(obj);
    const parents = (obj.status?.parents ?? []) as Array<{
      conditions?: Array<{ type: string; status: string; reason?: string }>;
    }>;
    return {
      kind,
      namespace: split.namespace,
      name: split.name,
      resourceVersion: split.resourceVersion,
      rules: split.rules.map((r) =>
        r.map((b) => ({ name: b.name, port: b.port, weight: b.weight, share: b.share })),
      ),
      ownerWarning: owningController(obj)?.advice ?? null,
      conditions: parents
        .flatMap((p) => p.conditions ?? [])
        .map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? null })),
    };
  };
  return [
    ...httpRoutes.map((r) => view(r, 'HTTPRoute')),
    ...virtualServices.map((v) => view(v, 'VirtualService')),
  ].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
