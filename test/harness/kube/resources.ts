// The kinds the test server serves, and the discovery documents kubectl reads to find them.

export interface ScaleSpec {
  specReplicasPath: string[];
  statusReplicasPath: string[];
  labelSelectorPath: string[] | null;
}

export interface ResourceDef {
  group: string;
  version: string;
  apiVersion: string;
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** has a status subresource: writes to the main resource keep the stored status */
  status: boolean;
  scale: ScaleSpec | null;
  /** a custom resource (CRD): no strategic merge patch, generation bumps on any non-metadata/status change */
  custom: boolean;
  /** objects of this kind carry metadata.generation */
  generation: boolean;
  /** `deployments.apps`, `pods`: the name the real apiserver uses in messages */
  qualified: string;
  /** served but never stored (SelfSubjectAccessReview) */
  virtual: boolean;
  /**
   * another API's view of objects stored as `<apiVersion>|<kind>` (events.k8s.io/v1 Events are core/v1 Events,
   * converted on the way out), read-only here
   */
  viewOf: string | null;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface DefInput {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  status?: boolean;
  scale?: ScaleSpec | null;
  custom?: boolean;
  generation?: boolean;
  virtual?: boolean;
  viewOf?: string;
}

function def(d: DefInput): ResourceDef {
  const apiVersion = d.group ? `${d.group}/${d.version}` : d.version;
  const custom = d.custom ?? false;
  return {
    group: d.group,
    version: d.version,
    apiVersion,
    resource: d.resource,
    singular: d.kind.toLowerCase(),
    kind: d.kind,
    listKind: `${d.kind}List`,
    namespaced: d.namespaced ?? true,
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
    verbs: d.verbs ?? ALL_VERBS,
    status: d.status ?? false,
    scale: d.scale ?? null,
    custom,
    generation: d.generation ?? custom,
    qualified: d.group ? `${d.resource}.${d.group}` : d.resource,
    virtual: d.virtual ?? false,
    viewOf: d.viewOf ?? null,
  };
}

const REPLICAS_SCALE: ScaleSpec = {
  specReplicasPath: ['spec', 'replicas'],
  statusReplicasPath: ['status', 'replicas'],
  labelSelectorPath: null, // built from spec.selector for the apps kinds
};

export const RESOURCES: ResourceDef[] = [
  def({
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    status: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  def({
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    status: true,
  }),
  def({ group: '', version: 'v1', resource: 'events', kind: 'Event', shortNames: ['ev'] }),
  def({
    group: '',
    version: 'v1',
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    status: true,
  }),
  def({
    group: 'events.k8s.io',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    shortNames: ['ev'],
    verbs: ['get', 'list', 'watch'],
    viewOf: 'v1|Event',
  }),
  def({
    group: '',
    version: 'v1',
    resource: 'services',
    kind: 'Service',
    shortNames: ['svc'],
    categories: ['all'],
    status: true,
  }),
  def({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  def({
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    shortNames: ['deploy'],
    categories: ['all'],
    status: true,
    scale: REPLICAS_SCALE,
    generation: true,
  }),
  def({
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    shortNames: ['rs'],
    categories: ['all'],
    status: true,
    scale: REPLICAS_SCALE,
    generation: true,
  }),
  def({
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    kind: 'StatefulSet',
    shortNames: ['sts'],
    categories: ['all'],
    status: true,
    scale: REPLICAS_SCALE,
    generation: true,
  }),
  def({
    group: 'apps',
    version: 'v1',
    resource: 'daemonsets',
    kind: 'DaemonSet',
    shortNames: ['ds'],
    categories: ['all'],
    status: true,
    generation: true,
  }),
  def({ group: 'apps', version: 'v1', resource: 'controllerrevisions', kind: 'ControllerRevision' }),
  def({
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'rollouts',
    kind: 'Rollout',
    shortNames: ['ro'],
    categories: ['all'],
    status: true,
    custom: true,
    scale: {
      specReplicasPath: ['spec', 'replicas'],
      statusReplicasPath: ['status', 'HPAReplicas'],
      labelSelectorPath: ['status', 'selector'],
    },
  }),
  def({
    group: 'serving.kserve.io',
    version: 'v1beta1',
    resource: 'inferenceservices',
    kind: 'InferenceService',
    shortNames: ['isvc'],
    status: true,
    custom: true,
  }),
  def({
    group: 'serving.knative.dev',
    version: 'v1',
    resource: 'services',
    kind: 'Service',
    shortNames: ['kservice', 'ksvc'],
    categories: ['all', 'knative', 'serving'],
    status: true,
    custom: true,
  }),
  def({
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    resource: 'httproutes',
    kind: 'HTTPRoute',
    categories: ['gateway-api'],
    status: true,
    custom: true,
  }),
  def({
    group: 'networking.istio.io',
    version: 'v1',
    resource: 'virtualservices',
    kind: 'VirtualService',
    shortNames: ['vs'],
    categories: ['istio-io', 'networking-istio-io'],
    status: true,
    custom: true,
  }),
  def({
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  }),
];

const byApiVersionKind = new Map<string, ResourceDef>();
const byGroupVersionResource = new Map<string, ResourceDef>();
for (const r of RESOURCES) {
  // a view is never what an object is stored or loaded as
  if (!r.viewOf) byApiVersionKind.set(`${r.apiVersion}|${r.kind}`, r);
  byGroupVersionResource.set(`${r.apiVersion}|${r.resource}`, r);
}

export function defForKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return byApiVersionKind.get(`${apiVersion}|${kind}`);
}

export function defForResource(apiVersion: string, resource: string): ResourceDef | undefined {
  return byGroupVersionResource.get(`${apiVersion}|${resource}`);
}

/** The def an object of `def` is stored under (itself, unless `def` is another API's view of it). */
export function storageDef(def: ResourceDef): ResourceDef {
  return def.viewOf ? byApiVersionKind.get(def.viewOf)! : def;
}

export const CORE = (kind: string): ResourceDef => defForKind('v1', kind)!;
export const APPS = (kind: string): ResourceDef => defForKind('apps/v1', kind)!;

/** group name -> the versions served (one each here) */
export function groups(): { name: string; version: string }[] {
  const seen = new Map<string, string>();
  for (const r of RESOURCES) if (r.group && !seen.has(r.group)) seen.set(r.group, r.version);
  return [...seen].map(([name, version]) => ({ name, version }));
}

export function apiVersionsDoc(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(name: string, version: string): object {
  const gv = { groupVersion: `${name}/${version}`, version };
  return { name, versions: [gv], preferredVersion: gv };
}

export function apiGroupListDoc(): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map((g) => groupDoc(g.name, g.version)) };
}

export function apiGroupDoc(group: string): object | undefined {
  const g = groups().find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g.name, g.version) } : undefined;
}

export function apiResourceListDoc(apiVersion: string): object | undefined {
  const defs = RESOURCES.filter((r) => r.apiVersion === apiVersion);
  if (defs.length === 0) return undefined;
  const resources: object[] = [];
  for (const r of defs) {
    const entry: Record<string, unknown> = {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    resources.push(entry);
    if (r.status) {
      resources.push({
        name: `${r.resource}/status`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
    if (r.scale) {
      resources.push({
        name: `${r.resource}/scale`,
        singularName: '',
        namespaced: r.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    }
    if (r.kind === 'Pod' && r.group === '') {
      resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    }
  }
  const doc: Record<string, unknown> = { kind: 'APIResourceList', groupVersion: apiVersion, resources };
  if (apiVersion !== 'v1') doc.apiVersion = 'v1';
  return doc;
}

/** `/openapi/v3`: the group-version index kubectl reads before a create or apply */
export function openApiV3Root(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const gvs = new Set(RESOURCES.filter((r) => !r.virtual && !r.viewOf).map((r) => r.apiVersion));
  for (const gv of gvs) {
    const p = gv === 'v1' ? 'api/v1' : `apis/${gv}`;
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=sandbox-${gv.replace(/[^a-z0-9]/g, '')}` };
  }
  return { paths };
}

/**
 * `/openapi/v3/apis/<group>/<version>`: only what kubectl's field-validation check looks at (a PATCH operation
 * per kind with x-kubernetes-group-version-kind and the fieldValidation parameter); no schemas.
 */
export function openApiV3GroupVersion(path: string): object | undefined {
  const gv = path === 'api/v1' ? 'v1' : path.startsWith('apis/') ? path.slice('apis/'.length) : undefined;
  if (!gv) return undefined;
  const defs = RESOURCES.filter((r) => r.apiVersion === gv && !r.virtual && !r.viewOf);
  if (!defs.length) return undefined;
  const paths: Record<string, object> = {};
  for (const r of defs) {
    const prefix = gv === 'v1' ? '/api/v1' : `/apis/${gv}`;
    const item = r.namespaced
      ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}`
      : `${prefix}/${r.resource}/{name}`;
    paths[item] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
          name,
          in: 'query',
          schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
        })),
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths,
    components: { schemas: {} },
  };
}
