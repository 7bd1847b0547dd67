import zlib from 'node:zlib';
import { AppError } from '../../shared/errors';
import { canonicalJson } from './canonicalJson';
import type { Connection } from './database';
import { refMatches, refOf, type ObjectRef, type ObjectStoreInternals } from './objects';

export interface SnapshotInput {
  incidentId?: string | null;
  /** what took it, e.g. "inventory:prod-eu" or "manual" */
  source: string;
  takenAt?: Date;
  objects: unknown[];
  meta?: Record<string, unknown>;
}

export interface SnapshotSummary {
  id: number;
  incidentId: string | null;
  source: string;
  takenAt: string;
  objectCount: number;
}

export interface Snapshot {
  id: number;
  incidentId: string | null;
  source: string;
  takenAt: string;
  meta: Record<string, unknown>;
  hashes: string[];
}

export interface Snapshots {
  /** Stores the objects not already stored and the ordered list of all of them, in one transaction. */
  create(s: SnapshotInput): { id: number; takenAt: string; objectCount: number; newObjects: number };
  get(id: number): Snapshot | undefined;
  /** Newest first. `incidentId`: omitted = all, null = those taken outside an incident. */
  list(opts?: { incidentId?: string | null; limit?: number }): SnapshotSummary[];
  /** The snapshot's objects in the order they were captured ([] for an unknown id). */
  objects<T = unknown>(id: number): T[];
  /** Only the snapshot's objects named in `wanted`, in capture order: decodes those, not the whole snapshot. */
  objectsNamed<T = unknown>(id: number, wanted: readonly ObjectRef[]): T[];
  /**
   * What differs between two snapshots without reading what they share: the objects only in `a` (before), only
   * in `b` (after), and how many they hold in common (an object stored once is the same row in both).
   */
  changedObjects<T = unknown>(a: number, b: number): { before: T[]; after: T[]; unchanged: number };
  /** The snapshot's object row ids, in capture order ([] for an unknown id). */
  memberIds(id: number): number[];
  /**
   * Inserts a snapshot whose member ids (encoded as encodeMembers does) are in this store, which importPacked
   * filled (ids 1..n, none missing). Refuses a list whose length is not `objectCount` or that names another id.
   */
  importSnapshot(s: { source: string; takenAt: Date; members: Buffer; objectCount: number }): number;
}

export const SNAPSHOT_LIST_DEFAULT_LIMIT = 100;

interface SnapshotRow {
  id: number;
  incident_id: string | null;
  source: string;
  taken_at: string;
  meta: string;
  object_count: number;
  members: Buffer;
}

