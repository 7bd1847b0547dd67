/**
 * Settings: the kubeconfig and Prometheus/Alertmanager settings (secrets are write-only: the renderer learns only
 * whether one is set), the connection check, what the app reports about itself; its slice of the channel table.
 */
import { z } from 'zod';

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

// ---------- connection checks ----------

export const PrometheusCheck = z.object({
  url: z.string(),
  version: z.string().nullable(),
  seriesCount: z.number().int().nonnegative().nullable(),
});
export type PrometheusCheck = z.infer<typeof PrometheusCheck>;

// ---------- the app ----------

export const AppInfo = z.object({
  version: z.string(),
  transport: z.enum(['electron', 'serve', 'memory']),
  storePath: z.string(),
  configured: z.object({ kube: z.boolean(), prometheus: z.boolean() }),
});
export type AppInfo = z.infer<typeof AppInfo>;

// ---------- channels (spread into contract.ts) ----------

const empty = z.object({}).strict();

export const settingsChannels = {
  'app.info': { input: empty, output: AppInfo },
  'settings.get': { input: empty, output: SettingsView },
  'settings.update': { input: SettingsUpdate.strict(), output: SettingsView },
  'prometheus.check': {
    /** with no input, checks the saved settings; with input, checks a proposed configuration before saving */
    input: z.object({ proposed: PrometheusSettingsInput.optional() }).strict(),
    output: PrometheusCheck,
  },
} as const;
