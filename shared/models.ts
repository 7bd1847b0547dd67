/**
 * Models: model services as discovered in the cluster (workload, server kind, replicas, health from the
 * inventory, routes), the editable rules that say which workloads are model services, revision history; its
 * slice of the channel table and its stream.
 */
import { z } from 'zod';
import { AppErrorSchema } from './errors';
import { InventoryStatusView } from './connections';

/** Model servers Firebreak knows the metrics of. `generic` = plain HTTP server metrics. */
export const ModelServerKind = z.enum([
  'vllm',
  'triton',
  'kserve',
  'knative',
  'torchserve',
  'mlserver',
  'rayserve',
  'generic',
]);
export type ModelServerKind = z.infer<typeof ModelServerKind>;

export const WorkloadKind = z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'InferenceService']);
export type WorkloadKind = z.infer<typeof WorkloadKind>;

const name = z.string().min(1).max(253);
export const WorkloadRef = z.object({
  kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'InferenceService']),
  namespace: name,
  name,
});
export type WorkloadRef = z.infer<typeof WorkloadRef>;

/** A model service as the renderer knows it (from models.list); main derives its metric selectors from it. */
export const ServiceRef = z
  .object({
    /** `<namespace>/<kind>/<name>` */
    id: z
      .string()
      .max(600)
      .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/(Deployment|StatefulSet|DaemonSet|Rollout|InferenceService)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
        'must be <namespace>/<kind>/<name>',
      ),
    serverKind: ModelServerKind,
    modelName: z.string().min(1).max(253),
  })
  .strict();
export type ServiceRef = z.infer<typeof ServiceRef>;

export function parseServiceId(id: string): { namespace: string; kind: string; name: string } {
  const [namespace = '', kind = '', name = ''] = id.split('/');
  return { namespace, kind, name };
}

// ---------- model services ----------

/** A pod of a model service that is not serving, and why (CrashLoopBackOff, ImagePullBackOff, OOMKilled, NotReady …). */
export const FailingPod = z.object({
  name: z.string(),
  reason: z.string(),
  /** the container's or condition's own words, when there are any */
  message: z.string().nullable(),
  /** when it started failing, where known */
  since: z.string().nullable(),
});
export type FailingPod = z.infer<typeof FailingPod>;

export const WarningEvent = z.object({
  /** `Kind/name` of what it is about: the workload, one of its ReplicaSets, or a pod */
  object: z.string(),
  reason: z.string(),
  message: z.string(),
  count: z.number().int().nonnegative(),
  lastSeen: z.string().nullable(),
});
export type WarningEvent = z.infer<typeof WarningEvent>;

export const ModelHealth = z.object({
  ready: z.number().int().nonnegative(),
  desired: z.number().int().nonnegative(),
  /** container restarts summed over its pods */
  restarts: z.number().int().nonnegative(),
  pods: z.number().int().nonnegative(),
  failingPods: z.array(FailingPod),
  /** recent Warning events of the workload, its ReplicaSets and pods, newest first */
  warningEvents: z.array(WarningEvent),
});
export type ModelHealth = z.infer<typeof ModelHealth>;

/** Which routing object sends a model service traffic, through which rule and backend, with what share. */
export const ModelRoute = z.object({
  kind: z.enum(['HTTPRoute', 'VirtualService', 'InferenceService']),
  namespace: z.string(),
  name: z.string(),
  /** index of the HTTPRoute rule / VirtualService http route; null for a KServe traffic block */
  rule: z.number().int().nullable(),
  /** the backend (Service, host, or KServe revision) that is this model service */
  backend: z.string(),
  weight: z.number().nullable(),
  /** share of that rule's traffic, 0..1 */
  share: z.number(),
  /** every backend of that rule, with its share */
  backends: z.array(z.object({ name: z.string(), weight: z.number().nullable(), share: z.number() })),
});
export type ModelRoute = z.infer<typeof ModelRoute>;

export const ModelService = z.object({
  /** `<namespace>/<kind>/<name>`: stable across refreshes */
  id: z.string(),
  name: z.string(),
  namespace: z.string(),
  workloadKind: WorkloadKind,
  serverKind: ModelServerKind,
  /** the model name as the model server labels its metrics */
  modelName: z.string(),
  replicas: z.object({ ready: z.number().int().nonnegative(), desired: z.number().int().nonnegative() }),
  image: z.string().nullable(),
  /** successful + failed requests per second over the last 5 minutes; null = no metrics */
  requestRate: z.number().nullable(),
  /** failed / all requests over the last 5 minutes, 0..1; null = no metrics or no traffic */
  errorRatio: z.number().nullable(),
  /** from the inventory: readiness, restarts, failing pods, recent warning events (absent = not known) */
  health: ModelHealth.optional(),
  /** the route sending it traffic with the largest share (null = none found; absent = not known) */
  route: ModelRoute.nullable().optional(),
  /** every route sending it traffic */
  routes: z.array(ModelRoute).optional(),
  /** a Deployment's or Rollout's rollout is paused (absent = the kind cannot pause, or not known) */
  paused: z.boolean().optional(),
  /** traffic moved away: see `drainedBy` (absent = not drained) */
  drained: z
    .object({
      /** the backends now carrying its rules' traffic */
      fallbacks: z.array(z.string()),
      /** its last error ratio while it served (5-minute rate, within the last 3 hours); null = not known */
      lastErrorRatio: z.number().nullable(),
    })
    .optional(),
});
export type ModelService = z.infer<typeof ModelService>;

