import type { KubeContextList } from '../../shared/connections';
import type { ModelList } from '../../shared/models';
import type { SettingsView } from '../../shared/settings';
import type { AppErrorData } from '../../shared/errors';
import type { AsyncState } from './async';
import { isNotConnected } from './models';

export type PrometheusIndicator =
  | { status: 'ok' }
  | { status: 'not_configured' }
  | { status: 'error'; error: AppErrorData }
  | { status: 'unknown' };

/** What the top bar says about Prometheus: the latest model list knows best, then the settings. */
export function prometheusIndicator(
  list: AsyncState<ModelList>,
  settings: AsyncState<SettingsView>,
): PrometheusIndicator {
  if (list.data) return list.data.metrics;
  if (settings.data && !settings.data.prometheus.url) return { status: 'not_configured' };
  return { status: 'unknown' };
}

export type ContextIndicator =
  | { status: 'connected'; name: string }
  | { status: 'pending'; name: string | null }
  | { status: 'not_connected'; error?: AppErrorData };

export function contextIndicator(
  list: AsyncState<ModelList>,
  settings: AsyncState<SettingsView>,
  contexts: AsyncState<KubeContextList>,
): ContextIndicator {
  if (list.status === 'error' && isNotConnected(list.error))
    return { status: 'not_connected', error: list.error };
  if (list.data) return { status: 'connected', name: list.data.context };
  const name = settings.data?.kube.context ?? contexts.data?.current ?? null;
  if (!name && contexts.status === 'error') return { status: 'not_connected', error: contexts.error };
  return { status: 'pending', name };
}

/** Live data is stale once two refresh intervals (plus slack) have passed without an update. */
export function isStale(updatedAt: number | undefined, now: number, intervalS: number): boolean {
  return updatedAt === undefined || now - updatedAt > (intervalS * 2 + 5) * 1000;
}

/**
 * The source that is down, for the status bar ("Prometheus unreachable since 13:04:05 UTC"): the list's
 * metrics status says whether Prometheus answered its last round. null when every source answered.
 */
export function sourceDown(
  list: AsyncState<ModelList>,
): { source: 'Prometheus'; state: string; since: string | null; error: AppErrorData } | null {
  const metrics = list.data?.metrics;
  if (metrics?.status !== 'error') return null;
  const code = metrics.error.code;
  const state =
    code === 'PROMETHEUS_UNREACHABLE' || code === 'PROMETHEUS_TIMEOUT'
      ? 'unreachable'
      : code === 'PROMETHEUS_AUTH_FAILED'
        ? 'refusing access'
        : 'failing';
  return { source: 'Prometheus', state, since: metrics.since ?? null, error: metrics.error };
}
