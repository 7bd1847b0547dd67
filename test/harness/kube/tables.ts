// Server-side printing: meta.k8s.io/v1 Table, with the columns kube-apiserver's printers use.
import type { ResourceDef } from './resources';
import { labelSelectorToString } from './selectors';
import type { Obj } from './types';

interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  description: string;
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(ts: string | undefined, now: number): string {
  if (!ts) return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

const NAME: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
};
const AGE: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};
const col = (name: string, type: string, description: string, priority = 0): Column =>
  priority ? { name, type, priority, description } : { name, type, description };

function containersAndImages(tpl: Obj | undefined): [string, string] {
  const cs: Obj[] = tpl?.spec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

function podReadyCount(p: Obj): [number, number] {
  const total = (p.spec?.containers ?? []).length;
  const ready = ((p.status?.containerStatuses ?? []) as Obj[]).filter((c) => c.ready).length;
  return [ready, total];
}

function podStatusReason(p: Obj): string {
  if (p.metadata?.deletionTimestamp) return 'Terminating';
  let reason: string = p.status?.reason ?? p.status?.phase ?? 'Unknown';
  for (const cs of (p.status?.containerStatuses ?? []) as Obj[]) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
  }
  return reason;
}

function podRestarts(p: Obj, now: number): string {
  let restarts = 0;
  let last: number | undefined;
  for (const cs of (p.status?.containerStatuses ?? []) as Obj[]) {
    restarts += cs.restartCount ?? 0;
    const fin = cs.lastState?.terminated?.finishedAt;
    if (fin) {
      const t = Date.parse(fin);
      if (!Number.isNaN(t) && (last === undefined || t > last)) last = t;
    }
  }
  return last !== undefined && restarts > 0
    ? `${restarts} (${humanDuration(now - last)} ago)`
    : String(restarts);
}

