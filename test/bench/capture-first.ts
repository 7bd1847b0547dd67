/**
 * One first capture, in a process of its own (JIT cold, as when the console has just connected): the bench
 * inventory, projected as the inventory projects it, into a new store file. Prints the milliseconds the capture took.
 * Run by capture.bench.ts: `node --import tsx test/bench/capture-first.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../main/store';
import { ingest, newMemory } from '../../main/incident/recorder';
import { FULL_INVENTORY, generateInventory } from '../fixtures/store/inventory';
import { frame, project, T0 } from './capture.bench';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-capture-first-'));
try {
  const objects = project(generateInventory(FULL_INVENTORY).all as Record<string, unknown>[]);
  const store = openStore(path.join(dir, 'store.sqlite'));
  const t0 = performance.now();
  ingest(store, frame(T0, objects), newMemory());
  const ms = performance.now() - t0;
  store.close();
  console.log(JSON.stringify({ ms }));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
