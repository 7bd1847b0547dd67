/**
 * The scenario's fixed cast: instance types and prices, GPU nodes and their GPUs, the workloads (five models,
 * one idle batch job) and where each replica's GPUs sit. Identifiers (UUIDs, instance ids) come from the seed.
 */
import { HEX, KUBE_ALPHABET, pick, rng } from './random';

export const CLUSTER = 'firebreak-sandbox';
export const REGION = 'us-east-1';
export const ZONE = 'us-east-1a';

export type GpuKind = 'H100' | 'L4';
export type ModelServer = 'vllm' | 'triton' | 'kserve' | 'mlserver';

export interface InstanceType {
  name: string;
  gpuKind: GpuKind;
  /** As dcgm-exporter's modelName label writes it. */
  gpuModelName: string;
  /** As the NVIDIA GPU feature discovery node label writes it. */
  gpuProductLabel: string;
  gpusPerInstance: number;
  gpuMemoryMiB: number;
  idlePowerW: number;
  maxPowerW: number;
  vcpus: number;
  memoryGiB: number;
  /** On-demand price of the whole instance, integer US cents per hour. */
  pricePerHourCents: number;
  /** pricePerHourCents / gpusPerInstance, exactly (the whole instance price is attributed to its GPUs). */
  pricePerGpuHourCents: number;
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceType>> = {
  'p5.48xlarge': {
    name: 'p5.48xlarge',
    gpuKind: 'H100',
    gpuModelName: 'NVIDIA H100 80GB HBM3',
    gpuProductLabel: 'NVIDIA-H100-80GB-HBM3',
    gpusPerInstance: 8,
    gpuMemoryMiB: 81559,
    idlePowerW: 70,
    maxPowerW: 700,
    vcpus: 192,
    memoryGiB: 2048,
    pricePerHourCents: 9832,
    pricePerGpuHourCents: 1229,
  },
  'g6.12xlarge': {
    name: 'g6.12xlarge',
    gpuKind: 'L4',
    gpuModelName: 'NVIDIA L4',
    gpuProductLabel: 'NVIDIA-L4',
    gpusPerInstance: 4,
    gpuMemoryMiB: 23034,
    idlePowerW: 16,
    maxPowerW: 72,
    vcpus: 48,
    memoryGiB: 192,
    pricePerHourCents: 460,
    pricePerGpuHourCents: 115,
  },
};

export interface GpuNode {
  name: string;
  instanceType: string;
  region: string;
  zone: string;
  providerId: string;
  internalIp: string;
  /** dcgm-exporter on this node writes pod/namespace/container as exported_pod/... (a scrape without honor_labels). */
  exportedLabels: boolean;
  /** Whether this node's dcgm-exporter has DCGM_FI_PROF_GR_ENGINE_ACTIVE (absent on some H100 setups). */
  hasEngineActive: boolean;
}

export interface Gpu {
  node: string;
  /** dcgm-exporter's gpu label, "0".."7". */
  index: number;
  uuid: string;
  pciBusId: string;
  device: string;
  modelName: string;
  memoryMiB: number;
  idlePowerW: number;
  maxPowerW: number;
}

export interface ReplicaPlacement {
  node: string;
  gpus: number[];
}

export interface Workload {
  name: string;
  namespace: string;
  team: string;
  kind: 'Deployment' | 'InferenceService';
  /** null: allocates GPUs but serves nothing (the idle batch job). */
  server: ModelServer | null;
  /** The model label value the server writes (model_name / model). */
  metricModelName: string;
  metricModelVersion: string;
  container: string;
  image: string;
  args: string[];
  port: number;
  replicas: number;
  gpusPerReplica: number;
  cpuPerReplica: number;
  memoryBytesPerReplica: number;
  instanceType: string;
  /** One entry per replica slot, in slot order. */
  placement: ReplicaPlacement[];
  /** Requests per second at the daily peak that reach the model directly (not through the chat route). */
  directPeakRps: number;
  /** Requests per second one replica handles at 100 % GPU utilisation. */
  capacityRpsPerReplica: number;
  /** Share of requests answered 5xx while healthy. */
  baseErrorRatio: number;
  /** Share answered 4xx (vLLM only). */
  clientErrorRatio: number;
  latencyMedianSeconds: number;
  latencySigma: number;
  promptTokens: number;
  generationTokens: number;
  /** Frame-buffer use of a busy replica's GPU, as a share of its memory. */
  memoryShare: number;
}

export interface RouteSpec {
  namespace: string;
  name: string;
  /** Requests per second at the daily peak arriving at the route (shared by its backends by weight). */
  peakRps: number;
  backends: Array<{ name: string; port: number; weight: number }>;
}

const GIB = 1024 ** 3;

export const NODE_SPECS: ReadonlyArray<Omit<GpuNode, 'providerId' | 'region' | 'zone'>> = [
  {
    name: 'gpu-h100-a',
    instanceType: 'p5.48xlarge',
    internalIp: '10.0.1.11',
    exportedLabels: false,
    hasEngineActive: true,
  },
  // H100 nodes sometimes lack the profiling counters: consumers must fall back to GPU_UTIL / 100.
  {
    name: 'gpu-h100-b',
    instanceType: 'p5.48xlarge',
    internalIp: '10.0.1.12',
    exportedLabels: false,
    hasEngineActive: false,
  },
  {
    name: 'gpu-l4-a',
    instanceType: 'g6.12xlarge',
    internalIp: '10.0.2.21',
    exportedLabels: false,
    hasEngineActive: true,
  },
  // a dcgm-exporter scraped without honor_labels: pod/namespace/container arrive as exported_*.
  {
    name: 'gpu-l4-b',
    instanceType: 'g6.12xlarge',
    internalIp: '10.0.2.22',
    exportedLabels: true,
    hasEngineActive: true,
  },
];

const VLLM_GOOD = 'vllm/vllm-openai:v0.6.3';
const VLLM_BAD = 'vllm/vllm-openai:v0.6.4';

export const IMAGES = { vllmGood: VLLM_GOOD, vllmBad: VLLM_BAD } as const;

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'llama-70b-chat',
    namespace: 'llm',
    team: 'assistant',
    kind: 'Deployment',
    server: 'vllm',
    metricModelName: 'llama-70b-chat',
    metricModelVersion: '',
    container: 'vllm',
    image: VLLM_GOOD,
    args: [
      '--model=meta-llama/Llama-3.1-70B-Instruct',
      '--served-model-name=llama-70b-chat',
      '--tensor-parallel-size=2',
      '--gpu-memory-utilization=0.90',
      '--max-model-len=8192',
    ],
    port: 8000,
    replicas: 4,
    gpusPerReplica: 2,
    cpuPerReplica: 16,
    memoryBytesPerReplica: 128 * GIB,
    instanceType: 'p5.48xlarge',
    placement: [
      { node: 'gpu-h100-a', gpus: [0, 1] },
      { node: 'gpu-h100-a', gpus: [2, 3] },
      { node: 'gpu-h100-a', gpus: [4, 5] },
      { node: 'gpu-h100-a', gpus: [6, 7] },
    ],
    directPeakRps: 0,
    capacityRpsPerReplica: 12,
    baseErrorRatio: 0.002,
    clientErrorRatio: 0.004,
    latencyMedianSeconds: 2.2,
    latencySigma: 0.45,
    promptTokens: 620,
    generationTokens: 240,
    memoryShare: 0.9,
  },
  {
    name: 'llama-8b-chat',
    namespace: 'llm',
    team: 'assistant',
    kind: 'Deployment',
    server: 'vllm',
    metricModelName: 'llama-8b-chat',
    metricModelVersion: '',
    container: 'vllm',
    image: VLLM_GOOD,
    args: [
      '--model=meta-llama/Llama-3.1-8B-Instruct',
      '--served-model-name=llama-8b-chat',
      '--gpu-memory-utilization=0.90',
      '--max-model-len=8192',
    ],
    port: 8000,
    replicas: 2,
    gpusPerReplica: 1,
    cpuPerReplica: 8,
    memoryBytesPerReplica: 64 * GIB,
    instanceType: 'p5.48xlarge',
    placement: [
      { node: 'gpu-h100-b', gpus: [0] },
      { node: 'gpu-h100-b', gpus: [1] },
    ],
    directPeakRps: 6,
    // the fallback: two replicas take the whole chat peak (40 req/s) at about 90 % utilisation
    capacityRpsPerReplica: 26,
    baseErrorRatio: 0.002,
    clientErrorRatio: 0.004,
    latencyMedianSeconds: 0.9,
    latencySigma: 0.45,
    promptTokens: 600,
    generationTokens: 220,
    memoryShare: 0.9,
  },
  {
    name: 'batch-embeddings',
    namespace: 'ml-batch',
    team: 'search',
    kind: 'Deployment',
    server: null,
    metricModelName: '',
    metricModelVersion: '',
    container: 'worker',
    image: 'ghcr.io/example/embeddings-worker:1.4.2',
    args: ['--queue=embeddings', '--batch-size=512'],
    port: 8080,
    replicas: 1,
    gpusPerReplica: 2,
    cpuPerReplica: 8,
    memoryBytesPerReplica: 64 * GIB,
    instanceType: 'p5.48xlarge',
    placement: [{ node: 'gpu-h100-b', gpus: [2, 3] }],
    directPeakRps: 0,
    capacityRpsPerReplica: 1,
    baseErrorRatio: 0,
    clientErrorRatio: 0,
    latencyMedianSeconds: 1,
    latencySigma: 0.5,
    promptTokens: 0,
    generationTokens: 0,
    memoryShare: 0.015,
  },
  {
    name: 'resnet50-images',
    namespace: 'vision',
    team: 'vision',
    kind: 'Deployment',
    server: 'triton',
    metricModelName: 'resnet50',
    metricModelVersion: '1',
    container: 'triton',
    image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
    args: ['tritonserver', '--model-repository=s3://models/vision', '--metrics-port=8002'],
    port: 8002,
    replicas: 2,
    gpusPerReplica: 1,
    cpuPerReplica: 4,
    memoryBytesPerReplica: 16 * GIB,
    instanceType: 'g6.12xlarge',
    placement: [
      { node: 'gpu-l4-a', gpus: [0] },
      { node: 'gpu-l4-a', gpus: [1] },
    ],
    directPeakRps: 120,
    capacityRpsPerReplica: 90,
    baseErrorRatio: 0.001,
    clientErrorRatio: 0,
    latencyMedianSeconds: 0.012,
    latencySigma: 0.35,
    promptTokens: 0,
    generationTokens: 0,
    memoryShare: 0.35,
  },
  {
    name: 'bert-sentiment',
    namespace: 'nlp',
    team: 'nlp',
    kind: 'InferenceService',
    server: 'kserve',
    metricModelName: 'bert-sentiment',
    metricModelVersion: '',
    container: 'kserve-container',
    image: 'kserve/huggingfaceserver:v0.14.0',
    args: ['--model_name=bert-sentiment', '--model_id=distilbert-base-uncased-finetuned-sst-2-english'],
    port: 8080,
    replicas: 1,
    gpusPerReplica: 1,
    cpuPerReplica: 4,
    memoryBytesPerReplica: 16 * GIB,
    instanceType: 'g6.12xlarge',
    placement: [{ node: 'gpu-l4-a', gpus: [2] }],
    directPeakRps: 25,
    capacityRpsPerReplica: 60,
    baseErrorRatio: 0.001,
    clientErrorRatio: 0,
    latencyMedianSeconds: 0.03,
    latencySigma: 0.4,
    promptTokens: 0,
    generationTokens: 0,
    memoryShare: 0.3,
  },
  {
    name: 'fraud-detector',
    namespace: 'risk',
    team: 'risk',
    kind: 'Deployment',
    server: 'mlserver',
    metricModelName: 'fraud-detector',
    metricModelVersion: 'v3',
    container: 'mlserver',
    image: 'seldonio/mlserver:1.6.1',
    args: ['mlserver', 'start', '/models/fraud-detector'],
    port: 8080,
    replicas: 1,
    gpusPerReplica: 1,
    cpuPerReplica: 4,
    memoryBytesPerReplica: 8 * GIB,
    instanceType: 'g6.12xlarge',
    placement: [{ node: 'gpu-l4-b', gpus: [0] }],
    directPeakRps: 80,
    capacityRpsPerReplica: 200,
    baseErrorRatio: 0.0005,
    clientErrorRatio: 0,
    latencyMedianSeconds: 0.008,
    latencySigma: 0.3,
    promptTokens: 0,
    generationTokens: 0,
    memoryShare: 0.12,
  },
];

