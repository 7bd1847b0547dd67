import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { modelServicesFrom, type ClusterObjects } from '../../../main/kube/modelServices';
import { sumByTarget } from '../../../main/metrics/modelRates';

const deployment = (
  name: string,
  ns: string,
  image: string,
  extra: Partial<V1Deployment> = {},
): V1Deployment => ({
  metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': name } },
  spec: {
    replicas: 3,
    selector: {},
    template: {
      spec: { containers: [{ name: 'server', image, args: ['--served-model-name', `${name}-model`] }] },
    },
  },
  status: { readyReplicas: 2 },
  ...extra,
});

const empty: ClusterObjects = {
  deployments: [],
  statefulSets: [],
  rollouts: [],
  inferenceServices: [],
  inferencePods: [],
};

describe('model service discovery', () => {
  it('finds model servers by image, by GPU request and by label; ignores other workloads', () => {
    const gpu = deployment('embedder', 'batch', 'registry.local/embed:1');
    gpu.spec!.template.spec!.containers[0]!.resources = { limits: { 'nvidia.com/gpu': '2' } };
    const labelled = deployment('custom', 'ml', 'registry.local/custom:1');
    labelled.metadata!.labels!['firebreak.dev/model-server'] = 'torchserve';
    const found = modelServicesFrom({
      ...empty,
      deployments: [
        deployment('llama', 'llm', 'vllm/vllm-openai:v0.6.3'),
        deployment('resnet', 'vision', 'nvcr.io/nvidia/tritonserver:24.08-py3'),
        deployment('web', 'shop', 'nginx:1.27'),
        gpu,
        labelled,
      ],
    });
    expect(found.map((m) => [m.name, m.serverKind])).toEqual([
      ['embedder', 'generic'],
      ['llama', 'vllm'],
      ['custom', 'torchserve'],
      ['resnet', 'triton'],
    ]);
    const llama = found.find((m) => m.name === 'llama')!;
    expect(llama).toMatchObject({
      id: 'llm/Deployment/llama',
      modelName: 'llama-model',
      replicas: { ready: 2, desired: 3 },
      image: 'vllm/vllm-openai:v0.6.3',
      podPrefix: 'llama-',
    });
  });

  it('represents KServe-owned Deployments by their InferenceService, ready from its pods', () => {
    const owned = deployment('bert-predictor-00001-deployment', 'nlp', 'kserve/huggingfaceserver:v0.13');
    owned.metadata!.ownerReferences = [
      { apiVersion: 'v1', kind: 'Revision', name: 'x', uid: 'u', controller: true },
    ];
    const found = modelServicesFrom({
      ...empty,
      deployments: [owned],
      inferenceServices: [
        {
          metadata: { name: 'bert', namespace: 'nlp' },
          spec: {
            predictor: {
              minReplicas: 2,
              model: { modelFormat: { name: 'huggingface' }, storageUri: 'gs://m/bert' },
            },
          },
        },
      ],
      inferencePods: [
        {
          metadata: { namespace: 'nlp', labels: { 'serving.kserve.io/inferenceservice': 'bert' } },
          status: { conditions: [{ type: 'Ready', status: 'True' }] },
        },
      ],
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      workloadKind: 'InferenceService',
      serverKind: 'kserve',
      replicas: { ready: 1, desired: 2 },
      image: 'huggingface @ gs://m/bert',
    });
  });

  it('gives each pod-labelled series to the service with the longest matching pod prefix', () => {
    const targets = [
      { id: 'a', namespace: 'llm', serverKind: 'vllm' as const, podPrefix: 'llama-8b-' },
      { id: 'b', namespace: 'llm', serverKind: 'vllm' as const, podPrefix: 'llama-8b-chat-' },
    ];
    const sums = sumByTarget(
      [
        { labels: { namespace: 'llm', pod: 'llama-8b-chat-7d9f-abcde' }, value: 2, at: 0 },
        { labels: { namespace: 'llm', pod: 'llama-8b-5c4-xyz12' }, value: 1, at: 0 },
        { labels: { exported_namespace: 'llm', exported_pod: 'llama-8b-chat-7d9f-fghij' }, value: 3, at: 0 },
        { labels: { namespace: 'other', pod: 'llama-8b-chat-1' }, value: 100, at: 0 },
        { labels: { namespace: 'llm', pod: 'llama-8b-chat-2' }, value: NaN, at: 0 },
      ],
      targets,
    );
    expect(Object.fromEntries(sums)).toEqual({ a: 1, b: 5 });
  });
});
