/**
 * The audit log around a write: the intent written (and marked started) before the write, the outcome linked to
 * it after; a process killed in between leaves the intent open for the next start. And the chain's head, kept
 * outside the chain, so deleting the newest entries is found.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditVerification } from '../../../shared/audit';
import { openStore } from '../../../main/store';
import { tempStorePath } from '../../fixtures/store/files';

const intent = (n: number) => ({
  actor: 'ana@laptop',
  action: 'rollback.start',
  target: `Deployment llm/model-${n} uid=u-${n}`,
  details: {
    object: { kind: 'Deployment', namespace: 'llm', name: `model-${n}` },
    resourceVersionBefore: '41',
  },
});
const outcome = (n: number, result = 'done') => ({
  actor: 'ana@laptop',
  action: 'rollback',
  target: `Deployment llm/model-${n} uid=u-${n}`,
  result,
  details: { message: 'rolled out' },
});

function raw(file: string, fn: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    fn(db);
  } finally {
    db.close();
  }
}

describe('audit: intent before the write, outcome after', () => {
  it('a process killed between the intent and the outcome leaves the action started, found on the next start', () => {
    const file = tempStorePath();
    const first = openStore(file);
    const done = first.audit.begin(intent(1));
    first.audit.finish(done.seq, outcome(1));
    const killed = first.audit.begin(intent(2));
    // the process dies here: no outcome is written, the file is closed as a kill would leave it
    first.close();

    const next = openStore(file);
    try {
      const open = next.audit.unfinished();
      expect(open.map((e) => e.seq)).toEqual([killed.seq]);
      expect(open[0]).toMatchObject({
        action: 'rollback.start',
        result: 'started',
        target: intent(2).target,
      });
      // the audit list shows it with its state
      expect(next.audit.list({ limit: 10 }).map((e) => [e.seq, e.result])).toEqual([
        [3, 'started'],
        [2, 'done'],
        [1, 'started'],
      ]);
      const settled = next.audit.finish(killed.seq, outcome(2, 'not-written'));
      expect(settled.details.intent).toBe(killed.seq);
      expect(next.audit.unfinished()).toEqual([]);
      expect(next.audit.verify()).toEqual({ ok: true, entries: 4, brokenAt: null });
    } finally {
      next.close();
    }
  });

  it('the intent and its started mark are one transaction: a failed transaction leaves neither', () => {
    const store = openStore(tempStorePath());
    try {
      expect(() =>
        store.transaction(() => {
          store.audit.begin(intent(1));
          throw new Error('crash inside the transaction');
        }),
      ).toThrow(/crash/);
      expect(store.audit.list()).toEqual([]);
      expect(store.audit.unfinished()).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe('audit: the chain head outside the chain', () => {
  const withEntries = (n: number) => {
    const file = tempStorePath();
    const store = openStore(file);
    for (let i = 1; i <= n; i++) store.audit.append(outcome(i));
    store.close();
    return file;
  };

  it('verify reports a chain whose newest entries were deleted as truncated', () => {
    const file = withEntries(4);
    raw(file, (db) => {
      db.exec('DROP TRIGGER audit_log_no_delete');
      db.exec('DELETE FROM audit_log WHERE seq >= 3');
    });
    const store = openStore(file);
    try {
      const v = store.audit.verify();
      expect(AuditVerification.parse(v)).toEqual({
        ok: false,
        entries: 2,
        brokenAt: 3,
        truncated: { expectedEntries: 4 },
      });
    } finally {
      store.close();
    }
  });

  it('an entry appended after the truncation does not hide it', () => {
    const file = withEntries(4);
    raw(file, (db) => {
      db.exec('DROP TRIGGER audit_log_no_delete');
      db.exec('DELETE FROM audit_log WHERE seq = 4');
    });
    const store = openStore(file);
    try {
      store.audit.append(outcome(5));
      expect(store.audit.verify()).toEqual({
        ok: false,
        entries: 4,
        brokenAt: 4,
        truncated: { expectedEntries: 4 },
      });
    } finally {
      store.close();
    }
  });

  it('an intact chain is not truncated, and a store from before the head was kept verifies as before', () => {
    const file = withEntries(3);
    const store = openStore(file);
    expect(store.audit.verify()).toEqual({ ok: true, entries: 3, brokenAt: null });
    store.close();
    raw(file, (db) => db.exec("DELETE FROM settings WHERE key = 'audit.head'"));
    const older = openStore(file);
    try {
      expect(older.audit.verify()).toEqual({ ok: true, entries: 3, brokenAt: null });
    } finally {
      older.close();
    }
  });
});
