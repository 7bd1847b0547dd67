import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { AppError } from '../../shared/errors';
import { canonicalJson } from './canonicalJson';
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
}

export const PACK_CODEC = 'brotli';
/** Uncompressed bytes after which a pack is closed and compressed. */
export const PACK_TARGET_BYTES = 256 * 1024;
const PACK_CACHE_SIZE = 8;

const BROTLI_OPTIONS: zlib.BrotliOptions = {
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 1,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    [zlib.constants.BROTLI_PARAM_LGWIN]: 19,
  },
};

const HASH_HEX = /^[0-9a-f]{64}$/;

interface Remembered {
  id: number;
  hash: string;
  resourceVersion: unknown;
}

interface PendingObject {
  hash: string;
  offset: number;
  length: number;
  /** positions in the caller's list that hold this object */
  positions: number[];
  /** the instances that serialised to it, with their resourceVersion at that time */
  instances: Array<[object, unknown]>;
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
  const insertObject = db.prepare<[Buffer, number, number, number]>(
    'INSERT INTO objects (hash, pack_id, byte_offset, byte_length) VALUES (?, ?, ?, ?)',
  );
  const selectPack = db.prepare<[number], { codec: string; data: Buffer }>(
    'SELECT codec, data FROM object_packs WHERE id = ?',
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
    if (cache) {
      packCache.set(packId, raw);
      if (packCache.size > PACK_CACHE_SIZE) packCache.delete(packCache.keys().next().value!);
    }
    return raw;
  }

  function parseAt(pack: Buffer, row: LocationRow): unknown {
    return JSON.parse(pack.toString('utf8', row.byte_offset, row.byte_offset + row.byte_length));
  }

  function intern(objs: readonly unknown[], opts: { hashes: boolean }) {
    if (!Array.isArray(objs))
      throw new AppError(
        'INVALID_INPUT',
        'Objects to store must be given as an array.',
        'This is a bug in the caller.',
      );
    const ids = new Array<number>(objs.length);
    const hashes = opts.hashes ? new Array<string>(objs.length) : [];
    // objects met during this call: hash -> row id, or the pending entry of an object not written yet
    const seen = new Map<string, number | PendingObject>();
    const toRemember: Array<[object, Remembered]> = [];
    let pending: PendingObject[] = [];
    let newObjects = 0;
    const pack = new PackBuffer();

    const flush = () => {
      if (pending.length === 0) return;
      const raw = pack.bytes();
      const packId = Number(
        insertPack.run(PACK_CODEC, raw.length, zlib.brotliCompressSync(raw, BROTLI_OPTIONS)).lastInsertRowid,
      );
      for (const p of pending) {
        const id = Number(
          insertObject.run(Buffer.from(p.hash, 'hex'), packId, p.offset, p.length).lastInsertRowid,
        );
        seen.set(p.hash, id);
        for (const position of p.positions) ids[position] = id;
        for (const [instance, resourceVersion] of p.instances)
          toRemember.push([instance, { id, hash: p.hash, resourceVersion }]);
      }
      pending = [];
      pack.reset();
    };

    return conn.transaction(() => {
      for (let i = 0; i < objs.length; i++) {
        const obj = objs[i];
        const instance = typeof obj === 'object' && obj !== null ? obj : undefined;
        const resourceVersion = instance && resourceVersionOf(instance);
        if (instance) {
          const known = remembered.get(instance);
          if (known && known.resourceVersion === resourceVersion) {
            ids[i] = known.id;
            if (opts.hashes) hashes[i] = known.hash;
            continue;
          }
        }
        const offset = pack.length;
        const length = pack.append(canonicalJson(obj));
        const hash = crypto.hash('sha256', pack.bytes().subarray(offset), 'hex');
        if (opts.hashes) hashes[i] = hash;

        let found = seen.get(hash);
        if (found === undefined) {
          const id = selectId.get(Buffer.from(hash, 'hex'));
          if (id !== undefined) {
            found = id;
            seen.set(hash, id);
          }
        }
        if (found === undefined) {
          const p: PendingObject = {
            hash,
            offset,
            length,
            positions: [i],
            instances: instance ? [[instance, resourceVersion]] : [],
          };
          seen.set(hash, p);
          pending.push(p);
          newObjects++;
          if (pack.length >= PACK_TARGET_BYTES) flush();
          continue;
        }
        pack.truncate(offset); // already stored: its bytes are not needed
        if (typeof found === 'number') {
          ids[i] = found;
          if (instance) toRemember.push([instance, { id: found, hash, resourceVersion }]);
        } else {
          found.positions.push(i);
          if (instance) found.instances.push([instance, resourceVersion]);
        }
      }
      flush();
      conn.afterCommit(() => {
        for (const [instance, known] of toRemember) remembered.set(instance, known);
      });
      return { ids, hashes, newObjects };
    });
  }

  function locate(ids: readonly number[]): Map<number, LocationRow> {
    const rows = new Map<number, LocationRow>();
    for (const row of selectLocations.iterate(JSON.stringify(ids))) rows.set(row.id, row);
    return rows;
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
      const byPack = new Map<number, number[]>();
      ids.forEach((id, position) => {
        const row = rows.get(id);
        if (!row) throw corrupt(conn, `object ${id} is missing`);
        const positions = byPack.get(row.pack_id);
        if (positions) positions.push(position);
        else byPack.set(row.pack_id, [position]);
      });
      const out = new Array<T>(ids.length);
      for (const [packId, positions] of byPack) {
        const pack = loadPack(packId, false);
        for (const position of positions) out[position] = parseAt(pack, rows.get(ids[position]!)!) as T;
      }
      return out;
    },
    hashesOf(ids: readonly number[]): string[] {
      const byId = new Map<number, string>();
      for (const row of selectHashes.iterate(JSON.stringify(ids))) byId.set(row.id, row.hash.toString('hex'));
      return ids.map((id) => {
        const hash = byId.get(id);
        if (hash === undefined) throw corrupt(conn, `object ${id} is missing`);
        return hash;
      });
    },
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
