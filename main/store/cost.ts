import { AppError } from '../../shared/errors';
import type { Connection } from './database';

/**
 * Cost tables (migration 4):
 * - cost_cache: every Cost Explorer answer (all pages of one call together), by the logical call it answers;
 *   a refresh replaces its calls in one transaction, so a failure half-way leaves the cache as it was.
 * - focus_imports / focus_costs: FOCUS billing exports, aggregated per (day, tags, category, currency, and since
 *   migration 6 service category, service, charge category, region, sub account); an import is one
 *   transaction, so a file is either wholly in or not at all.
 * - price_table: GPU-hour and node-hour prices.
 * Amounts are decimal strings (exact), never REALs.
 */
export interface CostCacheEntry {
  key: string;
  source: string;
  operation: string;
  request: unknown;
  response: unknown;
  pages: number;
  fetchedAt: string;
}

export interface FocusImportRecord {
  id: number;
  fileName: string;
  fileSha256: string;
  focusVersion: string;
  rows: number;
  periodStart: string | null;
  periodEnd: string | null;
  ignoredColumns: string[];
  totals: Array<{ amount: string; currency: string }>;
  importedAt: string;
}

/** What a FOCUS charge is, for the review's breakdowns ('' = the file does not say). */
export interface FocusDims {
  serviceCategory: string;
  serviceName: string;
  chargeCategory: string;
  /** RegionName, else RegionId */
  region: string;
  /** SubAccountName, else SubAccountId */
  subAccount: string;
}

export interface FocusCostRow {
  /** YYYY-MM-DD */
  day: string;
  /** canonical JSON of the charge's tags */
  tags: string;
  category: 'gpu' | 'other';
  currency: string;
  dims: FocusDims;
  billed: string;
  effective: string;
  rows: number;
}

export interface PriceRow {
  kind: 'gpu' | 'node';
  match: string;
  hourly: string;
  currency: string;
  gpus: number | null;
}

export interface CostTables {
  cacheGet(key: string): CostCacheEntry | undefined;
  /** Several answers replaced together (one transaction). */
  cachePutAll(entries: CostCacheEntry[]): void;
  cacheKeys(prefix: string): string[];
  cacheDelete(prefix: string): number;

  focusFindBySha(sha256: string): FocusImportRecord | undefined;
  /** The import and its rows, in one transaction; returns the import's id. */
  focusImport(record: Omit<FocusImportRecord, 'id'>, rows: Iterable<FocusCostRow>): number;
  focusList(): FocusImportRecord[];
  focusDelete(id: number): boolean;
  /** Aggregated rows whose day is in [startDay, endDay) (YYYY-MM-DD). */
  focusCosts(startDay: string, endDay: string): Array<FocusCostRow & { importId: number }>;

  priceList(): PriceRow[];
  /** Replaces the whole table (one transaction). */
  priceReplace(rows: PriceRow[]): void;
}