export const CHAT_ROUTE: RouteSpec = {
  namespace: 'llm',
  name: 'chat',
  peakRps: 40,
  backends: [
    { name: 'llama-70b-chat', port: 8000, weight: 100 },
    { name: 'llama-8b-chat', port: 8000, weight: 0 },
  ],
};

/** The nodes with seeded provider ids. */
export function buildNodes(seed: number): GpuNode[] {
  return NODE_SPECS.map((spec) => {
    const next = rng(seed, `instance:${spec.name}`);
    return { ...spec, region: REGION, zone: ZONE, providerId: `aws:///${ZONE}/i-0${pick(next, HEX, 16)}` };
  });
}

const H100_BUS_IDS = ['18', '2A', '3A', '5D', '9A', 'AB', 'BA', 'DB'];
const L4_BUS_IDS = ['38', '3A', 'BA', 'BC'];

export function buildGpus(seed: number, nodes: readonly GpuNode[]): Gpu[] {
  const gpus: Gpu[] = [];
  for (const node of nodes) {
    const type = instanceType(node.instanceType);
    const busIds = type.gpuKind === 'H100' ? H100_BUS_IDS : L4_BUS_IDS;
    for (let index = 0; index < type.gpusPerInstance; index++) {
      const next = rng(seed, `gpu:${node.name}:${index}`);
      const hex = (n: number) => pick(next, HEX, n);
      gpus.push({
        node: node.name,
        index,
        uuid: `GPU-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
        pciBusId: `00000000:${busIds[index] ?? '00'}:00.0`,
        device: `nvidia${index}`,
        modelName: type.gpuModelName,
        memoryMiB: type.gpuMemoryMiB,
        idlePowerW: type.idlePowerW,
        maxPowerW: type.maxPowerW,
      });
    }
  }
  return gpus;
}

export function instanceType(name: string): InstanceType {
  const type = INSTANCE_TYPES[name];
  if (!type) throw new Error(`unknown instance type ${name}`);
  return type;
}

/** A pod-template-hash-like string for (workload, revision), stable for a seed. */
export function templateHash(seed: number, workload: string, revision: number): string {
  return pick(rng(seed, `template:${workload}:${revision}`), KUBE_ALPHABET, 10);
}

/** Pod names the scenario uses when the caller does not supply the cluster's own. */
export function defaultPodNames(seed: number, workload: Workload, revision: number): string[] {
  const next = rng(seed, `pods:${workload.name}:${revision}`);
  const prefix =
    workload.kind === 'InferenceService'
      ? `${workload.name}-predictor-${String(revision).padStart(5, '0')}-deployment-${templateHash(seed, workload.name, revision)}`
      : `${workload.name}-${templateHash(seed, workload.name, revision)}`;
  return Array.from({ length: workload.replicas }, () => `${prefix}-${pick(next, KUBE_ALPHABET, 5)}`).sort();
}
