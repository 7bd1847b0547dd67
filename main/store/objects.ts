import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { AppError } from '../../shared/errors';
import { storedJson } from './canonicalJson';
import { BROTLI_OPTIONS, inlinePacker, workerPacker, type Packer } from './packer';
import type { Connection } from './database';

/**
 * Content-addressed storage of cluster objects: an object's address is the sha256 of its canonical JSON
 * (see canonicalJson.ts), so equal objects are stored once however many snapshots hold them.
 *
 * What goes in is stored as given: taking Secret data and env values out is the capture code's job (main/kube),
 * which knows the shapes of Kubernetes objects.
 *
 * Layout. New objects are written in packs: their canonical JSON back to back, compressed together with brotli
 * (quality 1), ~256 KB of JSON per pack. Measured on 29,000 Pod/Deployment/ReplicaSet objects (105 MB of JSON)
 * on the 2-core machine: compressing each ~3.6 KB object on its own takes ~90 µs apiece (2.5-3.5 s in all) and
 * reaches only 2.4x with deflate (one zlib stream per call); 256 KB packs take ~120 ms with brotli q1 and come to
 * 7.7 MB (13.6x), where deflate level 1 takes ~250 ms for 9.8 MB. Reading one object decompresses its pack
 * (~1 ms); the last few packs read are kept.
 *
 * First capture. Storing the inventory's 29,000 trimmed objects (27 MB of JSON) into an empty store: serialising
 * them is ~150 ms of the main thread, writing their rows ~70; hashing and compressing the packs (~110 ms) is done
 * by a worker thread meanwhile (packer.ts), and their key order was checked as they arrived (markIfCanonical).
 * An object already stored leaves its bytes out: a pack that would hold some is packed again with the new ones.
 *
 * Recapture. Hashing means serialising, and serialising 29,000 objects costs about a second, so the store
 * remembers, per object instance, the address it already computed (a WeakMap, dropped with the object).
 * An informer's cache hands out the same instance until the object changes and replaces it on change, so a
 * recapture serialises only what changed. The contract that makes this exact: do not mutate an object after
 * handing it to the store (put a copy instead). As a guard against the likeliest in-place mutation, a Kubernetes
 * object whose metadata.resourceVersion differs from when it was remembered is serialised again.
 */

export interface ObjectStore {
  /** sha256 hex of the canonical JSON; stores the object unless already present. */
  put(obj: unknown): string;
  /** put() for many objects in one transaction; returns their hashes in order. */
  putMany(objs: readonly unknown[]): string[];
  get<T = unknown>(hash: string): T | undefined;
  has(hash: string): boolean;
  /**
   * The objects with these row ids re-packed through `transform` (e.g. dropping secrets) for an incident file;
   * indexOf[i] is where ids[i] went (objects the transform made equal are packed once).
   */
  repack(
    ids: readonly number[],
    transform: (obj: unknown) => unknown,
  ): { packed: PackedObjects; indexOf: number[] };
  /** Inserts packed objects as they are into an empty store: object i gets row id i + 1. */
  importPacked(p: PackedObjects): void;
}

/** What snapshots need from the object store beyond the public API. */
export interface ObjectStoreInternals extends ObjectStore {
  /** Stores what is new among `objs` and returns each one's row id (and hash), and how many distinct objects were new. */
  intern(
    objs: readonly unknown[],
    opts: { hashes: boolean },
  ): { ids: number[]; hashes: string[]; newObjects: number };
  /** The objects with these row ids, in the order given. */
  byIds<T>(ids: readonly number[]): T[];
  /** The hashes of these row ids, in the order given. */
  hashesOf(ids: readonly number[]): string[];
  /**
   * The row ids of every stored version of the objects named, and the highest id stored without a name (before
   * migration 7: 0 when there is none), below which the caller cannot rely on the names.
   */
  namedIds(wanted: readonly ObjectRef[]): { ids: Set<number>; unnamedUpTo: number };
}

/** A Kubernetes object by kind and namespace ('' when cluster-scoped), and name (omitted: all of that kind there). */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name?: string;
}

