/**
 * The flight recorder and replay on the bench inventory (20,000 Pods, 3,000 Deployments, 6,000 ReplicaSets),
 * trimmed by the inventory's own projections as the recorder captures them; 1 % of pods change per minute.
 * - capture.first_ms: the first capture into a new store file, in a fresh process (the median of 3).
 * - capture.recapture_ms: the median capture after it (15 s apart: 0.25 % of pods changed each time).
 * - capture.mb_per_hour: file growth per incident-hour at a 15 s step (measured over 40 captures, scaled).
 * - capture.cpu_pct: CPU time of the captures / the time they cover (15 s each), as % of one core.
 * The replay figures on a 4-hour capture of the same inventory are in replay.bench.ts.
 */
import { spawnSync } from 'node:child_process';
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

/** capture-first.ts in a fresh process, `runs` times: the milliseconds of each first capture */
function firstCaptures(runs: number): number[] {
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'capture-first.ts');
  return Array.from({ length: runs }, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{'))
      throw new Error(`capture-first.ts failed: ${r.stderr || r.stdout}`);
    return (JSON.parse(line) as { ms: number }).ms;
  });
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
    ingest(store, frame(T0, objects), mem);
    out.push(figure('capture.first_ms', Math.round(median(firstCaptures(3))), 'ms', '<', 500));
    const before = checkpointed(file);
    const times: number[] = [];
    const cpu = process.cpuUsage();
    const N = 40;
    for (let i = 1; i <= N; i++) {
      objects = churn(objects, i);
      const t0 = performance.now();
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
