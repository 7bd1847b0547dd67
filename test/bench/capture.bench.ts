/**
 * The flight recorder and replay on the bench inventory (20,000 Pods, 3,000 Deployments, 6,000 ReplicaSets),
 * trimmed by the inventory's own projections as the recorder captures them; 1 % of pods change per minute.
 * - capture.first_ms: the first capture into a new store file.
 * - capture.recapture_ms: the median capture after it (15 s apart: 0.25 % of pods changed each time).
 * - capture.mb_per_hour: file growth per incident-hour at a 15 s step (measured over 40 captures, scaled).
 * - capture.cpu_pct: CPU time of the captures / the time they cover (15 s each), as % of one core.
 * The replay figures on a 4-hour capture of the same inventory are in replay.bench.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../main/store';
import { INVENTORY_KINDS } from '../../main/kube/inventory/kinds';
import type { CapturedObject } from '../../main/incident/changes';
import { ingest, newMemory, type CaptureFrame } from '../../main/incident/recorder';
import { FULL_INVENTORY, generateInventory } from '../fixtures/store/inventory';
import { figure, median, type BenchFigure } from './run';

export const STEP_MS = 15_000;
export const T0 = Date.parse('2026-10-14T12:00:00Z');

export function project(raw: Record<string, unknown>[]): CapturedObject[] {
  return raw
    .map(
      (o) => INVENTORY_KINDS.find((k) => k.name === o.kind)?.project(o) as CapturedObject | null | undefined,
    )
    .filter((o): o is CapturedObject => !!o);
}

/** 1 % of pods per minute = every 400th pod per 15 s capture gets a new instance with a new resourceVersion */
export function churn(objects: CapturedObject[], n: number): CapturedObject[] {
  return objects.map((o, i) =>
    o.kind === 'Pod' && i % 400 === n % 400
      ? { ...o, metadata: { ...o.metadata, resourceVersion: `${o.metadata.resourceVersion}-${n}` } }
      : o,
  );
}

export const frame = (atMs: number, objects: CapturedObject[]): CaptureFrame => ({
  atMs,
  context: 'bench',
  mode: 'incident',
  objects,
  events: [],
  alerts: [],
  series: [
    {
      key: 'ml-search/Deployment/search-model-0:errorRatio',
      model: 'ml-search/Deployment/search-model-0',
      metric: 'errorRatio',
      unit: 'ratio',
      t0Ms: atMs,
      stepS: 15,
      values: [0.001],
    },
  ],
  actions: [],
  models: [],
});

function checkpointed(file: string): number {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return fs.statSync(file).size;
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-capture-bench-'));
  const base = project(generateInventory(FULL_INVENTORY).all as Record<string, unknown>[]);
  const out: BenchFigure[] = [];
  try {
    const file = path.join(dir, 'store.sqlite');
    const store = openStore(file);
    const mem = newMemory();
    let objects = base;
    let t0 = performance.now();
    ingest(store, frame(T0, objects), mem);
    out.push(figure('capture.first_ms', Math.round(performance.now() - t0), 'ms', '<', 500));
    const before = checkpointed(file);
    const times: number[] = [];
    const cpu = process.cpuUsage();
    const N = 40;
    for (let i = 1; i <= N; i++) {
      objects = churn(objects, i);
      t0 = performance.now();
      ingest(store, frame(T0 + i * STEP_MS, objects), mem);
      times.push(performance.now() - t0);
    }
    const used = process.cpuUsage(cpu);
    out.push(figure('capture.recapture_ms', Math.round(median(times) * 10) / 10, 'ms', '<', 50));
    const grown = checkpointed(file) - before;
    out.push(figure('capture.mb_per_hour', Math.round(((grown / N) * 240) / 1e4) / 100, 'MB', '<=', 50));
    const cpuPct = ((used.user + used.system) / 1000 / (N * STEP_MS)) * 100;
    out.push(figure('capture.cpu_pct', Math.round(cpuPct * 100) / 100, '%', '<=', 5));

    store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
