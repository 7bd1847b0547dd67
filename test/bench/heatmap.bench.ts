/**
 * The GPU heatmap (DESIGN.md section 8): 512 GPUs x 7 days from a real Prometheus.
 *
 * A Prometheus (Debian's 2.42) is backfilled for the bench with promtool: 64 nodes x 8 GPUs, one sample per
 * 5 minutes for 7 days, DCGM_FI_DEV_GPU_UTIL on every GPU and DCGM_FI_PROF_GR_ENGINE_ACTIVE on 56 of the 64
 * nodes (so the console's per-GPU fallback is exercised), ending at the last UTC midnight. The compacted TSDB
 * is kept in the temp folder and reused the same day. The view asks for the week at 1,200 px: step 600 s,
 * 1,009 columns, 516,608 cells.
 *
 * - heatmap.overhead_ratio: the console's time for the heatmap (query_range through the console's client,
 *   parsing, the grid, the rows it sends the view) / Prometheus's own time for the same query_range (the same
 *   POST over a keep-alive connection, timed until the last byte of the answer is read, nothing parsed).
 *   Medians of 7 runs, alternating, after one warm-up of each.
 * - heatmap.cached_ms: reopening the same view from the profile's SQLite cache (a real file): the cache read,
 *   decoding and the rows. Median of 10.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chooseStep } from '../../shared/series';
import { gpuHeatmap, heatmapQuery } from '../../main/metrics/gpu';
import { PrometheusClient } from '../../main/metrics/prometheus';
import { openStore } from '../../main/store';
import { LOOPBACK, freePort, runCommand, startProcess, waitFor, waitForHttpOk } from '../harness/ports';
import { figure, median, type BenchFigure } from './run';

const NODES = 64;
const GPUS_PER_NODE = 8;
const NODES_WITHOUT_ENGINE = 8;
const DAYS = 7;
const INTERVAL_S = 300;
const WIDTH_PX = 1200;
const RUNS = 7;
const BLOCK_S = 2 * 3600;

const PROMETHEUS_BIN = process.env.FIREBREAK_PROMETHEUS_BIN ?? 'prometheus';
const PROMTOOL_BIN = process.env.FIREBREAK_PROMTOOL_BIN ?? 'promtool';

/** Deterministic utilisation 0..100 for (gpu, t): a daily wave per node, noise, and some idle GPUs. */
function util(node: number, gpu: number, t: number): number {
  if ((node * 8 + gpu) % 11 === 3) return 0;
  const hour = (t / 3600) % 24;
  const wave = 0.55 + 0.35 * Math.cos((2 * Math.PI * (hour - 15 - (node % 5))) / 24);
  let h = (node * 73856093) ^ (gpu * 19349663) ^ Math.floor(t / INTERVAL_S);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h ^= h >>> 16;
  const noise = ((h >>> 0) % 1000) / 1000 - 0.5;
  return Math.max(0, Math.min(100, Math.round(100 * wave + 12 * noise)));
}

function labels(node: number, gpu: number): string {
  const host = `gpu-node-${String(node).padStart(3, '0')}`;
  const uuid = `GPU-${String(node).padStart(4, '0')}${gpu}-bench`;
  return `{gpu="${gpu}",UUID="${uuid}",modelName="NVIDIA H100 80GB HBM3",Hostname="${host}",job="dcgm"}`;
}

/** One OpenMetrics file per 2-hour block (promtool 2.42 re-reads its input once per block). */
function writeBlockFile(file: string, from: number, to: number): void {
  const out: string[] = [];
  out.push('# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n');
  for (let n = 0; n < NODES; n++)
    for (let g = 0; g < GPUS_PER_NODE; g++) {
      const l = `DCGM_FI_DEV_GPU_UTIL${labels(n, g)} `;
      for (let t = from; t < to; t += INTERVAL_S) out.push(`${l}${util(n, g, t)} ${t}\n`);
    }
  out.push('# TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge\n');
  for (let n = NODES_WITHOUT_ENGINE; n < NODES; n++)
    for (let g = 0; g < GPUS_PER_NODE; g++) {
      const l = `DCGM_FI_PROF_GR_ENGINE_ACTIVE${labels(n, g)} `;
      for (let t = from; t < to; t += INTERVAL_S)
        out.push(`${l}${(util(n, g, t) * 0.0093).toFixed(4)} ${t}\n`);
    }
  out.push('# EOF\n');
  fs.writeFileSync(file, out.join(''));
}

async function buildTsdb(dataDir: string, start: number, end: number): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-heatmap-om-'));
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    const running = new Set<Promise<void>>();
    for (let from = start; from < end; from += BLOCK_S) {
      const file = path.join(work, `${from}.om`);
      writeBlockFile(file, from, Math.min(end, from + BLOCK_S));
      while (running.size >= 2) await Promise.race(running);
      const job: Promise<void> = runCommand(PROMTOOL_BIN, [
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        file,
        dataDir,
      ])
        .then(() => fs.rmSync(file, { force: true }))
        .finally(() => running.delete(job));
      running.add(job);
    }
    await Promise.all(running);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function blockCount(dataDir: string): number {
  return fs.readdirSync(dataDir).filter((d) => /^[0-9A-Z]{26}$/.test(d)).length;
}

