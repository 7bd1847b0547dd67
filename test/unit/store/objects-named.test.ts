import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/database';
import { objectStore } from '../../../main/store/objects';
import { openStore } from '../../../main/store';
import { tempStorePath } from '../../fixtures/store/files';

const meta = (kind: string, namespace: string, name: string) => ({
  kind,
  metadata: { name, namespace, resourceVersion: '1' },
});

describe('the store finds objects by name', () => {
  it('reads workloads and routes through the partial name index, Pods and ReplicaSets left out of it', () => {
    const conn = openDatabase(tempStorePath());
    try {
      const plan = (sql: string) =>
        conn.db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(...['a', 'b'].slice(0, sql.split('?').length - 1))
          .map((r) => (r as { detail: string }).detail)
          .join('; ');
      // the three lookups of namedIds, as objects.ts writes them: each must search the index, never scan the table
      const where = "(ref IS NULL OR ref <> '')";
      for (const sql of [
        `SELECT id FROM objects WHERE ref = ? AND ${where}`,
        `SELECT id FROM objects WHERE ref >= ? AND ref < ? AND ${where}`,
        `SELECT max(id) FROM objects WHERE ref IS NULL AND ${where}`,
      ])
        expect(plan(sql)).toMatch(/USING (COVERING )?INDEX objects_by_ref/);

      const objects = objectStore(conn);
      objects.putMany([
        meta('Deployment', 'ml', 'llama'),
        meta('Pod', 'ml', 'llama-1'),
        meta('ReplicaSet', 'ml', 'llama-6f'),
        meta('HTTPRoute', 'ml', 'chat'),
        meta('HTTPRoute', 'other', 'chat'),
      ]);
      const indexed = conn.db.prepare(`SELECT ref FROM objects INDEXED BY objects_by_ref WHERE ${where}`);
      expect(indexed.pluck().all().sort()).toEqual([
        'Deployment/ml/llama',
        'HTTPRoute/ml/chat',
        'HTTPRoute/other/chat',
      ]);
      const named = objects.namedIds([
        { kind: 'Deployment', namespace: 'ml', name: 'llama' },
        { kind: 'HTTPRoute', namespace: 'ml' },
      ]);
      expect(named.ids.size).toBe(2);
      expect(named.unnamedUpTo).toBe(0);
      expect(() => objects.namedIds([{ kind: 'Pod', namespace: 'ml', name: 'llama-1' }])).toThrow(
        /Pods are not looked up by name/,
      );
    } finally {
      conn.close();
    }
  });

  it('finds the war room objects of a capture', () => {
    const store = openStore(tempStorePath());
    try {
      const { id } = store.snapshots.create({
        source: 'test',
        takenAt: new Date('2026-10-14T12:00:00Z'),
        objects: [
          meta('Deployment', 'ml', 'llama'),
          meta('Pod', 'ml', 'llama-1'),
          meta('HTTPRoute', 'ml', 'chat'),
        ],
      });
      const got = store.snapshots.objectsNamed<{ kind: string }>(id, [
        { kind: 'Deployment', namespace: 'ml', name: 'llama' },
        { kind: 'HTTPRoute', namespace: 'ml' },
      ]);
      expect(got.map((o) => o.kind).sort()).toEqual(['Deployment', 'HTTPRoute']);
    } finally {
      store.close();
    }
  });
});
