/**
 * The kinds the inventory follows: what a model service is made of (workloads, their ReplicaSets,
 * ControllerRevisions and Pods, the Nodes they run on, Events), what routes traffic to it (Services, HTTPRoutes,
 * Istio VirtualServices, KServe and Knative traffic), each with the projection that keeps what Firebreak reads.
 * Events are followed through both APIs: a role may grant one and not the other, and the recorder merges the two
 * into one row per event.
 * Custom resources are followed only where discovery (`GET /apis`) says they are served, in the first served
 * version Firebreak knows.
 */
import { markIfCanonical } from '../../store/canonicalJson';
import {
  projectControllerRevision,
  projectEvent,
  projectEventV1,
  projectNode,
  projectHTTPRoute,
  projectPod,
  projectReplicaSet,
  projectService,
  projectServing,
  projectVirtualService,
  projectWorkload,
  type ControllerRevision,
  type HTTPRoute,
  type KubeEvent,
  type Node,
  type Pod,
  type ReplicaSet,
  type Service,
  type ServingObject,
  type VirtualService,
  type Workload,
} from './objects';

export interface InventoryObjects {
  Pod: Pod;
  Deployment: Workload;
  StatefulSet: Workload;
  ReplicaSet: ReplicaSet;
  ControllerRevision: ControllerRevision;
  Event: KubeEvent;
  /** the same Events through events.k8s.io/v1 */
  EventV1: KubeEvent;
  Node: Node;
  Service: Service;
  Rollout: Workload;
  InferenceService: ServingObject;
  KnativeService: ServingObject;
  HTTPRoute: HTTPRoute;
  VirtualService: VirtualService;
}
export type InventoryKindName = keyof InventoryObjects;

export interface InventoryKind<K extends InventoryKindName = InventoryKindName> {
  name: K;
  /** '' = the core group (/api/v1) */
  group: string;
  /** in order of preference; the first one discovery lists is used */
  versions: readonly string[];
  plural: string;
  /** a custom resource: followed only where served */
  optional: boolean;
  /** only what the console reads, chosen by the server (Warning events: Normal ones are most of them) */
  fieldSelector?: string;
  /** cluster-scoped (Nodes): never listed in a namespace */
  clusterScoped?: boolean;
  project: (raw: unknown) => InventoryObjects[K] | null;
}

function kind<K extends InventoryKindName>(k: InventoryKind<K>): InventoryKind<K> {
  // each object is checked for canonical key order as it arrives, once per version, rather than all at once by
  // the flight recorder's first capture (see markIfCanonical)
  const { project } = k;
  return { ...k, project: (raw) => markIfCanonical(project(raw)) };
}

export const INVENTORY_KINDS = [
  kind({
    name: 'Deployment',
    group: 'apps',
    versions: ['v1'],
    plural: 'deployments',
    optional: false,
    project: projectWorkload('Deployment'),
  }),
  kind({
    name: 'StatefulSet',
    group: 'apps',
    versions: ['v1'],
    plural: 'statefulsets',
    optional: false,
    project: projectWorkload('StatefulSet'),
  }),
  kind({
    name: 'ReplicaSet',
    group: 'apps',
    versions: ['v1'],
    plural: 'replicasets',
    optional: false,
    project: projectReplicaSet,
  }),
  kind({
    name: 'ControllerRevision',
    group: 'apps',
    versions: ['v1'],
    plural: 'controllerrevisions',
    optional: false,
    project: projectControllerRevision,
  }),
  kind({ name: 'Pod', group: '', versions: ['v1'], plural: 'pods', optional: false, project: projectPod }),
  kind({
    name: 'Event',
    group: '',
    versions: ['v1'],
    plural: 'events',
    optional: false,
    fieldSelector: 'type=Warning',
    project: projectEvent,
  }),
  // every type: the projection keeps Warnings and the few Normal reasons an incident turns on (NORMAL_EVENT_REASONS)
  kind({
    name: 'EventV1',
    group: 'events.k8s.io',
    versions: ['v1'],
    plural: 'events',
    optional: true,
    project: projectEventV1,
  }),
  kind({
    name: 'Node',
    group: '',
    versions: ['v1'],
    plural: 'nodes',
    optional: false,
    clusterScoped: true,
    project: projectNode,
  }),
  kind({
    name: 'Service',
    group: '',
    versions: ['v1'],
    plural: 'services',
    optional: false,
    project: projectService,
  }),
  kind({
    name: 'Rollout',
    group: 'argoproj.io',
    versions: ['v1alpha1'],
    plural: 'rollouts',
    optional: true,
    project: projectWorkload('Rollout'),
  }),
  kind({
    name: 'InferenceService',
    group: 'serving.kserve.io',
    versions: ['v1beta1'],
    plural: 'inferenceservices',
    optional: true,
    project: projectServing('InferenceService'),
  }),
  kind({
    name: 'KnativeService',
    group: 'serving.knative.dev',
    versions: ['v1'],
    plural: 'services',
    optional: true,
    project: projectServing('KnativeService'),
  }),
  kind({
    name: 'HTTPRoute',
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    plural: 'httproutes',
    optional: true,
    project: projectHTTPRoute,
  }),
  kind({
    name: 'VirtualService',
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    plural: 'virtualservices',
    optional: true,
    project: projectVirtualService,
  }),
] as const satisfies readonly InventoryKind[];

export function kindSpec<K extends InventoryKindName>(name: K): InventoryKind<K> {
  return INVENTORY_KINDS.find((k) => k.name === name) as unknown as InventoryKind<K>;
}

/** `/api/v1/pods`, `/apis/apps/v1/namespaces/llm/deployments` … */
export function listPath(
  k: Pick<InventoryKind, 'group' | 'plural'>,
  version: string,
  namespace: string | null,
): string {
  const root = k.group ? `/apis/${k.group}/${version}` : `/api/${version}`;
  return namespace
    ? `${root}/namespaces/${encodeURIComponent(namespace)}/${k.plural}`
    : `${root}/${k.plural}`;
}

/** Served group versions from an APIGroupList (`GET /apis`); anything malformed is ignored. */
export function servedGroupVersions(apiGroupList: unknown): Set<string> {
  const out = new Set<string>();
  const groups = (apiGroupList as { groups?: unknown })?.groups;
  if (!Array.isArray(groups)) return out;
  for (const g of groups) {
    const versions = (g as { versions?: unknown })?.versions;
    if (!Array.isArray(versions)) continue;
    for (const v of versions) {
      const gv = (v as { groupVersion?: unknown })?.groupVersion;
      if (typeof gv === 'string') out.add(gv);
    }
  }
  return out;
}

/** The version of `k` to follow given what the server serves, or null when it serves none (CRD not installed). */
export function chooseVersion(
  k: Pick<InventoryKind, 'group' | 'versions' | 'optional'>,
  served: Set<string>,
): string | null {
  if (!k.group) return k.versions[0] ?? null;
  for (const v of k.versions) if (served.has(`${k.group}/${v}`)) return v;
  // built-in groups are always there, even on a server whose discovery document is odd
  return k.optional ? null : (k.versions[0] ?? null);
}
