import { describe, expect, it } from 'vitest';
import type { ModelRoute, ModelService } from '../../../shared/models';
import { fallbackRequest } from '../../../renderer/views/incident/WarRoomActions';

const route = (backend: string): ModelRoute => ({
  kind: 'HTTPRoute',
  namespace: 'llm',
  name: 'chat',
  rule: 0,
  backend,
  weight: backend === 'big' ? 100 : 0,
  share: backend === 'big' ? 1 : 0,
  backends: [
    { name: 'big', weight: 100, share: 1 },
    { name: 'small', weight: 0, share: 0 },
  ],
});

const service = (name: string): ModelService => ({
  id: `llm/Deployment/${name}`,
  name,
  namespace: 'llm',
  workloadKind: 'Deployment',
  serverKind: 'vllm',
  modelName: name,
  replicas: { ready: 1, desired: 1 },
  image: null,
  requestRate: 1,
  errorRatio: 0,
  route: route(name),
  routes: [route(name)],
});

const services = [service('big'), service('small')];
const ask = (name: string) =>
  fallbackRequest(
    { serviceId: `llm/Deployment/${name}`, name, serverKind: 'vllm', modelName: name, fallbackId: null },
    services,
  );

describe('route to fallback', () => {
  it('moves the rule a model leads to its fallback', () => {
    expect(ask('big')).toEqual({
      type: 'traffic',
      route: { kind: 'HTTPRoute', namespace: 'llm', name: 'chat' },
      rule: 0,
      weights: { big: 0, small: 100 },
    });
  });

  it('is not offered for a fallback standing by in another model’s rule (it would send everything to that model)', () => {
    expect(ask('small')).toBeNull();
  });
});
