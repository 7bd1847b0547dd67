import zlib from 'node:zlib';
import type { Connection } from './database';

/**
 * The incident tables: incidents, the recorder's timeline, its captures and its captured series (see migration 5).
 * Times are Unix milliseconds. The incident domain (main/incident) decides what goes in; this is only the SQL.
 */

export interface TimelineRow {
  id: number;
  key: string;
  atMs: number;
  lastMs: number | null;
  source: string;
  model: string | null;
  tone: string;
  summary: string;
  object: string | null;
  count: number;
  details: Record<string, unknown>;
}
export type TimelineInput = Omit<TimelineRow, 'id' | 'count' | 'lastMs'> & {
  count?: number;
  lastMs?: number | null;
};

export interface CaptureRow {
  id: number;
  atMs: number;
  mode: 'ring' | 'incident' | 'gap';
  context: string;
  snapshotId: number | null;
  durationMs: number;
  note: string | null;
}

export interface SeriesBlock {
  seriesKey: string;
  model: string | null;
  metric: string;
  unit: string;
  t0Ms: number;
  stepS: number;
  /** NaN = no sample */
  values: Float64Array;
}

export interface TimelineQuery {
  fromMs: number;
  toMs: number;
  sources?: readonly string[];
  models?: readonly string[];
  offset?: number;
  limit?: number;
}

export interface IncidentTables {
  putIncident(id: string, declaredMs: number, closedMs: number | null, body: unknown): void;
  getIncident(id: string): unknown;
  listIncidents(): unknown[];
  /** Inserts, or for a key already there updates count, last time, summary and details: one row per thing. */
  upsertTimeline(entries: readonly TimelineInput[]): number[];
  timeline(q: TimelineQuery): { total: number; rows: TimelineRow[] };
  /** counts per source and per model in a window (for the filter chips) */
  timelineFacets(
    fromMs: number,
    toMs: number,
  ): { sources: Record<string, number>; models: Record<string, number> };
  /** the newest entry at or before `atMs`, within the window */
  timelineCursor(fromMs: number, atMs: number): number | null;
  timelineByKey(key: string): TimelineRow | undefined;
  /** Replaces every row whose key starts with `prefix` (derived rows such as change-points, recomputed). */
  replaceTimeline(prefix: string, entries: readonly TimelineInput[]): void;
  addCapture(c: Omit<CaptureRow, 'id'>): number;
  captures(fromMs: number, toMs: number): CaptureRow[];
  /** the newest capture with a snapshot at or before `atMs` */
  captureAt(atMs: number): CaptureRow | undefined;
  putSeriesBlock(b: SeriesBlock): void;
  seriesBlocks(fromMs: number, toMs: number, keys?: readonly string[]): SeriesBlock[];
  /** bytes the file takes */
  sizeBytes(): number;
  /**
   * Deletes captures, timeline rows and series blocks older than `beforeMs` that lie outside every `keep` window
   * (incidents' data is never pruned without the user's word). Returns rows deleted.
   */
  pruneRing(beforeMs: number, keep: ReadonlyArray<{ fromMs: number; toMs: number }>): number;
}

interface RawTimeline {
  id: number;
  key: string;
  at_ms: number;
  last_ms: number | null;
  source: string;
  model: string | null;
  tone: string;
  summary: string;
  object: string | null;
  count: number;
  details: string;
}

const fromRaw = (r: RawTimeline): TimelineRow => ({
  id: r.id,
  key: r.key,
  atMs: r.at_ms,
  lastMs: r.last_ms,
  source: r.source,
  model: r.model,
  tone: r.tone,
  summary: r.summary,
  object: r.object,
  count: r.count,
  details: JSON.parse(r.details) as Record<string, unknown>,
});

