import { z } from 'zod';
import { AppErrorSchema } from './errors';

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

// ---------- settings (secrets are write-only: the renderer learns only whether one is set) ----------

export const PrometheusAuthView = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('bearer'), hasToken: z.boolean() }),
  z.object({ kind: z.literal('basic'), username: z.string(), hasPassword: z.boolean() }),
]);
export type PrometheusAuthView = z.infer<typeof PrometheusAuthView>;

export const PrometheusAuthInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  /** token omitted = keep the one already saved */
  z.object({ kind: z.literal('bearer'), token: z.string().min(1).max(16_384).optional() }),
  z.object({
    kind: z.literal('basic'),
    username: z.string().min(1).max(512),
    password: z.string().max(4096).optional(),
  }),
]);
export type PrometheusAuthInput = z.infer<typeof PrometheusAuthInput>;

/** An http:// or https:// URL (no javascript:, file:, data: …). */
export const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

export const PrometheusSettingsInput = z.object({
  url: httpUrl.nullable(),
  auth: PrometheusAuthInput,
  /** Alertmanager API root, same auth and CA as Prometheus (omitted = keep the saved one; null = none) */
  alertmanagerUrl: httpUrl.nullable().optional(),
  /** PEM CA certificate(s) trusted for Prometheus and Alertmanager (omitted = keep; null = none) */
  caCert: z
    .string()
    .max(65_536)
    .regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate')
    .nullable()
    .optional(),
  /** the tenant of a multi-tenant Mimir or Cortex, sent as `X-Scope-OrgID` (omitted = keep; null = none) */
  tenant: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9!_.*'()|-]{1,150}$/,
      "must be a tenant ID: letters, digits and !-_.*'() (| joins several)",
    )
    .nullable()
    .optional(),
  /** sign requests with AWS SigV4 (Amazon Managed Prometheus); credentials from the AWS default chain, never stored */
  sigv4: z
    .object({
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'),
      service: z
        .string()
        .regex(/^[a-z0-9-]{1,64}$/)
        .default('aps'),
    })
    .nullable()
    .optional(),
});
export type PrometheusSettingsInput = z.infer<typeof PrometheusSettingsInput>;

export const SettingsView = z.object({
  kube: z.object({
    /** explicit kubeconfig path chosen by the user; null = KUBECONFIG env or ~/.kube/config */
    kubeconfigPath: z.string().nullable(),
    context: z.string().nullable(),
  }),
  prometheus: z.object({
    url: z.string().nullable(),
    auth: PrometheusAuthView,
    alertmanagerUrl: z.string().nullable().optional(),
    hasCaCert: z.boolean().optional(),
    tenant: z.string().nullable().optional(),
    sigv4: z.object({ region: z.string(), service: z.string() }).nullable().optional(),
  }),
});
export type SettingsView = z.infer<typeof SettingsView>;

export const SettingsUpdate = z.object({
  kube: z
    .object({
      kubeconfigPath: z.string().trim().min(1).max(4096).nullable().optional(),
      context: z.string().min(1).max(512).nullable().optional(),
    })
    .optional(),
  prometheus: PrometheusSettingsInput.optional(),
});
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

// ---------- kubeconfig ----------

export const KubeContextInfo = z.object({
  name: z.string(),
  cluster: z.string(),
  server: z.string(),
  namespace: z.string().nullable(),
  /** the kubeconfig user entry's name only; credentials never leave main */
  user: z.string(),
});
export type KubeContextInfo = z.infer<typeof KubeContextInfo>;

export const KubeContextList = z.object({
  sources: z.array(z.string()),
  current: z.string().nullable(),
  contexts: z.array(KubeContextInfo),
});
export type KubeContextList = z.infer<typeof KubeContextList>;

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

/** How current the cluster data behind a list is. */
export const InventoryKindStatus = z.object({
  kind: z.string(),
  state: z.enum(['starting', 'listing', 'watching', 'backoff', 'forbidden', 'absent', 'stopped']),
  synced: z.boolean(),
  lastSyncAt: z.string().nullable(),
  count: z.number().int().nonnegative(),
  /** null = all namespaces, else the one namespace it may list */
  namespace: z.string().nullable(),
  error: AppErrorSchema.nullable(),
});
export type InventoryKindStatus = z.infer<typeof InventoryKindStatus>;

export const InventoryStatusView = z.object({
  /** every kind has been listed (kinds that are forbidden or not installed do not count) */
  synced: z.boolean(),
  /** some kind has had no live watch for over 30 s: what is shown may be out of date */
  stale: z.boolean(),
  lastSyncAt: z.string().nullable(),
  kinds: z.array(InventoryKindStatus),
});
export type InventoryStatusView = z.infer<typeof InventoryStatusView>;

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
});
export type ModelService = z.infer<typeof ModelService>;

export const MetricsStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok') }),
  z.object({ status: z.literal('not_configured') }),
  z.object({ status: z.literal('error'), error: AppErrorSchema }),
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

// ---------- cluster connections (every kubeconfig context, several at once) ----------

export const KubeConnectionStatus = z.enum([
  'disconnected',
  'connecting',
  'ready',
  'auth-failed',
  'unreachable',
  'forbidden',
  'error',
]);
export type KubeConnectionStatus = z.infer<typeof KubeConnectionStatus>;

export const KubeConnection = KubeContextInfo.extend({
  connected: z.boolean(),
  status: KubeConnectionStatus,
  /** what went wrong, with what to do about it */
  error: AppErrorSchema.nullable(),
  /** since when it has had this status */
  since: z.string().nullable(),
  inventory: InventoryStatusView.nullable(),
});
export type KubeConnection = z.infer<typeof KubeConnection>;

export const KubeConnectionList = z.object({
  sources: z.array(z.string()),
  /** the context views use when none is named (Settings, else the kubeconfig's current-context) */
  current: z.string().nullable(),
  connections: z.array(KubeConnection),
});
export type KubeConnectionList = z.infer<typeof KubeConnectionList>;

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

// ---------- connection checks ----------

export const PrometheusCheck = z.object({
  url: z.string(),
  version: z.string().nullable(),
  seriesCount: z.number().int().nonnegative().nullable(),
});
export type PrometheusCheck = z.infer<typeof PrometheusCheck>;

// ---------- audit ----------

export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  result: z.string(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  entries: z.number().int().nonnegative(),
  brokenAt: z.number().int().nullable(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

export const AppInfo = z.object({
  version: z.string(),
  transport: z.enum(['electron', 'serve', 'memory']),
  storePath: z.string(),
  configured: z.object({ kube: z.boolean(), prometheus: z.boolean() }),
});
export type AppInfo = z.infer<typeof AppInfo>;
