/**
 * Snapshot capture of a Kubernetes inventory (DESIGN.md section 8): 20,000 Pods, 3,000 Deployments and 6,000
 * ReplicaSets shaped like real ones (~3.6 KB of JSON each, 105 MB in all).
 * - snapshot.first_ms: the first capture into a new store file (serialise, hash, compress and write everything).
 * - snapshot.recapture_ms: the next capture, where 1% of the objects changed (new instances with a new
 *   resourceVersion, as a watch delivers them; the other 99% are the same instances, as an informer's cache keeps them).
 * - snapshot.growth_pct: how much that recapture grew the file (sizes taken after a WAL checkpoint).
 * Each figure is the median of 5 runs, each on a new file, with a 1 s pause between the two captures (they are
 * 30 s apart in use). Wall-clock time: on a shared machine, compare the CPU
 * time that `npx tsx test/bench/store.bench.ts` prints beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openStore } from '../../main/store';
import { changeInventory, FULL_INVENTORY, generateInventory } from '../fixtures/store/inventory';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
}

const RUNS = 5;

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** For `npm run bench` (test/bench/run.ts). */
export const bench = (): Promise<BenchResult[]> => benchStore();

export async function benchStore(): Promise<BenchResult[]> {
  const { first, recapture, growthPct } = await measure();
  const firstMs = median(first.map((t) => t.wallMs));
  const recaptureMs = median(recapture.map((t) => t.wallMs));
  return [
    { name: 'snapshot.first_ms', value: round(firstMs), unit: 'ms', target: '<500', pass: firstMs < 500 },
    {
      name: 'snapshot.recapture_ms',
      value: round(recaptureMs),
      unit: 'ms',
      target: '<50',
      pass: recaptureMs < 50,
    },
    { name: 'snapshot.growth_pct', value: round(growthPct), unit: '%', target: '<2', pass: growthPct < 2 },
  ];
}

async function measure(): Promise<{ first: Timing[]; recapture: Timing[]; growthPct: number }> {
  const inventory = generateInventory(FULL_INVENTORY).all;
  const changed = changeInventory(inventory, 0.01);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-store-bench-'));
  const first: Timing[] = [];
  const recapture: Timing[] = [];
  const growth: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const file = path.join(dir, `run-${run}.sqlite`);
      const store = openStore(file);
      first.push(timed(() => store.snapshots.create({ source: 'bench', objects: inventory })));
      const before = checkpointedSize(file);
      // captures are ~30 s apart: let the collector finish with the first capture's garbage, as it would by then
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      recapture.push(timed(() => store.snapshots.create({ source: 'bench', objects: changed })));
      growth.push(((checkpointedSize(file) - before) / before) * 100);
      store.close();
      fs.rmSync(file, { force: true });
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { first, recapture, growthPct: median(growth) };
}

function timed(fn: () => unknown): Timing {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** The file's size once the WAL has been written back into it: what the data really takes. */
function checkpointedSize(file: string): number {
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return fs.statSync(file).size;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const round = (n: number) => Math.round(n * 100) / 100;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { first, recapture, growthPct } = await measure();
  const show = (name: string, t: Timing[], target: number) => {
    const wall = median(t.map((x) => x.wallMs));
    const cpu = median(t.map((x) => x.cpuMs));
    console.log(
      `${name.padEnd(22)} ${wall.toFixed(1).padStart(8)} ms wall (cpu ${cpu.toFixed(1).padStart(7)} ms)  target < ${target}  ${wall < target ? 'pass' : 'FAIL'}   runs: ${t.map((x) => x.wallMs.toFixed(0)).join(', ')}`,
    );
  };
  show('snapshot.first_ms', first, 500);
  show('snapshot.recapture_ms', recapture, 50);
  console.log(
    `${'snapshot.growth_pct'.padEnd(22)} ${growthPct.toFixed(2).padStart(8)} %   target < 2  ${growthPct < 2 ? 'pass' : 'FAIL'}`,
  );
  console.log(
    `(${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, Node ${process.version})`,
  );
}
