import type { ModelServerKind } from '../../shared/models';
import { rateCatalogue } from './catalogue';
import type { InstantSample, PrometheusClient } from './prometheus';

export interface RateTarget {
  id: string;
  namespace: string;
  serverKind: ModelServerKind;
  podPrefix: string;
}

export interface ModelRates {
  requestRate: number | null;
  errorRatio: number | null;
}

/**
 * Request rate and error ratio per model service: one query per (server kind, family) whatever the number
 * of models, then each (namespace, pod) series is given to the service whose pod prefix is the longest match.
 */
export async function modelRates(
  client: PrometheusClient,
  targets: RateTarget[],
  signal?: AbortSignal,
): Promise<Map<string, ModelRates>> {
  const kinds = [...new Set(targets.map((t) => t.serverKind))];
  const perKind = await Promise.all(
    kinds.map(async (kind) => {
      const q = rateCatalogue[kind];
      const run = (expr: string | null) => (expr ? client.query(expr, { signal }) : Promise.resolve(null));
      const [requests, successes, errors] = await Promise.all([
        run(q.requests),
        run(q.successes),
        run(q.errors),
      ]);
      return { kind, requests, successes, errors };
    }),
  );

  const out = new Map<string, ModelRates>();
  for (const { kind, requests, successes, errors } of perKind) {
    const ofKind = targets.filter((t) => t.serverKind === kind);
    const req = sumByTarget(requests, ofKind);
    const ok = sumByTarget(successes, ofKind);
    const err = sumByTarget(errors, ofKind);
    for (const t of ofKind) {
      const e = err.get(t.id);
      const s = ok.get(t.id);
      // a server's all-requests counter where it has one; else successes + failures
      const total = req.get(t.id) ?? (s === undefined && e === undefined ? undefined : (s ?? 0) + (e ?? 0));
      if (total === undefined) {
        out.set(t.id, { requestRate: null, errorRatio: null });
        continue;
      }
      const errorRatio = errors && total > 0 ? Math.min(1, (e ?? 0) / total) : null;
      out.set(t.id, { requestRate: total, errorRatio });
    }
  }
  return out;
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
