import { describe, expect, it } from 'vitest';
import type { ModelService } from '../../../shared/models';
import { healthSummary, sortModels } from '../../../renderer/format';

const model = (name: string, health?: ModelService['health']): ModelService => ({
  id: `ns/Deployment/${name}`,
  name,
  namespace: 'ns',
  workloadKind: 'Deployment',
  serverKind: 'vllm',
  modelName: name,
  replicas: { ready: 1, desired: 1 },
  image: null,
  requestRate: null,
  errorRatio: null,
  ...(health ? { health } : {}),
});
const health = (
  over: Partial<NonNullable<ModelService['health']>> = {},
): NonNullable<ModelService['health']> => ({
  ready: 1,
  desired: 1,
  restarts: 0,
  pods: 1,
  failingPods: [],
  warningEvents: [],
  ...over,
});

describe('model health in the Models table', () => {
  it('says failing pods first, then restarts, then warnings; details (as text) in the tooltip', () => {
    const failing = model(
      'a',
      health({
        restarts: 7,
        failingPods: [{ name: 'a-1', reason: 'CrashLoopBackOff', message: null, since: null }],
      }),
    );
    expect(healthSummary(failing)).toMatchObject({ text: '1 failing', severity: 'critical' });
    expect(healthSummary(failing)?.title).toContain('a-1: CrashLoopBackOff');
    expect(healthSummary(model('b', health({ restarts: 3 })))).toMatchObject({
      text: '3 restarts',
      severity: 'warning',
    });
    const warned = model(
      'c',
      health({
        warningEvents: [
          { object: 'Pod/c-1', reason: 'BackOff', message: '<b>x</b>', count: 2, lastSeen: null },
        ],
      }),
    );
    expect(healthSummary(warned)).toMatchObject({ text: '1 warning', severity: 'warning' });
    expect(healthSummary(warned)?.title).toContain('BackOff: <b>x</b>'); // shown as text, never markup
    expect(healthSummary(model('d', health()))).toMatchObject({ text: 'ok', severity: 'ok' });
    expect(healthSummary(model('e'))).toBeNull();
  });

  it('sorts the worst health first, unknown last', () => {
    const list = [
      model('ok', health()),
      model('unknown'),
      model('restarts', health({ restarts: 2 })),
      model(
        'failing',
        health({ failingPods: [{ name: 'x', reason: 'OOMKilled', message: null, since: null }] }),
      ),
    ];
    expect(sortModels(list, { key: 'health', dir: 'desc' }).map((m) => m.name)).toEqual([
      'failing',
      'restarts',
      'ok',
      'unknown',
    ]);
  });
});
