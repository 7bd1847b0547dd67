/**
 * The incident file: one self-contained, versioned, hash-checked file a colleague opens in their own Firebreak.
 *
 *   line 1  `FIREBREAK-INCIDENT <format version>`
 *   line 2  the manifest (JSON): incident id and title, when it was written, the payload's byte length and SHA-256
 *   rest    the payload. Format 2: gzip of one JSON document of `indexBytes` bytes (the incident, its timeline,
 *           series blocks, its slice of the audit chain, the captures with their member lists, and where each
 *           object lies), then the object packs as the store keeps them (brotli, content-addressed once).
 *           Format 1 (still opened): gzip of one JSON document holding every object as JSON.
 *
 * Format 2 exists for speed: opening a 4-hour capture of a 20,000-pod cluster re-hashed every object of every
 * capture (minutes); now the packs and member lists are inserted as they are, in one transaction.
 *
 * Opening checks the magic line, the version, the length (truncation), the hash (tampering), then the JSON shape
 * and that every member and object lies where the file says, and loads it into a separate in-memory store: the
 * user's own store is never touched. Everything in it was already trimmed (no env values, no Secret data); keys
 * that name secrets are dropped once more on the way out (the objects are re-packed for that).
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import {
  auditEntryHash,
  encodeMembers,
  GENESIS_HASH,
  openStore,
  withoutSecrets,
  type PackedObjects,
  type Store,
} from '../store';
import type { AuditEntry } from '../../shared/audit';
import { windowOf, getRecord, type IncidentRecord } from './incidents';

export const FILE_MAGIC = 'FIREBREAK-INCIDENT';
export const FILE_FORMAT_VERSION = 2;
/** refuse anything larger before reading it (a 4-hour capture of a large cluster fits well under this) */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
export const FILE_EXTENSION = '.fbi';

const Manifest = z.object({
  format: z.literal('firebreak-incident'),
  version: z.number().int().positive(),
  incidentId: z.string().min(1).max(200),
  title: z.string().max(500),
  writtenAt: z.string(),
  payloadBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** format 2: the gzipped JSON part's length; the packs follow it */
  indexBytes: z.number().int().nonnegative().optional(),
});
export type Manifest = z.infer<typeof Manifest>;

const Count = z.number().int().nonnegative();

