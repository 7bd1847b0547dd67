/**
 * Which routing object sends a model service its traffic. Gateway API HTTPRoutes and Istio VirtualServices
 * point at Services; a Service selects pods by labels; a workload's pod template carries those labels. So a
 * model service's Services are those whose selector its pod template matches (plus the Services an Argo Rollout
 * names, and KServe's `<name>-predictor`), and its routes are the rules with a backend among them. A KServe
 * InferenceService also routes by itself: `status.components.predictor.traffic` splits between revisions.
 * Pure: the inventory supplies the objects.
 */
import type { ModelRoute } from '../../../shared/models';
import { httpRouteSplit, virtualServiceSplit } from '../trafficSplit';
import type { HTTPRoute, Labels, Service, ServingObject, TrafficTarget, VirtualService } from './objects';

const ROUTE_ORDER: Record<ModelRoute['kind'], number> = {
  HTTPRoute: 0,
  VirtualService: 1,
  InferenceService: 2,
};

/** Routes by the Service they send traffic to, keyed `namespace/service`. */
export type RouteIndex = Map<string, ModelRoute[]>;

/** `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local` (relative to the VirtualService's namespace) */
export function serviceOfHost(
  host: string,
  defaultNamespace: string,
): { namespace: string; name: string } | null {
  const h = host.trim().toLowerCase();
  if (!h || h.includes('*')) return null;
  const parts = h.split('.');
  if (parts.length === 1) return { namespace: defaultNamespace, name: parts[0]! };
  if (parts.length === 2) return { namespace: parts[1]!, name: parts[0]! };
  if (parts[2] === 'svc') return { namespace: parts[1]!, name: parts[0]! };
  return null; // an external host
}

export function routeIndex(
  httpRoutes: Iterable<HTTPRoute>,
  virtualServices: Iterable<VirtualService>,
): RouteIndex {
  const index: RouteIndex = new Map();
  const add = (namespace: string, service: string, route: ModelRoute) => {
    const key = `${namespace}/${service}`;
    const list = index.get(key);
    if (list) list.push(route);
    else index.set(key, [route]);
  };
  for (const hr of httpRoutes) {
    const split = httpRouteSplit(hr);
    split.rules.forEach((backends, r) => {
      const refs = hr.spec.rules?.[r]?.backendRefs ?? [];
      const all = backends.map((b) => ({ name: b.name, weight: b.weight, share: b.share }));
      backends.forEach((b, i) => {
        const ref = refs[i];
        // only Service backends ("" group); other kinds (InferencePool …) are not Services
        if ((ref?.kind ?? 'Service') !== 'Service' || (ref?.group ?? '') !== '' || !b.name) return;
        add(b.namespace ?? split.namespace, b.name, {
          kind: 'HTTPRoute',
          namespace: split.namespace,
          name: split.name,
          rule: r,
          backend: b.name,
          weight: b.weight,
          share: b.share,
          backends: all,
        });
      });
    });
  }
  for (const vs of virtualServices) {
    const split = virtualServiceSplit(vs);
    split.rules.forEach((backends, r) => {
      const all = backends.map((b) => ({ name: b.name, weight: b.weight, share: b.share }));
      for (const b of backends) {
        const svc = serviceOfHost(b.name, split.namespace);
        if (!svc) continue;
        add(svc.namespace, svc.name, {
          kind: 'VirtualService',
          namespace: split.namespace,
          name: split.name,
          rule: r,
          backend: b.name,
          weight: b.weight,
          share: b.share,
          backends: all,
        });
      }
    });
  }
  return index;
}

/** Services (of one namespace) whose non-empty selector the pod labels satisfy. */
export function servicesSelecting(services: Iterable<Service>, podLabels: Labels | undefined): string[] {
  if (!podLabels) return [];
  const out: string[] = [];
  for (const s of services) {
    const sel = s.spec.selector;
    if (!sel) continue;
    let all = true;
    let any = false;
    for (const k in sel) {
      any = true;
      if (podLabels[k] !== sel[k]) {
        all = false;
        break;
      }
    }
    if (any && all) out.push(s.metadata.name);
  }
  return out;
}

/** The KServe traffic block (or a Knative Service's status.traffic) as a route to its latest revision. */
export function servingTrafficRoute(obj: ServingObject): ModelRoute | null {
  const traffic: TrafficTarget[] | undefined =
    obj.status.components?.predictor?.traffic ?? obj.status.traffic;
  if (!traffic || traffic.length === 0) return null;
  const entries = traffic.map((t, i) => ({
    name: t.revisionName ?? t.tag ?? (t.latestRevision ? 'latest' : `#${i}`),
    weight: typeof t.percent === 'number' ? t.percent : null,
    latest: t.latestRevision === true,
  }));
  const sum = entries.reduce((a, e) => a + (e.weight ?? 0), 0);
  const share = (w: number | null) => (sum > 0 ? (w ?? 0) / sum : 0);
  const mine = entries.find((e) => e.latest) ?? entries[0]!;
  return {
    kind: 'InferenceService',
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    rule: null,
    backend: mine.name,
    weight: mine.weight,
    share: share(mine.weight),
    backends: entries.map((e) => ({ name: e.name, weight: e.weight, share: share(e.weight) })),
  };
}

/** Every route to these Services (of one namespace), each rule once, largest share first. */
export function routesFor(
  index: RouteIndex,
  namespace: string,
  serviceNames: Iterable<string>,
  own: ModelRoute | null = null,
): ModelRoute[] {
  const out: ModelRoute[] = own ? [own] : [];
  const seen = new Set<string>();
  for (const name of serviceNames) {
    for (const r of index.get(`${namespace}/${name}`) ?? []) {
      const key = `${r.kind}/${r.namespace}/${r.name}/${r.rule}/${r.backend}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out.sort(
    (a, b) => b.share - a.share || ROUTE_ORDER[a.kind] - ROUTE_ORDER[b.kind] || a.name.localeCompare(b.name),
  );
}
