import { describe, expect, it } from 'vitest';
import { drainedBy, type ModelRoute } from '../../../shared/models';
import {
  describeLoad,
  describeOverPeak,
  loadAfter,
  routeErrorRatio,
} from '../../../renderer/state/routeHealth';
import { sortModels } from '../../../renderer/format';
import type { ModelService } from '../../../shared/models';

const route = (backend: string, shares: Record<string, number>): ModelRoute => ({
  kind: 'HTTPRoute',
  namespace: 'llm',
  name: 'chat',
  rule: 0,
  backend,
  weight: null,
  share: shares[backend] ?? 0,
  backends: Object.entries(shares).map(([name, share]) => ({ name, weight: null, share })),
});

const figures: Record<string, { requestRate: number | null; errorRatio: number | null; ready: number }> = {
  big: { requestRate: 34, errorRatio: 0.25, ready: 4 },
  small: { requestRate: 6, errorRatio: 0.002, ready: 2 },
  idle: { requestRate: 0, errorRatio: null, ready: 1 },
};
const fig = (n: string) => {
  const f = figures[n];
  return (
    f && {
      requestRate: f.requestRate,
      errorRatio: f.errorRatio,
      replicas: { ready: f.ready, desired: f.ready },
    }
  );
};

describe('a drained model', () => {
  it('is one whose every route gives it no share while another backend carries the traffic', () => {
    expect(drainedBy([route('big', { big: 0, small: 1 })])).toEqual({ fallbacks: ['small'] });
    expect(drainedBy([route('big', { big: 0.9, small: 0.1 })])).toBeNull();
    // still served through another route: not drained
    expect(drainedBy([route('big', { big: 0, small: 1 }), route('big', { big: 1 })])).toBeNull();
    // a fallback standing by at 0 % in another model's route is not drained (it serves its own traffic)
    expect(drainedBy([route('small', { big: 1, small: 0 })])).toBeNull();
    // nothing gets traffic: no fallback is active
    expect(drainedBy([route('big', { big: 0, small: 0 })])).toBeNull();
    expect(drainedBy([])).toBeNull();
    expect(drainedBy(undefined)).toBeNull();
  });

  it('keeps its place in a worst-first list by its last error ratio, not sunk as "no traffic"', () => {
    const m = (name: string, errorRatio: number | null, drained?: ModelService['drained']): ModelService => ({
      id: `llm/Deployment/${name}`,
      name,
      namespace: 'llm',
      workloadKind: 'Deployment',
      serverKind: 'vllm',
      modelName: name,
      replicas: { ready: 1, desired: 1 },
      image: null,
      requestRate: errorRatio === null ? 0 : 1,
      errorRatio,
      ...(drained && { drained }),
    });
    const list = [
      m('healthy', 0.001),
      m('broken', null, { fallbacks: ['healthy'], lastErrorRatio: 0.25 }),
      m('warm', 0.02),
      m('quiet', null),
    ];
    const order = sortModels(list, { key: 'errorRatio', dir: 'desc' }).map((x) => x.name);
    expect(order).toEqual(['broken', 'warm', 'healthy', 'quiet']);
  });
});

describe('the error ratio users see through a rule', () => {
  it('is each backend’s error ratio weighted by its share', () => {
    const r = routeErrorRatio(['big', 'small'], { big: 90, small: 10 }, fig);
    expect(r.ratio).toBeCloseTo(0.9 * 0.25 + 0.1 * 0.002, 10);
    expect(r.unknown).toEqual([]);
    // all to the fallback: the broken backend no longer counts
    expect(routeErrorRatio(['big', 'small'], { big: 0, small: 100 }, fig).ratio).toBeCloseTo(0.002, 10);
  });

  it('is not known when a backend that gets traffic has no known ratio', () => {
    expect(routeErrorRatio(['big', 'idle'], { big: 50, idle: 50 }, fig)).toEqual({
      ratio: null,
      unknown: ['idle'],
    });
    // a backend with no share does not need one
    expect(routeErrorRatio(['big', 'idle'], { big: 100, idle: 0 }, fig).ratio).toBe(0.25);
  });
});

describe('the load a fallback will get', () => {
  it('is the rule’s requests now times its new share, said as a multiple of what it serves', () => {
    const loads = loadAfter(
      ['big', 'small'],
      { big: 100, small: 0 },
      { big: 0, small: 100 },
      fig,
      () => null,
    )!;
    expect(loads).toHaveLength(1);
    const l = loads[0]!;
    expect(l).toMatchObject({ name: 'small', now: 6, next: 40, replicas: 2, overPeak: false });
    expect(l.factor).toBeCloseTo(40 / 6, 10);
    expect(describeLoad(l)).toBe('small would get about 7x its current requests (6/s → 40/s) on 2 replicas');
    expect(describeOverPeak(l)).toBeNull();
  });

  it('warns above the most it served at its peak', () => {
    const l = loadAfter(['big', 'small'], { big: 100, small: 0 }, { big: 0, small: 100 }, fig, (n) =>
      n === 'small' ? 25 : null,
    )![0]!;
    expect(l.overPeak).toBe(true);
    expect(describeOverPeak(l)).toContain('at its peak over the last 24 h (25/s)');
    const below = loadAfter(
      ['big', 'small'],
      { big: 100, small: 0 },
      { big: 0, small: 100 },
      fig,
      () => 60,
    )![0]!;
    expect(below.overPeak).toBe(false);
  });

  it('says "from none now" for an idle fallback, and nothing is estimated without every rate', () => {
    const l = loadAfter(['big', 'idle'], { big: 100, idle: 0 }, { big: 50, idle: 50 }, fig, () => null)!;
    expect(l.map((x) => x.name)).toEqual(['idle']);
    expect(describeLoad(l[0]!)).toBe('idle would get about 17/s, from none now on 1 replica');
    figures.unknown = { requestRate: null, errorRatio: null, ready: 1 };
    expect(
      loadAfter(['big', 'unknown'], { big: 1, unknown: 0 }, { big: 0, unknown: 1 }, fig, () => null),
    ).toBeNull();
  });
});
