import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersionOf } from './migrations';

/** How long a write waits for another connection (a second window, `serve`) to finish its own, in ms. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * One open store file and its transactions. Transactions nest (the inner ones become savepoints); work that must
 * only happen once the data is really committed (filling in-memory caches) is queued with `afterCommit`, and is
 * dropped when the transaction, or the one around it, rolls back.
 */
export class Connection {
  private readonly frames: Array<Array<() => void>> = [];
  private readonly rollbackListeners: Array<() => void> = [];
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    readonly db: Database.Database,
    readonly path: string,
    readonly readonly: boolean,
    readonly schemaVersion: number,
  ) {}

  transaction<T>(fn: () => T): T {
    const frame: Array<() => void> = [];
    this.frames.push(frame);
    let committed = false;
    try {
      const run = this.db.transaction(fn);
      // IMMEDIATE takes the write lock up front: a read-then-write transaction never fails half-way with
      // SQLITE_BUSY because another connection wrote in between (busy_timeout covers waiting for the lock).
      const result = this.readonly ? run.deferred() : run.immediate();
      committed = true;
      return result;
    } finally {
      this.frames.pop();
      if (!committed) for (const listener of this.rollbackListeners) listener();
      else if (this.frames.length > 0) this.frames[this.frames.length - 1]!.push(...frame);
      else for (const task of frame) task();
    }
  }

  /** Runs `task` when the current transaction commits (at once outside a transaction). */
  afterCommit(task: () => void): void {
    const frame = this.frames[this.frames.length - 1];
    if (frame) frame.push(task);
    else task();
  }

  /** Called after any transaction (or savepoint) rolled back: caches that may hold rolled-back data clear themselves. */
  onRollback(listener: () => void): void {
    this.rollbackListeners.push(listener);
  }

  /** Called once when the connection closes (a worker it started ends with it). */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    for (const listener of this.closeListeners.splice(0)) listener();
    if (this.db.open) this.db.close();
  }
}

/**
 * Opens (creating if needed) a store file and brings its schema up to date.
 * - A file written by a newer Firebreak (user_version above ours) is refused with STORE_FROM_NEWER_VERSION and
 *   left byte-for-byte as it was: its version is read through a read-only connection before anything is written.
 * - A file that is not SQLite, or is damaged, is refused with STORE_CORRUPT; it is never deleted or rewritten.
 * - Read-only opens never migrate: a file at an older schema must be opened read-write once (or copied).
 */
export function openDatabase(filePath: string, opts: { readonly?: boolean } = {}): Connection {
  const readonly = opts.readonly ?? false;
  const inMemory = filePath === ':memory:';
  if (!inMemory) {
    if (fs.existsSync(filePath)) checkVersion(filePath, probeVersion(filePath));
    else if (readonly) throw missingStore(filePath);
    else createFolderFor(filePath);
  }

  let db: Database.Database;
  try {
    db = new Database(filePath, { readonly, fileMustExist: readonly });
  } catch (err) {
    throw storeError(err, filePath);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const found = schemaVersionOf(db); // re-read: another process may have upgraded it since the probe
    checkVersion(filePath, found);
    if (readonly && found < LATEST_SCHEMA_VERSION) {
      throw new AppError(
        'STORE_ERROR',
        `The store at ${filePath} was written by an older Firebreak (schema ${found}); this build needs schema ${LATEST_SCHEMA_VERSION} and cannot upgrade a file opened read-only.`,
        'Open it once without read-only to upgrade it, or open an upgraded copy.',
        { path: filePath, fileVersion: found, supportedVersion: LATEST_SCHEMA_VERSION },
      );
    }
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const version = readonly ? found : migrate(db);
    return new Connection(db, filePath, readonly, version);
  } catch (err) {
    db.close();
    throw storeError(err, filePath);
  }
}

function missingStore(filePath: string): AppError {
  return new AppError(
    'STORE_ERROR',
    `There is no store at ${filePath}.`,
    'Check the path, or open it without read-only to create a new store.',
    { path: filePath },
  );
}

function createFolderFor(filePath: string): void {
  try {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
  } catch (err) {
    throw new AppError(
      'STORE_ERROR',
      `Cannot create the folder for the store at ${filePath}: ${(err as Error).message}`,
      'Check that the folder is writable.',
      { path: filePath },
    );
  }
}

/** user_version of an existing file, read without writing anything (a read-only connection never checkpoints). */
function probeVersion(filePath: string): number {
  let probe: Database.Database | undefined;
  try {
    probe = new Database(filePath, { readonly: true, fileMustExist: true });
    return schemaVersionOf(probe);
  } catch (err) {
    throw storeError(err, filePath);
  } finally {
    probe?.close();
  }
}

function checkVersion(filePath: string, found: number): void {
  if (found <= LATEST_SCHEMA_VERSION) return;
  throw new AppError(
    'STORE_FROM_NEWER_VERSION',
    `The store at ${filePath} was written by a newer Firebreak (schema ${found}); this build understands schema ${LATEST_SCHEMA_VERSION} and older.`,
    'Update Firebreak to open it, or open a copy with the newer version. The file was not changed.',
    { path: filePath, fileVersion: found, supportedVersion: LATEST_SCHEMA_VERSION },
  );
}

/** Turns a SQLite failure into the typed error a person reads; AppErrors and anything else pass through. */
export function storeError(err: unknown, filePath: string): unknown {
  if (err instanceof AppError || !(err instanceof Database.SqliteError)) return err;
  const code = err.code;
  const details = { path: filePath, sqliteCode: code };
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new AppError(
      'STORE_CORRUPT',
      `The file at ${filePath} is not a readable Firebreak store (${err.message}).`,
      'Firebreak has left the file as it is. Restore it from a backup, or move it aside and Firebreak will start a new, empty store.',
      details,
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AppError(
      'STORE_ERROR',
      `The store at ${filePath} is busy: another Firebreak window or process is writing to it.`,
      'Wait a moment and retry; close other Firebreak windows that use this profile.',
      details,
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new AppError(
      'STORE_ERROR',
      `The store at ${filePath} cannot be written: ${err.message}.`,
      'It is open read-only or the file is not writable; open a writable copy or check its permissions.',
      details,
    );
  }
  if (code === 'SQLITE_FULL') {
    return new AppError(
      'STORE_ERROR',
      `The disk holding ${filePath} is full.`,
      'Free some disk space and retry; nothing was half-written.',
      details,
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new AppError(
      'STORE_ERROR',
      `Cannot open the store at ${filePath}: ${err.message}.`,
      'Check that the folder exists and that you may read and write it.',
      details,
    );
  }
  return new AppError(
    'STORE_ERROR',
    `The store at ${filePath} failed: ${err.message}.`,
    'Retry; if it persists, report it with the steps that led here.',
    details,
  );
}
