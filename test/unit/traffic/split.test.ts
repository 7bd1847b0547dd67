import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import {
  allTo,
  httpRouteSplit,
  knativeSplit,
  owningController,
  routeSplit,
  splitTo,
  trafficPatch,
  virtualServiceSplit,
} from '../../../main/kube/trafficSplit';

const route = {
  metadata: { name: 'chat', namespace: 'llm', resourceVersion: '7' },
  spec: {
    rules: [
      {
        backendRefs: [
          { name: 'llama-70b-chat', port: 8000, weight: 90 },
          { name: 'llama-8b-chat', port: 8000, weight: 10 },
          { name: 'canary', port: 8000 },
        ],
      },
    ],
  },
};

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError && e.code === 'ACTION_REFUSED') return e.message;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('traffic split', () => {
  it('reads HTTPRoute weights as relative shares, an unset weight being 1', () => {
    const split = httpRouteSplit(route);
    expect(split.rules[0]?.map((b) => [b.name, b.weight, Number(b.share.toFixed(4))])).toEqual([
      ['llama-70b-chat', 90, 0.8911],
      ['llama-8b-chat', 10, 0.099],
      ['canary', 1, 0.0099],
    ]);
  });

  it('patches the weights behind a resourceVersion test', () => {
    const split = httpRouteSplit(route);
    expect(trafficPatch(split, 0, allTo(split, 0, 'llama-8b-chat'))).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/spec/rules/0/backendRefs/0/weight', value: 0 },
      { op: 'add', path: '/spec/rules/0/backendRefs/1/weight', value: 100 },
      { op: 'add', path: '/spec/rules/0/backendRefs/2/weight', value: 0 },
    ]);
  });

  it('never writes an all-zero split, a negative or oversized weight, or an unknown backend', () => {
    const split = httpRouteSplit(route);
    expect(
      refusal(() => trafficPatch(split, 0, { 'llama-70b-chat': 0, 'llama-8b-chat': 0, canary: 0 })),
    ).toMatch(/weight 0/);
    expect(refusal(() => trafficPatch(split, 0, { 'llama-8b-chat': -1 }))).toMatch(/≥ 0/);
    expect(refusal(() => trafficPatch(split, 0, { 'llama-8b-chat': 1_000_001 }))).toMatch(/at most/);
    expect(refusal(() => trafficPatch(split, 0, { nope: 5 }))).toMatch(/not a backend/);
  });

  it('splits a percentage to one backend, the rest in the others’ current proportions', () => {
    const split = httpRouteSplit({
      ...route,
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'a', weight: 100 },
              { name: 'b', weight: 0 },
            ],
          },
        ],
      },
    });
    expect(splitTo(split, 0, 'b', 25)).toEqual({ b: 25, a: 75 });
  });

  it('Istio weights must sum to 100', () => {
    const vs = virtualServiceSplit({
      metadata: { name: 'chat', namespace: 'llm', resourceVersion: '3' },
      spec: {
        http: [
          {
            route: [
              { destination: { host: 'a' }, weight: 80 },
              { destination: { host: 'b' }, weight: 20 },
            ],
          },
        ],
      },
    });
    expect(refusal(() => trafficPatch(vs, 0, { a: 50, b: 40 }))).toMatch(/sum to 100/);
    expect(trafficPatch(vs, 0, { a: 0, b: 100 })[2]).toEqual({
      op: 'add',
      path: '/spec/http/0/route/1/weight',
      value: 100,
    });
  });

  it('reads a Knative Service’s traffic block by revision, the latest as @latest; percents must sum to 100', () => {
    const ksvc = {
      metadata: { name: 'embedder', namespace: 'search', resourceVersion: '12' },
      spec: {
        traffic: [
          { latestRevision: true, percent: 80 },
          { revisionName: 'embedder-00002', percent: 20, tag: 'prev' },
          { revisionName: 'embedder-00001' },
        ],
      },
    };
    const split = knativeSplit(ksvc);
    expect(split).toMatchObject({ kind: 'KnativeService', name: 'embedder', namespace: 'search' });
    expect(split.rules[0]!.map((b) => [b.name, b.weight, b.share])).toEqual([
      ['@latest', 80, 0.8],
      ['embedder-00002', 20, 0.2],
      ['embedder-00001', 0, 0],
    ]);
    expect(routeSplit('KnativeService', ksvc)).toEqual(split);
    expect(refusal(() => trafficPatch(split, 0, { '@latest': 50 }))).toMatch(
      /Knative traffic percents must sum to 100 \(these sum to 70\)/,
    );
    expect(trafficPatch(split, 0, { '@latest': 0, 'embedder-00002': 100 })).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '12' },
      { op: 'add', path: '/spec/traffic/0/percent', value: 0 },
      { op: 'add', path: '/spec/traffic/1/percent', value: 100 },
      { op: 'add', path: '/spec/traffic/2/percent', value: 0 },
    ]);
    // no traffic block: everything to the latest revision
    expect(knativeSplit({ metadata: { name: 'x' } }).rules[0]!.map((b) => [b.name, b.weight])).toEqual([
      ['@latest', 100],
    ]);
    // the same revision twice (two tags): a weight by name would be ambiguous
    const twice = knativeSplit({
      spec: {
        traffic: [
          { revisionName: 'r1', percent: 50, tag: 'a' },
          { revisionName: 'r1', percent: 50, tag: 'b' },
        ],
      },
    });
    expect(refusal(() => trafficPatch(twice, 0, { r1: 100 }))).toMatch(/names r1 twice/);
  });

  it('warns when a controller or GitOps tool would revert the edit', () => {
    expect(owningController({ metadata: {} })).toBeNull();
    expect(
      owningController({
        metadata: { ownerReferences: [{ kind: 'Rollout', name: 'llama', controller: true }] },
      })?.by,
    ).toBe('Rollout llama');
    expect(
      owningController({ metadata: { managedFields: [{ manager: 'argocd-controller' }] } })?.advice,
    ).toMatch(/Git/);
  });
});