export function costTables(conn: Connection): CostTables {
  const { db } = conn;
  const cacheSelect = db.prepare<
    [string],
    {
      key: string;
      source: string;
      operation: string;
      request: string;
      response: string;
      pages: number;
      fetched_at: string;
    }
  >('SELECT key, source, operation, request, response, pages, fetched_at FROM cost_cache WHERE key = ?');
  const cacheUpsert = db.prepare<[string, string, string, string, string, number, string]>(
    `INSERT INTO cost_cache (key, source, operation, request, response, pages, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET source = excluded.source, operation = excluded.operation, request = excluded.request,
       response = excluded.response, pages = excluded.pages, fetched_at = excluded.fetched_at`,
  );
  // keys starting with a prefix: key >= prefix AND key < prefix + U+FFFF (uses the primary key's index)
  const cacheKeys = db
    .prepare<[string, string], string>('SELECT key FROM cost_cache WHERE key >= ? AND key < ? ORDER BY key')
    .pluck();
  const cacheDelete = db.prepare<[string, string]>('DELETE FROM cost_cache WHERE key >= ? AND key < ?');

  type ImportRow = {
    id: number;
    file_name: string;
    file_sha256: string;
    focus_version: string;
    rows: number;
    period_start: string | null;
    period_end: string | null;
    ignored_columns: string;
    totals: string;
    imported_at: string;
  };
  const importColumns =
    'id, file_name, file_sha256, focus_version, rows, period_start, period_end, ignored_columns, totals, imported_at';
  const importBySha = db.prepare<[string], ImportRow>(
    `SELECT ${importColumns} FROM focus_imports WHERE file_sha256 = ?`,
  );
  const importList = db.prepare<[], ImportRow>(`SELECT ${importColumns} FROM focus_imports ORDER BY id`);
  const importInsert = db.prepare<
    [string, string, string, number, string | null, string | null, string, string, string]
  >(
    `INSERT INTO focus_imports (file_name, file_sha256, focus_version, rows, period_start, period_end, ignored_columns, totals, imported_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const rowInsert = db.prepare<
    [number, string, string, string, string, string, string, number, string, string, string, string, string]
  >(
    `INSERT INTO focus_costs (import_id, day, tags, category, currency, billed, effective, rows,
       service_category, service_name, charge_category, region, sub_account)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const rowsDelete = db.prepare<[number]>('DELETE FROM focus_costs WHERE import_id = ?');
  const importDelete = db.prepare<[number]>('DELETE FROM focus_imports WHERE id = ?');
  const rowsByDay = db.prepare<
    [string, string],
    {
      import_id: number;
      day: string;
      tags: string;
      category: 'gpu' | 'other';
      currency: string;
      billed: string;
      effective: string;
      rows: number;
      service_category: string;
      service_name: string;
      charge_category: string;
      region: string;
      sub_account: string;
    }
  >(
    `SELECT import_id, day, tags, category, currency, billed, effective, rows,
       service_category, service_name, charge_category, region, sub_account
     FROM focus_costs WHERE day >= ? AND day < ? ORDER BY day, import_id`,
  );

  const priceSelect = db.prepare<
    [],
    { kind: 'gpu' | 'node'; match: string; hourly: string; currency: string; gpus: number | null }
  >('SELECT kind, match, hourly, currency, gpus FROM price_table ORDER BY kind, match');
  const priceClear = db.prepare('DELETE FROM price_table');
  const priceInsert = db.prepare<[string, string, string, string, number | null]>(
    'INSERT INTO price_table (kind, match, hourly, currency, gpus) VALUES (?, ?, ?, ?, ?)',
  );

  const toImport = (r: ImportRow): FocusImportRecord => ({
    id: r.id,
    fileName: r.file_name,
    fileSha256: r.file_sha256,
    focusVersion: r.focus_version,
    rows: r.rows,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    ignoredColumns: JSON.parse(r.ignored_columns) as string[],
    totals: JSON.parse(r.totals) as Array<{ amount: string; currency: string }>,
    importedAt: r.imported_at,
  });

  return {
    cacheGet(key) {
      const r = cacheSelect.get(key);
      if (!r) return undefined;
      return {
        key: r.key,
        source: r.source,
        operation: r.operation,
        request: JSON.parse(r.request) as unknown,
        response: JSON.parse(r.response) as unknown,
        pages: r.pages,
        fetchedAt: r.fetched_at,
      };
    },
    cachePutAll(entries) {
      conn.transaction(() => {
        for (const e of entries) {
          if (!e.key)
            throw new AppError(
              'INVALID_INPUT',
              'A cached cost answer needs a key.',
              'This is a bug in the caller.',
            );
          cacheUpsert.run(
            e.key,
            e.source,
            e.operation,
            json(e.request),
            json(e.response),
            e.pages,
            e.fetchedAt,
          );
        }
      });
    },
    cacheKeys: (prefix) => cacheKeys.all(prefix, `${prefix}\uffff`),
    cacheDelete: (prefix) => cacheDelete.run(prefix, `${prefix}\uffff`).changes,

    focusFindBySha(sha) {
      const r = importBySha.get(sha);
      return r ? toImport(r) : undefined;
    },
    focusImport(record, rows) {
      return conn.transaction(() => {
        const info = importInsert.run(
          record.fileName,
          record.fileSha256,
          record.focusVersion,
          record.rows,
          record.periodStart,
          record.periodEnd,
          json(record.ignoredColumns),
          json(record.totals),
          record.importedAt,
        );
        const id = Number(info.lastInsertRowid);
        for (const r of rows)
          rowInsert.run(
            id,
            r.day,
            r.tags,
            r.category,
            r.currency,
            r.billed,
            r.effective,
            r.rows,
            r.dims.serviceCategory,
            r.dims.serviceName,
            r.dims.chargeCategory,
            r.dims.region,
            r.dims.subAccount,
          );
        return id;
      });
    },
    focusList: () => importList.all().map(toImport),
    focusDelete(id) {
      return conn.transaction(() => {
        rowsDelete.run(id);
        return importDelete.run(id).changes > 0;
      });
    },
    focusCosts(startDay, endDay) {
      return rowsByDay.all(startDay, endDay).map((r) => ({
        importId: r.import_id,
        day: r.day,
        tags: r.tags,
        category: r.category,
        currency: r.currency,
        billed: r.billed,
        effective: r.effective,
        rows: r.rows,
        dims: {
          serviceCategory: r.service_category,
          serviceName: r.service_name,
          chargeCategory: r.charge_category,
          region: r.region,
          subAccount: r.sub_account,
        },
      }));
    },

    priceList: () => priceSelect.all().map((r) => ({ ...r })),
    priceReplace(rows) {
      conn.transaction(() => {
        priceClear.run();
        for (const r of rows) priceInsert.run(r.kind, r.match, r.hourly, r.currency, r.gpus);
      });
    },
  };
}

function json(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined)
    throw new AppError('INVALID_INPUT', 'A cost record must be JSON.', 'This is a bug in the caller.');
  return text;
}
