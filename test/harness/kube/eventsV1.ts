// events.k8s.io/v1: the same stored Events as core/v1, in the newer API's shape (as kube-apiserver converts them):
// involvedObject -> regarding, message -> note, reportingComponent -> reportingController, and the legacy
// count/timestamps/source as the deprecated* fields. The same object (name, uid, resourceVersion) either way.
import type { Obj } from './types';

export function coreEventToV1(o: Obj): Obj {
  const out: Obj = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: o.metadata,
    // a legacy reporter sets no eventTime: the API answers null
    eventTime: o.eventTime ?? null,
  };
  const copy = (to: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') out[to] = v;
  };
  copy('series', o.series);
  copy('reportingController', o.reportingComponent ?? o.source?.component);
  copy('reportingInstance', o.reportingInstance ?? o.source?.host);
  copy('action', o.action);
  copy('reason', o.reason);
  copy('regarding', o.involvedObject);
  copy('related', o.related);
  copy('note', o.message);
  copy('type', o.type);
  copy('deprecatedSource', o.source);
  copy('deprecatedFirstTimestamp', o.firstTimestamp);
  copy('deprecatedLastTimestamp', o.lastTimestamp);
  copy('deprecatedCount', o.count);
  return out;
}