async function startBenchPrometheus(dataDir: string) {
  const port = await freePort();
  const config = path.join(path.dirname(dataDir), 'prometheus.yml');
  fs.writeFileSync(config, 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const proc = startProcess(
    PROMETHEUS_BIN,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      `--storage.tsdb.retention.time=60d`,
      `--web.listen-address=${LOOPBACK}:${port}`,
      '--query.max-samples=100000000',
      '--log.level=error',
    ],
    { name: 'prometheus (bench)' },
  );
  const url = `http://${LOOPBACK}:${port}`;
  const abort = () => (proc.exitCode() !== undefined ? `prometheus exited:\n${proc.output()}` : undefined);
  await waitForHttpOk(`${url}/-/ready`, { what: 'Prometheus /-/ready', timeoutMs: 120_000, abort });
  return { url, stop: () => proc.stop() };
}

/** The backfilled, compacted TSDB for the week ending at `end` (built once a day, then reused). */
async function prepareTsdb(end: number): Promise<string> {
  const root = path.join(os.tmpdir(), `firebreak-bench-heatmap-${end}`);
  const dataDir = path.join(root, 'data');
  const ready = path.join(root, 'READY');
  if (fs.existsSync(ready)) return dataDir;
  fs.rmSync(root, { recursive: true, force: true });
  await buildTsdb(dataDir, end - DAYS * 86400, end);
  // let Prometheus compact the 2-hour blocks once, so no compaction runs while the bench measures
  const prom = await startBenchPrometheus(dataDir);
  try {
    let last = -1;
    let stableSince = Date.now();
    await waitFor(
      async () => {
        const n = blockCount(dataDir);
        if (n !== last) {
          last = n;
          stableSince = Date.now();
        }
        return n <= 12 && Date.now() - stableSince > 5_000 ? true : undefined;
      },
      { what: 'the compaction of the backfilled blocks', timeoutMs: 240_000, intervalMs: 1000 },
    );
  } finally {
    await prom.stop();
  }
  fs.writeFileSync(ready, new Date().toISOString());
  return dataDir;
}

/** Prometheus's own time: the same POST, timed to the last byte, nothing parsed. */
function rawQueryRange(url: string, agent: http.Agent, body: string): Promise<{ ms: number; bytes: number }> {
  const u = new URL('/api/v1/query_range', url);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      {
        hostname: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': String(Buffer.byteLength(body)),
        },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve({ ms: performance.now() - t0, bytes })
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const settle = () => new Promise((r) => setTimeout(r, 50));

export async function bench(): Promise<BenchFigure[]> {
  const end = Math.floor(Date.now() / 1000 / 86400) * 86400;
  const log = (line: string) => process.stderr.write(`heatmap: ${line}\n`);
  const t0 = performance.now();
  const dataDir = await prepareTsdb(end);
  log(`TSDB ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${blockCount(dataDir)} blocks)`);
  const prom = await startBenchPrometheus(dataDir);
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-heatmap-store-'));
  const store = openStore(path.join(storeDir, 'firebreak.db'));
  const agent = new http.Agent({ keepAlive: true });
  try {
    const grid = chooseStep({ start: end - DAYS * 86400, end }, WIDTH_PX, { minStepS: 30 });
    const promql = heatmapQuery(grid.step);
    const client = new PrometheusClient({ url: prom.url, auth: { kind: 'none' }, timeoutMs: 120_000 });
    const env = { client, cache: store.seriesCache };
    const body = new URLSearchParams({
      query: promql,
      start: String(grid.start),
      end: String(grid.end),
      step: String(grid.step),
      timeout: '120s',
    }).toString();

    // warm-up (first touch of the blocks, JIT) and a check that the whole fleet comes back
    const first = await gpuHeatmap(env, grid, { refresh: true });
    if (first.rows.length !== NODES * GPUS_PER_NODE)
      throw new Error(`expected ${NODES * GPUS_PER_NODE} rows, got ${first.rows.length}`);
    const raw0 = await rawQueryRange(prom.url, agent, body);
    log(
      `step ${grid.step} s, ${grid.points} columns, ${first.rows.length} rows, answer ${(raw0.bytes / 1e6).toFixed(1)} MB`,
    );
    await settle();

    const consoleMs: number[] = [];
    const promMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await rawQueryRange(prom.url, agent, body);
      promMs.push(r.ms);
      await settle();
      const c0 = performance.now();
      const h = await gpuHeatmap(env, grid, { refresh: true });
      consoleMs.push(performance.now() - c0);
      if (h.rows.length !== first.rows.length) throw new Error('the heatmap changed between runs');
      await settle(); // the deferred cache write runs here, outside the measurement
    }
    const ratio = median(consoleMs) / median(promMs);
    log(`console ${median(consoleMs).toFixed(0)} ms, Prometheus ${median(promMs).toFixed(0)} ms`);

    // reopening: the cache answers, Prometheus is not asked
    const cached: number[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 200)); // at a person's pace: each reopen is a click
      const c0 = performance.now();
      const h = await gpuHeatmap({ client, cache: store.seriesCache }, grid);
      cached.push(performance.now() - c0);
      if (!h.raw.cache || h.rows.length !== first.rows.length)
        throw new Error('the reopened heatmap did not come from the cache');
    }
    log(`reopen ${cached.map((x) => x.toFixed(1)).join(' ')} ms`);
    return [
      figure('heatmap.overhead_ratio', Math.round(ratio * 1000) / 1000, 'x', '<=', 1.3),
      figure('heatmap.cached_ms', Math.round(median(cached) * 10) / 10, 'ms', '<', 50),
    ];
  } finally {
    agent.destroy();
    store.close();
    fs.rmSync(storeDir, { recursive: true, force: true });
    await prom.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  bench()
    .then((figures) => {
      for (const f of figures)
        console.log(`BENCH ${f.name} ${f.value} ${f.unit} target ${f.target} ${f.pass ? 'PASS' : 'FAIL'}`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
