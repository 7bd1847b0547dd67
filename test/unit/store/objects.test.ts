import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { canonicalJson, openStore } from '../../../main/store';
import { PACK_TARGET_BYTES } from '../../../main/store/objects';
import { decodeMembers, encodeMembers } from '../../../main/store/snapshots';
import { tempStorePath } from '../../fixtures/store/files';
import { changeInventory, generateInventory } from '../../fixtures/store/inventory';

const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
  throw new Error('nothing was thrown');
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('puts keys like "10" and "9" in string order too, though JavaScript enumerates them first', () => {
    expect(canonicalJson({ 10: 'a', 9: 'b', '-1': 'c', x: { 2: [{ 1: 0, a: 1 }] } })).toBe(
      '{"-1":"c","10":"a","9":"b","x":{"2":[{"1":0,"a":1}]}}',
    );
    expect(canonicalJson({ b: { 0: 1 }, a: 1 })).toBe('{"a":1,"b":{"0":1}}');
    expect(canonicalJson({ 4294967295: 1, 4294967294: 2, a: new Date(0) })).toBe(
      '{"4294967294":2,"4294967295":1,"a":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it('gives the same text on its fast and its careful path', () => {
    const pod = generateInventory({ pods: 3, deployments: 1, replicaSets: 1 }).all;
    for (const o of pod) {
      const withIndexKey = { ...o, 0: 'forces the careful path' };
      expect(canonicalJson(withIndexKey)).toBe(
        canonicalJson(o).replace(/^\{/, '{"0":"forces the careful path",'),
      );
    }
    expect(canonicalJson({ 0: [undefined, () => 1, new Number(5), new String('s'), true] })).toBe(
      '{"0":[null,null,5,"s",true]}',
    );
    expect(canonicalJson([new Number(5), new Boolean(false), {}])).toBe('[5,false,{}]');
  });

  it('is JSON.stringify otherwise: escapes, numbers, toJSON, undefined and functions', () => {
    const weird = {
      s: 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 🚒 lone \ud800',
      n: [0, -0, 1e21, 1.5e-7, NaN, Infinity],
    };
    expect(canonicalJson(weird)).toBe(JSON.stringify({ n: weird.n, s: weird.s }));
    expect(canonicalJson({ when: new Date('2025-01-01T00:00:00Z') })).toBe(
      '{"when":"2025-01-01T00:00:00.000Z"}',
    );
    expect(canonicalJson({ gone: undefined, fn: () => 1, kept: 1, arr: [undefined, () => 1] })).toBe(
      '{"arr":[null,null],"kept":1}',
    );
    expect(canonicalJson({ custom: { toJSON: () => ({ b: 1, a: 2 }) } })).toBe('{"custom":{"a":2,"b":1}}');
    expect(canonicalJson('text')).toBe('"text"');
    expect(canonicalJson(null)).toBe('null');
  });

  it('refuses what JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const value of [undefined, () => 1, { n: 1n }, cyclic])
      expect(codeOf(() => canonicalJson(value))).toBe('INVALID_INPUT');
  });
});