function servicePorts(s: Obj): string {
  const ports: Obj[] = s.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

interface Printer {
  columns: Column[];
  cells(o: Obj, now: number): unknown[];
}

const PRINTERS: Record<string, Printer> = {
  'apps/v1|Deployment': {
    columns: [
      NAME,
      col('Ready', 'string', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'integer',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      ),
      col(
        'Available',
        'integer',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      ),
      AGE,
      col('Containers', 'string', 'Names of each container in the template.', 1),
      col('Images', 'string', 'Images referenced by each container in the template.', 1),
      col('Selector', 'string', 'Label selector for pods.', 1),
    ],
    cells: (d, now) => {
      const [c, i] = containersAndImages(d.spec?.template);
      return [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d.metadata.creationTimestamp, now),
        c,
        i,
        labelSelectorToString(d.spec?.selector) || '<none>',
      ];
    },
  },
  'apps/v1|ReplicaSet': {
    columns: [
      NAME,
      col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
      col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
      col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
      AGE,
      col('Containers', 'string', 'Names of each container in the template.', 1),
      col('Images', 'string', 'Images referenced by each container in the template.', 1),
      col('Selector', 'string', 'Label selector for pods.', 1),
    ],
    cells: (r, now) => {
      const [c, i] = containersAndImages(r.spec?.template);
      return [
        r.metadata.name,
        r.spec?.replicas ?? 1,
        r.status?.replicas ?? 0,
        r.status?.readyReplicas ?? 0,
        age(r.metadata.creationTimestamp, now),
        c,
        i,
        labelSelectorToString(r.spec?.selector) || '<none>',
      ];
    },
  },
  'apps/v1|StatefulSet': {
    columns: [
      NAME,
      col('Ready', 'string', 'Number of the pod with ready state'),
      AGE,
      col('Containers', 'string', 'Names of each container in the template.', 1),
      col('Images', 'string', 'Images referenced by each container in the template.', 1),
    ],
    cells: (s, now) => {
      const [c, i] = containersAndImages(s.spec?.template);
      return [
        s.metadata.name,
        `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`,
        age(s.metadata.creationTimestamp, now),
        c,
        i,
      ];
    },
  },
  'apps/v1|DaemonSet': {
    columns: [
      NAME,
      col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
      col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod.'),
      col(
        'Ready',
        'integer',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
      ),
      col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
      col(
        'Available',
        'integer',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.',
      ),
      col(
        'Node Selector',
        'string',
        'NodeSelector is a selector which must be true for the pod to fit on a node.',
      ),
      AGE,
      col('Containers', 'string', 'Names of each container in the template.', 1),
      col('Images', 'string', 'Images referenced by each container in the template.', 1),
      col('Selector', 'string', 'A label query over pods that are managed by the daemon set.', 1),
    ],
    cells: (d, now) => {
      const [c, i] = containersAndImages(d.spec?.template);
      const ns = Object.entries((d.spec?.template?.spec?.nodeSelector ?? {}) as Record<string, string>)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const st = d.status ?? {};
      return [
        d.metadata.name,
        st.desiredNumberScheduled ?? 0,
        st.currentNumberScheduled ?? 0,
        st.numberReady ?? 0,
        st.updatedNumberScheduled ?? 0,
        st.numberAvailable ?? 0,
        ns || '<none>',
        age(d.metadata.creationTimestamp, now),
        c,
        i,
        labelSelectorToString(d.spec?.selector) || '<none>',
      ];
    },
  },
  'apps/v1|ControllerRevision': {
    columns: [
      NAME,
      col('Controller', 'string', 'Controller of the object'),
      col('Revision', 'integer', 'Revision indicates the revision of the state represented by Data.'),
      AGE,
    ],
    cells: (c, now) => {
      const owner = ((c.metadata.ownerReferences ?? []) as Obj[]).find((o) => o.controller);
      const ctl = owner
        ? `${owner.kind.toLowerCase()}.${String(owner.apiVersion).split('/')[0]}/${owner.name}`
        : '<none>';
      return [c.metadata.name, ctl, c.revision ?? 0, age(c.metadata.creationTimestamp, now)];
    },
  },
  'v1|Pod': {
    columns: [
      NAME,
      col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'string', 'The aggregate status of the containers in this pod.'),
      col(
        'Restarts',
        'string',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      AGE,
      col(
        'IP',
        'string',
        'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
        1,
      ),
      col(
        'Node',
        'string',
        'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.',
        1,
      ),
      col(
        'Nominated Node',
        'string',
        'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
        1,
      ),
      col(
        'Readiness Gates',
        'string',
        'If specified, all readiness gates will be evaluated for pod readiness.',
        1,
      ),
    ],
    cells: (p, now) => {
      const [r, t] = podReadyCount(p);
      return [
        p.metadata.name,
        `${r}/${t}`,
        podStatusReason(p),
        podRestarts(p, now),
        age(p.metadata.creationTimestamp, now),
        p.status?.podIP ?? '<none>',
        p.spec?.nodeName ?? '<none>',
        p.status?.nominatedNodeName ?? '<none>',
        '<none>',
      ];
    },
  },
  'v1|Namespace': {
    columns: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
    cells: (n, now) => [n.metadata.name, n.status?.phase ?? 'Active', age(n.metadata.creationTimestamp, now)],
  },
  'v1|Event': {
    columns: [
      col('Last Seen', 'string', 'The last time that this event was observed.'),
      col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
      col(
        'Reason',
        'string',
        'This should be a short, machine understandable string that gives the reason for this event being generated.',
      ),
      col('Object', 'string', 'The object that this event is about.'),
      col('Subobject', 'string', 'The subobject that this event is about.', 1),
      col('Source', 'string', 'The component reporting this event.', 1),
      col('Message', 'string', 'A human-readable description of the status of this operation.'),
      col('First Seen', 'string', 'The first time that this event was observed.', 1),
      col('Count', 'string', 'The number of times this event has occurred.', 1),
      { ...NAME, priority: 1 },
    ],
    cells: (e, now) => {
      const io = e.involvedObject ?? {};
      const last = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
      const first = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
      return [
        age(last, now),
        e.type ?? '',
        e.reason ?? '',
        `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`,
        io.fieldPath ?? '',
        e.source?.component ?? e.reportingComponent ?? '',
        e.message ?? '',
        age(first, now),
        String(e.count ?? 1),
        e.metadata.name,
      ];
    },
  },
  'v1|Service': {
    columns: [
      NAME,
      col('Type', 'string', 'type determines how the Service is exposed.'),
      col('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
      col(
        'External-IP',
        'string',
        'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
      ),
      col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
      AGE,
      col(
        'Selector',
        'string',
        'Route service traffic to pods with label keys and values matching this selector.',
        1,
      ),
    ],
    cells: (s, now) => [
      s.metadata.name,
      s.spec?.type ?? 'ClusterIP',
      s.spec?.clusterIP ?? '<none>',
      '<none>',
      servicePorts(s),
      age(s.metadata.creationTimestamp, now),
      Object.entries((s.spec?.selector ?? {}) as Record<string, string>)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '<none>',
    ],
  },
  'v1|ConfigMap': {
    columns: [NAME, col('Data', 'integer', 'Number of data entries'), AGE],
    cells: (c, now) => [
      c.metadata.name,
      Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length,
      age(c.metadata.creationTimestamp, now),
    ],
  },
};

const DEFAULT_PRINTER: Printer = {
  columns: [NAME, AGE],
  cells: (o, now) => [o.metadata.name, age(o.metadata.creationTimestamp, now)],
};

export function partialMetadata(o: Obj): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function tableOf(
  def: ResourceDef,
  items: Obj[],
  listMeta: Obj,
  includeObject: string | undefined,
  withColumns = true,
): Obj {
  const p = PRINTERS[`${def.apiVersion}|${def.kind}`] ?? DEFAULT_PRINTER;
  const now = Date.now();
  const rows = items.map((o) => {
    const row: Obj = { cells: p.cells(o, now) };
    if (includeObject === 'Object') row.object = o;
    else if (includeObject !== 'None') row.object = partialMetadata(o);
    return row;
  });
  const t: Obj = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta };
  if (withColumns)
    t.columnDefinitions = p.columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority ?? 0,
    }));
  t.rows = rows;
  return t;
}
