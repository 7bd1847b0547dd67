/**
 * The health of a model service from its pods and events, in the words an incident commander uses:
 * how many of its replicas are ready, how often its containers restarted, which pods are failing and why
 * (CrashLoopBackOff, ImagePullBackOff, OOMKilled, Unschedulable, not Ready for over 2 minutes …), and the
 * recent Warning events of the workload, its ReplicaSets and its pods. Pure: the inventory supplies the objects.
 */
import type { FailingPod, ModelHealth, WarningEvent } from '../../shared/models';
import type { ContainerStatus, KubeEvent, Pod } from './inventory/objects';

/** a pod not Ready for longer than this is failing (a rolling update's new pod gets this long) */
export const NOT_READY_GRACE_MS = 2 * 60_000;
/** an OOM kill this recent still counts, even if the container runs again */
export const RECENT_OOM_MS = 10 * 60_000;
/** Warning events older than this are history, not health */
export const RECENT_EVENT_MS = 60 * 60_000;
export const MAX_FAILING_PODS = 20;
export const MAX_WARNING_EVENTS = 10;

/** container waiting reasons that mean "this will not start by itself" */
const WAITING_FAILURES = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PostStartHookError',
]);

const time = (t: string | undefined): number | null => {
  if (!t) return null;
  const n = Date.parse(t);
  return Number.isNaN(n) ? null : n;
};

function lastExit(cs: ContainerStatus): string | null {
  const t = cs.lastState?.terminated ?? cs.state?.terminated;
  if (!t) return null;
  const code = t.exitCode !== undefined ? ` (exit ${t.exitCode})` : '';
  return t.reason ? `last exit: ${t.reason}${code}` : code ? `last exit${code}` : null;
}

/** Why this pod is not serving, or null when it is (or is on its way out, or finished). */
export function podProblem(pod: Pod, now: number): FailingPod | null {
  if (pod.metadata.deletionTimestamp) return null; // terminating: a rollout or scale-down, not a failure
  const st = pod.status;
  if (st.phase === 'Succeeded') return null;
  const name = pod.metadata.name;
  const statuses = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])];

  for (const cs of statuses) {
    const w = cs.state?.waiting;
    if (w?.reason && WAITING_FAILURES.has(w.reason)) {
      const exit = lastExit(cs);
      const words = [w.message, exit].filter(Boolean).join('; ');
      return { name, reason: w.reason, message: words ? `${cs.name}: ${words}` : null, since: null };
    }
  }
  for (const cs of statuses) {
    const current = cs.state?.terminated;
    const last = cs.lastState?.terminated;
    if (current?.reason === 'OOMKilled') {
      return {
        name,
        reason: 'OOMKilled',
        message: `${cs.name} was killed for using more memory than its limit`,
        since: current.finishedAt ?? null,
      };
    }
    const finished = time(last?.finishedAt);
    if (last?.reason === 'OOMKilled' && (finished === null || now - finished < RECENT_OOM_MS)) {
      return {
        name,
        reason: 'OOMKilled',
        message: `${cs.name} was killed for using more memory than its limit (restarted ${cs.restartCount} times)`,
        since: last.finishedAt ?? null,
      };
    }
  }
  if (st.phase === 'Failed') {
    return { name, reason: st.reason || 'Failed', message: null, since: null };
  }
  const cond = (type: string) => st.conditions?.find((c) => c.type === type);
  const scheduled = cond('PodScheduled');
  if (scheduled?.status === 'False') {
    const since = time(scheduled.lastTransitionTime) ?? time(pod.metadata.creationTimestamp);
    if (since === null || now - since > NOT_READY_GRACE_MS) {
      return {
        name,
        reason: scheduled.reason || 'Unschedulable',
        message: scheduled.message ?? null,
        since: scheduled.lastTransitionTime ?? pod.metadata.creationTimestamp ?? null,
      };
    }
    return null;
  }
  const ready = cond('Ready');
  if (ready?.status !== 'True') {
    const since = time(ready?.lastTransitionTime) ?? time(pod.metadata.creationTimestamp);
    if (since !== null && now - since > NOT_READY_GRACE_MS) {
      return {
        name,
        reason: st.phase === 'Pending' ? 'Pending' : 'NotReady',
        message: ready?.message ?? ready?.reason ?? null,
        since: ready?.lastTransitionTime ?? pod.metadata.creationTimestamp ?? null,
      };
    }
  }
  return null;
}

export function podRestarts(pod: Pod): number {
  let n = 0;
  for (const cs of pod.status.containerStatuses ?? []) n += cs.restartCount;
  for (const cs of pod.status.initContainerStatuses ?? []) n += cs.restartCount;
  return n;
}

/** Recent Warning events, newest first, at most `max`. */
export function recentWarnings(
  events: Iterable<KubeEvent>,
  now: number,
  max = MAX_WARNING_EVENTS,
): WarningEvent[] {
  const out: Array<WarningEvent & { at: number }> = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (e.type !== 'Warning') continue;
    const key = `${e.metadata.namespace}/${e.metadata.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const at = time(e.lastSeen ?? undefined);
    if (at !== null && now - at > RECENT_EVENT_MS) continue;
    out.push({
      object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
      reason: e.reason,
      message: e.message,
      count: e.count,
      lastSeen: e.lastSeen,
      at: at ?? 0,
    });
  }
  out.sort((a, b) => b.at - a.at || b.count - a.count);
  return out.slice(0, max).map(({ at: _at, ...rest }) => rest);
}

/** The health of a model service from its replica counts, its pods and the events about it. */
export function healthOf(input: {
  ready: number;
  desired: number;
  pods: readonly Pod[];
  events: Iterable<KubeEvent>;
  now: number;
}): ModelHealth {
  let restarts = 0;
  const failing: FailingPod[] = [];
  for (const p of input.pods) {
    restarts += podRestarts(p);
    const problem = podProblem(p, input.now);
    if (problem) failing.push(problem);
  }
  failing.sort((a, b) => a.name.localeCompare(b.name));
  return {
    ready: Math.max(0, Math.trunc(input.ready)),
    desired: Math.max(0, Math.trunc(input.desired)),
    restarts,
    pods: input.pods.filter((p) => !p.metadata.deletionTimestamp).length,
    failingPods: failing.slice(0, MAX_FAILING_PODS),
    warningEvents: recentWarnings(input.events, input.now),
  };
}
