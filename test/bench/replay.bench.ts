/**
 * Replay on a 4-hour capture (960 captures at 15 s) of the bench inventory (20,000 Pods, 3,000 Deployments, 6,000
 * ReplicaSets, 1 % of pods changing per minute), as the recorder writes it:
 * - replay.seek_p95_ms: the whole war room at a moment of the capture (tiles, alerts, series, the objects, the
 *   ranked changes), p95 of 20 seeks spread over the 4 hours.
 * - replay.diff_ms: the diff of two moments 2 hours apart.
 * - incidentfile.open_ms: open (check and load) the incident file of that capture.
 * - postmortem.export_ms: the postmortem of it (Markdown, charts, CSVs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../main/store';
import { FULL_INVENTORY, generateInventory } from '../fixtures/store/inventory';
import { ingest, newMemory } from '../../main/incident/recorder';
import { declare, diffMoments, timelinePage, warRoom } from '../../main/incident/incidents';
import { exportIncident, loadIncident } from '../../main/incident/incidentFile';
import { buildPostmortem } from '../../main/incident/postmortem';
import { churn, frame, project, STEP_MS, T0 } from './capture.bench';
import { figure, formatFigure, type BenchFigure } from './run';

const CAPTURES = Number(process.env.REPLAY_CAPTURES ?? 960);

export async function bench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-replay-bench-'));
  const out: BenchFigure[] = [];
  const add = (f: BenchFigure) => {
    out.push(f);
    console.error(formatFigure(f)); // progress: this bench takes minutes
  };
  try {
    const store = openStore(path.join(dir, 'store.sqlite'));
    const mem = newMemory();
    let objects = project(generateInventory(FULL_INVENTORY).all as Record<string, unknown>[]);
    const rec = declare(
      store,
      {
        title: 'bench',
        severity: 'SEV3',
        models: [
          {
            serviceId: 'ml-search/Deployment/search-model-0',
            name: 'search-model-0',
            serverKind: 'vllm',
            modelName: 'm',
            fallbackId: null,
          },
        ],
        alertNames: [],
      },
      'bench',
      T0 + 60 * 60_000,
    );
    for (let i = 0; i < CAPTURES; i++) {
      objects = churn(objects, i);
      ingest(store, frame(T0 + i * STEP_MS, objects), mem);
    }
    rec.closedAt = new Date(T0 + (CAPTURES - 1) * STEP_MS).toISOString();
    store.incidents.putIncident(rec.id, Date.parse(rec.declaredAt), Date.parse(rec.closedAt), rec);
    const seeks: number[] = [];
    for (let i = 0; i < 20; i++) {
      const at = T0 + ((i * 7919) % CAPTURES) * STEP_MS;
      const t0 = performance.now();
      warRoom(store, rec, 'store', at, false);
      seeks.push(performance.now() - t0);
    }
    seeks.sort((a, b) => a - b);
    add(
      figure('replay.seek_p95_ms', Math.round(seeks[Math.ceil(seeks.length * 0.95) - 1]!), 'ms', '<=', 100),
    );
    let t0 = performance.now();
    diffMoments(store, rec, T0 + 30 * 60_000, T0 + 150 * 60_000);
    add(figure('replay.diff_ms', Math.round(performance.now() - t0), 'ms', '<=', 1000));
    t0 = performance.now();
    const room = warRoom(store, rec, 'store', Date.parse(rec.closedAt), false);
    const timeline = timelinePage(store, rec, Date.now(), { offset: 0, limit: 2000 }).entries;
    buildPostmortem({ warRoom: room, timeline, audit: store.audit.verify(), captureName: 'bench' });
    add(figure('postmortem.export_ms', Math.round(performance.now() - t0), 'ms', '<', 3000));
    const file = exportIncident(store, rec.id, Date.now()).bytes;
    t0 = performance.now();
    loadIncident(file, 'bench.fbi').store.close();
    add(figure('incidentfile.open_ms', Math.round(performance.now() - t0), 'ms', '<', 2000));
    store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
