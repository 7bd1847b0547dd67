import type { Connections } from '../kube/connections';
import type { KubeEnv } from '../kube/kubeconfig';
import type { MetricsEnv } from '../metrics/modelHealth';
import { PrometheusClient } from '../metrics/prometheus';
import type { Settings } from '../settings/settings';
import type { Store } from '../store';

/** What every handler module gets: the profile's store, settings and cluster connections, and where it runs. */
export interface ApiContext {
  store: Store;
  settings: Settings;
  env: KubeEnv;
  version: string;
  transport: 'electron' | 'serve' | 'memory';
  /** who performs actions, for the audit log */
  actor: string;
  /** the clusters of the kubeconfig, each with its watch-fed inventory (started on first use) */
  connections: Connections;
}

const CACHE_KEEP_MS = 30 * 86400_000;
const pruned = new WeakSet<ApiContext>();

/**
 * Prometheus from the saved settings (null when not configured: only the cache answers) and the profile's series
 * cache: what health, GPU and cost read metrics through.
 */
export function metricsEnv(ctx: ApiContext, timeoutMs = 15_000): MetricsEnv {
  // answers fetched more than 30 days ago are dropped once per start (closed windows are otherwise kept)
  if (!pruned.has(ctx) && !ctx.store.readonly) {
    pruned.add(ctx);
    try {
      ctx.store.seriesCache.prune(new Date(Date.now() - CACHE_KEEP_MS));
    } catch {
      // pruning is housekeeping: a failure here must not stop a chart
    }
  }
  const config = ctx.settings.prometheusConfig();
  return {
    client: config ? new PrometheusClient({ ...config, timeoutMs }) : null,
    cache: ctx.store.readonly ? null : ctx.store.seriesCache,
  };
}
