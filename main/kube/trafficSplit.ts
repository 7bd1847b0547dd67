import { KNATIVE_LATEST, weightPath, weightsArePercents, type RouteKind } from '../../shared/traffic';
import { AppError } from '../../shared/errors';
import type { JsonPatchOp } from './rollbackPlan';

/** Gateway API weights are relative (share = weight / sum), 0 to 1,000,000; Istio's sum to 100. */
export const GATEWAY_MAX_WEIGHT = 1_000_000;

export interface Backend {
  /** index of the rule and of the backend within it (the JSON Patch path) */
  rule: number;
  index: number;
  name: string;
  namespace: string | null;
  port: number | null;
  weight: number;
  /** share of the rule's traffic, 0..1 */
  share: number;
}

export interface RouteSplit {
  kind: RouteKind;
  name: string;
  namespace: string;
  resourceVersion: string;
  rules: Backend[][];
}

interface HttpRouteLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: {
    rules?: Array<{
      backendRefs?: Array<{ name?: string; namespace?: string; port?: number; weight?: number }>;
    }>;
  };
}

interface VirtualServiceLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: {
    http?: Array<{
      route?: Array<{ destination?: { host?: string; port?: { number?: number } }; weight?: number }>;
    }>;
  };
}

/** The current split of an HTTPRoute (a backendRef with no weight has weight 1). */
export function httpRouteSplit(route: HttpRouteLike): RouteSplit {
  const rules = (route.spec?.rules ?? []).map((rule, r) => {
    const refs = rule.backendRefs ?? [];
    const weights = refs.map((b) => (typeof b.weight === 'number' ? b.weight : 1));
    const sum = weights.reduce((a, b) => a + b, 0);
    return refs.map((b, i) => ({
      rule: r,
      index: i,
      name: b.name ?? '',
      namespace: b.namespace ?? null,
      port: b.port ?? null,
      weight: weights[i] as number,
      share: sum > 0 ? (weights[i] as number) / sum : 0,
    }));
  });
  return { kind: 'HTTPRoute', ...meta(route.metadata), rules };
}

/** The current split of an Istio VirtualService (one route with no weight takes everything). */
export function virtualServiceSplit(vs: VirtualServiceLike): RouteSplit {
  const rules = (vs.spec?.http ?? []).map((http, r) => {
    const routes = http.route ?? [];
    const weights = routes.map((d) =>
      typeof d.weight === 'number' ? d.weight : routes.length === 1 ? 100 : 0,
    );
    const sum = weights.reduce((a, b) => a + b, 0);
    return routes.map((d, i) => ({
      rule: r,
      index: i,
      name: d.destination?.host ?? '',
      namespace: null,
      port: d.destination?.port?.number ?? null,
      weight: weights[i] as number,
      share: sum > 0 ? (weights[i] as number) / sum : 0,
    }));
  });
  return { kind: 'VirtualService', ...meta(vs.metadata), rules };
}

interface KnativeServiceLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: {
    traffic?: Array<{
      revisionName?: string;
      latestRevision?: boolean;
      configurationName?: string;
      percent?: number;
      tag?: string;
    }>;
  };
}

/**
 * A Knative Service's traffic block as one rule: each target by its revision's name, the one that follows the
 * latest ready revision as `@latest`; a target with no percent has 0. With no traffic block all of it goes to
 * the latest revision.
 */
export function knativeSplit(ksvc: KnativeServiceLike): RouteSplit {
  const traffic = ksvc.spec?.traffic?.length ? ksvc.spec.traffic : [{ latestRevision: true, percent: 100 }];
  const sum = traffic.reduce((a, t) => a + (t.percent ?? 0), 0);
  const rule = traffic.map((t, i) => ({
    rule: 0,
    index: i,
    name: t.revisionName ?? (t.latestRevision === false ? (t.configurationName ?? '') : KNATIVE_LATEST),
    namespace: null,
    port: null,
    weight: t.percent ?? 0,
    share: sum > 0 ? (t.percent ?? 0) / sum : 0,
  }));
  return { kind: 'KnativeService', ...meta(ksvc.metadata), rules: [rule] };
}

/** The split of any route object of `kind`. */
export function routeSplit(kind: RouteKind, obj: object): RouteSplit {
  switch (kind) {
    case 'HTTPRoute':
      return httpRouteSplit(obj);
    case 'VirtualService':
      return virtualServiceSplit(obj);
    case 'KnativeService':
      return knativeSplit(obj);
  }
}

/**
 * The JSON Patch that sets one rule's weights. Refuses an all-zero split (undefined behaviour across
 * Gateway implementations), negative or non-integer weights, and Istio weights that do not sum to 100.
 * Starts with a `test` of resourceVersion so a concurrent edit is a conflict, never overwritten.
 */
