import type { V1Container, V1Deployment, V1ObjectMeta, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { ModelServerKind, type MappingRules, type WorkloadKind } from '../../shared/models';

/** A model service as found in the cluster, before metrics are joined to it. */
export interface DiscoveredModelService {
  id: string;
  name: string;
  namespace: string;
  workloadKind: WorkloadKind;
  serverKind: ModelServerKind;
  modelName: string;
  replicas: { ready: number; desired: number };
  image: string | null;
  /** pods of this service are named `<podPrefix>…` (used to join pod-labelled metrics) */
  podPrefix: string;
}

/** Labels a user can put on a workload to tell Firebreak what it is. */
export const LABEL_SERVER = 'firebreak.dev/model-server';
export const LABEL_MODEL = 'firebreak.dev/model-name';
const LABEL_NAME = 'app.kubernetes.io/name';
const ISVC_LABEL = 'serving.kserve.io/inferenceservice';
const SIDECARS = new Set([
  'istio-proxy',
  'queue-proxy',
  'linkerd-proxy',
  'kserve-container-agent',
  'storage-initializer',
]);

const IMAGE_RULES: Array<[RegExp, ModelServerKind]> = [
  [/vllm/i, 'vllm'],
  [/tritonserver|\/triton/i, 'triton'],
  [/mlserver/i, 'mlserver'],
  [/torchserve/i, 'torchserve'],
  [/rayproject|ray-ml|\/ray:/i, 'rayserve'],
  [/kserve/i, 'kserve'],
];

/**
 * Which workloads are model services, as a user can edit it (Settings): these defaults are what Firebreak
 * has always done (labels above, the image rules, GPU requests).
 */
export const DEFAULT_MAPPING_RULES: MappingRules = {
  serviceSelectors: [],
  nameLabel: LABEL_NAME,
  serverKindLabel: LABEL_SERVER,
  modelNameLabel: LABEL_MODEL,
  imageRules: IMAGE_RULES.map(([re, serverKind]) => ({ pattern: re.source, serverKind })),
  gpuWorkloads: true,
  ignoreNamespaces: [],
};

interface CompiledRules {
  rules: MappingRules;
  images: Array<[RegExp, ModelServerKind]>;
  selectors: Array<(labels: Record<string, string> | undefined) => boolean>;
  ignore: Set<string>;
}
const compiledRules = new WeakMap<MappingRules, CompiledRules>();

function compile(rules: MappingRules): CompiledRules {
  let c = compiledRules.get(rules);
  if (!c) {
    c = {
      rules,
      images: rules.imageRules.flatMap(({ pattern, serverKind }): Array<[RegExp, ModelServerKind]> => {
        try {
          return [[new RegExp(pattern, 'i'), serverKind]];
        } catch {
          return [];
        }
      }),
      selectors: rules.serviceSelectors.map(labelSelectorMatcher),
      ignore: new Set(rules.ignoreNamespaces),
    };
    compiledRules.set(rules, c);
  }
  return c;
}

/** `key`, `!key`, `key=value`, `key==value`, `key!=value`, comma-separated (all must hold); unparsable = matches nothing */
export function labelSelectorMatcher(
  selector: string,
): (labels: Record<string, string> | undefined) => boolean {
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const m = /^(!?)([^=!\s]+)\s*(?:(==?|!=)\s*(\S*))?$/.exec(t);
      if (!m) return null;
      const [, not, key, op, value] = m;
      return (labels: Record<string, string>) => {
        const has = Object.prototype.hasOwnProperty.call(labels, key!);
        if (!op) return not ? !has : has;
        if (op === '!=') return labels[key!] !== value;
        return has && labels[key!] === value;
      };
    });
  if (terms.length === 0 || terms.some((t) => t === null)) return () => false;
  return (labels) => terms.every((t) => t!(labels ?? {}));
}

const serverKinds: readonly string[] = ModelServerKind.options;

export interface ClusterObjects {
  deployments: V1Deployment[];
  statefulSets: V1StatefulSet[];
  rollouts: KubeCustomObject[];
  inferenceServices: KubeCustomObject[];
  /** pods labelled with an InferenceService name (their readiness is the service's readiness) */
  inferencePods: V1Pod[];
}

