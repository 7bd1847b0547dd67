import {
  AuthorizationV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { kubeError } from './errors';

/** The kinds Firebreak reads and writes, and where they live in the API. */
export const KINDS = {
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments' },
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets' },
  DaemonSet: { group: 'apps', version: 'v1', plural: 'daemonsets' },
  ReplicaSet: { group: 'apps', version: 'v1', plural: 'replicasets' },
  ControllerRevision: { group: 'apps', version: 'v1', plural: 'controllerrevisions' },
  Rollout: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' },
  InferenceService: { group: 'serving.kserve.io', version: 'v1beta1', plural: 'inferenceservices' },
  KnativeService: { group: 'serving.knative.dev', version: 'v1', plural: 'services' },
  HTTPRoute: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' },
  VirtualService: { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' },
} as const;
export type KindName = keyof typeof KINDS;

export type PatchType = 'json' | 'merge' | 'strategic';
const CONTENT_TYPES: Record<PatchType, string> = {
  json: PatchStrategy.JsonPatch,
  merge: PatchStrategy.MergePatch,
  strategic: PatchStrategy.StrategicMergePatch,
};

/** Every write carries this field manager, so it is recognisable in managedFields. */
export const FIELD_MANAGER = 'firebreak';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind?: string; name?: string; uid?: string; controller?: boolean }>;
    managedFields?: Array<{ manager?: string }>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
};

/**
 * One client for every namespaced kind outside the core group: `/apis/<group>/<version>/namespaces/<ns>/<plural>`
 * is the same path shape for built-in apps/v1 kinds and for CRDs.
 */
export class ResourceClient {
  private readonly api: CustomObjectsApi;
  private readonly auth: AuthorizationV1Api;
  readonly cluster: string;

  constructor(readonly kc: KubeConfig) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.auth = kc.makeApiClient(AuthorizationV1Api);
    this.cluster = kc.getCurrentCluster()?.name ?? kc.getCurrentContext();
  }

  async get(kind: KindName, namespace: string, name: string): Promise<KubeObject> {
    const k = KINDS[kind];
    try {
      return (await this.api.getNamespacedCustomObject({ ...k, namespace, name })) as KubeObject;
    } catch (err) {
      throw kubeError(err, this.cluster);
    }
  }

  async list(kind: KindName, namespace: string, labelSelector?: string): Promise<KubeObject[]> {
    const k = KINDS[kind];
    try {
      const res = (await this.api.listNamespacedCustomObject({
        ...k,
        namespace,
        ...(labelSelector ? { labelSelector } : {}),
      })) as { items?: KubeObject[] };
      return res.items ?? [];
    } catch (err) {
      throw kubeError(err, this.cluster);
    }
  }

  async patch(
    kind: KindName,
    namespace: string,
    name: string,
    body: unknown,
    type: PatchType,
    opts: { dryRun?: boolean; subresource?: 'status' | 'scale' } = {},
  ): Promise<KubeObject> {
    const k = KINDS[kind];
    const params = {
      ...k,
      namespace,
      name,
      body,
      fieldManager: FIELD_MANAGER,
      ...(opts.dryRun ? { dryRun: 'All' } : {}),
    };
    const headers = setHeaderOptions('Content-Type', CONTENT_TYPES[type]);
    try {
      if (opts.subresource === 'status')
        return (await this.api.patchNamespacedCustomObjectStatus(params, headers)) as KubeObject;
      if (opts.subresource === 'scale')
        return (await this.api.patchNamespacedCustomObjectScale(params, headers)) as KubeObject;
      return (await this.api.patchNamespacedCustomObject(params, headers)) as KubeObject;
    } catch (err) {
      throw kubeError(err, this.cluster);
    }
  }

  /** SelfSubjectAccessReview: may the current user do this? */
  async canI(attrs: {
    verb: string;
    kind: KindName;
    namespace: string;
    name?: string;
    subresource?: string;
  }): Promise<{ allowed: boolean; reason: string }> {
    const k = KINDS[attrs.kind];
    try {
      const review = await this.auth.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              verb: attrs.verb,
              group: k.group,
              resource: k.plural,
              namespace: attrs.namespace,
              ...(attrs.name ? { name: attrs.name } : {}),
              ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
            },
          },
        },
      });
      const allowed = review.status?.allowed === true;
      const what = `${attrs.verb} ${k.plural}${attrs.subresource ? `/${attrs.subresource}` : ''} in namespace ${attrs.namespace}`;
      return {
        allowed,
        reason: allowed
          ? `You may ${what}.`
          : `You may not ${what}${review.status?.reason ? ` (${review.status.reason})` : ''}. Ask a cluster admin for this RBAC permission.`,
      };
    } catch (err) {
      throw kubeError(err, this.cluster);
    }
  }
}
