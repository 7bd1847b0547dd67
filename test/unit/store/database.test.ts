import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { BUSY_TIMEOUT_MS, openDatabase } from '../../../main/store/database';
import { LATEST_SCHEMA_VERSION, migrate, migrations } from '../../../main/store/migrations';
import { openStore, storePathFor } from '../../../main/store';
import { tempDir, tempStorePath } from '../../fixtures/store/files';

function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

describe('opening a store', () => {
  it('sets WAL, synchronous=NORMAL, foreign keys and a busy timeout, and migrates a new file to the latest schema', () => {
    const file = tempStorePath();
    const conn = openDatabase(file);
    try {
      expect(conn.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(conn.db.pragma('synchronous', { simple: true })).toBe(1);
      expect(conn.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(conn.db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
      expect(conn.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(conn.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    } finally {
      conn.close();
    }
  });

  it('creates the folders on the way to the file, and works in memory', () => {
    const file = path.join(tempDir(), 'profiles', 'prod', 'firebreak.sqlite');
    const store = openStore(file);
    expect(store.path).toBe(file);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    store.close();
    expect(fs.existsSync(file)).toBe(true);

    const memory = openStore(':memory:');
    memory.settings.set('a', 1);
    expect(memory.settings.get('a')).toBe(1);
    memory.close();
  });

  it('opening again keeps the data and changes nothing in the schema', () => {
    const file = tempStorePath();
    const first = openStore(file);
    first.settings.set('theme', 'dark');
    first.close();
    const again = openStore(file);
    expect(again.settings.get('theme')).toBe('dark');
    expect(again.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    again.close();
  });
});

describe('migrations', () => {
  it('are numbered 1..N in order, so migration N takes schema N-1 to N', () => {
    expect(migrations.length).toBeGreaterThanOrEqual(3);
    migrations.forEach((m, i) => expect(m.version).toBe(i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(migrations.length);
  });

  it('can stop at any version, and each step sets user_version', () => {
    const db = new Database(':memory:');
    for (let v = 0; v <= LATEST_SCHEMA_VERSION; v++) {
      expect(migrate(db, v)).toBe(v);
      expect(db.pragma('user_version', { simple: true })).toBe(v);
    }
    db.close();
  });

  it('runs each migration in one transaction: a failing one leaves the file at the previous version, untouched', () => {
    const file = tempStorePath();
    const db = new Database(file);
    migrate(db, 1);
    db.exec('CREATE TABLE snapshots (id INTEGER PRIMARY KEY)'); // makes migration 2 fail half-way
    db.close();

    const err = appErrorOf(() => openStore(file));
    expect(err.code).toBe('STORE_ERROR');
    expect(err.message).toMatch(/from schema 1 to 2/);

    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    const tables = check
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(['audit_log', 'settings', 'snapshots']); // object_packs/objects from migration 2 rolled back
    check.close();
  });
});

describe('files Firebreak must not open', () => {
  it('refuses a file from a newer Firebreak with STORE_FROM_NEWER_VERSION, and leaves it byte-for-byte as it was', () => {
    const file = tempStorePath();
    const newer = new Database(file);
    newer.exec("CREATE TABLE future (x); INSERT INTO future VALUES ('from the future')");
    newer.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 7}`);
    newer.close();
    const before = fs.readFileSync(file);
    const siblingsBefore = fs.readdirSync(path.dirname(file)).sort();

    for (const readonly of [false, true]) {
      const err = appErrorOf(() => openStore(file, { readonly }));
      expect(err.code).toBe('STORE_FROM_NEWER_VERSION');
      expect(err.message).toContain(`schema ${LATEST_SCHEMA_VERSION + 7}`);
      expect(err.message).toContain(`schema ${LATEST_SCHEMA_VERSION}`);
      expect(err.message).toContain(file);
      expect(err.hint).toMatch(/update firebreak/i);
      expect(err.hint).toMatch(/copy/i);
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(siblingsBefore);
  });

  it('refuses a newer file in WAL mode without changing the main file', () => {
    const file = tempStorePath();
    const newer = new Database(file);
    newer.pragma('journal_mode = WAL');
    newer.exec('CREATE TABLE future (x)');
    newer.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    newer.close();
    const before = fs.readFileSync(file);
    expect(appErrorOf(() => openStore(file)).code).toBe('STORE_FROM_NEWER_VERSION');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite with STORE_CORRUPT naming it, and never deletes or rewrites it', () => {
    const file = tempStorePath('notes.sqlite');
    const content = Buffer.from('These are my incident notes, not a database.\n'.repeat(40));
    fs.writeFileSync(file, content);

    const err = appErrorOf(() => openStore(file));
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toContain(file);
    expect(err.hint).toMatch(/left the file/i);
    expect(err.details).toMatchObject({ path: file });
    expect(fs.readFileSync(file).equals(content)).toBe(true);
  });
});

describe('read-only', () => {
  it('reads a current store and refuses writes with STORE_ERROR', () => {
    const file = tempStorePath();
    const writer = openStore(file);
    writer.settings.set('k', { v: 1 });
    writer.audit.append({ actor: 'a', action: 'x', target: 't', result: 'ok' });
    writer.close();

    const reader = openStore(file, { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(reader.settings.get('k')).toEqual({ v: 1 });
    expect(reader.audit.verify()).toEqual({ ok: true, entries: 1, brokenAt: null });
    const err = appErrorOf(() => reader.settings.set('k', 2));
    expect(err.code).toBe('STORE_ERROR');
    expect(err.message).toContain(file);
    reader.close();
  });

  it('does not create a missing file and does not upgrade an old one', () => {
    const dir = tempDir();
    expect(appErrorOf(() => openStore(path.join(dir, 'missing.sqlite'), { readonly: true })).code).toBe(
      'STORE_ERROR',
    );
    expect(fs.readdirSync(dir)).toEqual([]);

    const old = path.join(dir, 'old.sqlite');
    const db = new Database(old);
    migrate(db, 1);
    db.close();
    const err = appErrorOf(() => openStore(old, { readonly: true }));
    expect(err.code).toBe('STORE_ERROR');
    expect(err.hint).toMatch(/without read-only/);
    const check = new Database(old, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    check.close();
  });
});

describe('storePathFor', () => {
  it('puts each profile in its own folder under the user-data folder', () => {
    expect(storePathFor('/home/ana/.config/Firebreak', 'prod-eu')).toBe(
      path.join('/home/ana/.config/Firebreak', 'profiles', 'prod-eu', 'firebreak.sqlite'),
    );
    expect(storePathFor('/data', 'default')).toBe(
      path.join('/data', 'profiles', 'default', 'firebreak.sqlite'),
    );
    expect(storePathFor('/data', 'team_a.v2')).toBe(
      path.join('/data', 'profiles', 'team_a.v2', 'firebreak.sqlite'),
    );
  });

  it.each([
    '',
    '.',
    '..',
    '../x',
    'a/b',
    'a\\b',
    '/abs',
    '.hidden',
    'trailing.',
    'has space',
    'nul\u0000',
    'CON',
    'com1.txt',
    'ü',
    'x'.repeat(65),
  ])('rejects %j with INVALID_INPUT', (name) => {
    const err = appErrorOf(() => storePathFor('/data', name));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.hint).toMatch(/letters, digits/);
  });
});

describe('transactions', () => {
  it('a transaction that throws leaves nothing behind, and the objects it stored can be stored again', () => {
    const store = openStore(tempStorePath());
    const objs = [
      { kind: 'Pod', metadata: { name: 'a', resourceVersion: '1' } },
      { kind: 'Pod', metadata: { name: 'b', resourceVersion: '1' } },
    ];
    let hash = '';
    expect(() =>
      store.transaction(() => {
        store.settings.set('half', true);
        store.audit.append({ actor: 'a', action: 'x', target: 't', result: 'ok' });
        hash = store.objects.put({ lonely: true });
        expect(store.objects.get(hash)).toEqual({ lonely: true }); // visible inside, and now in the read cache
        store.snapshots.create({ source: 'test', objects: objs });
        throw new Error('boom');
      }),
    ).toThrow('boom');

    expect(store.settings.get('half')).toBeUndefined();
    expect(store.audit.list()).toEqual([]);
    expect(store.objects.has(hash)).toBe(false);
    expect(store.objects.get(hash)).toBeUndefined();
    expect(store.snapshots.list()).toEqual([]);

    // nothing remembered from the rolled-back work: the same instances are stored again, and read back right
    const again = store.snapshots.create({ source: 'test', objects: objs });
    expect(again.newObjects).toBe(2);
    expect(store.snapshots.objects(again.id)).toEqual(objs);
    const other = store.objects.put({ other: 1 }); // may reuse the rolled-back pack id
    expect(store.objects.get(other)).toEqual({ other: 1 });
    store.close();
  });

  it('a nested transaction that throws is undone alone when the outer one goes on', () => {
    const store = openStore(':memory:');
    const pod = { kind: 'Pod', metadata: { name: 'inner', resourceVersion: '5' } };
    store.transaction(() => {
      store.settings.set('outer', 1);
      try {
        store.transaction(() => {
          store.settings.set('inner', 1);
          store.snapshots.create({ source: 'inner', objects: [pod] });
          throw new Error('inner fails');
        });
      } catch {
        // the outer transaction carries on
      }
    });
    expect(store.settings.get('outer')).toBe(1);
    expect(store.settings.get('inner')).toBeUndefined();
    expect(store.snapshots.list()).toEqual([]);
    expect(store.snapshots.create({ source: 'again', objects: [pod] }).newObjects).toBe(1);
    store.close();
  });

  it('a process killed in the middle of a write leaves the store as it was before that write', () => {
    const file = tempStorePath();
    const writer = path.join(
      path.dirname(new URL(import.meta.url).pathname),
      '../../fixtures/store/crash-writer.ts',
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', writer, file], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(child.stdout).toContain('committed');

    const store = openStore(file);
    expect(store.settings.get('before')).toBe(true);
    expect(store.settings.get('during')).toBeUndefined();
    expect(store.audit.verify()).toEqual({ ok: true, entries: 1, brokenAt: null });
    expect(store.snapshots.list().map((s) => s.source)).toEqual(['before']);
    expect(store.snapshots.objects(store.snapshots.list()[0]!.id)).toHaveLength(50);
    store.close();
  });
});
