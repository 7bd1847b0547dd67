import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, openStore } from '../../../main/store';
import { markIfCanonical } from '../../../main/store/canonicalJson';
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

describe('objects checked for key order as they arrive', () => {
  it('are stored at the address of their canonical JSON, from any raw object, hostile key orders included', () => {
    const store = openStore(tempStorePath());
    // labels out of order, array-index keys (JavaScript enumerates those first), keys out of order everywhere
    const raw = {
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      spec: {
        nodeName: 'gpu-1',
        containers: [{ resources: { limits: { 'nvidia.com/gpu': '1', cpu: '2' } } }],
      },
      metadata: {
        uid: 'u1',
        resourceVersion: '7',
        namespace: 'ml',
        name: 'llama-0',
        labels: { zeta: '1', '10': 'ten', '9': 'nine', alpha: '2' },
        annotations: { 'b.example/x': 'y', 'a.example/x': 'z' },
      },
      kind: 'Pod',
      apiVersion: 'v1',
    };
    try {
      for (const kind of INVENTORY_KINDS) {
        const o = kind.project({ ...raw, kind: kind.name, apiVersion: 'apps/v1' });
        if (!o) continue;
        expect(store.objects.put(o), kind.name).toBe(sha256(canonicalJson(o)));
      }
      // a value out of order is not marked: it is stored by its sorted copy
      const unsorted = markIfCanonical({ b: 1, a: 2 });
      expect(store.objects.put(unsorted)).toBe(sha256('{"a":2,"b":1}'));
    } finally {
      store.close();
    }
  });
});