export function trafficPatch(
  split: RouteSplit,
  rule: number,
  weights: Record<string, number>,
): JsonPatchOp[] {
  const backends = split.rules[rule];
  if (!backends) throw refused(`The route ${split.name} has no rule ${rule}.`, 'Pick a rule from the list.');
  const twice = backends.find((b, i) => backends.findIndex((x) => x.name === b.name) !== i);
  if (twice)
    throw refused(
      `Rule ${rule} of ${split.name} names ${twice.name} twice, so a weight by name would be ambiguous.`,
      'Edit this route with kubectl.',
    );
  for (const name of Object.keys(weights)) {
    if (!backends.some((b) => b.name === name)) {
      throw refused(
        `"${name}" is not a backend of rule ${rule} of ${split.name}.`,
        'Pick backends of this rule.',
      );
    }
  }
  const next = backends.map((b) => weights[b.name] ?? b.weight);
  for (const w of next) {
    if (!Number.isInteger(w) || w < 0)
      throw refused(`Weights must be whole numbers ≥ 0 (got ${w}).`, 'Fix the weight.');
    if (split.kind === 'HTTPRoute' && w > GATEWAY_MAX_WEIGHT)
      throw refused(
        `Gateway API weights are at most ${GATEWAY_MAX_WEIGHT} (got ${w}).`,
        'Use smaller weights.',
      );
  }
  const sum = next.reduce((a, b) => a + b, 0);
  if (sum === 0) {
    throw refused(
      'Every backend would get weight 0: that sends traffic nowhere (and is undefined across Gateway implementations).',
      'Give at least one backend a weight above 0.',
    );
  }
  if (weightsArePercents(split.kind) && sum !== 100) {
    throw refused(
      `${split.kind === 'KnativeService' ? 'Knative traffic percents' : 'Istio route weights'} must sum to 100 (these sum to ${sum}).`,
      'Adjust the weights to total 100.',
    );
  }
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: split.resourceVersion },
    ...backends.map((b, i) => ({
      op: 'add' as const,
      path: weightPath(split.kind, rule, b.index),
      value: next[i],
    })),
  ];
}

/** Preset: everything to one backend. */
export function allTo(split: RouteSplit, rule: number, backend: string): Record<string, number> {
  const backends = split.rules[rule] ?? [];
  return Object.fromEntries(backends.map((b) => [b.name, b.name === backend ? 100 : 0]));
}

/** Preset: `percent` of traffic to `backend`, the rest spread over the others in their current proportions. */
export function splitTo(
  split: RouteSplit,
  rule: number,
  backend: string,
  percent: number,
): Record<string, number> {
  const backends = split.rules[rule] ?? [];
  const others = backends.filter((b) => b.name !== backend);
  const otherSum = others.reduce((a, b) => a + b.weight, 0);
  const out: Record<string, number> = { [backend]: Math.round(percent) };
  let left = 100 - Math.round(percent);
  others.forEach((b, i) => {
    const w =
      i === others.length - 1
        ? left
        : Math.round((100 - percent) * (otherSum > 0 ? b.weight / otherSum : 1 / others.length));
    out[b.name] = w;
    left -= w;
  });
  return out;
}

/** Who would revert a hand edit: a controller ownerReference or a GitOps manager in managedFields. */
export function owningController(obj: {
  metadata?: {
    ownerReferences?: Array<{ kind?: string; name?: string; controller?: boolean }>;
    managedFields?: Array<{ manager?: string }>;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}): { by: string; advice: string } | null {
  const owner = obj.metadata?.ownerReferences?.find((o) => o.controller);
  if (owner) {
    return {
      by: `${owner.kind ?? 'controller'} ${owner.name ?? ''}`.trim(),
      advice: `It is managed by ${owner.kind} ${owner.name}, which will put its own weights back: act on the ${owner.kind} instead.`,
    };
  }
  const managers = (obj.metadata?.managedFields ?? []).map((f) => f.manager ?? '');
  const gitops = managers.find((m) =>
    /argocd|flux|kustomize-controller|helm-controller|flagger|rollouts-controller/i.test(m),
  );
  const argoTracked =
    obj.metadata?.labels?.['app.kubernetes.io/instance'] !== undefined &&
    obj.metadata?.annotations?.['argocd.argoproj.io/tracking-id'] !== undefined;
  if (gitops || argoTracked) {
    const by = gitops ?? 'argocd';
    return {
      by,
      advice: `${by} manages this object: with self-heal on it will revert this edit. Change it in Git, or pause auto-sync first.`,
    };
  }
  return null;
}

function meta(m: { name?: string; namespace?: string; resourceVersion?: string } | undefined) {
  return { name: m?.name ?? '', namespace: m?.namespace ?? '', resourceVersion: m?.resourceVersion ?? '' };
}

function refused(message: string, hint: string): AppError {
  return new AppError('ACTION_REFUSED', message, hint);
}
