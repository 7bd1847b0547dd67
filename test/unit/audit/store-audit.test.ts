import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditEntry, AuditVerification } from '../../../shared/audit';
import { AppError } from '../../../shared/errors';
import {
  auditEntryHash,
  canonicalJson,
  GENESIS_HASH,
  openStore,
  SECRET_KEY_PATTERN,
  withoutSecrets,
} from '../../../main/store';
import { tempStorePath } from '../../fixtures/store/files';

const entry = (
  n: number,
  extra: Partial<Parameters<ReturnType<typeof openStore>['audit']['append']>[0]> = {},
) => ({
  actor: 'ana@laptop',
  action: 'kube.rollback',
  target: `ml-search/model-${n}`,
  result: 'succeeded',
  details: { revision: n },
  at: new Date(Date.UTC(2025, 2, 1, 9, n)),
  ...extra,
});

function withStore<T>(fn: (store: ReturnType<typeof openStore>, file: string) => T): T {
  const file = tempStorePath();
  const store = openStore(file);
  try {
    return fn(store, file);
  } finally {
    store.close();
  }
}

const sha256hex = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** A raw connection, as someone tampering with the file would use. */
function raw(file: string, fn: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    fn(db);
  } finally {
    db.close();
  }
}

describe('audit log', () => {
  it('appends entries with consecutive seq, ISO time and a hash chained from the previous one', () => {
    withStore((store) => {
      const a = store.audit.append(entry(1));
      const b = store.audit.append(entry(2));
      expect(AuditEntry.parse(a)).toEqual(a);
      expect(a).toMatchObject({
        seq: 1,
        at: '2025-03-01T09:01:00.000Z',
        actor: 'ana@laptop',
        action: 'kube.rollback',
        target: 'ml-search/model-1',
        result: 'succeeded',
        details: { revision: 1 },
      });
      expect(b.seq).toBe(2);
      expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(a.hash).toBe(auditEntryHash(GENESIS_HASH, a));
      expect(b.hash).toBe(auditEntryHash(a.hash, b));
    });
  });

  it('hashes sha256(prevHash + canonical JSON of seq, at, actor, action, target, result, details)', () => {
    const fields = {
      seq: 1,
      at: '2025-03-01T09:00:00.000Z',
      actor: 'a',
      action: 'b',
      target: 'c',
      result: 'd',
      details: { z: 1, a: [2] },
    };
    const expected = sha256hex(
      GENESIS_HASH +
        '{"action":"b","actor":"a","at":"2025-03-01T09:00:00.000Z","details":{"a":[2],"z":1},"result":"d","seq":1,"target":"c"}',
    );
    expect(auditEntryHash(GENESIS_HASH, fields)).toBe(expected);
  });

  it('defaults the time to now and details to {}', () => {
    withStore((store) => {
      const before = Date.now();
      const e = store.audit.append({ actor: 'a', action: 'b', target: '', result: 'ok' });
      expect(Date.parse(e.at)).toBeGreaterThanOrEqual(before - 1);
      expect(e.details).toEqual({});
    });
  });

  it('lists newest first, with a limit and paging back by seq', () => {
    withStore((store) => {
      for (let i = 1; i <= 7; i++) store.audit.append(entry(i));
      expect(store.audit.list().map((e) => e.seq)).toEqual([7, 6, 5, 4, 3, 2, 1]);
      expect(store.audit.list({ limit: 3 }).map((e) => e.seq)).toEqual([7, 6, 5]);
      expect(store.audit.list({ limit: 3, beforeSeq: 5 }).map((e) => e.seq)).toEqual([4, 3, 2]);
      expect(store.audit.list({ beforeSeq: 1 })).toEqual([]);
      expect(() => store.audit.list({ limit: 0 })).toThrow(AppError);
      for (const e of store.audit.list()) expect(AuditEntry.parse(e)).toEqual(e);
    });
  });

  it('verifies an intact chain, including an empty one', () => {
    withStore((store) => {
      expect(AuditVerification.parse(store.audit.verify())).toEqual({ ok: true, entries: 0, brokenAt: null });
      for (let i = 1; i <= 5; i++) store.audit.append(entry(i));
      expect(store.audit.verify()).toEqual({ ok: true, entries: 5, brokenAt: null });
    });
  });

  it('refuses UPDATE and DELETE of entries, and inserts out of sequence, at the database level', () => {
    withStore((store, file) => {
      store.audit.append(entry(1));
      store.audit.append(entry(2));
      raw(file, (db) => {
        expect(() => db.prepare("UPDATE audit_log SET result = 'failed' WHERE seq = 1").run()).toThrow(
          /append-only/,
        );
        expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
        expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
        expect(() =>
          db
            .prepare(
              "INSERT INTO audit_log (seq, at, actor, action, target, result, details, hash) VALUES (9, 'x', 'a', 'b', 'c', 'd', '{}', 'h')",
            )
            .run(),
        ).toThrow(/in sequence/);
        expect(() =>
          db
            .prepare(
              "INSERT OR REPLACE INTO audit_log (seq, at, actor, action, target, result, details, hash) VALUES (1, 'x', 'a', 'b', 'c', 'd', '{}', 'h')",
            )
            .run(),
        ).toThrow(/in sequence/);
      });
      expect(store.audit.verify()).toEqual({ ok: true, entries: 2, brokenAt: null });
    });
  });

  it('finds the first tampered entry once the triggers are dropped and a row is edited', () => {
    const file = tempStorePath();
    const store = openStore(file);
    for (let i = 1; i <= 5; i++) store.audit.append(entry(i));
    store.close();
    raw(file, (db) => {
      db.exec('DROP TRIGGER audit_log_no_update');
      db.prepare("UPDATE audit_log SET result = 'failed' WHERE seq = 3").run();
      db.prepare('UPDATE audit_log SET details = \'{"revision":40}\' WHERE seq = 4').run();
    });
    const reopened = openStore(file);
    expect(reopened.audit.verify()).toEqual({ ok: false, entries: 5, brokenAt: 3 });
    reopened.close();
  });

  it('finds a deleted entry, a rewritten hash and an edited time', () => {
    const cases: Array<[string, number]> = [
      ['DELETE FROM audit_log WHERE seq = 2', 3],
      ['DELETE FROM audit_log WHERE seq = 1', 2],
      ["UPDATE audit_log SET hash = '" + '0'.repeat(64) + "' WHERE seq = 4", 4],
      ["UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 1", 1],
    ];
    for (const [sql, brokenAt] of cases) {
      const file = tempStorePath();
      const store = openStore(file);
      for (let i = 1; i <= 4; i++) store.audit.append(entry(i));
      store.close();
      raw(file, (db) => {
        db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
        db.exec(sql);
      });
      const reopened = openStore(file);
      expect(reopened.audit.verify(), sql).toMatchObject({ ok: false, brokenAt });
      reopened.close();
    }
  });

  it('never stores a detail whose key names a secret, at any depth (the key is dropped)', () => {
    withStore((store, file) => {
      const e = store.audit.append(
        entry(1, {
          details: {
            user: 'bob',
            token: 'tok-123',
            nested: { Password: 'pw-456', ok: 1, deeper: { clientSecret: 'sec-789', keep: true } },
            list: [{ name: 'a', Authorization: 'Bearer abc' }, 'plain'],
            awsCredentials: { accessKeyId: 'AKIA' },
            bearerTokenFile: '/x',
          },
        }),
      );
      expect(e.details).toEqual({
        user: 'bob',
        nested: { ok: 1, deeper: { keep: true } },
        list: [{ name: 'a' }, 'plain'],
      });
      expect(store.audit.list()[0]!.details).toEqual(e.details);
      expect(store.audit.verify().ok).toBe(true);
      raw(file, (db) => {
        const text = db.prepare('SELECT details FROM audit_log').pluck().get() as string;
        for (const secret of ['tok-123', 'pw-456', 'sec-789', 'Bearer abc', 'AKIA'])
          expect(text).not.toContain(secret);
      });
    });
    expect(
      ['token', 'X-Auth-Token', 'password', 'clientSecret', 'authorization', 'awsCredentials'].every((k) =>
        SECRET_KEY_PATTERN.test(k),
      ),
    ).toBe(true);
    expect(['user', 'url', 'auth', 'kind', 'revision'].some((k) => SECRET_KEY_PATTERN.test(k))).toBe(false);
    expect(withoutSecrets([{ password: 1, a: 2 }])).toEqual([{ a: 2 }]);
  });

  it('stores details as JSON: Dates become ISO strings, undefined is dropped, non-JSON is refused', () => {
    withStore((store) => {
      const e = store.audit.append(
        entry(1, { details: { when: new Date('2025-01-02T03:04:05.000Z'), gone: undefined, n: 1.5 } }),
      );
      expect(e.details).toEqual({ when: '2025-01-02T03:04:05.000Z', n: 1.5 });
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const details of [{ big: 1n }, cyclic, [1, 2] as unknown as Record<string, unknown>]) {
        let err: unknown;
        try {
          store.audit.append(entry(2, { details }));
        } catch (caught) {
          err = caught;
        }
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('INVALID_INPUT');
      }
      expect(() => store.audit.append(entry(2, { at: new Date('nope') }))).toThrow(AppError);
      expect(store.audit.verify()).toEqual({ ok: true, entries: 1, brokenAt: null });
    });
  });

  it('keeps the chain across reopening the file', () => {
    const file = tempStorePath();
    let store = openStore(file);
    store.audit.append(entry(1));
    store.close();
    store = openStore(file);
    const second = store.audit.append(entry(2));
    expect(second.seq).toBe(2);
    expect(store.audit.verify()).toEqual({ ok: true, entries: 2, brokenAt: null });
    expect(canonicalJson(store.audit.list()[1]!.details)).toBe('{"revision":1}');
    store.close();
  });
});