describe('objects', () => {
  it('put returns the sha256 of the canonical JSON; equal objects hash equal; get returns the object', () => {
    const store = openStore(':memory:');
    const pod = {
      kind: 'Pod',
      metadata: { name: 'p', labels: { b: '2', a: '1' } },
      spec: { containers: [{ name: 'c', image: 'i:1' }] },
    };
    const hash = store.objects.put(pod);
    expect(hash).toBe(sha256(canonicalJson(pod)));
    expect(
      store.objects.put({ spec: pod.spec, metadata: { labels: { a: '1', b: '2' }, name: 'p' }, kind: 'Pod' }),
    ).toBe(hash);
    expect(store.objects.get(hash)).toEqual(pod);
    expect(store.objects.has(hash)).toBe(true);
    expect(store.objects.has('0'.repeat(64))).toBe(false);
    expect(store.objects.get('0'.repeat(64))).toBeUndefined();
    expect(store.objects.get('not a hash')).toBeUndefined();
    expect(store.objects.has(hash.toUpperCase())).toBe(false);
    expect(store.objects.put(42)).toBe(sha256('42'));
    expect(store.objects.get(sha256('42'))).toBe(42);
    store.close();
  });

  it('stores each distinct object once (idempotent), compressed', () => {
    const file = tempStorePath();
    const store = openStore(file);
    const objs = generateInventory({ pods: 300, deployments: 20, replicaSets: 40 }).all;
    const hashes = store.objects.putMany(objs);
    expect(store.objects.putMany(objs.map((o) => structuredClone(o)))).toEqual(hashes);
    expect(store.objects.put(structuredClone(objs[5]))).toBe(hashes[5]);
    store.close();

    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM objects').pluck().get()).toBe(objs.length);
    const { raw, stored } = db
      .prepare('SELECT SUM(raw_bytes) AS raw, SUM(length(data)) AS stored FROM object_packs')
      .get() as { raw: number; stored: number };
    expect(raw).toBe(objs.reduce((n, o) => n + Buffer.byteLength(canonicalJson(o)), 0));
    expect(stored).toBeLessThan(raw / 5);
    db.close();
  });

  it('putMany keeps order, stores duplicates once, spans many packs, and reads every object back', () => {
    const store = openStore(':memory:');
    const objs = generateInventory({ pods: 600, deployments: 40, replicaSets: 80 }).all;
    const big = { kind: 'ConfigMap', data: { blob: 'x'.repeat(PACK_TARGET_BYTES * 2) } }; // larger than a pack on its own
    const list = [objs[0], ...objs, objs[0], big, objs[1]];
    const hashes = store.objects.putMany(list);
    expect(hashes).toHaveLength(list.length);
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[list.length - 3]).toBe(hashes[0]);
    list.forEach((o, i) => expect(hashes[i]).toBe(sha256(canonicalJson(o))));
    for (const [i, o] of list.entries()) expect(store.objects.get(hashes[i]!)).toEqual(o);
    store.close();
  });

  it('putMany is one transaction: one bad object stores none', () => {
    const store = openStore(':memory:');
    const good = { kind: 'Pod', metadata: { name: 'ok' } };
    expect(codeOf(() => store.objects.putMany([good, { bad: 1n }]))).toBe('INVALID_INPUT');
    expect(store.objects.has(sha256(canonicalJson(good)))).toBe(false);
    store.close();
  });

  it('does not serialise an object instance again once stored (and serialises a new resourceVersion again)', () => {
    const store = openStore(':memory:');
    let serialised = 0;
    const counted = { kind: 'Thing', toJSON: () => (serialised++, { kind: 'Thing' }) };
    const h1 = store.objects.put(counted);
    const h2 = store.objects.put(counted);
    store.snapshots.create({ source: 'test', objects: [counted, counted] });
    expect(h2).toBe(h1);
    expect(serialised).toBe(1);

    const pod = { kind: 'Pod', metadata: { name: 'p', resourceVersion: '1' }, status: { phase: 'Pending' } };
    const before = store.objects.put(pod);
    // an in-place update that also bumps the resourceVersion (as an informer copying a watch event would)
    pod.metadata.resourceVersion = '2';
    pod.status.phase = 'Running';
    const after = store.objects.put(pod);
    expect(after).not.toBe(before);
    expect(store.objects.get(after)).toEqual(pod);
    store.close();
  });
});

