import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inlinePacker, workerPacker, type PackJob, type Packer } from '../../../main/store/packer';
import { openDatabase } from '../../../main/store/database';
import { objectStore, PACK_TARGET_BYTES } from '../../../main/store/objects';
import { canonicalJson } from '../../../main/store';
import { tempStorePath } from '../../fixtures/store/files';

/** n packs of a few JSON texts each */
function jobs(n: number): PackJob[] {
  return Array.from({ length: n }, (_, k) => {
    const texts = [0, 1, 2].map((i) => JSON.stringify({ pack: k, item: i, pad: 'x'.repeat(100 * i) }));
    const bytes = Buffer.from(texts.join(''));
    const bounds: number[] = [];
    let at = 0;
    for (const t of texts) {
      bounds.push(at, Buffer.byteLength(t));
      at += Buffer.byteLength(t);
    }
    return { bytes, bounds: Uint32Array.from(bounds) };
  });
}

function expectAnswers(packer: Packer, input: PackJob[]) {
  // the caller reuses its buffer once submit returns: the answers must be of the bytes as they were
  const sent = input.map((j) => ({ bytes: Buffer.from(j.bytes), bounds: j.bounds }));
  for (const j of sent) {
    packer.submit(j);
    j.bytes.fill(0);
  }
  const rebuilt: number[] = [];
  const out = packer.results((i) => (rebuilt.push(i), input[i]!));
  expect(out).toHaveLength(input.length);
  out.forEach((done, k) => {
    const { bytes, bounds } = input[k]!;
    expect(zlib.brotliDecompressSync(done.data).equals(bytes)).toBe(true);
    for (let i = 0; i < bounds.length; i += 2) {
      const want = crypto
        .createHash('sha256')
        .update(bytes.subarray(bounds[i]!, bounds[i]! + bounds[i + 1]!))
        .digest();
      expect(done.hashes.subarray((i / 2) * 32, (i / 2) * 32 + 32).equals(want)).toBe(true);
    }
  });
  return rebuilt;
}

describe('the packer', () => {
  it('hashes and compresses packs inline', () => {
    expect(expectAnswers(inlinePacker(), jobs(3))).toEqual([]);
  });

  it('hashes and compresses packs in a worker, the same answers, from a copy of the bytes', () => {
    const packer = workerPacker();
    try {
      expect(expectAnswers(packer, jobs(12))).toEqual([]);
      expect(expectAnswers(packer, jobs(2))).toEqual([]); // kept for the next intern
    } finally {
      packer.close();
    }
  });

  it('does the work itself, within its deadline, when the worker never answers', () => {
    const packer = workerPacker({ deadlineMs: 300, source: 'setInterval(() => {}, 1000)' });
    try {
      const t0 = performance.now();
      expect(expectAnswers(packer, jobs(4))).toEqual([0, 1, 2, 3]);
      expect(performance.now() - t0).toBeLessThan(2000);
      // a packer that gave up stays inline
      const t1 = performance.now();
      expect(expectAnswers(packer, jobs(2))).toEqual([0, 1]);
      expect(performance.now() - t1).toBeLessThan(250);
    } finally {
      packer.close();
    }
  });

  it('does the rest itself when the worker fails half-way', () => {
    // answers the first pack with an error
    const failing = `
      const { workerData } = require('node:worker_threads');
      workerData.port.on('message', () => {
        workerData.port.postMessage({ error: 'out of memory' });
        Atomics.add(workerData.counter, 0, 1);
        Atomics.notify(workerData.counter, 0);
      });`;
    const packer = workerPacker({ deadlineMs: 5000, source: failing });
    try {
      expect(expectAnswers(packer, jobs(3))).toEqual([0, 1, 2]);
    } finally {
      packer.close();
    }
  });

  it('does everything itself when the worker exits', () => {
    const packer = workerPacker({ deadlineMs: 300, source: 'process.exit(0)' });
    try {
      expect(expectAnswers(packer, jobs(3))).toEqual([0, 1, 2]);
    } finally {
      packer.close();
    }
  });
});

