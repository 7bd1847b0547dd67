import type { KubeObject } from './resources';

/**
 * `kubectl rollout status` semantics for a Deployment (and, by the same fields, StatefulSet/DaemonSet):
 * the controller has seen the latest spec, every replica is updated, no old replica is left, all available.
 * Condition Progressing=False with reason ProgressDeadlineExceeded is a failed rollout.
 */
export function rolloutStatus(obj: KubeObject): { done: boolean; failed: boolean; message: string } {
  const spec = obj.spec ?? {};
  const status = obj.status ?? {};
  const name = obj.metadata?.name ?? '';
  const generation = obj.metadata?.generation ?? 0;
  const observed = (status.observedGeneration as number | undefined) ?? 0;
  const conditions = (status.conditions ?? []) as Array<{ type: string; status?: string; reason?: string }>;
  if (conditions.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) {
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  }
  if (generation > observed) {
    return {
      done: false,
      failed: false,
      message: 'Waiting for the rollout to be observed by the controller',
    };
  }
  const want = (spec.replicas as number | undefined) ?? 1;
  const updated = (status.updatedReplicas as number | undefined) ?? 0;
  const replicas = (status.replicas as number | undefined) ?? 0;
  const available = (status.availableReplicas as number | undefined) ?? 0;
  if (updated < want)
    return {
      done: false,
      failed: false,
      message: `${updated} out of ${want} new replicas have been updated`,
    };
  if (replicas > updated) {
    return {
      done: false,
      failed: false,
      message: `${replicas - updated} old replicas are pending termination`,
    };
  }
  if (available < updated) {
    return {
      done: false,
      failed: false,
      message: `${available} of ${updated} updated replicas are available`,
    };
  }
  return { done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
}