/**
 * A drained model service: every route rule that names it gives it no share while another backend of that
 * rule carries the traffic (a fallback is active). Null when it is not drained (or has no routes).
 */
export function drainedBy(routes: readonly ModelRoute[] | undefined): { fallbacks: string[] } | null {
  if (!routes || routes.length === 0 || routes.some((r) => r.share > 0)) return null;
  // Only a route the model leads (its first backend) can drain it: a fallback standing by at 0 % in another
  // model's route is not drained, it serves its own traffic.
  const led = routes.filter((r) => r.backends[0]?.name === r.backend);
  const fallbacks = new Set<string>();
  for (const r of led)
    for (const b of r.backends) if (b.name !== r.backend && b.share > 0) fallbacks.add(b.name);
  return fallbacks.size > 0 ? { fallbacks: [...fallbacks] } : null;
}

export const MetricsStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok') }),
  z.object({ status: z.literal('not_configured') }),
  z.object({
    status: z.literal('error'),
    error: AppErrorSchema,
    /** the rates shown are the copy saved at this time (ISO); absent: no rates to show */
    asOf: z.string().optional(),
    /** Prometheus has failed every round since this time (ISO) */
    since: z.string().optional(),
  }),
]);
export type MetricsStatus = z.infer<typeof MetricsStatus>;

export const ModelList = z.object({
  context: z.string(),
  fetchedAt: z.string(),
  models: z.array(ModelService),
  metrics: MetricsStatus,
  /** the watch-fed inventory this list comes from (absent = not from an inventory) */
  inventory: InventoryStatusView.optional(),
});
export type ModelList = z.infer<typeof ModelList>;

// ---------- which workloads are model services (editable) ----------

const labelKey = z
  .string()
  .trim()
  .min(1)
  .max(317)
  .regex(
    /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    'must be a label key such as app.kubernetes.io/name',
  );

const imagePattern = z
  .string()
  .min(1)
  .max(200)
  .refine((v) => {
    try {
      new RegExp(v, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'must be a regular expression');

export const MappingRules = z.object({
  /**
   * label selectors (`key`, `key=value`, `key!=value`, comma = and): a Deployment, StatefulSet or Rollout matching
   * any of them is a model service even when its image is not a known model server (kind `generic`)
   */
  serviceSelectors: z.array(z.string().trim().min(1).max(500)).max(50),
  /** the label holding a model service's name */
  nameLabel: labelKey,
  /** the label naming its model server kind (vllm, triton …) */
  serverKindLabel: labelKey,
  /** the label naming the model as its metrics label it */
  modelNameLabel: labelKey,
  /** image pattern (case-insensitive regular expression) to model server kind; the first match wins */
  imageRules: z.array(z.object({ pattern: imagePattern, serverKind: ModelServerKind })).max(50),
  /** a workload that requests GPUs is a model service (kind `generic`) */
  gpuWorkloads: z.boolean(),
  /** namespaces never looked at */
  ignoreNamespaces: z.array(z.string().trim().min(1).max(63)).max(500),
});
export type MappingRules = z.infer<typeof MappingRules>;

export const MappingRulesView = z.object({
  rules: MappingRules,
  /** what Firebreak uses when nothing is saved */
  defaults: MappingRules,
  /** whether the rules in use are the saved ones */
  saved: z.boolean(),
});
export type MappingRulesView = z.infer<typeof MappingRulesView>;

// ---------- revision history ----------

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

// ---------- channels and streams (spread into contract.ts) ----------

const empty = z.object({}).strict();
const contextInput = z.string().min(1).max(512).optional();

export const modelsChannels = {
  'models.list': {
    input: z.object({ context: contextInput }).strict(),
    output: ModelList,
  },
  /** which workloads are model services (labels, image patterns), with the defaults */
  'models.mappingRules': { input: empty, output: MappingRulesView },
  /** saves the rules; null = back to the defaults */
  'models.saveMappingRules': {
    input: z.object({ rules: MappingRules.nullable() }).strict(),
    output: MappingRulesView,
  },
  'models.history': {
    input: z.object({ context: contextInput, target: WorkloadRef }).strict(),
    output: RevisionHistory,
  },
} as const;

export const modelsStreams = {
  /**
   * the model list: sent when the cluster changes in a way the list shows (debounced, at most every 2 s), and every
   * `intervalS` seconds with fresh rates
   */
  'models.live': {
    params: z
      .object({
        context: contextInput,
        intervalS: z.number().int().min(2).max(300).default(10),
      })
      .strict(),
    event: ModelList,
  },
} as const;
