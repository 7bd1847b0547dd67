import type { CatalogueOverride } from '../../shared/health';
import type { ModelServerKind, ServiceRef } from '../../shared/models';
import { pool } from './charts';
import { catalogueEntry, type MetricsEnv } from './modelHealth';
import { lastServedErrorRatio, nowInstant, nowValues } from './nowFigures';
import type { InstantSample } from './prometheus';

export interface RateTarget {
  id: string;
  namespace: string;
  serverKind: ModelServerKind;
  podPrefix: string;
}

export interface ModelRates {
  requestRate: number | null;
  errorRatio: number | null;
  /** drained models only: the last error ratio while it served (its place in a worst-first list) */
  lastErrorRatio?: number | null;
}

/**
 * Request rate and error ratio per model service for the Models list (and Traffic, which shows the list's
 * figures): the same queries, window and instant as Model health's tiles and detail (nowFigures.ts), so one
 * model shows one number everywhere. Any model's failure fails the round (the list says rates are unavailable).
 */
export async function modelRates(
  env: MetricsEnv,
  services: Array<ServiceRef & { drained?: boolean }>,
  overrides: Record<string, CatalogueOverride>,
): Promise<Map<string, ModelRates>> {
  const at = nowInstant((env.now ?? Date.now)());
  const figures = await pool(services, 4, async (service) => {
    const { queries } = await catalogueEntry(env, service, overrides[service.id] ?? null);
    const v = await nowValues(env, queries, at, 'summary');
    const rates: ModelRates = { requestRate: v.requestRate, errorRatio: v.errorRatio };
    // drained: once its last requests leave the 5-minute window it has no ratio; its last one still says how it was
    if (service.drained)
      rates.lastErrorRatio = v.errorRatio ?? (await lastServedErrorRatio(env, queries, at).catch(() => null));
    return [service.id, rates] as const;
  });
  return new Map(figures);
}

/** Sums finite sample values per target; series that match no target are ignored. */
export function sumByTarget(samples: InstantSample[] | null, targets: RateTarget[]): Map<string, number> {
  const sums = new Map<string, number>();
  if (!samples) return sums;
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const ns = s.labels.namespace ?? s.labels.exported_namespace;
    const pod = s.labels.pod ?? s.labels.exported_pod;
    if (!ns || !pod) continue;
    let best: RateTarget | undefined;
    for (const t of targets) {
      if (
        t.namespace === ns &&
        pod.startsWith(t.podPrefix) &&
        (!best || t.podPrefix.length > best.podPrefix.length)
      )
        best = t;
    }
    if (best) sums.set(best.id, (sums.get(best.id) ?? 0) + s.value);
  }
  return sums;
}
