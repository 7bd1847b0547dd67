import { describe, expect, it } from 'vitest';
import { clearlyGreater, holdStill } from '../../../renderer/components/stableOrder';
import { modelClearlyBefore } from '../../../renderer/views/models/modelOrder';
import { sortModels } from '../../../renderer/format';
import type { ModelService } from '../../../shared/models';

interface Row {
  id: string;
  v: number | null;
}
const id = (r: Row) => r.id;
/** worst (largest) first; 0.002 absolute or 5 % relative is noise */
const before = (a: Row, b: Row) =>
  a.v === null || b.v === null ? a.v !== null && b.v === null : clearlyGreater(a.v, b.v, 0.05, 0.002);
const sortedWorstFirst = (rows: Row[]) =>
  [...rows].sort((a, b) => (b.v ?? -1) - (a.v ?? -1) || a.id.localeCompare(b.id));
const ids = (rows: Row[]) => rows.map(id);

describe('rows hold still at each refresh', () => {
  it('first time: the fresh order as it is', () => {
    const rows = sortedWorstFirst([
      { id: 'a', v: 0.1 },
      { id: 'b', v: 0.3 },
    ]);
    expect(ids(holdStill(rows, [], id, before))).toEqual(['b', 'a']);
  });

  it('tied rows keep the order they had, whatever the fresh sort says', () => {
    const fresh = sortedWorstFirst([
      { id: 'a', v: 0 },
      { id: 'b', v: 0 },
      { id: 'c', v: 0 },
    ]);
    // the fresh sort puts them a, b, c; the screen showed c, a, b
    expect(ids(holdStill(fresh, ['c', 'a', 'b'], id, before))).toEqual(['c', 'a', 'b']);
  });

  it('nearly equal figures (noise) do not swap rows; a clear change moves the row up', () => {
    const shown = ['x', 'y', 'z'];
    // y is now a hair above x: noise, so they stay; z jumped: it moves to the top
    const fresh = sortedWorstFirst([
      { id: 'x', v: 0.1 },
      { id: 'y', v: 0.101 },
      { id: 'z', v: 0.4 },
    ]);
    expect(ids(fresh)).toEqual(['z', 'y', 'x']);
    expect(ids(holdStill(fresh, shown, id, before))).toEqual(['z', 'x', 'y']);
  });

  it('a row that got clearly better sinks below the ones now worse; unknowns stay last', () => {
    const fresh = sortedWorstFirst([
      { id: 'p', v: 0.001 },
      { id: 'q', v: 0.2 },
      { id: 'r', v: null },
    ]);
    expect(ids(holdStill(fresh, ['r', 'p', 'q'], id, before))).toEqual(['q', 'p', 'r']);
  });

  it('a new row takes its place by value, after the rows it ties with; gone rows are gone', () => {
    const fresh = sortedWorstFirst([
      { id: 'a', v: 0.5 },
      { id: 'b', v: 0.1 },
      { id: 'n', v: 0.1 },
      { id: 'm', v: 0.3 },
    ]);
    expect(ids(holdStill(fresh, ['a', 'b', 'gone'], id, before))).toEqual(['a', 'm', 'b', 'n']);
  });

  it('no neighbours are left clearly out of order, over many noisy refreshes', () => {
    let shown: string[] = [];
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const base = Array.from({ length: 30 }, (_, i) => ({ id: `m${i}`, v: Math.round(rnd() * 10) / 100 }));
    for (let round = 0; round < 50; round++) {
      const rows = base.map((r) => ({ id: r.id, v: r.v + (rnd() - 0.5) * 0.001 }));
      const out = holdStill(sortedWorstFirst(rows), shown, id, before);
      for (let i = 1; i < out.length; i++) expect(before(out[i]!, out[i - 1]!)).toBe(false);
      if (round > 0) expect(ids(out)).toEqual(shown); // noise only: nothing moved
      shown = ids(out);
    }
  });
});

function model(name: string, errorRatio: number | null, requestRate: number | null = 1): ModelService {
  return {
    id: `ns/Deployment/${name}`,
    name,
    namespace: 'ns',
    workloadKind: 'Deployment',
    serverKind: 'vllm',
    modelName: name,
    replicas: { desired: 1, ready: 1, updated: 1, available: 1 },
    image: null,
    requestRate,
    errorRatio,
    health: null,
    route: null,
    routes: [],
  } as unknown as ModelService;
}

describe('the Models table keeps its worst-first order still', () => {
  const sort = { key: 'errorRatio', dir: 'desc' } as const;
  it('models at 0 % and within noise of each other keep their rows; a jump moves up', () => {
    const shown = ['ns/Deployment/b', 'ns/Deployment/a', 'ns/Deployment/c'];
    const fresh = sortModels([model('a', 0.0101), model('b', 0.01), model('c', 0)], sort);
    expect(fresh.map((m) => m.name)).toEqual(['a', 'b', 'c']);
    const held = holdStill(fresh, shown, (m) => m.id, modelClearlyBefore(sort));
    expect(held.map((m) => m.name)).toEqual(['b', 'a', 'c']);
    const jumped = sortModels([model('a', 0.0101), model('b', 0.01), model('c', 0.25)], sort);
    expect(holdStill(jumped, shown, (m) => m.id, modelClearlyBefore(sort)).map((m) => m.name)).toEqual([
      'c',
      'b',
      'a',
    ]);
  });

  it('by name ascending: the names decide, nothing is "nearly" equal', () => {
    const byName = { key: 'name', dir: 'asc' } as const;
    const before = modelClearlyBefore(byName);
    expect(before(model('a', 0), model('b', 0))).toBe(true);
    expect(before(model('b', 0), model('a', 0))).toBe(false);
  });

  it('a model without figures never climbs above one with figures', () => {
    const before = modelClearlyBefore(sort);
    expect(before(model('a', null), model('b', 0))).toBe(false);
    expect(before(model('b', 0), model('a', null))).toBe(true);
  });
});
