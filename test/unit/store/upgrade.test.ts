/**
 * Upgrades: a file left by every earlier schema version opens with its data intact. Files are built by running
 * only migrations 1..k and inserting rows with plain SQL as that version wrote them; test/fixtures/store/v1.sqlite
 * is a real schema-1 file from disk (made by make-v1-fixture.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditEntry } from '../../../shared/audit';
import {
  auditEntryHash,
  canonicalJson,
  GENESIS_HASH,
  LATEST_SCHEMA_VERSION,
  openStore,
} from '../../../main/store';
import { migrate } from '../../../main/store/migrations';
import { PACK_CODEC } from '../../../main/store/objects';
import { encodeMembers } from '../../../main/store/snapshots';
import { tempDir, tempStorePath } from '../../fixtures/store/files';
import { V1_CONTENT, V1_FIXTURE } from '../../fixtures/store/make-v1-fixture';

const settings = {
  kube: { kubeconfigPath: '/home/ana/.kube/config', context: 'prod-eu' },
  'ui.theme': 'dark',
};
const auditRows = [
  {
    at: '2025-05-01T10:00:00.000Z',
    actor: 'ana',
    action: 'kube.scale',
    target: 'ml-ads/ranker',
    result: 'succeeded',
    details: { from: 3, to: 6 },
  },
  {
    at: '2025-05-01T10:05:00.000Z',
    actor: 'ana',
    action: 'kube.rollback',
    target: 'ml-ads/ranker',
    result: 'failed',
    details: { error: 'conflict' },
  },
];
const objects = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'ranker-1', namespace: 'ml-ads' },
    status: { phase: 'Running' },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ranker', namespace: 'ml-ads' },
    spec: { replicas: 6 },
  },
];
const series = {
  query: 'sum(rate(http_requests_total[5m]))',
  step: 60,
  start: 1_746_093_600,
  end: 1_746_097_200,
};
const seriesBody = { resultType: 'matrix', result: [{ metric: {}, values: [[1_746_093_600, '12.5']] }] };

/** Rows as a store at `version` would hold them, written with that version's SQL. */
function seed(db: Database.Database, version: number): void {
  if (version >= 1) {
    for (const [key, value] of Object.entries(settings))
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
    let prev = GENESIS_HASH;
    auditRows.forEach((row, i) => {
      prev = auditEntryHash(prev, { seq: i + 1, ...row });
      db.prepare(
        'INSERT INTO audit_log (seq, at, actor, action, target, result, details, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(i + 1, row.at, row.actor, row.action, row.target, row.result, canonicalJson(row.details), prev);
    });
  }
  if (version >= 2) {
    const texts = objects.map((o) => Buffer.from(canonicalJson(o)));
    const raw = Buffer.concat(texts);
    const packId = db
      .prepare('INSERT INTO object_packs (codec, raw_bytes, data) VALUES (?, ?, ?)')
      .run(PACK_CODEC, raw.length, zlib.brotliCompressSync(raw)).lastInsertRowid;
    let offset = 0;
    const ids = texts.map((text) => {
      const hash = crypto.createHash('sha256').update(text).digest();
      const id = Number(
        db
          .prepare('INSERT INTO objects (hash, pack_id, byte_offset, byte_length) VALUES (?, ?, ?, ?)')
          .run(hash, packId, offset, text.length).lastInsertRowid,
      );
      offset += text.length;
      return id;
    });
    db.prepare(
      'INSERT INTO snapshots (incident_id, source, taken_at, meta, object_count, members) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      'inc-7',
      'inventory:prod-eu',
      '2025-05-01T10:01:00.000Z',
      '{"context":"prod-eu"}',
      ids.length,
      encodeMembers(ids),
    );
  }
  if (version >= 3) {
    db.prepare(
      'INSERT INTO series_cache (query, step, range_start, range_end, fetched_at, body) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      series.query,
      series.step,
      series.start,
      series.end,
      '2025-05-01T10:02:00.000Z',
      JSON.stringify(seriesBody),
    );
  }
}

function expectSeeded(store: ReturnType<typeof openStore>, version: number, appendedSince = 0): void {
  if (version >= 1) {
    expect(store.settings.get('kube')).toEqual(settings.kube);
    expect(store.settings.get('ui.theme')).toBe('dark');
    const entries = store.audit.list().filter((e) => e.seq <= auditRows.length);
    expect(entries.map((e) => AuditEntry.parse(e))).toHaveLength(2);
    expect(entries.map(({ action, details }) => ({ action, details }))).toEqual([
      { action: 'kube.rollback', details: { error: 'conflict' } },
      { action: 'kube.scale', details: { from: 3, to: 6 } },
    ]);
    expect(store.audit.verify()).toEqual({ ok: true, entries: 2 + appendedSince, brokenAt: null });
  }
  if (version >= 2) {
    const [snapshot] = store.snapshots.list({ incidentId: 'inc-7' });
    expect(snapshot).toMatchObject({ incidentId: 'inc-7', source: 'inventory:prod-eu', objectCount: 2 });
    expect(store.snapshots.objects(snapshot!.id)).toEqual(objects);
    expect(store.snapshots.get(snapshot!.id)?.meta).toEqual({ context: 'prod-eu' });
    for (const o of objects)
      expect(store.objects.get(crypto.hash('sha256', canonicalJson(o), 'hex'))).toEqual(o);
  }
  if (version >= 3) {
    expect(store.seriesCache.get(series)).toEqual({
      body: seriesBody,
      fetchedAt: '2025-05-01T10:02:00.000Z',
    });
  }
}

/** After an upgrade, everything works on top of the old data. */
function expectWritable(store: ReturnType<typeof openStore>, entriesBefore: number): void {
  const entry = store.audit.append({
    actor: 'upgrade-test',
    action: 'store.opened',
    target: store.path,
    result: 'ok',
  });
  expect(entry.seq).toBe(entriesBefore + 1);
  expect(store.audit.verify()).toEqual({ ok: true, entries: entriesBefore + 1, brokenAt: null });
  const snap = store.snapshots.create({
    source: 'after-upgrade',
    objects: [...objects, { kind: 'Pod', metadata: { name: 'new' } }],
  });
  expect(snap.objectCount).toBe(3);
  expect(store.snapshots.objects(snap.id)).toHaveLength(3);
  store.seriesCache.put({ ...series, step: 30 }, { ok: true });
  expect(store.seriesCache.get({ ...series, step: 30 })?.body).toEqual({ ok: true });
}

describe('upgrading an old store', () => {
  it.each(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, k) => k))(
    'from schema %i to the latest, with its data intact',
    (k) => {
      const file = tempStorePath();
      const db = new Database(file);
      migrate(db, k);
      seed(db, k);
      db.close();

      const store = openStore(file);
      expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expectSeeded(store, k);
      expectWritable(store, k >= 1 ? auditRows.length : 0);
      store.close();

      const reopened = openStore(file, { readonly: true });
      expect(reopened.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expectSeeded(reopened, k, 1);
      reopened.close();
    },
  );

  it('the committed v1 file from disk (test/fixtures/store/v1.sqlite)', () => {
    const probe = new Database(V1_FIXTURE, { readonly: true });
    expect(probe.pragma('user_version', { simple: true })).toBe(1);
    probe.close();

    const copy = path.join(tempDir(), 'v1-copy.sqlite');
    fs.copyFileSync(V1_FIXTURE, copy); // never open the committed fixture itself read-write
    const store = openStore(copy);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    for (const [key, value] of Object.entries(V1_CONTENT.settings))
      expect(store.settings.get(key)).toEqual(value);
    const entries = store.audit.list();
    expect(entries.map((e) => AuditEntry.parse(e))).toHaveLength(V1_CONTENT.audit.length);
    expect(
      [...entries].reverse().map(({ at, actor, action, target, result, details }) => ({
        at,
        actor,
        action,
        target,
        result,
        details,
      })),
    ).toEqual(V1_CONTENT.audit);
    expect(store.audit.verify()).toEqual({ ok: true, entries: V1_CONTENT.audit.length, brokenAt: null });
    expectWritable(store, V1_CONTENT.audit.length);
    store.close();
  });
});
