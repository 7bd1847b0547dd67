import type { Connections } from '../kube/connections';
import type { KubeEnv } from '../kube/kubeconfig';
import type { MetricsEnv } from '../metrics/modelHealth';
import { PrometheusClient } from '../metrics/prometheus';
import { scopedCache } from '../metrics/rangeCache';
import { Staleness } from '../metrics/staleness';
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

/** Each Prometheus request's own timeout, and by default the whole answer's (see metricsEnv). */
export const PROMETHEUS_TIMEOUT_MS = 10_000;

/**
 * Prometheus from the saved settings (null when not configured: only the cache answers) and the profile's series
 * cache: what health, GPU and cost read metrics through. Every query of one answer shares one deadline
 * (`deadlineMs` from now): a hung Prometheus costs that once, not once per query in sequence, and what ran
 * out is served from the copy saved (a deadline counts as a timeout there).
 */
export function metricsEnv(
  ctx: ApiContext,
  timeoutMs = PROMETHEUS_TIMEOUT_MS,
  deadlineMs = timeoutMs,
): MetricsEnv {
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
  const client = config ? new PrometheusClient({ ...config, timeoutMs }) : null;
  return {
    client,
    cache: ctx.store.readonly ? null : scopedCache(ctx.store.seriesCache, client),
    signal: AbortSignal.timeout(deadlineMs),
    stale: new Staleness(),
  };
}
