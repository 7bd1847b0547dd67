import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { deploymentRollbackPlan } from '../../../main/kube/rollbackPlan';

const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'llama', ...(hash ? { 'pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'vllm', image }] },
});

const deploy = (image: string, extra: Partial<V1Deployment['spec']> = {}): V1Deployment => ({
  metadata: {
    name: 'llama',
    namespace: 'llm',
    uid: 'd-uid',
    resourceVersion: '42',
    annotations: {
      'deployment.kubernetes.io/revision': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'team.example/owner': 'assistant',
    },
  },
  spec: { selector: { matchLabels: { app: 'llama' } }, template: template(image), ...extra },
});

const rs = (revision: number, image: string, hash: string, ownerUid = 'd-uid'): V1ReplicaSet => ({
  metadata: {
    name: `llama-${hash}`,
    uid: `rs-${revision}`,
    annotations: {
      'deployment.kubernetes.io/revision': String(revision),
      'deployment.kubernetes.io/desired-replicas': '4',
      'kubernetes.io/change-cause': `image ${image}`,
    },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama', uid: ownerUid, controller: true },
    ],
  },
  spec: { selector: {}, template: template(image, hash) },
});

const history = [
  rs(1, 'v1', 'aaa'),
  rs(2, 'v2', 'bbb'),
  rs(3, 'v3', 'ccc'),
  rs(9, 'other', 'zzz', 'someone-else'),
];

function refused(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected refusal');
}

describe('Deployment rollback plan (kubectl rollout undo)', () => {
  it('goes to the second-highest revision of the ReplicaSets the Deployment owns', () => {
    const plan = deploymentRollbackPlan(deploy('v3'), history);
    expect(plan.kind).toBe('patch');
    if (plan.kind !== 'patch') return;
    expect(plan.toRevision).toBe(2);
    expect(plan.fromRevision).toBe(3);
    expect(plan.target).toEqual({ name: 'llama-bbb', uid: 'rs-2' });
    expect(plan.patch).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      // pod-template-hash removed from the target template
      { op: 'replace', path: '/spec/template', value: template('v2') },
      // the Deployment's own revision annotations kept, the target ReplicaSet's others copied, its own dropped
      {
        op: 'replace',
        path: '/metadata/annotations',
        value: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'deployment.kubernetes.io/revision': '3',
          'kubernetes.io/change-cause': 'image v2',
        },
      },
    ]);
  });

  it('goes to an exact revision, and names a missing one as kubectl does', () => {
    const plan = deploymentRollbackPlan(deploy('v3'), history, 1);
    expect(plan.kind === 'patch' && plan.target.name).toBe('llama-aaa');
    expect(refused(() => deploymentRollbackPlan(deploy('v3'), history, 9)).message).toBe(
      'unable to find specified revision 9 in history',
    );
  });

  it('skips when the current template already matches the target (ignoring pod-template-hash)', () => {
    const plan = deploymentRollbackPlan(deploy('v2'), history, 2);
    expect(plan).toEqual({
      kind: 'skipped',
      toRevision: 2,
      message: 'skipped rollback (current template already matches revision 2)',
    });
  });

  it('refuses a paused Deployment and one with no history', () => {
    const paused = refused(() => deploymentRollbackPlan(deploy('v3', { paused: true }), history));
    expect(paused.code).toBe('ACTION_REFUSED');
    expect(paused.hint).toMatch(/Resume/);
    expect(refused(() => deploymentRollbackPlan(deploy('v3'), [rs(3, 'v3', 'ccc')])).message).toBe(
      'no rollout history found for deployment "llama"',
    );
  });
});
