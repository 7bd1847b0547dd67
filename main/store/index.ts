/**
 * The profile's SQLite store: the only code in Firebreak that holds SQL. See database.ts (opening, pragmas,
 * migrations), audit.ts, objects.ts, snapshots.ts, seriesCache.ts, settings.ts.
 */
import { auditLog, type AuditLog } from './audit';
import { costTables, type CostTables } from './cost';
import { incidentTables, type IncidentTables } from './incidents';
import { openDatabase, storeError } from './database';
import { objectStore, type ObjectStore } from './objects';
import { seriesCache, type SeriesCache } from './seriesCache';
import { settingsTable, type SettingsTable } from './settings';
import { snapshotStore, type Snapshots } from './snapshots';

export { canonicalJson } from './canonicalJson';
export { auditEntryHash, GENESIS_HASH, SECRET_KEY_PATTERN, withoutSecrets, type AuditLog } from './audit';
export { LATEST_SCHEMA_VERSION } from './migrations';
export { storePathFor } from './profiles';
export type { ObjectStore, PackedObjects } from './objects';
export { encodeMembers } from './snapshots';
export type { CostCacheEntry, CostTables, FocusCostRow, FocusImportRecord, PriceRow } from './cost';
export type { SeriesCache, SeriesKey } from './seriesCache';
export type { SettingsTable } from './settings';
export type { Snapshots } from './snapshots';
export type { IncidentTables, TimelineInput, TimelineRow } from './incidents';

export interface Store {
  /** the file, or ':memory:' */
  readonly path: string;
  readonly schemaVersion: number;
  readonly readonly: boolean;
  settings: SettingsTable;
  audit: AuditLog;
  objects: ObjectStore;
  snapshots: Snapshots;
  seriesCache: SeriesCache;
  /** Cost Explorer answers, FOCUS imports and the price table (main/cost) */
  cost: CostTables;
  /** incidents, the recorder's timeline, captures and captured series (main/incident) */
  incidents: IncidentTables;
  /**
   * Runs `fn` in one write transaction: everything it does through this store commits together or not at all.
   * Transactions nest. `fn` must be synchronous (better-sqlite3 commits when it returns).
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * Opens (or creates) the store at `filePath` and upgrades its schema. Throws AppError STORE_FROM_NEWER_VERSION
 * for a file from a newer Firebreak and STORE_CORRUPT for one that is not a store; neither file is touched.
 * SQLite failures from any method arrive as AppError STORE_ERROR / STORE_CORRUPT naming the file.
 */
export function openStore(filePath: string, opts: { readonly?: boolean } = {}): Store {
  const conn = openDatabase(filePath, opts);
  const objects = objectStore(conn);
  const guard = <F extends (...args: never[]) => unknown>(fn: F): F =>
    ((...args: Parameters<F>) => {
      try {
        return fn(...args);
      } catch (err) {
        throw storeError(err, filePath);
      }
    }) as F;
  const guardAll = <T extends object>(api: T): T =>
    Object.fromEntries(
      Object.entries(api).map(([name, fn]) => [name, guard(fn as (...args: never[]) => unknown)]),
    ) as T;

  const {
    intern: _intern,
    byIds: _byIds,
    hashesOf: _hashesOf,
    namedIds: _namedIds,
    ...publicObjects
  } = objects;
  return {
    path: filePath,
    schemaVersion: conn.schemaVersion,
    readonly: conn.readonly,
    settings: guardAll(settingsTable(conn)),
    audit: guardAll(auditLog(conn)),
    objects: guardAll(publicObjects),
    snapshots: guardAll(snapshotStore(conn, objects)),
    seriesCache: guardAll(seriesCache(conn)),
    cost: guardAll(costTables(conn)),
    incidents: guardAll(incidentTables(conn)),
    transaction: guard(<T>(fn: () => T): T => conn.transaction(fn)),
    close: () => conn.close(),
  };
}