/** Objects as the store keeps them, detached from a store: packs as they are, and where each object lies. */
export interface PackedObjects {
  packs: Array<{ codec: string; rawBytes: number; data: Buffer }>;
  /** 32 bytes per object */
  hashes: Buffer;
  pack: number[];
  offset: number[];
  length: number[];
  ref: string[];
}

/** 'kind/namespace/name' of a Kubernetes object, '' for anything else. */
export function refOf(obj: unknown): string {
  if (typeof obj !== 'object' || obj === null) return '';
  const { kind, metadata } = obj as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof kind !== 'string' || typeof metadata !== 'object' || metadata === null) return '';
  const { name, namespace } = metadata;
  if (typeof name !== 'string') return '';
  return `${kind}/${typeof namespace === 'string' ? namespace : ''}/${name}`;
}

/** Whether a ref ('kind/namespace/name') is one of the wanted objects. */
export function refMatches(ref: string, wanted: readonly ObjectRef[]): boolean {
  return wanted.some((w) =>
    w.name !== undefined
      ? ref === `${w.kind}/${w.namespace}/${w.name}`
      : ref.startsWith(`${w.kind}/${w.namespace}/`),
  );
}

/**
 * The objects the name index holds: those stored with a ref (storedRef), and those from before refs (NULL). This is
 * the WHERE of the partial index (migration 8), text for text: SQLite uses a partial index only for a query that
 * repeats it.
 */
const REF_INDEXED = "(ref IS NULL OR ref <> '')";
/** Kinds a big cluster has tens of thousands of and a replay never looks up by name (a seek reads workloads and routes). */
const UNNAMED_KINDS = new Set(['Pod', 'ReplicaSet']);