const Common = {
  incident: z.record(z.string(), z.unknown()),
  timeline: z.array(
    z.object({
      key: z.string(),
      atMs: z.number(),
      lastMs: z.number().nullable(),
      source: z.string(),
      model: z.string().nullable(),
      tone: z.string(),
      summary: z.string(),
      object: z.string().nullable(),
      count: z.number().int(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
  series: z.array(
    z.object({
      seriesKey: z.string(),
      model: z.string().nullable(),
      metric: z.string(),
      unit: z.string(),
      t0Ms: z.number(),
      stepS: z.number().int().positive(),
      values: z.array(z.number().nullable()),
    }),
  ),
  audit: z.object({ prevHash: z.string(), entries: z.array(z.record(z.string(), z.unknown())) }),
};
const Capture = {
  atMs: z.number(),
  mode: z.enum(['ring', 'incident', 'gap']),
  context: z.string(),
  durationMs: z.number(),
  note: z.string().nullable(),
};

const PayloadV1 = z.object({
  ...Common,
  objects: z.array(z.unknown()),
  captures: z.array(
    z.object({
      ...Capture,
      /** indexes into `objects`, null for a gap */
      members: z.array(Count).nullable(),
    }),
  ),
});
type PayloadV1 = z.infer<typeof PayloadV1>;

const PayloadV2 = z.object({
  ...Common,
  /** the packs, in the order their bytes follow the JSON part */
  packs: z.array(z.object({ codec: z.string(), rawBytes: Count, bytes: Count })),
  /** object i: its SHA-256 (hex, concatenated), pack index, offset and length in the uncompressed pack, name */
  objects: z.object({
    hashes: z.string().regex(/^(?:[0-9a-f]{64})*$/),
    pack: z.array(Count),
    offset: z.array(Count),
    length: z.array(Count),
    ref: z.array(z.string()),
  }),
  captures: z.array(
    z.object({
      ...Capture,
      /** base64 of the member list (object i = id i + 1) as the store encodes it; null for a gap */
      members: z.string().nullable(),
      count: Count.nullable(),
    }),
  ),
});
type PayloadV2 = z.infer<typeof PayloadV2>;

/** A checked file: its manifest and payload (format 2 also has its packs' bytes). */
type ReadIncidentFile =
  | { manifest: Manifest; version: 1; payload: PayloadV1 }
  | { manifest: Manifest; version: 2; payload: PayloadV2; packBytes: Buffer };

const refuse = (message: string, hint: string) => new AppError('INVALID_INPUT', message, hint);

/** The incident's slice of the audit chain: every entry in its window. */
function auditSlice(store: Store, fromMs: number, toMs: number): { prevHash: string; entries: AuditEntry[] } {
  const picked: AuditEntry[] = [];
  let before: number | undefined;
  for (;;) {
    const page = store.audit.list({ limit: 1000, ...(before ? { beforeSeq: before } : {}) });
    if (page.length === 0) break;
    for (const e of page) {
      const t = Date.parse(e.at);
      if (t >= fromMs && t <= toMs) picked.push(e);
    }
    before = page.at(-1)!.seq;
    if (Date.parse(page.at(-1)!.at) < fromMs) break;
  }
  picked.sort((a, b) => a.seq - b.seq);
  const first = picked[0];
  const prev = first && first.seq > 1 ? store.audit.list({ limit: 1, beforeSeq: first.seq })[0] : undefined;
  return { prevHash: prev?.hash ?? GENESIS_HASH, entries: picked };
}

export function exportIncident(store: Store, id: string, nowMs: number): { fileName: string; bytes: Buffer } {
  const rec = getRecord(store, id);
  const w = windowOf(store, rec, nowMs);
  const timeline = store.incidents
    .timeline({ fromMs: w.fromMs, toMs: w.toMs, limit: 10_000_000 })
    .rows.filter((r) => r.source !== 'note' || r.details.incident === rec.id)
    .map(({ id: _id, ...r }) => ({ ...r, details: withoutSecrets(r.details) as Record<string, unknown> }));
  // every object any capture holds, once, in the order first met
  const caps = store.incidents.captures(w.fromMs, w.toMs);
  const position = new Map<number, number>();
  const ids: number[] = [];
  const membersOf = caps.map((c) => {
    if (c.snapshotId === null) return null;
    const m = store.snapshots.memberIds(c.snapshotId);
    for (const id of m)
      if (!position.has(id)) {
        position.set(id, ids.length);
        ids.push(id);
      }
    return m;
  });
  const { packed, indexOf } = store.objects.repack(ids, withoutSecrets);
  const captures: PayloadV2['captures'] = caps.map((c, i) => {
    const m = membersOf[i];
    return {
      atMs: c.atMs,
      mode: c.mode,
      context: c.context,
      durationMs: c.durationMs,
      note: c.note,
      members: m ? encodeMembers(m.map((id) => indexOf[position.get(id)!]! + 1)).toString('base64') : null,
      count: m ? m.length : null,
    };
  });
  const series = store.incidents.seriesBlocks(w.fromMs, w.toMs).map((b) => ({
    ...b,
    values: Array.from(b.values, (v) => (Number.isFinite(v) ? v : null)),
  }));
  const payload: PayloadV2 = {
    incident: rec as unknown as Record<string, unknown>,
    timeline,
    series,
    audit: auditSlice(store, w.fromMs, w.toMs),
    packs: packed.packs.map((p) => ({ codec: p.codec, rawBytes: p.rawBytes, bytes: p.data.length })),
    objects: {
      hashes: packed.hashes.toString('hex'),
      pack: packed.pack,
      offset: packed.offset,
      length: packed.length,
      ref: packed.ref,
    },
    captures,
  };
  const index = zlib.gzipSync(Buffer.from(JSON.stringify(payload)), { level: 9 });
  const body = Buffer.concat([index, ...packed.packs.map((p) => p.data)]);
  return { fileName: `${rec.id}${FILE_EXTENSION}`, bytes: encodeFile(body, index.length, rec, nowMs) };
}

function encodeFile(
  body: Buffer,
  indexBytes: number,
  rec: Pick<IncidentRecord, 'id' | 'title'>,
  nowMs: number,
): Buffer {
  const manifest: Manifest = {
    format: 'firebreak-incident',
    version: FILE_FORMAT_VERSION,
    incidentId: rec.id,
    title: rec.title,
    writtenAt: new Date(nowMs).toISOString(),
    payloadBytes: body.length,
    sha256: crypto.hash('sha256', body, 'hex'),
    indexBytes,
  };
  return Buffer.concat([
    Buffer.from(`${FILE_MAGIC} ${FILE_FORMAT_VERSION}\n${JSON.stringify(manifest)}\n`),
    body,
  ]);
}

/** Reads and checks a file; throws a message a person can act on for each way it can be wrong. */
export function readFile(bytes: Buffer, fileName: string): ReadIncidentFile {
  const shown = fileName.slice(0, 120);
  if (bytes.length > MAX_FILE_BYTES)
    throw refuse(
      `"${shown}" is ${Math.round(bytes.length / 1e6)} MB: too large for an incident file.`,
      'Check that you picked the right file.',
    );
  const nl1 = bytes.indexOf(0x0a);
  const magic = bytes.subarray(0, nl1 < 0 ? Math.min(bytes.length, 40) : nl1).toString('latin1');
  const m = /^FIREBREAK-INCIDENT (\d{1,6})$/.exec(magic);
  if (!m)
    throw refuse(
      `"${shown}" is not a Firebreak incident file.`,
      'Incident files come from "Export incident" in Firebreak and end in .fbi.',
    );
  const version = Number(m[1]);
  if (version > FILE_FORMAT_VERSION)
    throw new AppError(
      'STORE_FROM_NEWER_VERSION',
      `"${shown}" was written by a newer Firebreak (incident file format ${version}; this one reads up to ${FILE_FORMAT_VERSION}).`,
      'Update Firebreak to open it.',
    );
  const nl2 = bytes.indexOf(0x0a, nl1 + 1);
  if (nl2 < 0)
    throw refuse(
      `"${shown}" is truncated: its manifest is incomplete.`,
      'Copy the file again from where it came from.',
    );
  let manifest: Manifest;
  try {
    manifest = Manifest.parse(JSON.parse(bytes.subarray(nl1 + 1, nl2).toString('utf8')));
  } catch {
    throw refuse(`"${shown}" has a damaged manifest.`, 'Copy the file again from where it came from.');
  }
  const body = bytes.subarray(nl2 + 1);
  if (body.length < manifest.payloadBytes)
    throw refuse(
      `"${shown}" is truncated: ${body.length} of ${manifest.payloadBytes} bytes of its contents are there.`,
      'Copy the file again from where it came from; the copy was cut short.',
    );
  if (body.length > manifest.payloadBytes || crypto.hash('sha256', body, 'hex') !== manifest.sha256)
    throw refuse(
      `"${shown}" has been changed since it was exported: its contents do not match the SHA-256 in its manifest.`,
      'Ask for a fresh export; Firebreak does not open an altered incident file.',
    );
  const faulty = () =>
    refuse(
      `"${shown}" passes its hash check but its contents cannot be read.`,
      'It was written by a faulty exporter; ask for a fresh export.',
    );
  const json = (b: Buffer): unknown =>
    JSON.parse(zlib.gunzipSync(b, { maxOutputLength: 4 * MAX_FILE_BYTES }).toString('utf8'));
  let read: ReadIncidentFile;
  try {
    if (version === 1) read = { manifest, version, payload: PayloadV1.parse(json(body)) };
    else {
      const indexBytes = manifest.indexBytes;
      if (indexBytes === undefined || indexBytes > body.length) throw faulty();
      const payload = PayloadV2.parse(json(body.subarray(0, indexBytes)));
      const packBytes = body.subarray(indexBytes);
      if (payload.packs.reduce((n, p) => n + p.bytes, 0) !== packBytes.length) throw faulty();
      read = { manifest, version: 2, payload, packBytes };
    }
  } catch {
    throw faulty();
  }
  if (read.payload.incident.id !== manifest.incidentId)
    throw refuse(
      `"${shown}" names incident ${manifest.incidentId} but holds another.`,
      'Ask for a fresh export.',
    );
  return read;
}

/** Recomputes the audit slice's hashes: true when every entry follows the one before it. */
export function verifyAuditSlice(audit: PayloadV1['audit']): {
  ok: boolean;
  entries: number;
  brokenAt: number | null;
} {
  let prev = audit.prevHash;
  for (const raw of audit.entries) {
    const e = raw as unknown as AuditEntry;
    const { hash, ...rest } = e;
    if (auditEntryHash(prev, rest) !== hash)
      return { ok: false, entries: audit.entries.length, brokenAt: e.seq };
    prev = hash;
  }
  return { ok: true, entries: audit.entries.length, brokenAt: null };
}

export interface OpenedIncident {
  store: Store;
  record: IncidentRecord;
  manifest: Manifest;
  audit: { ok: boolean; entries: number; brokenAt: number | null };
  auditEntries: AuditEntry[];
}

/** Loads a checked file into its own in-memory store, read by the same code as the live war room. */
export function loadIncident(bytes: Buffer, fileName: string): OpenedIncident {
  const read = readFile(bytes, fileName);
  const { manifest, payload } = read;
  const store = openStore(':memory:');
  try {
    store.transaction(() => {
      const rec = payload.incident as unknown as IncidentRecord;
      store.incidents.putIncident(
        rec.id,
        Date.parse(rec.declaredAt),
        rec.closedAt ? Date.parse(rec.closedAt) : null,
        rec,
      );
      store.incidents.upsertTimeline(payload.timeline);
      if (read.version === 2) loadPacked(store, read.payload, read.packBytes, fileName);
      else loadV1(store, read.payload, fileName);
      for (const b of payload.series)
        store.incidents.putSeriesBlock({
          ...b,
          values: Float64Array.from(b.values, (v) => (v === null ? Number.NaN : v)),
        });
    });
  } catch (err) {
    store.close();
    throw err;
  }
  return {
    store,
    record: payload.incident as unknown as IncidentRecord,
    manifest,
    audit: verifyAuditSlice(payload.audit),
    auditEntries: payload.audit.entries as unknown as AuditEntry[],
  };
}

/** Format 2: the packs and member lists go in as they are, after checking that each lies where it says. */
function loadPacked(store: Store, payload: PayloadV2, packBytes: Buffer, fileName: string): void {
  let at = 0;
  const packed: PackedObjects = {
    packs: payload.packs.map((p) => {
      const data = packBytes.subarray(at, at + p.bytes);
      at += p.bytes;
      return { codec: p.codec, rawBytes: p.rawBytes, data };
    }),
    hashes: Buffer.from(payload.objects.hashes, 'hex'),
    pack: payload.objects.pack,
    offset: payload.objects.offset,
    length: payload.objects.length,
    ref: payload.objects.ref,
  };
  try {
    store.objects.importPacked(packed);
    for (const c of payload.captures) {
      const snapshotId =
        c.members === null
          ? null
          : store.snapshots.importSnapshot({
              source: `file:${c.context}`,
              takenAt: new Date(c.atMs),
              members: Buffer.from(c.members, 'base64'),
              objectCount: c.count ?? -1,
            });
      addCapture(store, c, snapshotId);
    }
  } catch {
    // a fresh in-memory store fails only on what the file says: a member or object out of place, a repeated hash
    throw refuse(
      `"${fileName.slice(0, 120)}" passes its hash check but its objects are inconsistent: a capture lists an object it does not hold, or an object lies outside its pack.`,
      'It was written by a faulty exporter; ask for a fresh export.',
    );
  }
}

/** A capture of either format, as the store keeps it. */
function addCapture(store: Store, c: z.infer<z.ZodObject<typeof Capture>>, snapshotId: number | null): void {
  const { atMs, mode, context, durationMs, note } = c;
  store.incidents.addCapture({ atMs, mode, context, snapshotId, durationMs, note });
}

/** Format 1: every capture's objects as JSON, stored again (slow for large captures; small files only). */
function loadV1(store: Store, payload: PayloadV1, fileName: string): void {
  for (const c of payload.captures) {
    let snapshotId: number | null = null;
    if (c.members) {
      const objs = c.members.map((i) => payload.objects[i]);
      if (objs.some((o) => o === undefined))
        throw refuse(
          `"${fileName.slice(0, 120)}" lists an object it does not hold.`,
          'Ask for a fresh export.',
        );
      snapshotId = store.snapshots.create({
        source: `file:${c.context}`,
        takenAt: new Date(c.atMs),
        objects: objs,
      }).id;
    }
    addCapture(store, c, snapshotId);
  }
}