export function encodeValues(values: Float64Array): Buffer {
  return zlib.deflateRawSync(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
}
export function decodeValues(data: Buffer): Float64Array {
  const raw = zlib.inflateRawSync(data);
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  return new Float64Array(copy.buffer, 0, Math.floor(raw.length / 8));
}

export function incidentTables(conn: Connection): IncidentTables {
  const { db } = conn;
  const putIncident = db.prepare<[string, number, number | null, string]>(
    `INSERT INTO incidents (id, declared_ms, closed_ms, body) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET closed_ms = excluded.closed_ms, body = excluded.body`,
  );
  const getIncident = db.prepare<[string], { body: string }>('SELECT body FROM incidents WHERE id = ?');
  const listIncidents = db.prepare<[], { body: string }>(
    'SELECT body FROM incidents ORDER BY declared_ms DESC',
  );
  const upsert = db.prepare<
    [string, number, number | null, string, string | null, string, string, string | null, number, string]
  >(
    `INSERT INTO timeline (key, at_ms, last_ms, source, model, tone, summary, object, count, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET count = MAX(timeline.count, excluded.count), last_ms = excluded.last_ms,
       summary = excluded.summary, details = excluded.details, tone = excluded.tone
     RETURNING id`,
  );
  const byKey = db.prepare<[string], RawTimeline>('SELECT * FROM timeline WHERE key = ?');
  const deletePrefix = db.prepare<[number, string, string]>(
    'DELETE FROM timeline WHERE substr(key, 1, ?) = ? AND source = ?',
  );
  const cursor = db
    .prepare<[number, number], number>(
      'SELECT id FROM timeline WHERE at_ms >= ? AND at_ms <= ? ORDER BY at_ms DESC, id DESC LIMIT 1',
    )
    .pluck();
  const addCapture = db.prepare<[number, string, string, number | null, number, string | null]>(
    'INSERT INTO captures (at_ms, mode, context, snapshot_id, duration_ms, note) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const captures = db.prepare<[number, number], Record<string, unknown>>(
    'SELECT * FROM captures WHERE at_ms >= ? AND at_ms <= ? ORDER BY at_ms, id',
  );
  const captureAt = db.prepare<[number], Record<string, unknown>>(
    'SELECT * FROM captures WHERE at_ms <= ? AND snapshot_id IS NOT NULL ORDER BY at_ms DESC, id DESC LIMIT 1',
  );
  const putBlock = db.prepare<[string, string | null, string, string, number, number, number, Buffer]>(
    `INSERT INTO series_blocks (series_key, model, metric, unit, t0_ms, step_s, n, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (series_key, t0_ms) DO UPDATE SET n = excluded.n, data = excluded.data, step_s = excluded.step_s`,
  );
  const blocks = db.prepare<[number, number], Record<string, unknown>>(
    // a block starting up to a day before the window may reach into it; the caller trims
    'SELECT * FROM series_blocks WHERE t0_ms >= ? - 86400000 AND t0_ms <= ? ORDER BY series_key, t0_ms',
  );
  const size = db
    .prepare<[], number>('SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()')
    .pluck();

  const captureFrom = (r: Record<string, unknown>): CaptureRow => ({
    id: r.id as number,
    atMs: r.at_ms as number,
    mode: r.mode as CaptureRow['mode'],
    context: r.context as string,
    snapshotId: (r.snapshot_id as number | null) ?? null,
    durationMs: r.duration_ms as number,
    note: (r.note as string | null) ?? null,
  });

  /** a WHERE clause outside every kept window (bound as JSON so the statement is one) */
  const outsideKept = (column: string) =>
    `${column} < ? AND NOT EXISTS (SELECT 1 FROM json_each(?) k WHERE ${column} BETWEEN json_extract(k.value, '$[0]') AND json_extract(k.value, '$[1]'))`;
  const pruneTimeline = db.prepare<[number, string]>(`DELETE FROM timeline WHERE ${outsideKept('at_ms')}`);
  // a block goes when its last sample is old (one that starts before a kept window may reach into it)
  const pruneBlocks = db.prepare<[number, string]>(
    `DELETE FROM series_blocks WHERE ${outsideKept('(t0_ms + (n - 1) * step_s * 1000)')}`,
  );
  const pruneCaptures = db.prepare<[number, string]>(`DELETE FROM captures WHERE ${outsideKept('at_ms')}`);

  const upsertAll = (entries: readonly TimelineInput[]): number[] =>
    conn.transaction(() =>
      entries.map(
        (e) =>
          (
            upsert.get(
              e.key,
              e.atMs,
              e.lastMs ?? null,
              e.source,
              e.model,
              e.tone,
              e.summary,
              e.object,
              e.count ?? 1,
              JSON.stringify(e.details),
            ) as { id: number }
          ).id,
      ),
    );

  return {
    putIncident(id, declaredMs, closedMs, body) {
      putIncident.run(id, declaredMs, closedMs, JSON.stringify(body));
    },
    getIncident(id) {
      const row = getIncident.get(id);
      return row ? (JSON.parse(row.body) as unknown) : undefined;
    },
    listIncidents() {
      return listIncidents.all().map((r) => JSON.parse(r.body) as unknown);
    },
    upsertTimeline: upsertAll,
    timeline(q) {
      const where = ['at_ms >= ?', 'at_ms <= ?'];
      const args: unknown[] = [q.fromMs, q.toMs];
      if (q.sources && q.sources.length > 0) {
        where.push('source IN (SELECT value FROM json_each(?))');
        args.push(JSON.stringify(q.sources));
      }
      if (q.models && q.models.length > 0) {
        where.push('(model IS NULL OR model IN (SELECT value FROM json_each(?)))');
        args.push(JSON.stringify(q.models));
      }
      const clause = where.join(' AND ');
      const total = db
        .prepare(`SELECT count(*) FROM timeline WHERE ${clause}`)
        .pluck()
        .get(...args) as number;
      const rows = db
        .prepare(`SELECT * FROM timeline WHERE ${clause} ORDER BY at_ms, id LIMIT ? OFFSET ?`)
        .all(...args, q.limit ?? 200, q.offset ?? 0) as RawTimeline[];
      return { total, rows: rows.map(fromRaw) };
    },
    timelineFacets(fromMs, toMs) {
      const sources = db
        .prepare<[number, number], { k: string; n: number }>(
          'SELECT source AS k, count(*) AS n FROM timeline WHERE at_ms BETWEEN ? AND ? GROUP BY source',
        )
        .all(fromMs, toMs);
      const models = db
        .prepare<[number, number], { k: string; n: number }>(
          'SELECT model AS k, count(*) AS n FROM timeline WHERE at_ms BETWEEN ? AND ? AND model IS NOT NULL GROUP BY model',
        )
        .all(fromMs, toMs);
      return {
        sources: Object.fromEntries(sources.map((r) => [r.k, r.n])),
        models: Object.fromEntries(models.map((r) => [r.k, r.n])),
      };
    },
    timelineCursor(fromMs, atMs) {
      return cursor.get(fromMs, atMs) ?? null;
    },
    timelineByKey(key) {
      const row = byKey.get(key);
      return row ? fromRaw(row) : undefined;
    },
    replaceTimeline(prefix, entries) {
      conn.transaction(() => {
        deletePrefix.run(prefix.length, prefix, 'changepoint');
        upsertAll(entries);
      });
    },
    addCapture(c) {
      return Number(
        addCapture.run(c.atMs, c.mode, c.context, c.snapshotId, c.durationMs, c.note).lastInsertRowid,
      );
    },
    captures(fromMs, toMs) {
      return captures.all(fromMs, toMs).map(captureFrom);
    },
    captureAt(atMs) {
      const row = captureAt.get(atMs);
      return row ? captureFrom(row) : undefined;
    },
    putSeriesBlock(b) {
      putBlock.run(
        b.seriesKey,
        b.model,
        b.metric,
        b.unit,
        b.t0Ms,
        b.stepS,
        b.values.length,
        encodeValues(b.values),
      );
    },
    seriesBlocks(fromMs, toMs, keys) {
      const wanted = keys ? new Set(keys) : null;
      return blocks
        .all(fromMs, toMs)
        .filter((r) => !wanted || wanted.has(r.series_key as string))
        .map((r) => ({
          seriesKey: r.series_key as string,
          model: (r.model as string | null) ?? null,
          metric: r.metric as string,
          unit: r.unit as string,
          t0Ms: r.t0_ms as number,
          stepS: r.step_s as number,
          values: decodeValues(r.data as Buffer),
        }));
    },
    sizeBytes() {
      return size.get() ?? 0;
    },
    pruneRing(beforeMs, keep) {
      const kept = JSON.stringify(keep.map((k) => [k.fromMs, k.toMs]));
      return conn.transaction(
        () =>
          pruneTimeline.run(beforeMs, kept).changes +
          pruneBlocks.run(beforeMs, kept).changes +
          pruneCaptures.run(beforeMs, kept).changes,
      );
    },
  };
}
