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

const httpUrl = z
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
});
export type PrometheusSettingsInput = z.infer<typeof PrometheusSettingsInput>;

export const SettingsView = z.object({
  kube: z.object({
    /** explicit kubeconfig path chosen by the user; null = KUBECONFIG env or ~/.kube/config */
    kubeconfigPath: z.string().nullable(),
    context: z.string().nullable(),
  }),
  prometheus: z.object({ url: z.string().nullable(), auth: PrometheusAuthView }),
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
});
export type ModelList = z.infer<typeof ModelList>;

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