/** The ref an object is stored with: '' for what is never looked up by name, which keeps the name index small. */
function storedRef(obj: unknown): string {
  const kind = typeof obj === 'object' && obj !== null ? (obj as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' && UNNAMED_KINDS.has(kind) ? '' : refOf(obj);
}

export const PACK_CODEC = 'brotli';
/** Uncompressed bytes after which a pack is closed and compressed. */
export const PACK_TARGET_BYTES = 256 * 1024;
const PACK_CACHE_SIZE = 8;

const HASH_HEX = /^[0-9a-f]{64}$/;

interface Remembered {
  id: number;
  resourceVersion: unknown;
}

/** An object serialised into a pack whose hash is not known yet. */
interface PackedItem {
  /** position in the caller's list */
  position: number;
  obj: unknown;
  /** the instance, with its resourceVersion when serialised */
  instance: object | undefined;
  resourceVersion: unknown;
}

interface LocationRow {
  id: number;
  pack_id: number;
  byte_offset: number;
  byte_length: number;
}

export function objectStore(conn: Connection): ObjectStoreInternals {
  const { db } = conn;
  const selectId = db.prepare<[Buffer], number>('SELECT id FROM objects WHERE hash = ?').pluck();
  const selectLocation = db.prepare<[Buffer], LocationRow>(
    'SELECT id, pack_id, byte_offset, byte_length FROM objects WHERE hash = ?',
  );
  const selectLocations = db.prepare<[string], LocationRow>(
    'SELECT id, pack_id, byte_offset, byte_length FROM objects WHERE id IN (SELECT value FROM json_each(?))',
  );
  const selectHashes = db.prepare<[string], { id: number; hash: Buffer }>(
    'SELECT id, hash FROM objects WHERE id IN (SELECT value FROM json_each(?))',
  );
  const insertPack = db.prepare<[string, number, Buffer]>(
    'INSERT INTO object_packs (codec, raw_bytes, data) VALUES (?, ?, ?)',
  );
  const insertObject = db.prepare<[Buffer, number, number, number, string]>(
    'INSERT INTO objects (hash, pack_id, byte_offset, byte_length, ref) VALUES (?, ?, ?, ?, ?)',
  );
  const insertPackAs = db.prepare<[number, string, number, Buffer]>(
    'INSERT INTO object_packs (id, codec, raw_bytes, data) VALUES (?, ?, ?, ?)',
  );
  const insertObjectAs = db.prepare<[number, Buffer, number, number, number, string]>(
    'INSERT INTO objects (id, hash, pack_id, byte_offset, byte_length, ref) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const anyObject = db.prepare<[], number>('SELECT 1 FROM objects LIMIT 1').pluck();
  const selectNamed = db
    .prepare<[string], number>(`SELECT id FROM objects WHERE ref = ? AND ${REF_INDEXED}`)
    .pluck();
  const selectNamedUnder = db
    .prepare<[string, string], number>(`SELECT id FROM objects WHERE ref >= ? AND ref < ? AND ${REF_INDEXED}`)
    .pluck();
  const selectUnnamed = db
    .prepare<[], number | null>(`SELECT max(id) FROM objects WHERE ref IS NULL AND ${REF_INDEXED}`)
    .pluck();
  // rows written from here on always have a ref, so the answer never changes for this connection
  let unnamedUpTo: number | undefined;
  const selectPack = db.prepare<[number], { codec: string; raw_bytes: number; data: Buffer }>(
    'SELECT codec, raw_bytes, data FROM object_packs WHERE id = ?',
  );

  const remembered = new WeakMap<object, Remembered>();
  const packCache = new Map<number, Buffer>();
  // a rolled-back transaction can free pack ids that a later pack reuses
  conn.onRollback(() => packCache.clear());

  function loadPack(packId: number, cache: boolean): Buffer {
    const cached = packCache.get(packId);
    if (cached) {
      packCache.delete(packId);
      packCache.set(packId, cached);
      return cached;
    }
    const row = selectPack.get(packId);
    if (!row) throw corrupt(conn, `object pack ${packId} is missing`);
    if (row.codec !== PACK_CODEC)
      throw corrupt(conn, `object pack ${packId} has an unknown codec "${row.codec}"`);
    const raw = zlib.brotliDecompressSync(row.data);
    if (raw.length !== row.raw_bytes)
      throw corrupt(conn, `object pack ${packId} holds ${raw.length} bytes, not ${row.raw_bytes}`);
    if (cache) {
      packCache.set(packId, raw);
      if (packCache.size > PACK_CACHE_SIZE) packCache.delete(packCache.keys().next().value!);
    }
    return raw;
  }

  function parseAt(pack: Buffer, row: LocationRow): unknown {
    return JSON.parse(pack.toString('utf8', row.byte_offset, row.byte_offset + row.byte_length));
  }

  // the worker that hashes and compresses a big intern's packs (a first capture), started when first needed
  let worker: Packer | undefined;
  conn.onClose(() => worker?.close());

  function intern(objs: readonly unknown[], opts: { hashes: boolean }) {
    if (!Array.isArray(objs))
      throw new AppError(
        'INVALID_INPUT',
        'Objects to store must be given as an array.',
        'This is a bug in the caller.',
      );
    const ids = new Array<number>(objs.length);
    const hashes = opts.hashes ? new Array<string>(objs.length) : [];
    const toRemember: Array<[object, Remembered]> = [];
    // positions of remembered objects whose hash the caller wants (read back from the store at the end)
    const stored: number[] = [];
    let newObjects = 0;

    // Objects not remembered are serialised into packs; the packer hashes and compresses each closed pack (in
    // a worker once there is more than one pack); then, knowing the hashes, what is new is written.
    const packs: Array<{ bounds: Uint32Array; items: PackedItem[]; rawBytes: number }> = [];
    let packer: Packer | undefined;
    let items: PackedItem[] = [];
    let bounds: number[] = [];
    const buf = new PackBuffer();
    const close = (last: boolean) => {
      if (items.length === 0) return;
      // a single pack is done here; a second one means a big intern: hand them all to the worker
      packer ??= last ? inlinePacker() : (worker ??= workerPacker());
      const job = { bytes: buf.bytes(), bounds: Uint32Array.from(bounds) };
      packer.submit(job);
      packs.push({ bounds: job.bounds, items, rawBytes: job.bytes.length });
      buf.reset();
      items = [];
      bounds = [];
    };
    // the same bytes again, for a pack a failed worker did not answer (the objects are unchanged: the contract)
    const rebuild = (k: number) => {
      const again = new PackBuffer();
      for (const item of packs[k]!.items) again.append(storedJson(item.obj));
      return { bytes: again.bytes(), bounds: packs[k]!.bounds };
    };

    const run = () => {
      for (let i = 0; i < objs.length; i++) {
        const obj = objs[i];
        const instance = typeof obj === 'object' && obj !== null ? obj : undefined;
        const resourceVersion = instance && resourceVersionOf(instance);
        if (instance) {
          const known = remembered.get(instance);
          if (known && known.resourceVersion === resourceVersion) {
            ids[i] = known.id;
            if (opts.hashes) stored.push(i);
            continue;
          }
        }
        const offset = buf.length;
        bounds.push(offset, buf.append(storedJson(obj)));
        items.push({ position: i, obj, instance, resourceVersion });
        if (buf.length >= PACK_TARGET_BYTES) close(false);
      }
      close(true);
      const done = packer?.results(rebuild) ?? [];

      // into an empty store (the recorder's first capture) nothing can be there yet: 29,000 lookups saved
      const empty = anyObject.get() === undefined;
      // objects met during this call: hash (as a 32-character binary string) -> row id, or -(n + 1) for the n-th
      // new object of the pack being written
      const seen = new Map<string, number>();
      packs.forEach((p, k) => {
        const { hashes: digests } = done[k]!;
        const digest = (j: number) => digests.subarray(j * 32, j * 32 + 32);
        const key = (j: number) => digests.toString('latin1', j * 32, j * 32 + 32);
        // which of the pack's objects are new (the first of equal ones); the others are stored, or met before
        const fresh: number[] = [];
        const idOf = p.items.map((_, j) => {
          const kj = key(j);
          let id = seen.get(kj);
          if (id === undefined && !empty) {
            id = selectId.get(digest(j));
            if (id !== undefined) seen.set(kj, id);
          }
          if (id === undefined) {
            fresh.push(j);
            seen.set(kj, -fresh.length);
          }
          return id;
        });
        const written: number[] = [];
        if (fresh.length > 0) {
          let { data } = done[k]!;
          let { bounds, rawBytes } = p;
          let slot = (n: number) => fresh[n]!;
          if (fresh.length < p.items.length) {
            // some were stored already: pack only the new ones rather than keep the others' bytes twice
            const again = new PackBuffer();
            const b: number[] = [];
            for (const j of fresh) b.push(again.length, again.append(storedJson(p.items[j]!.obj)));
            data = zlib.brotliCompressSync(again.bytes(), BROTLI_OPTIONS);
            bounds = Uint32Array.from(b);
            rawBytes = again.length;
            slot = (n) => n;
          }
          const packId = Number(insertPack.run(PACK_CODEC, rawBytes, data).lastInsertRowid);
          fresh.forEach((j, n) => {
            const at = slot(n);
            const id = Number(
              insertObject.run(
                digest(j),
                packId,
                bounds[2 * at]!,
                bounds[2 * at + 1]!,
                storedRef(p.items[j]!.obj),
              ).lastInsertRowid,
            );
            written.push(id);
            seen.set(key(j), id);
          });
          newObjects += fresh.length;
        }
        let n = 0;
        p.items.forEach((item, j) => {
          const known = idOf[j];
          const id = known === undefined ? written[n++]! : known < 0 ? written[-known - 1]! : known;
          ids[item.position] = id;
          if (opts.hashes) hashes[item.position] = digests.toString('hex', j * 32, j * 32 + 32);
          if (item.instance) toRemember.push([item.instance, { id, resourceVersion: item.resourceVersion }]);
        });
      });
      if (stored.length > 0) {
        const known = hashesOf(stored.map((i) => ids[i]!));
        stored.forEach((i, n) => (hashes[i] = known[n]!));
      }
      conn.afterCommit(() => {
        for (const [instance, known] of toRemember) remembered.set(instance, known);
      });
      return { ids, hashes, newObjects };
    };
    return conn.transaction(() => {
      try {
        return run();
      } catch (err) {
        packer?.discard(); // a value JSON cannot hold, half-way: the packs sent for it must not answer the next call
        throw err;
      }
    });
  }

  function hashesOf(ids: readonly number[]): string[] {
    const byId = new Map<number, string>();
    for (const row of selectHashes.iterate(JSON.stringify(ids))) byId.set(row.id, row.hash.toString('hex'));
    return ids.map((id) => {
      const hash = byId.get(id);
      if (hash === undefined) throw corrupt(conn, `object ${id} is missing`);
      return hash;
    });
  }

  function locate(ids: readonly number[]): Map<number, LocationRow> {
    const rows = new Map<number, LocationRow>();
    for (const row of selectLocations.iterate(JSON.stringify(ids))) rows.set(row.id, row);
    return rows;
  }

  /** The positions of `ids` grouped by the pack that holds each (a missing object is corruption). */
  function positionsByPack(ids: readonly number[], rows: Map<number, LocationRow>): Map<number, number[]> {
    const byPack = new Map<number, number[]>();
    ids.forEach((id, position) => {
      const row = rows.get(id);
      if (!row) throw corrupt(conn, `object ${id} is missing`);
      const positions = byPack.get(row.pack_id);
      if (positions) positions.push(position);
      else byPack.set(row.pack_id, [position]);
    });
    return byPack;
  }

  return {
    intern,
    put(obj: unknown): string {
      return intern([obj], { hashes: true }).hashes[0]!;
    },
    putMany(objs: readonly unknown[]): string[] {
      return intern(objs, { hashes: true }).hashes;
    },
    get<T = unknown>(hash: string): T | undefined {
      if (typeof hash !== 'string' || !HASH_HEX.test(hash)) return undefined;
      const row = selectLocation.get(Buffer.from(hash, 'hex'));
      return row ? (parseAt(loadPack(row.pack_id, true), row) as T) : undefined;
    },
    has(hash: string): boolean {
      return (
        typeof hash === 'string' &&
        HASH_HEX.test(hash) &&
        selectId.get(Buffer.from(hash, 'hex')) !== undefined
      );
    },
    byIds<T>(ids: readonly number[]): T[] {
      const rows = locate(ids);
      // decompress each pack once, fill every position it serves, then let it go
      const byPack = positionsByPack(ids, rows);
      const out = new Array<T>(ids.length);
      for (const [packId, positions] of byPack) {
        const pack = loadPack(packId, false);
        for (const position of positions) out[position] = parseAt(pack, rows.get(ids[position]!)!) as T;
      }
      return out;
    },
    namedIds(wanted) {
      const ids = new Set<number>();
      for (const w of wanted) {
        if (UNNAMED_KINDS.has(w.kind))
          throw new AppError(
            'INVALID_INPUT',
            `${w.kind}s are not looked up by name in the store.`,
            'This is a bug in the caller: read the whole capture for them.',
          );
        if (w.name !== undefined) {
          for (const id of selectNamed.iterate(`${w.kind}/${w.namespace}/${w.name}`)) ids.add(id);
        } else {
          // every ref under 'kind/namespace/': '0' is the character after '/'
          const under = `${w.kind}/${w.namespace}/`;
          for (const id of selectNamedUnder.iterate(under, `${w.kind}/${w.namespace}0`)) ids.add(id);
        }
      }
      unnamedUpTo ??= selectUnnamed.get() ?? 0;
      return { ids, unnamedUpTo };
    },
    repack(ids, transform) {
      const rows = locate(ids);
      const byPack = positionsByPack(ids, rows);
      const out: PackedObjects = {
        packs: [],
        hashes: Buffer.alloc(0),
        pack: [],
        offset: [],
        length: [],
        ref: [],
      };
      const hashes: Buffer[] = [];
      const indexOf = new Array<number>(ids.length);
      const byHash = new Map<string, number>();
      const buf = new PackBuffer();
      const close = () => {
        if (buf.length === 0) return;
        const raw = buf.bytes();
        out.packs.push({
          codec: PACK_CODEC,
          rawBytes: raw.length,
          data: zlib.brotliCompressSync(raw, BROTLI_OPTIONS),
        });
        buf.reset();
      };
      for (const [packId, positions] of byPack) {
        const pack = loadPack(packId, false);
        for (const position of positions) {
          const obj = transform(parseAt(pack, rows.get(ids[position]!)!));
          const offset = buf.length;
          const length = buf.append(storedJson(obj));
          const digest = crypto.createHash('sha256').update(buf.bytes().subarray(offset)).digest();
          const hex = digest.toString('hex');
          const known = byHash.get(hex);
          if (known !== undefined) {
            buf.truncate(offset); // the transform made it equal to one already packed
            indexOf[position] = known;
            continue;
          }
          indexOf[position] = out.pack.length;
          byHash.set(hex, out.pack.length);
          hashes.push(digest);
          out.pack.push(out.packs.length);
          out.offset.push(offset);
          out.length.push(length);
          out.ref.push(storedRef(obj));
          if (buf.length >= PACK_TARGET_BYTES) close();
        }
      }
      close();
      out.hashes = Buffer.concat(hashes);
      return { packed: out, indexOf };
    },
    importPacked(p) {
      const bad = (what: string) =>
        new AppError(
          'INVALID_INPUT',
          `The packed objects are inconsistent: ${what}.`,
          'This is a bug in the exporter.',
        );
      const n = p.pack.length;
      if (p.hashes.length !== n * 32 || p.offset.length !== n || p.length.length !== n || p.ref.length !== n)
        throw bad('their columns differ in length');
      if (anyObject.get() !== undefined) throw bad('the store already holds objects');
      conn.transaction(() => {
        p.packs.forEach((k, i) => {
          if (k.codec !== PACK_CODEC) throw bad(`pack ${i} has an unknown codec`);
          insertPackAs.run(i + 1, k.codec, k.rawBytes, k.data);
        });
        for (let i = 0; i < n; i++) {
          const pack = p.packs[p.pack[i]!];
          const offset = p.offset[i]!;
          const length = p.length[i]!;
          if (!pack || !(offset >= 0 && length >= 0 && offset + length <= pack.rawBytes))
            throw bad(`object ${i} lies outside its pack`);
          insertObjectAs.run(
            i + 1,
            p.hashes.subarray(i * 32, i * 32 + 32),
            p.pack[i]! + 1,
            offset,
            length,
            p.ref[i]!,
          );
        }
      });
    },
    hashesOf,
  };
}

/** The resourceVersion of a Kubernetes object (undefined for anything else). */
function resourceVersionOf(obj: object): unknown {
  const metadata = (obj as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null
    ? (metadata as { resourceVersion?: unknown }).resourceVersion
    : undefined;
}

function corrupt(conn: Connection, what: string): AppError {
  return new AppError(
    'STORE_CORRUPT',
    `The store at ${conn.path} is damaged: ${what}.`,
    'Firebreak has left the file as it is. Restore it from a backup, or export what still opens.',
    {
      path: conn.path,
    },
  );
}

/** A growable byte buffer that canonical JSON texts are written into back to back. */
class PackBuffer {
  private buf = Buffer.allocUnsafe(PACK_TARGET_BYTES + 64 * 1024);
  length = 0;

  /** Appends `text` as UTF-8 and returns how many bytes that took. */
  append(text: string): number {
    const worst = text.length * 3; // UTF-8 needs at most 3 bytes per UTF-16 code unit
    if (this.length + worst > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + worst));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    const written = this.buf.write(text, this.length, 'utf8');
    this.length += written;
    return written;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  truncate(length: number): void {
    this.length = length;
  }

  reset(): void {
    this.length = 0;
  }
}
