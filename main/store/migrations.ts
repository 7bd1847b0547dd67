import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';

/**
 * The schema, as the list of steps that built it. Migration N takes a file from schema N-1 to N; the schema
 * version is SQLite's `PRAGMA user_version` (0 for a new file). A migration that has shipped is never edited:
 * a change is a new migration at the end (test/fixtures/store/v1.sqlite guards migration 1).
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'settings and the audit log',
    sql: `
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value))
      );

      -- append-only, hash-chained: hash = sha256(hash of seq-1 + canonical JSON of the entry); see audit.ts
      CREATE TABLE audit_log (
        seq     INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        target  TEXT NOT NULL,
        result  TEXT NOT NULL,
        details TEXT NOT NULL CHECK (json_valid(details)),
        hash    TEXT NOT NULL
      );
      CREATE TRIGGER audit_log_append_in_order BEFORE INSERT ON audit_log
        WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)
        BEGIN SELECT RAISE(ABORT, 'audit log entries are appended in sequence'); END;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted'); END;
    `,
  },
  {
    version: 2,
    description: 'content-addressed cluster objects and snapshots',
    sql: `
      -- objects are stored in packs: the canonical JSON of many objects back to back, compressed together;
      -- compressing 256 KB at a time is both faster and smaller than compressing each 3 KB object on its own
      CREATE TABLE object_packs (
        id        INTEGER PRIMARY KEY,
        codec     TEXT NOT NULL,
        raw_bytes INTEGER NOT NULL,
        data      BLOB NOT NULL
      );

      CREATE TABLE objects (
        id          INTEGER PRIMARY KEY,
        hash        BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),  -- sha256 of the canonical JSON
        pack_id     INTEGER NOT NULL REFERENCES object_packs(id),
        byte_offset INTEGER NOT NULL,                                -- into the uncompressed pack
        byte_length INTEGER NOT NULL
      );

      -- members: the snapshot's object ids in order, delta + varint encoded and deflated (see snapshots.ts);
      -- a recapture that changed 1% of 29,000 objects costs a few KB here instead of 29,000 rows
      CREATE TABLE snapshots (
        id           INTEGER PRIMARY KEY,
        incident_id  TEXT,
        source       TEXT NOT NULL,
        taken_at     TEXT NOT NULL,
        meta         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
        object_count INTEGER NOT NULL,
        members      BLOB NOT NULL
      );
      CREATE INDEX snapshots_by_incident ON snapshots (incident_id, taken_at);
    `,
  },
  {
    version: 3,
    description: 'cache of Prometheus range-query results',
    sql: `
      -- one row per (query, step, step-aligned window); body is the JSON result as the metrics code keeps it
      CREATE TABLE series_cache (
        id          INTEGER PRIMARY KEY,
        query       TEXT NOT NULL,
        step        REAL NOT NULL,
        range_start REAL NOT NULL,
        range_end   REAL NOT NULL,
        fetched_at  TEXT NOT NULL,
        body        TEXT NOT NULL,
        UNIQUE (query, step, range_start, range_end)
      );
      CREATE INDEX series_cache_by_fetched_at ON series_cache (fetched_at);
    `,
  },
  {
    version: 4,
    description: 'cost: Cost Explorer answers, FOCUS imports, price table',
    sql: `
      -- every Cost Explorer answer (all pages of one call), by the logical call it answers (see main/cost)
      CREATE TABLE cost_cache (
        key        TEXT PRIMARY KEY,
        source     TEXT NOT NULL,
        operation  TEXT NOT NULL,
        request    TEXT NOT NULL CHECK (json_valid(request)),
        response   TEXT NOT NULL CHECK (json_valid(response)),
        pages      INTEGER NOT NULL CHECK (pages >= 1),
        fetched_at TEXT NOT NULL
      );

      -- FOCUS billing exports: one row per file, its charges aggregated per (day, tags, category, currency);
      -- amounts are exact decimal strings
      CREATE TABLE focus_imports (
        id              INTEGER PRIMARY KEY,
        file_name       TEXT NOT NULL,
        file_sha256     TEXT NOT NULL UNIQUE,
        focus_version   TEXT NOT NULL,
        rows            INTEGER NOT NULL,
        period_start    TEXT,
        period_end      TEXT,
        ignored_columns TEXT NOT NULL CHECK (json_valid(ignored_columns)),
        totals          TEXT NOT NULL CHECK (json_valid(totals)),
        imported_at     TEXT NOT NULL
      );
      CREATE TABLE focus_costs (
        import_id INTEGER NOT NULL REFERENCES focus_imports(id) ON DELETE CASCADE,
        day       TEXT NOT NULL,
        tags      TEXT NOT NULL CHECK (json_valid(tags)),
        category  TEXT NOT NULL CHECK (category IN ('gpu', 'other')),
        currency  TEXT NOT NULL,
        billed    TEXT NOT NULL,
        effective TEXT NOT NULL,
        rows      INTEGER NOT NULL
      );
      CREATE INDEX focus_costs_by_day ON focus_costs (day);
      CREATE INDEX focus_costs_by_import ON focus_costs (import_id);

      -- GPU-hour prices by GPU model, node-hour prices by instance type
      CREATE TABLE price_table (
        kind     TEXT NOT NULL CHECK (kind IN ('gpu', 'node')),
        match    TEXT NOT NULL,
        hourly   TEXT NOT NULL,
        currency TEXT NOT NULL,
        gpus     INTEGER,
        PRIMARY KEY (kind, match)
      );
    `,
  },
  {
    version: 5,
    description: 'incidents, the flight recorder timeline, captures and captured series',
    sql: `
      -- one row per incident; body is its JSON record (title, severity, models, milestone corrections …)
      CREATE TABLE incidents (
        id          TEXT PRIMARY KEY,
        declared_ms INTEGER NOT NULL,
        closed_ms   INTEGER,
        body        TEXT NOT NULL CHECK (json_valid(body))
      );

      -- everything the recorder saw or Firebreak did, on one clock; key makes a repeat (an Event's series update,
      -- an alert seen again) the same row with a new count and last time, never a duplicate
      CREATE TABLE timeline (
        id      INTEGER PRIMARY KEY,
        key     TEXT NOT NULL UNIQUE,
        at_ms   INTEGER NOT NULL,
        last_ms INTEGER,
        source  TEXT NOT NULL,
        model   TEXT,
        tone    TEXT NOT NULL,
        summary TEXT NOT NULL,
        object  TEXT,
        count   INTEGER NOT NULL DEFAULT 1,
        details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
      );
      CREATE INDEX timeline_by_time ON timeline (at_ms);

      -- one row per capture of the inventory (its objects are a snapshot); a gap row has no snapshot
      CREATE TABLE captures (
        id          INTEGER PRIMARY KEY,
        at_ms       INTEGER NOT NULL,
        mode        TEXT NOT NULL CHECK (mode IN ('ring', 'incident', 'gap')),
        context     TEXT NOT NULL,
        snapshot_id INTEGER REFERENCES snapshots(id),
        duration_ms INTEGER NOT NULL DEFAULT 0,
        note        TEXT
      );
      CREATE INDEX captures_by_time ON captures (at_ms);

      -- captured series as compressed blocks: a regular grid from t0 every step_s, Float64 values (NaN = none)
      CREATE TABLE series_blocks (
        id         INTEGER PRIMARY KEY,
        series_key TEXT NOT NULL,
        model      TEXT,
        metric     TEXT NOT NULL,
        unit       TEXT NOT NULL,
        t0_ms      INTEGER NOT NULL,
        step_s     INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        data       BLOB NOT NULL,
        UNIQUE (series_key, t0_ms)
      );
      CREATE INDEX series_blocks_by_time ON series_blocks (t0_ms);
    `,
  },
  {
    version: 6,
    description: 'cost: FOCUS charges by service category, service, charge category, region and sub account',
    sql: `
      -- the review's breakdowns; imports made before this migration have '' (the file was not read for them)
      ALTER TABLE focus_costs ADD COLUMN service_category TEXT NOT NULL DEFAULT '';
      ALTER TABLE focus_costs ADD COLUMN service_name     TEXT NOT NULL DEFAULT '';
      ALTER TABLE focus_costs ADD COLUMN charge_category  TEXT NOT NULL DEFAULT '';
      ALTER TABLE focus_costs ADD COLUMN region           TEXT NOT NULL DEFAULT '';
      ALTER TABLE focus_costs ADD COLUMN sub_account      TEXT NOT NULL DEFAULT '';
    `,
  },
  {
    version: 7,
    description: 'replay: objects named by kind/namespace/name, the timeline by source',
    sql: `
      -- ref: 'kind/namespace/name' of a Kubernetes object ('' for anything else; NULL = stored before this
      -- migration), so a replay seek decodes the few objects the war room shows instead of a whole capture
      ALTER TABLE objects ADD COLUMN ref TEXT;
      CREATE INDEX objects_by_ref ON objects (ref);
      -- the war room reads alerts, actions and notes out of a window holding tens of thousands of changes
      CREATE INDEX timeline_by_source ON timeline (source, at_ms);
    `,
  },
  {
    version: 8,
    description: 'objects: the name index leaves out Pods and ReplicaSets',
    sql: `
      -- a big cluster has tens of thousands of Pods and ReplicaSets and a replay never looks one up by name (a
      -- seek reads workloads and routes): they are now stored with ref '' and left out of the index, which cost a
      -- third of a first capture's inserts. The WHERE text is REF_INDEXED in objects.ts: SQLite uses a partial
      -- index only for a query that repeats it. Rows stored before keep their refs (and their index entries).
      DROP INDEX objects_by_ref;
      CREATE INDEX objects_by_ref ON objects (ref) WHERE (ref IS NULL OR ref <> '');
    `,
  },
];

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = migrations.length;

export function schemaVersionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies migrations current+1 .. target in order, each in its own transaction together with the new
 * `user_version`, so a failure leaves the file at the last version that completed. Returns the new version.
 * Tests pass a lower target to build a file as an older Firebreak left it.
 */
export function migrate(db: Database.Database, target: number = LATEST_SCHEMA_VERSION): number {
  if (!Number.isInteger(target) || target < 0 || target > LATEST_SCHEMA_VERSION) {
    throw new RangeError(`no schema version ${target}: this build knows 0..${LATEST_SCHEMA_VERSION}`);
  }
  let version = schemaVersionOf(db);
  if (version > target)
    throw new RangeError(`the file is at schema ${version}, past ${target}; migrations only go forward`);
  for (const migration of migrations.slice(version, target)) {
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError(
        'STORE_ERROR',
        `Could not upgrade the store from schema ${version} to ${migration.version} (${migration.description}): ${(err as Error).message}`,
        'The file is unchanged at its previous version. Free some disk space or check the file permissions, then restart Firebreak.',
        { from: version, to: migration.version },
      );
    }
    version = migration.version;
  }
  return version;
}
