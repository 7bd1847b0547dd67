/**
 * The scenario's Kubernetes objects: namespaces, GPU nodes, the model workloads (Deployments and a KServe
 * InferenceService), their Services, the chat HTTPRoute with its Gateway, and the history step that rolls
 * llama-70b-chat to the bad image.
 */
import type { KubeObject } from '../kube';
import type { GpuNode, RouteSpec, Workload } from './fleet';
import { CLUSTER, instanceType } from './fleet';
import type { Incident } from './model';
import { podIp } from './model';

export interface HistoryStep {
  /** When this change happened in the story. */
  at: Date;
  description: string;
  /** Objects to apply (create or replace) in this order. */
  objects: KubeObject[];
}

export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const NAME_LABEL = 'app.kubernetes.io/name';

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface KubeObjectContext {
  nodes: readonly GpuNode[];
  workloads: readonly Workload[];
  route: RouteSpec;
  incident: Incident;
  /** When the cluster objects were created (history start minus some days). */
  createdAt: Date;
  /** Pod names of the InferenceService's predictor (no controller makes them). */
  servingPods: (w: Workload) => readonly string[];
}

function workloadLabels(w: Workload): Record<string, string> {
  return {
    [NAME_LABEL]: w.name,
    'app.kubernetes.io/component': w.server ? 'model-server' : 'batch',
    'app.kubernetes.io/part-of': CLUSTER,
    team: w.team,
  };
}

function resources(w: Workload): Record<string, unknown> {
  const memory = `${Math.round(w.memoryBytesPerReplica / 1024 ** 3)}Gi`;
  return {
    requests: { cpu: String(w.cpuPerReplica), memory, 'nvidia.com/gpu': String(w.gpusPerReplica) },
    limits: { memory, 'nvidia.com/gpu': String(w.gpusPerReplica) },
  };
}

function podTemplate(w: Workload, image: string, args: string[]): Record<string, unknown> {
  const annotations: Record<string, string> = w.server
    ? {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(w.port),
        'prometheus.io/path': '/metrics',
      }
    : {};
  const env: Array<Record<string, unknown>> = [{ name: 'MODEL_CACHE_DIR', value: '/models' }];
  if (w.server === 'vllm') {
    env.push({
      name: 'HUGGING_FACE_HUB_TOKEN',
      valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } },
    });
  }
  return {
    metadata: { labels: { [NAME_LABEL]: w.name, team: w.team }, annotations },
    spec: {
      containers: [
        {
          name: w.container,
          image,
          args,
          ports: [{ name: 'http', containerPort: w.port, protocol: 'TCP' }],
          env,
          resources: resources(w),
          ...(w.server
            ? {
                readinessProbe: {
                  httpGet: { path: w.server === 'vllm' ? '/health' : '/v2/health/ready', port: w.port },
                },
              }
            : {}),
        },
      ],
      nodeSelector: { 'node.kubernetes.io/instance-type': w.instanceType },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    },
  };
}

export function deployment(
  w: Workload,
  ctx: KubeObjectContext,
  opts: { image: string; args: string[]; changeCause: string },
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: w.name,
      namespace: w.namespace,
      labels: workloadLabels(w),
      annotations: { [CHANGE_CAUSE]: opts.changeCause },
      creationTimestamp: iso(ctx.createdAt),
    },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: { [NAME_LABEL]: w.name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: podTemplate(w, opts.image, opts.args),
    },
  };
}

function inferenceService(w: Workload, ctx: KubeObjectContext): KubeObject {
  const revision = `${w.name}-predictor-00001`;
  const url = `http://${w.name}.${w.namespace}.example.com`;
  const ready = (type: string) => ({ type, status: 'True', lastTransitionTime: iso(ctx.createdAt) });
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      name: w.name,
      namespace: w.namespace,
      labels: workloadLabels(w),
      annotations: { 'serving.kserve.io/deploymentMode': 'Serverless' },
      creationTimestamp: iso(ctx.createdAt),
      generation: 1,
    },
    spec: {
      predictor: {
        minReplicas: 1,
        maxReplicas: 3,
        model: {
          modelFormat: { name: 'huggingface' },
          args: w.args,
          storageUri: `s3://models/${w.name}/v2`,
          resources: resources(w),
        },
        nodeSelector: { 'node.kubernetes.io/instance-type': w.instanceType },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      },
    },
    status: {
      url,
      observedGeneration: 1,
      conditions: [
        ready('IngressReady'),
        ready('PredictorConfigurationReady'),
        ready('PredictorReady'),
        ready('PredictorRouteReady'),
        ready('Ready'),
      ],
      components: {
        predictor: {
          latestCreatedRevision: revision,
          latestReadyRevision: revision,
          latestRolledoutRevision: revision,
          url: `http://${w.name}-predictor.${w.namespace}.example.com`,
          traffic: [{ revisionName: revision, percent: 100, latestRevision: true, tag: 'latest' }],
        },
      },
      modelStatus: {
        states: { activeModelState: 'Loaded', targetModelState: 'Loaded' },
        transitionStatus: 'UpToDate',
      },
    },
  };
}