export interface KubeCustomObject {
  metadata?: V1ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/**
 * Which workloads are model services: KServe InferenceServices and Argo Rollouts first, then Deployments
 * and StatefulSets that run a known model server image, request GPUs, or carry the firebreak label.
 * Workloads owned by another controller (KServe, Knative, Argo) are represented by their owner.
 */
export function modelServicesFrom(
  objects: ClusterObjects,
  rules: MappingRules = DEFAULT_MAPPING_RULES,
): DiscoveredModelService[] {
  const found: DiscoveredModelService[] = [];
  const r = compile(rules);

  for (const isvc of objects.inferenceServices) {
    const meta = isvc.metadata;
    if (!meta?.name || !meta.namespace || r.ignore.has(meta.namespace)) continue;
    const predictor = (isvc.spec?.predictor ?? {}) as Record<string, unknown>;
    const containers = (predictor.containers ?? []) as V1Container[];
    const model = (predictor.model ?? {}) as { modelFormat?: { name?: string }; storageUri?: string };
    const pods = objects.inferencePods.filter(
      (p) => p.metadata?.namespace === meta.namespace && p.metadata?.labels?.[ISVC_LABEL] === meta.name,
    );
    found.push({
      id: `${meta.namespace}/InferenceService/${meta.name}`,
      name: meta.name,
      namespace: meta.namespace,
      workloadKind: 'InferenceService',
      serverKind: labelledServer(meta, r) ?? serverFromContainers(containers, r) ?? 'kserve',
      modelName: meta.labels?.[rules.modelNameLabel] ?? meta.name,
      replicas: {
        ready: pods.filter(isPodReady).length,
        desired: Math.max(numberOr(predictor.minReplicas, 1), pods.length === 0 ? 1 : 0),
      },
      image:
        mainImage(containers) ??
        (model.storageUri ? `${model.modelFormat?.name ?? 'model'} @ ${model.storageUri}` : null),
      podPrefix: `${meta.name}-predictor`,
    });
  }

  for (const ro of objects.rollouts) {
    const meta = ro.metadata;
    if (!meta?.name || !meta.namespace || r.ignore.has(meta.namespace)) continue;
    const template = (ro.spec?.template ?? {}) as { spec?: { containers?: V1Container[] } };
    const containers = template.spec?.containers ?? [];
    found.push({
      id: `${meta.namespace}/Rollout/${meta.name}`,
      name: meta.labels?.[rules.nameLabel] ?? meta.name,
      namespace: meta.namespace,
      workloadKind: 'Rollout',
      serverKind: labelledServer(meta, r) ?? serverFromContainers(containers, r) ?? 'generic',
      modelName: meta.labels?.[rules.modelNameLabel] ?? meta.labels?.[rules.nameLabel] ?? meta.name,
      replicas: { ready: numberOr(ro.status?.readyReplicas, 0), desired: numberOr(ro.spec?.replicas, 1) },
      image: mainImage(containers),
      podPrefix: `${meta.name}-`,
    });
  }

  const workloads: Array<[WorkloadKind, V1Deployment | V1StatefulSet]> = [
    ...objects.deployments.map((d) => ['Deployment', d] as [WorkloadKind, V1Deployment]),
    ...objects.statefulSets.map((s) => ['StatefulSet', s] as [WorkloadKind, V1StatefulSet]),
  ];
  for (const [kind, w] of workloads) {
    const meta = w.metadata;
    if (!meta?.name || !meta.namespace || r.ignore.has(meta.namespace)) continue;
    if (meta.ownerReferences?.some((o) => o.controller)) continue;
    const containers = w.spec?.template?.spec?.containers ?? [];
    const server =
      labelledServer(meta, r) ??
      serverFromContainers(containers, r) ??
      (rules.gpuWorkloads && requestsGpu(containers) ? 'generic' : null) ??
      (r.selectors.some((match) => match(meta.labels)) ? 'generic' : null);
    if (!server) continue;
    found.push({
      id: `${meta.namespace}/${kind}/${meta.name}`,
      name: meta.labels?.[rules.nameLabel] ?? meta.name,
      namespace: meta.namespace,
      workloadKind: kind,
      serverKind: server,
      modelName:
        meta.labels?.[rules.modelNameLabel] ??
        servedModelName(containers) ??
        meta.labels?.[rules.nameLabel] ??
        meta.name,
      replicas: { ready: w.status?.readyReplicas ?? 0, desired: w.spec?.replicas ?? 1 },
      image: mainImage(containers),
      podPrefix: `${meta.name}-`,
    });
  }

  return found.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

function labelledServer(meta: V1ObjectMeta, r: CompiledRules): ModelServerKind | null {
  const v = meta.labels?.[r.rules.serverKindLabel];
  return v && serverKinds.includes(v) ? (v as ModelServerKind) : null;
}

function serverFromContainers(containers: V1Container[], r: CompiledRules): ModelServerKind | null {
  for (const c of containers) {
    if (SIDECARS.has(c.name)) continue;
    for (const [re, kind] of r.images) if (c.image && re.test(c.image)) return kind;
  }
  return null;
}

function mainImage(containers: V1Container[]): string | null {
  return containers.find((c) => !SIDECARS.has(c.name))?.image ?? null;
}

function requestsGpu(containers: V1Container[]): boolean {
  return containers.some((c) =>
    Object.keys({ ...c.resources?.limits, ...c.resources?.requests }).some((k) => /(^|\/)gpu$/.test(k)),
  );
}

/** vLLM's `--served-model-name X` (or `--served-model-name=X`) is the model_name label of its metrics. */
function servedModelName(containers: V1Container[]): string | null {
  for (const c of containers) {
    const args = [...(c.command ?? []), ...(c.args ?? [])];
    for (let i = 0; i < args.length; i++) {
      const a = args[i] ?? '';
      if (a === '--served-model-name' && args[i + 1]) return args[i + 1] ?? null;
      if (a.startsWith('--served-model-name=')) return a.slice('--served-model-name='.length);
    }
  }
  return null;
}

function isPodReady(p: V1Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
