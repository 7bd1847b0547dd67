import { z } from 'zod';
import { isSpecificSilence, notSpecificSilence, silenceFields } from './metrics';

const name = z.string().min(1).max(253);
export const WorkloadRef = z.object({
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'InferenceService']),
  namespace: name,
  name,
});
export type WorkloadRef = z.infer<typeof WorkloadRef>;

/** What splits traffic: a Gateway API HTTPRoute, an Istio VirtualService, or a Knative Service's traffic block. */
export const RouteKind = z.enum(['HTTPRoute', 'VirtualService', 'KnativeService']);
export type RouteKind = z.infer<typeof RouteKind>;

export const RouteRef = z.object({ kind: RouteKind, namespace: name, name });
export type RouteRef = z.infer<typeof RouteRef>;

/** What a user can ask Firebreak to change, in a cluster or in Alertmanager. All go through one pipeline. */
export const ActionRequest = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('rollback'),
    target: WorkloadRef,
    toRevision: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal('scale'), target: WorkloadRef, replicas: z.number().int().min(0).max(10_000) }),
  z.object({ type: z.literal('pause'), target: WorkloadRef }),
  z.object({ type: z.literal('resume'), target: WorkloadRef }),
  z.object({ type: z.literal('restart'), target: WorkloadRef }),
  z.object({ type: z.literal('abort'), target: WorkloadRef }),
  z.object({ type: z.literal('retry'), target: WorkloadRef }),
  z.object({
    type: z.literal('traffic'),
    route: RouteRef,
    rule: z.number().int().min(0).max(100),
    weights: z.record(z.string().min(1).max(253), z.number().int().min(0).max(1_000_000)),
  }),
  z.object({
    type: z.literal('canary'),
    target: WorkloadRef,
    /** KServe canaryTrafficPercent: 0 = all traffic back to the previous revision; null = promote */
    percent: z.number().int().min(0).max(100).nullable(),
  }),
  /** an Alertmanager silence: the same preview, confirmation and audit as a cluster write */
  z
    .object({ type: z.literal('silence'), ...silenceFields })
    .strict()
    .refine(isSpecificSilence, notSpecificSilence),
]);
export type ActionRequest = z.infer<typeof ActionRequest>;
/** The requests that write to a cluster (all but the Alertmanager silence). */
export type KubeActionRequest = Exclude<ActionRequest, { type: 'silence' }>;

export const DiffLine = z.object({
  path: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
});
export type DiffLine = z.infer<typeof DiffLine>;

export const PreparedAction = z.object({
  id: z.string(),
  context: z.string(),
  request: ActionRequest,
  /** one sentence in the user's words: "Roll back Deployment llm/llama-70b-chat from revision 2 to 1" */
  summary: z.string(),
  target: z.object({
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    resourceVersion: z.string(),
  }),
  /** the user types this to confirm */
  confirmPhrase: z.string(),
  permission: z.object({ allowed: z.boolean(), reason: z.string() }),
  dryRun: z.object({ ok: z.boolean(), message: z.string() }),
  diff: z.array(DiffLine),
  warnings: z.array(z.string()),
  /** set when there is nothing to do ("already at that revision") */
  noop: z.string().nullable(),
  expiresAt: z.string(),
});
export type PreparedAction = z.infer<typeof PreparedAction>;

export const ActionOutcome = z.object({
  status: z.enum(['done', 'noop', 'conflict', 'failed', 'timeout']),
  message: z.string(),
  auditSeq: z.number().int().nullable(),
  /** after a conflict: the action planned again against what is there now, to review and confirm */
  replanned: PreparedAction.nullable(),
});
export type ActionOutcome = z.infer<typeof ActionOutcome>;

/** One revision of a workload, in the terms an incident commander compares. Env var names only, never values. */
export const RevisionSummary = z.object({
  revision: z.number().int(),
  name: z.string(),
  uid: z.string(),
  createdAt: z.string().nullable(),
  current: z.boolean(),
  changeCause: z.string().nullable(),
  containers: z.array(
    z.object({
      name: z.string(),
      image: z.string(),
      args: z.array(z.string()),
      envNames: z.array(z.string()),
      resources: z.record(z.string(), z.string()),
    }),
  ),
  gpus: z.number(),
});
export type RevisionSummary = z.infer<typeof RevisionSummary>;

export const RevisionHistory = z.object({
  target: WorkloadRef,
  revisions: z.array(RevisionSummary),
  /** why there is no history (RawDeployment InferenceService, no ReplicaSets yet …) */
  note: z.string().nullable(),
});
export type RevisionHistory = z.infer<typeof RevisionHistory>;

export const RevisionDiffLine = z.object({
  container: z.string().nullable(),
  field: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
});
export type RevisionDiffLine = z.infer<typeof RevisionDiffLine>;

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