/** The predictor pods of a serverless InferenceService (Knative makes them in a real cluster). */
function servingPod(w: Workload, pod: string, node: string, ctx: KubeObjectContext): KubeObject {
  const revision = `${w.name}-predictor-00001`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod,
      namespace: w.namespace,
      labels: {
        [NAME_LABEL]: w.name,
        team: w.team,
        'serving.kserve.io/inferenceservice': w.name,
        'serving.knative.dev/revision': revision,
        'serving.knative.dev/configuration': `${w.name}-predictor`,
        component: 'predictor',
      },
      creationTimestamp: iso(ctx.createdAt),
    },
    spec: {
      nodeName: node,
      containers: [
        {
          name: w.container,
          image: w.image,
          args: w.args,
          resources: resources(w),
          ports: [{ containerPort: w.port }],
        },
        {
          name: 'queue-proxy',
          image: 'gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.15.2',
          ports: [{ containerPort: 9091 }],
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: podIp(pod),
      startTime: iso(ctx.createdAt),
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: w.container, ready: true, restartCount: 0, image: w.image },
        { name: 'queue-proxy', ready: true, restartCount: 0 },
      ],
    },
  };
}

function node(n: GpuNode, ctx: KubeObjectContext): KubeObject {
  const type = instanceType(n.instanceType);
  const capacity = {
    cpu: String(type.vcpus),
    memory: `${type.memoryGiB}Gi`,
    'nvidia.com/gpu': String(type.gpusPerInstance),
    pods: '110',
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': n.instanceType,
        'topology.kubernetes.io/region': n.region,
        'topology.kubernetes.io/zone': n.zone,
        'nvidia.com/gpu.product': type.gpuProductLabel,
        'nvidia.com/gpu.count': String(type.gpusPerInstance),
      },
      creationTimestamp: iso(ctx.createdAt),
    },
    spec: {
      providerID: n.providerId,
      taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
    },
    status: {
      capacity,
      allocatable: capacity,
      addresses: [
        { type: 'InternalIP', address: n.internalIp },
        { type: 'Hostname', address: n.name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      nodeInfo: {
        kubeletVersion: 'v1.30.4-eks-a737599',
        osImage: 'Amazon Linux 2',
        containerRuntimeVersion: 'containerd://1.7.22',
      },
    },
  };
}

function service(
  name: string,
  namespace: string,
  selector: Record<string, string>,
  port: number,
  labels: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] },
  };
}

export function changeCause(w: Workload, image: string, incident: Incident): string {
  return image === incident.badImage
    ? `Upgrade ${w.name} to ${image} (chunked prefill on)`
    : `Deploy ${w.name} on ${image}`;
}

/** Args of the bad release: the upgrade also switched chunked prefill on. */
export function badReleaseArgs(w: Workload): string[] {
  return [...w.args, '--enable-chunked-prefill'];
}

/** Everything at revision 1 (before the incident's rollout). */
export function initialObjects(ctx: KubeObjectContext): KubeObject[] {
  const objects: KubeObject[] = [];
  const namespaces = [...new Set(ctx.workloads.map((w) => w.namespace))];
  for (const name of namespaces) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: { 'kubernetes.io/metadata.name': name },
        creationTimestamp: iso(ctx.createdAt),
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }
  for (const n of ctx.nodes) objects.push(node(n, ctx));
  for (const w of ctx.workloads) {
    if (w.kind === 'Deployment') {
      objects.push(
        deployment(w, ctx, {
          image: w.image,
          args: w.args,
          changeCause: changeCause(w, w.image, ctx.incident),
        }),
      );
      if (w.server) {
        objects.push(
          service(w.name, w.namespace, { [NAME_LABEL]: w.name }, w.port, {
            [NAME_LABEL]: w.name,
            team: w.team,
          }),
        );
      }
    } else {
      objects.push(inferenceService(w, ctx));
      objects.push(
        service(`${w.name}-predictor`, w.namespace, { 'serving.kserve.io/inferenceservice': w.name }, 80, {
          [NAME_LABEL]: w.name,
          team: w.team,
          'serving.kserve.io/inferenceservice': w.name,
        }),
      );
      ctx
        .servingPods(w)
        .forEach((pod, slot) => objects.push(servingPod(w, pod, w.placement[slot]?.node ?? '', ctx)));
    }
  }
  const r = ctx.route;
  objects.push({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'inference-gateway', namespace: r.namespace, creationTimestamp: iso(ctx.createdAt) },
    spec: {
      gatewayClassName: 'eg',
      listeners: [
        { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } },
      ],
    },
  });
  const accepted = (type: string, reason: string) => ({
    type,
    status: 'True',
    reason,
    message: reason === 'Accepted' ? 'Route is accepted' : 'Resolved all the Object references for the Route',
    observedGeneration: 1,
    lastTransitionTime: iso(ctx.createdAt),
  });
  objects.push({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: r.name,
      namespace: r.namespace,
      labels: { [NAME_LABEL]: r.name, team: 'assistant' },
      creationTimestamp: iso(ctx.createdAt),
      generation: 1,
    },
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'inference-gateway' }],
      hostnames: ['chat.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
          backendRefs: r.backends.map((b) => ({
            group: '',
            kind: 'Service',
            name: b.name,
            port: b.port,
            weight: b.weight,
          })),
        },
      ],
    },
    status: {
      parents: [
        {
          parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'inference-gateway' },
          controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
          conditions: [accepted('Accepted', 'Accepted'), accepted('ResolvedRefs', 'ResolvedRefs')],
        },
      ],
    },
  });
  return objects;
}

/** The story's changes after the initial objects: the bad rollout of the incident's model (revision 2). */
export function historySteps(ctx: KubeObjectContext): HistoryStep[] {
  const w = ctx.workloads.find((x) => x.name === ctx.incident.model);
  if (!w) return [];
  return [
    {
      at: ctx.incident.startsAt,
      description: `${w.name} rolled to ${ctx.incident.badImage} (revision ${ctx.incident.badRevision})`,
      objects: [
        deployment(w, ctx, {
          image: ctx.incident.badImage,
          args: badReleaseArgs(w),
          changeCause: changeCause(w, ctx.incident.badImage, ctx.incident),
        }),
      ],
    },
  ];
}
