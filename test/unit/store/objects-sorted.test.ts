import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, openStore } from '../../../main/store';
import { INVENTORY_KINDS } from '../../../main/kube/inventory/kinds';
import { tempStorePath } from '../../fixtures/store/files';
import { generateInventory } from '../../fixtures/store/inventory';

const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

// the first capture hashes these with a plain JSON.stringify only when their keys come out sorted
describe('inventory projections for the store', () => {
  it('build Pods, ReplicaSets and Deployments with their keys in sorted order', () => {
    const inv = generateInventory({ pods: 400, deployments: 60, replicaSets: 120 });
    const kinds = new Set<string>();
    for (const raw of inv.all as Array<Record<string, unknown>>) {
      const o = INVENTORY_KINDS.find((k) => k.name === raw.kind)?.project(raw);
      if (!o) continue;
      kinds.add(raw.kind as string);
      expect(JSON.stringify(o)).toBe(canonicalJson(o));
    }
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['Deployment', 'Pod', 'ReplicaSet']));
  });
});

describe('the object store on values already in key order', () => {
  it('gives every value the address of its canonical JSON, whichever path it takes', () => {
    const store = openStore(tempStorePath());
    const date = new Date('2026-10-14T12:00:00Z');
    const withToJSON = { a: 1, toJSON: () => ({ z: 1, y: 2 }) };
    const boxed = Object.assign(Object.create(null) as object, { b: new Number(3), c: new String('') });
    class Thing {
      a = 1;
    }
    const values: unknown[] = [
      { a: 1, b: { c: [1, { d: 2, e: 3 }], f: null } }, // sorted: the fast path
      { b: 1, a: 2 }, // not sorted
      { a: { z: 1, y: 2 } }, // sorted outside, not inside
      { a: [{ b: 1 }, { d: 1, c: 2 }] },
      { a: undefined, b: () => 1, c: [undefined, () => 1], d: Number.NaN },
      { a: date },
      withToJSON,
      { a: withToJSON },
      boxed,
      { a: new Thing() },
      { '1': 'x', '10': 'y', '9': 'z' }, // array-index keys enumerate in numeric order
      { '9': 'a', b: 1 },
      [{ b: 1, a: 2 }, 'x', 1],
      'text',
    ];
    try {
      for (const v of values) expect(store.objects.put(v)).toBe(sha256(canonicalJson(v)));
    } finally {
      store.close();
    }
  });

  it('still refuses what JSON cannot hold', () => {
    const store = openStore(tempStorePath());
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    try {
      expect(() => store.objects.put({ a: 1n })).toThrow(/cannot be stored as JSON/);
      expect(() => store.objects.put(cyclic)).toThrow(/cannot be stored as JSON/);
    } finally {
      store.close();
    }
  });
});
