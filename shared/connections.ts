/**
 * Connections: the contexts of the kubeconfig, each cluster connection with its status, and the watch-fed
 * inventory behind it; its slice of the channel table.
 */
import { z } from 'zod';
import { AppErrorSchema } from './errors';

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

// ---------- the inventory behind a connection ----------

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

// ---------- channels (spread into contract.ts) ----------

export const connectionsChannels = {
  'kube.contexts': {
    /**
     * with a path, lists that file's contexts before it is saved (a preview); null previews the default
     * ($KUBECONFIG, else ~/.kube/config); absent, the saved kubeconfig's
     */
    input: z.object({ kubeconfigPath: z.string().trim().min(1).max(4096).nullable().optional() }).strict(),
    output: KubeContextList,
  },
  /** every kubeconfig context with its connection status; `probe` checks the ones not connected once */
  'kube.connections': {
    input: z.object({ probe: z.boolean().optional() }).strict(),
    output: KubeConnectionList,
  },
  /** connects (starts its inventory; several may be connected); `makeCurrent` also saves it as the current context */
  'kube.connect': {
    input: z.object({ context: z.string().min(1).max(512), makeCurrent: z.boolean().optional() }).strict(),
    output: KubeConnection,
  },
  'kube.disconnect': {
    input: z.object({ context: z.string().min(1).max(512) }).strict(),
    output: KubeConnectionList,
  },
} as const;