describe('the object store on a big intern', () => {
  const pod = (i: number, extra = '') => ({
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'ml', resourceVersion: `${i}${extra}` },
    spec: { pad: 'p'.repeat(900) },
  });

  it('stores through the worker what it stores inline: the same addresses, ids and objects', () => {
    const objs = Array.from({ length: 1200 }, (_, i) => pod(i)); // ~1.1 MB: several packs
    const a = openDatabase(tempStorePath());
    const b = openDatabase(tempStorePath());
    try {
      const big = objectStore(a).intern(objs, { hashes: true });
      // one at a time: each a single pack, done inline
      const small = objectStore(b);
      const one = objs.map((o) => small.intern([o], { hashes: true }));
      expect(big.hashes).toEqual(one.map((r) => r.hashes[0]));
      expect(big.hashes[7]).toBe(crypto.createHash('sha256').update(canonicalJson(objs[7])).digest('hex'));
      expect(big.ids).toEqual(one.map((r) => r.ids[0]));
      expect(big.newObjects).toBe(1200);
      const packs = a.db.prepare('SELECT count(*) FROM object_packs').pluck().get() as number;
      expect(packs).toBeGreaterThan(3);
      expect(objectStore(a).byIds(big.ids.slice(0, 3))).toEqual(objs.slice(0, 3));
    } finally {
      a.close();
      b.close();
    }
  });

  it('packs only the new objects of a pack that also holds stored ones (a relist hands over new instances)', () => {
    const conn = openDatabase(tempStorePath());
    try {
      const store = objectStore(conn);
      const first = Array.from({ length: 1200 }, (_, i) => pod(i));
      store.intern(first, { hashes: false });
      const raw = () =>
        conn.db.prepare('SELECT coalesce(sum(raw_bytes), 0) FROM object_packs').pluck().get() as number;
      const before = raw();
      // equal objects as new instances, two of them changed
      const again = first.map((o, i) => (i === 5 || i === 900 ? pod(i, '-b') : structuredClone(o)));
      const r = store.intern(again, { hashes: true });
      expect(r.newObjects).toBe(2);
      const grown = raw() - before;
      const want = Buffer.byteLength(canonicalJson(again[5])) + Buffer.byteLength(canonicalJson(again[900]));
      expect(grown).toBe(want);
      expect(store.byIds([r.ids[5]!, r.ids[900]!, r.ids[6]!])).toEqual([again[5], again[900], first[6]]);
      expect(r.hashes[6]).toBe(crypto.createHash('sha256').update(canonicalJson(first[6])).digest('hex'));
      // remembered instances give their hashes back too
      expect(store.intern([again[6]], { hashes: true }).hashes).toEqual([r.hashes[6]]);
    } finally {
      conn.close();
    }
  });

  it('fails an intern half-way without its packs answering the next one', async () => {
    const conn = openDatabase(tempStorePath());
    const other = openDatabase(tempStorePath());
    try {
      const store = objectStore(conn);
      const bad = Array.from({ length: 1200 }, (_, i) => (i === 900 ? { a: 1n } : pod(i)));
      expect(() => store.intern(bad, { hashes: false })).toThrow(/cannot be stored as JSON/);
      expect(conn.db.prepare('SELECT count(*) FROM objects').pluck().get()).toBe(0);
      await new Promise((r) => setTimeout(r, 100)); // the ended worker's exit is not taken for the next one's
      const good = Array.from({ length: 1200 }, (_, i) => pod(i + 5000));
      const r = store.intern(good, { hashes: true });
      const want = objectStore(other).intern(good, { hashes: true });
      expect(r.hashes).toEqual(want.hashes);
      expect(store.byIds(r.ids.slice(-2))).toEqual(good.slice(-2));
    } finally {
      conn.close();
      other.close();
    }
  });

  it('keeps equal objects once within one intern, across packs', () => {
    const conn = openDatabase(tempStorePath());
    try {
      // each twice in a row (the same pack), and again 1000 later (another pack)
      const objs = Array.from({ length: 1200 }, (_, i) => pod(Math.floor(i / 2) % 500));
      expect(PACK_TARGET_BYTES).toBeLessThan(1200 * 900);
      const r = objectStore(conn).intern(objs, { hashes: false });
      expect(r.newObjects).toBe(500);
      expect(new Set(r.ids).size).toBe(500);
      expect(r.ids[0]).toBe(r.ids[1]);
      expect(r.ids[2]).toBe(r.ids[1002]);
      const raw = conn.db.prepare('SELECT sum(raw_bytes) FROM object_packs').pluck().get() as number;
      expect(raw).toBe(
        objs
          .slice(0, 1000)
          .filter((_, i) => i % 2 === 0)
          .reduce((n, o) => n + Buffer.byteLength(canonicalJson(o)), 0),
      );
      expect(objectStore(conn).byIds([r.ids[1199]!])).toEqual([objs[1199]]);
    } finally {
      conn.close();
    }
  });
});