describe('snapshots', () => {
  it('creates a snapshot of ordered objects, reads it back, and lists snapshots newest first', () => {
    const store = openStore(':memory:');
    const objs = generateInventory({ pods: 50, deployments: 5, replicaSets: 10 }).all;
    const s1 = store.snapshots.create({
      incidentId: 'inc-1',
      source: 'inventory:prod',
      takenAt: new Date('2025-03-01T09:00:00Z'),
      objects: objs,
      meta: { context: 'prod' },
    });
    expect(s1).toEqual({
      id: s1.id,
      takenAt: '2025-03-01T09:00:00.000Z',
      objectCount: objs.length,
      newObjects: objs.length,
    });

    const snap = store.snapshots.get(s1.id)!;
    expect(snap).toMatchObject({
      id: s1.id,
      incidentId: 'inc-1',
      source: 'inventory:prod',
      takenAt: '2025-03-01T09:00:00.000Z',
      meta: { context: 'prod' },
    });
    expect(snap.hashes).toEqual(objs.map((o) => sha256(canonicalJson(o))));
    expect(store.snapshots.objects(s1.id)).toEqual(objs);

    const s2 = store.snapshots.create({
      source: 'manual',
      takenAt: new Date('2025-03-01T10:00:00Z'),
      objects: [objs[1], objs[0], objs[1]],
    });
    expect(s2.newObjects).toBe(0);
    expect(store.snapshots.objects(s2.id)).toEqual([objs[1], objs[0], objs[1]]);
    expect(store.snapshots.get(s2.id)).toMatchObject({ incidentId: null, meta: {} });
    const s3 = store.snapshots.create({
      incidentId: 'inc-1',
      source: 'inventory:prod',
      takenAt: new Date('2025-03-01T11:00:00Z'),
      objects: [],
    });
    expect(store.snapshots.objects(s3.id)).toEqual([]);

    expect(store.snapshots.list().map((s) => s.id)).toEqual([s3.id, s2.id, s1.id]);
    expect(store.snapshots.list({ limit: 1 })).toEqual([
      {
        id: s3.id,
        incidentId: 'inc-1',
        source: 'inventory:prod',
        takenAt: '2025-03-01T11:00:00.000Z',
        objectCount: 0,
      },
    ]);
    expect(store.snapshots.list({ incidentId: 'inc-1' }).map((s) => s.id)).toEqual([s3.id, s1.id]);
    expect(store.snapshots.list({ incidentId: null }).map((s) => s.id)).toEqual([s2.id]);
    expect(store.snapshots.list({ incidentId: 'other' })).toEqual([]);
    expect(store.snapshots.get(999)).toBeUndefined();
    expect(store.snapshots.objects(999)).toEqual([]);
    store.close();
  });

  it('a recapture stores only what changed, and its membership takes a few bytes, not one row per object', () => {
    const file = tempStorePath();
    const store = openStore(file);
    const first = generateInventory({ pods: 1000, deployments: 150, replicaSets: 300 }).all;
    const next = changeInventory(first, 0.01);
    const changed = next.filter((o, i) => o !== first[i]).length;
    expect(changed).toBeGreaterThan(10);

    const a = store.snapshots.create({ source: 'inventory', objects: first });
    const b = store.snapshots.create({ source: 'inventory', objects: next });
    expect(a.newObjects).toBe(first.length);
    expect(b).toMatchObject({ objectCount: next.length, newObjects: changed });
    expect(store.snapshots.objects(b.id)).toEqual(next);
    expect(store.snapshots.objects(a.id)).toEqual(first);
    // a fresh copy of the same inventory (no instance remembered) is recognised by content
    expect(store.snapshots.create({ source: 'inventory', objects: structuredClone(next) }).newObjects).toBe(
      0,
    );
    store.close();

    const db = new Database(file, { readonly: true });
    const sizes = db.prepare('SELECT length(members) FROM snapshots ORDER BY id').pluck().all() as number[];
    expect(sizes[1]).toBeLessThan(next.length / 4);
    db.close();
  });

  it('refuses a snapshot without a source or with a bad time or meta', () => {
    const store = openStore(':memory:');
    expect(codeOf(() => store.snapshots.create({ source: '', objects: [] }))).toBe('INVALID_INPUT');
    expect(codeOf(() => store.snapshots.create({ source: 's', takenAt: new Date('x'), objects: [] }))).toBe(
      'INVALID_INPUT',
    );
    expect(
      codeOf(() =>
        store.snapshots.create({ source: 's', objects: [], meta: [] as unknown as Record<string, unknown> }),
      ),
    ).toBe('INVALID_INPUT');
    expect(codeOf(() => store.snapshots.create({ source: 's', objects: [{ n: 1n }] }))).toBe('INVALID_INPUT');
    expect(store.snapshots.list()).toEqual([]);
    store.close();
  });

  it('encodes membership as deltas and decodes it exactly', () => {
    const cases = [
      [],
      [1],
      [1, 2, 3, 4],
      [10, 3, 3, 2 ** 31 + 5, 7, 2 ** 40, 1],
      Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 6007) + 1),
    ];
    for (const ids of cases) expect(decodeMembers(encodeMembers(ids))).toEqual(ids);
    const consecutive = Array.from({ length: 29_000 }, (_, i) => i + 1);
    expect(encodeMembers(consecutive).length).toBeLessThan(200);
  });
});