export function snapshotStore(conn: Connection, objects: ObjectStoreInternals): Snapshots {
  const { db } = conn;
  const insert = db.prepare<[string | null, string, string, string, number, Buffer]>(
    'INSERT INTO snapshots (incident_id, source, taken_at, meta, object_count, members) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const maxObjectId = db.prepare<[], number | null>('SELECT max(id) FROM objects').pluck();
  const selectOne = db.prepare<[number], SnapshotRow>('SELECT * FROM snapshots WHERE id = ?');
  const selectMembers = db.prepare<[number], { object_count: number; members: Buffer }>(
    'SELECT object_count, members FROM snapshots WHERE id = ?',
  );
  const columns = 'id, incident_id, source, taken_at, object_count';
  const listAll = db.prepare<[number], SnapshotRow>(
    `SELECT ${columns} FROM snapshots ORDER BY taken_at DESC, id DESC LIMIT ?`,
  );
  const listNoIncident = db.prepare<[number], SnapshotRow>(
    `SELECT ${columns} FROM snapshots WHERE incident_id IS NULL ORDER BY taken_at DESC, id DESC LIMIT ?`,
  );
  const listIncident = db.prepare<[string, number], SnapshotRow>(
    `SELECT ${columns} FROM snapshots WHERE incident_id = ? ORDER BY taken_at DESC, id DESC LIMIT ?`,
  );

  const membersOf = (row: { object_count: number; members: Buffer }, id: number) => {
    const ids = decodeMembers(row.members);
    if (ids.length !== row.object_count) {
      throw new AppError(
        'STORE_CORRUPT',
        `The store at ${conn.path} is damaged: snapshot ${id} lists ${ids.length} objects, not ${row.object_count}.`,
        'Firebreak has left the file as it is. Restore it from a backup.',
        { path: conn.path },
      );
    }
    return ids;
  };

  const memberIds = (id: number): number[] => {
    const row = selectMembers.get(id);
    return row ? membersOf(row, id) : [];
  };

  return {
    create(s: SnapshotInput) {
      if (typeof s.source !== 'string' || s.source.length === 0)
        throw new AppError('INVALID_INPUT', 'A snapshot needs a source.', 'This is a bug in the caller.');
      if (s.incidentId !== undefined && s.incidentId !== null && typeof s.incidentId !== 'string') {
        throw new AppError(
          'INVALID_INPUT',
          "A snapshot's incident id must be a string or null.",
          'This is a bug in the caller.',
        );
      }
      const takenAt = s.takenAt ?? new Date();
      if (!(takenAt instanceof Date) || Number.isNaN(takenAt.getTime()))
        throw new AppError(
          'INVALID_INPUT',
          "A snapshot's time must be a valid Date.",
          'This is a bug in the caller.',
        );
      const meta = canonicalJson(s.meta ?? {});
      if (!meta.startsWith('{'))
        throw new AppError(
          'INVALID_INPUT',
          "A snapshot's meta must be a JSON object.",
          'This is a bug in the caller.',
        );
      const at = takenAt.toISOString();
      return conn.transaction(() => {
        const { ids, newObjects } = objects.intern(s.objects, { hashes: false });
        const id = Number(
          insert.run(s.incidentId ?? null, s.source, at, meta, ids.length, encodeMembers(ids))
            .lastInsertRowid,
        );
        return { id, takenAt: at, objectCount: ids.length, newObjects };
      });
    },

    get(id: number): Snapshot | undefined {
      const row = selectOne.get(id);
      if (!row) return undefined;
      return {
        id: row.id,
        incidentId: row.incident_id,
        source: row.source,
        takenAt: row.taken_at,
        meta: JSON.parse(row.meta) as Record<string, unknown>,
        hashes: objects.hashesOf(membersOf(row, id)),
      };
    },

    list(opts = {}): SnapshotSummary[] {
      const limit = opts.limit ?? SNAPSHOT_LIST_DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1)
        throw new AppError(
          'INVALID_INPUT',
          'The snapshot list limit must be a positive whole number.',
          'This is a bug in the caller.',
        );
      const rows =
        opts.incidentId === undefined
          ? listAll.all(limit)
          : opts.incidentId === null
            ? listNoIncident.all(limit)
            : listIncident.all(opts.incidentId, limit);
      return rows.map((row) => ({
        id: row.id,
        incidentId: row.incident_id,
        source: row.source,
        takenAt: row.taken_at,
        objectCount: row.object_count,
      }));
    },

    objects<T = unknown>(id: number): T[] {
      const row = selectMembers.get(id);
      return row ? objects.byIds<T>(membersOf(row, id)) : [];
    },

    objectsNamed<T = unknown>(id: number, wanted: readonly ObjectRef[]): T[] {
      const row = selectMembers.get(id);
      if (!row) return [];
      const ids = membersOf(row, id);
      const named = objects.namedIds(wanted);
      // objects stored before refs existed: read them all and pick by name
      if (ids.some((i) => i <= named.unnamedUpTo))
        return objects.byIds<T>(ids).filter((o) => refMatches(refOf(o), wanted));
      return objects.byIds<T>(ids.filter((i) => named.ids.has(i)));
    },

    changedObjects<T = unknown>(a: number, b: number) {
      const ma = memberIds(a);
      const mb = memberIds(b);
      const inA = new Set(ma);
      const inB = new Set(mb);
      const onlyA = ma.filter((id) => !inB.has(id));
      const onlyB = mb.filter((id) => !inA.has(id));
      return {
        before: objects.byIds<T>(onlyA),
        after: objects.byIds<T>(onlyB),
        unchanged: inA.size - new Set(onlyA).size,
      };
    },

    memberIds,

    importSnapshot(s) {
      // checked without building the id list: a 4-hour capture has 960 lists of 29,000 ids
      let count: number;
      try {
        count = checkMembers(s.members, maxObjectId.get() ?? 0);
      } catch {
        count = -1;
      }
      if (count < 0 || count !== s.objectCount)
        throw new AppError(
          'INVALID_INPUT',
          `A snapshot lists ${Math.max(count, 0)} objects where ${s.objectCount} were expected, or one this store does not hold.`,
          'This is a bug in the exporter.',
        );
      return Number(
        insert.run(null, s.source, s.takenAt.toISOString(), '{}', count, s.members).lastInsertRowid,
      );
    },
  };
}

/**
 * A snapshot's object ids, compactly: each id as the zigzag varint of its difference from the one before, then
 * deflated. Consecutive captures list mostly the same, mostly ascending ids, so 29,000 members take a few KB
 * (29,000 raw 32-byte hashes would be 928 KB per capture and defeat the < 2% growth target).
 */
export function encodeMembers(ids: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(ids.length * 8 + 8);
  let at = 0;
  let prev = 0;
  for (const id of ids) {
    const delta = id - prev;
    prev = id;
    let z = delta >= 0 ? delta * 2 : -delta * 2 - 1; // arithmetic, not bit operations: ids may pass 2^31
    while (z >= 0x80) {
      out[at++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    out[at++] = z;
  }
  return zlib.deflateRawSync(out.subarray(0, at));
}

/**
 * How many ids an encoded member list holds, or -1 when one lies outside 1..maxId (ids 1..maxId all exist).
 * decodeMembers' loop, written out again on purpose: one walker with a callback for both made a replay seek's
 * p95 33 -> 85-106 ms on the 960-capture bench.
 */
function checkMembers(members: Buffer, maxId: number): number {
  const bytes = zlib.inflateRawSync(members);
  let count = 0;
  let prev = 0;
  let z = 0;
  let scale = 1;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    z += (byte & 0x7f) * scale;
    if (byte & 0x80) {
      scale *= 0x80;
      continue;
    }
    prev += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    if (!(prev >= 1 && prev <= maxId)) return -1;
    count++;
    z = 0;
    scale = 1;
  }
  return z === 0 && scale === 1 ? count : -1;
}

export function decodeMembers(members: Buffer): number[] {
  const bytes = zlib.inflateRawSync(members);
  const ids: number[] = [];
  let prev = 0;
  let z = 0;
  let scale = 1;
  for (const byte of bytes) {
    z += (byte & 0x7f) * scale;
    if (byte & 0x80) {
      scale *= 0x80;
      continue;
    }
    prev += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    ids.push(prev);
    z = 0;
    scale = 1;
  }
  return ids;
}
