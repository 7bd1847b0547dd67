/**
 * Traffic: the routes that split traffic among backends (Gateway API HTTPRoute, Istio VirtualService, Knative
 * Service traffic), where their weights live; its slice of the channel table. The split itself is an action.
 */
import { z } from 'zod';
import { ServiceRef } from './models';

const name = z.string().min(1).max(253);

/** What splits traffic: a Gateway API HTTPRoute, an Istio VirtualService, or a Knative Service's traffic block. */
export const RouteKind = z.enum(['HTTPRoute', 'VirtualService', 'KnativeService']);
export type RouteKind = z.infer<typeof RouteKind>;

export const RouteRef = z.object({ kind: RouteKind, namespace: name, name });
export type RouteRef = z.infer<typeof RouteRef>;

export const RouteView = z.object({
  kind: RouteKind,
  namespace: z.string(),
  name: z.string(),
  resourceVersion: z.string(),
  rules: z.array(
    z.array(
      z.object({ name: z.string(), port: z.number().nullable(), weight: z.number(), share: z.number() }),
    ),
  ),
  /** who would revert a hand edit, and what to do instead */
  ownerWarning: z.string().nullable(),
  conditions: z.array(z.object({ type: z.string(), status: z.string(), reason: z.string().nullable() })),
});
export type RouteView = z.infer<typeof RouteView>;

/** The Knative traffic target that follows the latest ready revision (a name no revision can have). */
export const KNATIVE_LATEST = '@latest';

/**
 * Where a backend's weight lives in the route object (a JSON pointer): `/spec/rules/0/backendRefs/1/weight`,
 * `/spec/http/0/route/1/weight`, `/spec/traffic/1/percent`.
 */
export function weightPath(kind: RouteKind, rule: number, index: number): string {
  switch (kind) {
    case 'HTTPRoute':
      return `/spec/rules/${rule}/backendRefs/${index}/weight`;
    case 'VirtualService':
      return `/spec/http/${rule}/route/${index}/weight`;
    case 'KnativeService':
      return `/spec/traffic/${index}/percent`;
  }
}

/** Whether a route's weights must sum to exactly 100 (Istio and Knative), rather than being relative (Gateway API). */
export function weightsArePercents(kind: RouteKind): boolean {
  return kind !== 'HTTPRoute';
}

/** The most a backend served: what the traffic dialog compares a fallback's coming load with. */
export const PEAK_RANGE_S = 24 * 3600;

export const BackendPeak = z.object({
  id: z.string(),
  /** highest 5-minute request rate over the last PEAK_RANGE_S; null = no metrics */
  peak: z.number().nullable(),
});
export type BackendPeak = z.infer<typeof BackendPeak>;

// ---------- channels (spread into contract.ts) ----------

export const trafficChannels = {
  'traffic.routes': {
    input: z.object({ context: z.string().min(1).max(512).optional() }).strict(),
    output: z.array(RouteView),
  },
  'traffic.peaks': {
    input: z.object({ services: z.array(ServiceRef).max(100) }).strict(),
    output: z.array(BackendPeak),
  },
} as const;
