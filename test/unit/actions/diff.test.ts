import { describe, expect, it } from 'vitest';
import { objectDiff, redactSecrets } from '../../../main/actions/diff';
import { revisionDiff } from '../../../main/kube/revisions';
import { rolloutStatus } from '../../../main/kube/rolloutStatus';
import type { RevisionSummary } from '../../../shared/models';

describe('action diff', () => {
  it('shows what changes, never env values, ignoring bookkeeping fields', () => {
    const before = {
      metadata: { resourceVersion: '1', generation: 1, annotations: { a: '1' } },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'm', image: 'vllm:v2', env: [{ name: 'HF_TOKEN', value: 'hf_secret' }] }],
          },
        },
      },
    };
    const after = {
      metadata: { resourceVersion: '1', generation: 2, annotations: { a: '2' } },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'm', image: 'vllm:v1', env: [{ name: 'HF_TOKEN', value: 'hf_other' }] }],
          },
        },
      },
    };
    const diff = objectDiff(before, after);
    expect(diff).toEqual([
      { path: '/spec/template/spec/containers/0/image', before: 'vllm:v2', after: 'vllm:v1' },
      { path: '/metadata/annotations/a', before: '1', after: '2' },
    ]);
    expect(JSON.stringify(diff)).not.toMatch(/hf_/);
  });

  it('redacts env values and drops data payloads anywhere', () => {
    const r = redactSecrets({
      a: [
        {
          env: [
            { name: 'X', value: 'v' },
            { name: 'Y', valueFrom: { secretKeyRef: { name: 's' } } },
          ],
        },
      ],
      data: { k: 'x' },
    });
    expect(r).toEqual({
      a: [
        {
          env: [
            { name: 'X', value: '(value hidden)' },
            { name: 'Y', valueFrom: { secretKeyRef: { name: 's' } } },
          ],
        },
      ],
    });
  });
});

const rev = (
  revision: number,
  image: string,
  env: string[],
  gpu: string,
  cause: string | null,
): RevisionSummary => ({
  revision,
  name: `r${revision}`,
  uid: `u${revision}`,
  createdAt: null,
  current: false,
  changeCause: cause,
  containers: [
    {
      name: 'vllm',
      image,
      args: ['--model', 'llama'],
      envNames: env,
      resources: { 'limits.nvidia.com/gpu': gpu },
    },
  ],
  gpus: Number(gpu),
});

describe('revision diff', () => {
  it('lists image, env names, resources and change-cause differences', () => {
    expect(
      revisionDiff(
        rev(1, 'vllm:v0.6.3', ['A', 'B'], '2', 'good'),
        rev(2, 'vllm:v0.6.4', ['B', 'C'], '4', 'bad'),
      ),
    ).toEqual([
      { container: 'vllm', field: 'image', from: 'vllm:v0.6.3', to: 'vllm:v0.6.4' },
      { container: 'vllm', field: 'env', from: 'A', to: null },
      { container: 'vllm', field: 'env', from: null, to: 'C' },
      { container: 'vllm', field: 'limits.nvidia.com/gpu', from: '2', to: '4' },
      { container: null, field: 'change-cause', from: 'good', to: 'bad' },
    ]);
  });
});

describe('rollout status (kubectl semantics)', () => {
  const d = (status: Record<string, unknown>, generation = 2) => ({
    metadata: { name: 'llama', generation },
    spec: { replicas: 4 },
    status,
  });
  it('waits for observation, updates, old replicas and availability; detects a stuck rollout', () => {
    expect(rolloutStatus(d({ observedGeneration: 1 })).message).toMatch(/observed/);
    expect(rolloutStatus(d({ observedGeneration: 2, updatedReplicas: 2, replicas: 4 })).message).toBe(
      '2 out of 4 new replicas have been updated',
    );
    expect(rolloutStatus(d({ observedGeneration: 2, updatedReplicas: 4, replicas: 5 })).message).toBe(
      '1 old replicas are pending termination',
    );
    expect(
      rolloutStatus(d({ observedGeneration: 2, updatedReplicas: 4, replicas: 4, availableReplicas: 3 })).done,
    ).toBe(false);
    expect(
      rolloutStatus(d({ observedGeneration: 2, updatedReplicas: 4, replicas: 4, availableReplicas: 4 })),
    ).toEqual({
      done: true,
      failed: false,
      message: 'deployment "llama" successfully rolled out',
    });
    expect(
      rolloutStatus(
        d({
          observedGeneration: 2,
          conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
        }),
      ).failed,
    ).toBe(true);
  });
});
