/**
 * A replay seek reads only the objects the war room shows (the involved models' workloads and their namespaces'
 * HTTPRoutes), not the whole capture: on a 4-hour capture of a large cluster a whole-capture decode per seek was
 * over a second.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { diffObjects, type CapturedObject } from '../../../main/incident/changes';
import { declare, diffMoments, modelKeys, warRoom } from '../../../main/incident/incidents';
import { ingest, newMemory, type CaptureFrame } from '../../../main/incident/recorder';
import { openStore } from '../../../main/store';

const T0 = Date.parse('2026-10-14T17:00:00Z');
const PAD = 'x'.repeat(2_000); // ~2 KB per filler pod: 2,000 of them fill ~15 packs

const deployment = (image: string, ready: number): CapturedObject => ({
  kind: 'Deployment',
  metadata: { name: 'llama', namespace: 'llm', resourceVersion: image },
  spec: { replicas: 4, template: { spec: { containers: [{ name: 'server', image }] } } },
  status: { readyReplicas: ready },
});
const route = (w: number): CapturedObject => ({
  kind: 'HTTPRoute',
  metadata: { name: 'chat', namespace: 'llm', resourceVersion: `r${w}` },
  spec: {
    rules: [
      {
        backendRefs: [
          { name: 'llama', weight: w },
          { name: 'small', weight: 100 - w },
        ],
      },
    ],
  },
});
const fillers: CapturedObject[] = Array.from({ length: 2_000 }, (_, i) => ({
  kind: 'Pod',
  metadata: { name: `filler-${i}`, namespace: `team-${i % 7}`, resourceVersion: '1' },
  spec: { note: PAD + i },
}));

const frame = (atMs: number, objects: CapturedObject[]): CaptureFrame => ({
  atMs,
  context: 'test',
  mode: 'incident',
  objects,
  events: [],
  alerts: [],
  series: [],
  actions: [],
  models: [],
});

const model = {
  serviceId: 'llm/Deployment/llama',
  name: 'llama',
  serverKind: 'vllm' as const,
  modelName: 'llama',
  fallbackId: null,
};

function recorded(file: string) {
  const store = openStore(file);
  const mem = newMemory();
  const rec = declare(
    store,
    { title: 't', severity: 'SEV2', models: [model], alertNames: [] },
    'me',
    T0 + 60_000,
  );
  // the filler first, so the involved objects sit in the last pack of the first capture
  ingest(store, frame(T0, [...fillers, deployment('vllm:v1', 4), route(100)]), mem);
  ingest(store, frame(T0 + 15_000, [...fillers, deployment('vllm:v2', 1), route(0)]), mem);
  ingest(store, frame(T0 + 600_000, [...fillers, deployment('vllm:v2', 2), route(0)]), mem);
  return { store, rec };
}

afterEach(() => vi.restoreAllMocks());

describe('a replay seek', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-seek-'));

  it('shows the workload and route weights as they were, decoding only the packs that hold them', () => {
    const { store, rec } = recorded(path.join(dir, 'a.sqlite'));
    // the first war room also ranks the changes before *started* (a diff of two whole captures, kept)
    const before = warRoom(store, rec, 'store', T0 + 5_000, false).tiles[0]!;
    expect(before).toMatchObject({ image: 'vllm:v1', replicas: { ready: 4, desired: 4 }, trafficShare: 1 });
    const decompress = vi.spyOn(zlib, 'brotliDecompressSync');
    const after = warRoom(store, rec, 'store', T0 + 700_000, false).tiles[0]!;
    expect(after).toMatchObject({ image: 'vllm:v2', replicas: { ready: 2, desired: 4 }, trafficShare: 0 });
    // the capture spans 18 packs; the seek needs the two that hold its workload (new) and route (as before)
    expect(decompress.mock.calls.length).toBeLessThanOrEqual(2);
    decompress.mockRestore();
    expect(store.snapshots.objects(3).length).toBe(2_002);
    expect(warRoom(store, rec, 'store', T0 + 20_000, false).tiles[0]!.replicas).toEqual({
      ready: 1,
      desired: 4,
    });
    store.close();
  });

  it('still finds them in a store written before objects had names (read whole, then picked)', () => {
    const file = path.join(dir, 'b.sqlite');
    recorded(file).store.close();
    const db = new Database(file);
    db.exec('UPDATE objects SET ref = NULL');
    db.close();
    const store = openStore(file);
    const rec = store.incidents.listIncidents()[0] as Parameters<typeof warRoom>[1];
    expect(warRoom(store, rec, 'store', T0 + 20_000, false).tiles[0]).toMatchObject({
      image: 'vllm:v2',
      trafficShare: 0,
    });
    expect(store.snapshots.objectsNamed(2, [{ kind: 'HTTPRoute', namespace: 'llm' }])).toEqual([route(0)]);
    store.close();
  });

  it('names cluster-scoped objects and picks a whole kind in a namespace, not its neighbours', () => {
    const store = openStore(':memory:');
    const node = { kind: 'Node', metadata: { name: 'gpu-1', resourceVersion: '1' } };
    const other = { ...route(50), metadata: { name: 'chat', namespace: 'llm-b', resourceVersion: '1' } };
    const snap = store.snapshots.create({ source: 't', objects: [node, route(50), other, { plain: 1 }] });
    expect(store.snapshots.objectsNamed(snap.id, [{ kind: 'Node', namespace: '', name: 'gpu-1' }])).toEqual([
      node,
    ]);
    expect(store.snapshots.objectsNamed(snap.id, [{ kind: 'HTTPRoute', namespace: 'llm' }])).toEqual([
      route(50),
    ]);
    store.close();
  });
});

describe('a diff of two moments', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-diff-'));

  it('reads only the objects that differ, and finds what a whole-capture diff finds', () => {
    const { store, rec } = recorded(path.join(dir, 'a.sqlite'));
    const whole = diffObjects(store.snapshots.objects(1), store.snapshots.objects(3), {
      models: modelKeys(rec),
      at: new Date(T0 + 600_000).toISOString(),
      diff: { from: new Date(T0).toISOString(), to: new Date(T0 + 600_000).toISOString() },
    });
    const decompress = vi.spyOn(zlib, 'brotliDecompressSync');
    const d = diffMoments(store, rec, T0, T0 + 600_000);
    // 18 packs a capture; what differs (the workload and the route) lies in 3
    expect(decompress.mock.calls.length).toBeLessThanOrEqual(3);
    expect(d.changes).toEqual(whole);
    expect(d.changes.map((c) => c.object)).toEqual(['Deployment llm/llama', 'HTTPRoute llm/chat']);
    expect(d.compared).toBe(2_002);
    store.close();
  });

  it('reads the whole captures when a node changed (it ranks for the pods it hosts, changed or not)', () => {
    const store = openStore(':memory:');
    const mem = newMemory();
    const rec = declare(
      store,
      { title: 't', severity: 'SEV2', models: [model], alertNames: [] },
      'me',
      T0 + 60_000,
    );
    const pod: CapturedObject = {
      kind: 'Pod',
      metadata: { name: 'llama-abc', namespace: 'llm', resourceVersion: '1', labels: { app: 'llama' } },
      spec: { nodeName: 'gpu-1' },
    };
    const node = (ready: string): CapturedObject => ({
      kind: 'Node',
      metadata: { name: 'gpu-1', resourceVersion: ready },
      status: { conditions: [{ type: 'Ready', status: ready }] },
    });
    ingest(store, frame(T0, [deployment('vllm:v1', 4), pod, node('True')]), mem);
    ingest(store, frame(T0 + 15_000, [deployment('vllm:v1', 4), pod, node('False')]), mem);
    const whole = diffObjects(store.snapshots.objects(1), store.snapshots.objects(2), {
      models: modelKeys(rec),
      at: new Date(T0 + 15_000).toISOString(),
      diff: { from: new Date(T0).toISOString(), to: new Date(T0 + 15_000).toISOString() },
    });
    const d = diffMoments(store, rec, T0, T0 + 15_000);
    expect(d.changes).toEqual(whole);
    expect(d.changes[0]!.object).toBe('Node /gpu-1');
    expect(d.compared).toBe(3);
    store.close();
  });
});
