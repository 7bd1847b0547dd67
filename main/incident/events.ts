/**
 * Kubernetes Events as the recorder keeps them: one row per event series, whichever API it came through. The same
 * stored Event seen through core/v1 and events.k8s.io/v1 is one object (one name, one uid), and a reporter whose
 * event expired (the API server's 1-hour TTL) creates it again under the same name with its original time but a
 * new uid. So the key is the involved object, the reason and the event's name: not the uid (a re-created series
 * would be a new row) and not a time (a series re-sent every 30 minutes with its first time would be a new row).
 */
import type { KubeEvent } from '../kube/inventory/objects';
import type { FrameEvent } from './recorder';

export function eventKey(e: KubeEvent): string {
  const io = e.involvedObject;
  return `${io.kind} ${io.namespace}/${io.name}|${e.reason}|${e.metadata.namespace}/${e.metadata.name}`;
}

const ms = (t: string | null | undefined): number | null => {
  const v = t ? Date.parse(t) : Number.NaN;
  return Number.isFinite(v) ? v : null;
};

/**
 * The events of one capture from every API they were read through, one per series: the first time is the
 * earliest any copy gives, the last the latest, the count the highest (a series only grows).
 */
export function frameEvents(lists: ReadonlyArray<Iterable<KubeEvent>>, nowMs: number): FrameEvent[] {
  const out = new Map<string, FrameEvent>();
  for (const list of lists)
    for (const e of list) {
      const key = eventKey(e);
      const last = ms(e.lastSeen) ?? ms(e.metadata.creationTimestamp) ?? nowMs;
      const first = Math.min(ms(e.firstSeen) ?? last, last);
      const was = out.get(key);
      if (was) {
        was.firstMs = Math.min(was.firstMs, first);
        if (last >= was.lastMs) {
          was.lastMs = last;
          was.message = e.message;
        }
        was.count = Math.max(was.count, e.count);
        continue;
      }
      out.set(key, {
        key,
        uid: e.metadata.uid,
        type: e.type,
        reason: e.reason,
        message: e.message,
        count: e.count,
        firstMs: first,
        lastMs: last,
        object: `${e.involvedObject.kind} ${e.involvedObject.namespace}/${e.involvedObject.name}`,
        namespace: e.involvedObject.namespace,
        name: e.involvedObject.name,
      });
    }
  return [...out.values()];
}
