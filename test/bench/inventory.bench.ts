/**
 * Inventory (DESIGN.md section 8): list+watch of 20,000 Pods, 3,000 Deployments and 6,000 ReplicaSets from the
 * Kubernetes API test server (objects from test/fixtures/store/inventory: labels, ownerReferences, containers
 * with resources and probes, status conditions; ~3.7 KB of JSON each, ~107 MB in all; `controllers: false`).
 *
 * - inventory.ready_s: from creating the connection (discovery included) until every kind is listed and its
 *   watch requested (Inventory.whenReady), all twelve kinds the console follows.
 * - inventory.mem_mb: growth of the inventory process's heap + external memory once ready, after a full GC
 *   (the process is started with --expose-gc).
 * - inventory.vs_kubectl_ratio: ready time / wall time of
 *   `kubectl get pods,deployments,replicasets -A -o json` against the same server (fresh KUBECACHEDIR each run).
 *
 * Processes, so that nobody shares an event loop or a heap with what it measures:
 *   - the API server runs in its own child process (it is single-threaded JavaScript, like the inventory);
 *   - every inventory run is a fresh child process (cold, like the app's first connect; its memory is its own);
 *   - kubectl is a child process, started with async `execFile`.
 * Runs alternate (inventory, kubectl) after one warm-up of each, so the server's JSON cache and the page cache are
 * equally warm for both. Each figure is the median of RUNS runs.
 * A last, informational line compares @kubernetes/client-node's generated API (CoreV1Api/AppsV1Api + its
 * ObjectSerializer) with the raw list the inventory does, on the same three lists.
 *
 * Alone: `npx tsx test/bench/inventory.bench.ts` (or `npm run bench -- inventory`).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { KubeObject } from '../harness/kube';
import { figure, median, type BenchFigure } from './run';

/** inventory runs (each in a fresh process); kubectl, at ~40 s a run on the 2-core machine, runs KUBECTL_RUNS times */
const RUNS = 5;
const KUBECTL_RUNS = 3;
const ROLE = 'FIREBREAK_INVENTORY_BENCH_ROLE';
const SELF = fileURLToPath(import.meta.url);

interface RunResult {
  readyMs: number;
  /** CPU time of the inventory process until ready */
  cpuMs: number;
  memMb: number;
  rssMb: number;
  counts: Record<string, number>;
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-inventory-bench-'));
  const server = await startServerProcess(dir);
  try {
    const ready: number[] = [];
    const mem: number[] = [];
    const kubectl: number[] = [];
    log(`API server (child process): ${server.info.objects} objects loaded in ${server.info.loadMs} ms`);
    // warm-up: the server serialises each object once (then serves it from its cache)
    await inventoryRun(server.kubeconfig);
    for (let i = 0; i < RUNS; i++) {
      const serverCpu0 = await server.cpuMs();
      const r = await inventoryRun(server.kubeconfig);
      const serverCpu = (await server.cpuMs()) - serverCpu0;
      ready.push(r.readyMs / 1000);
      mem.push(r.memMb);
      const k = i < KUBECTL_RUNS ? await kubectlRun(server.kubeconfig, dir) : NaN;
      if (i < KUBECTL_RUNS) kubectl.push(k / 1000);
      log(
        `run ${i + 1}: inventory ready ${(r.readyMs / 1000).toFixed(3)} s (its CPU ${(r.cpuMs / 1000).toFixed(3)} s; ` +
          `the API server's CPU ${(serverCpu / 1000).toFixed(3)} s), heap+external +${r.memMb.toFixed(1)} MB (RSS +${r.rssMb.toFixed(0)} MB), ` +
          `${r.counts.Pod} pods / ${r.counts.Deployment} deployments / ${r.counts.ReplicaSet} replicasets; ` +
          `${Number.isNaN(k) ? '' : `kubectl ${(k / 1000).toFixed(3)} s; `}load average ${os.loadavg()[0]!.toFixed(1)}`,
      );
    }
    const cmp = await serializerComparison(server.kubeconfig);
    log(
      `listing the same pods/deployments/replicasets: @kubernetes/client-node generated API ${(cmp.generatedMs / 1000).toFixed(3)} s ` +
        `(heap +${cmp.generatedMb.toFixed(0)} MB) vs raw HTTP + JSON.parse ${(cmp.rawMs / 1000).toFixed(3)} s (heap +${cmp.rawMb.toFixed(0)} MB)`,
    );
    const readyS = median(ready);
    const ratio = readyS / median(kubectl);
    return [
      figure('inventory.ready_s', round(readyS), 's', '<', 2),
      figure('inventory.mem_mb', round(median(mem)), 'MB', '<', 300),
      figure('inventory.vs_kubectl_ratio', round(ratio), 'x', '<=', 1.5),
    ];
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function log(line: string): void {
  console.log(`  inventory: ${line}`);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

// ---------- child processes ----------

function tsxExecArgv(extra: string[] = []): string[] {
  const loader = process.execArgv.some((a) => a.includes('tsx'))
    ? process.execArgv.filter((a) => !a.startsWith('--expose') && !a.startsWith('--max-old'))
    : ['--import', 'tsx'];
  return [...loader, ...extra];
}

function child(role: string, env: Record<string, string>, execArgv: string[] = []): ChildProcess {
  return fork(SELF, [], {
    execArgv: tsxExecArgv(execArgv),
    env: { ...process.env, ...env, [ROLE]: role },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function firstMessage<T>(p: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    p.once('message', (m) => {
      const msg = m as { error?: string };
      if (msg.error) reject(new Error(`${what}: ${msg.error}`));
      else resolve(m as T);
    });
    p.once('exit', (code) => reject(new Error(`${what} exited (${code}) before answering`)));
    p.once('error', reject);
  });
}

async function startServerProcess(dir: string) {
  const kubeconfig = path.join(dir, 'kubeconfig');
  const p = child('server', { BENCH_KUBECONFIG: kubeconfig }, ['--max-old-space-size=4096']);
  const info = await firstMessage<{ objects: number; loadMs: number }>(p, 'the API server process');
  return {
    kubeconfig,
    info,
    /** the server process's CPU time so far, ms */
    cpuMs: async (): Promise<number> => {
      const answer = new Promise<number>((resolve) =>
        p.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs)),
      );
      p.send({ type: 'cpu' });
      return answer;
    },
    stop: async () => {
      if (p.exitCode !== null) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await gone;
    },
  };
}

async function inventoryRun(kubeconfig: string): Promise<RunResult> {
  const p = child('inventory', { BENCH_KUBECONFIG: kubeconfig }, ['--expose-gc']);
  const r = await firstMessage<RunResult>(p, 'an inventory run');
  await new Promise((res) => (p.exitCode !== null ? res(null) : p.once('exit', res)));
  return r;
}

/** wall time of kubectl's own get (its JSON goes to /dev/null, so nobody else pays for the output) */
async function kubectlRun(kubeconfig: string, dir: string): Promise<number> {
  const cache = fs.mkdtempSync(path.join(dir, 'kubecache-'));
  const devNull = fs.openSync('/dev/null', 'w');
  const t0 = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const p = spawn(
        'kubectl',
        ['get', 'pods,deployments,replicasets', '-A', '-o', 'json', '--kubeconfig', kubeconfig],
        {
          env: { ...process.env, KUBECACHEDIR: cache, HOME: dir },
          stdio: ['ignore', devNull, 'pipe'],
        },
      );
      let err = '';
      p.stderr!.on('data', (c: Buffer) => (err += c.toString()).slice(-2000));
      p.on('error', reject);
      p.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`kubectl exited ${code}: ${err.trim()}`)),
      );
    });
    return performance.now() - t0;
  } finally {
    fs.closeSync(devNull);
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

async function serializerComparison(
  kubeconfig: string,
): Promise<{ generatedMs: number; generatedMb: number; rawMs: number; rawMb: number }> {
  const p = child('compare', { BENCH_KUBECONFIG: kubeconfig }, ['--expose-gc']);
  const r = await firstMessage<{ generatedMs: number; generatedMb: number; rawMs: number; rawMb: number }>(
    p,
    'the client-node comparison',
  );
  await new Promise((res) => (p.exitCode !== null ? res(null) : p.once('exit', res)));
  return r;
}

// ---------- roles (each runs in its own process) ----------

function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** heap + external (ArrayBuffers are part of external) */
function usedMb(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 1024 / 1024;
}

/** a full collection, twice, with a turn of the event loop between: external memory is accounted on finalisation */
async function settle(gc: () => void): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 50));
  gc();
}

async function serverRole(): Promise<void> {
  const { startKubeApiServer } = await import('../harness/kube');
  const { FULL_INVENTORY, generateInventory } = await import('../fixtures/store/inventory');
  const t0 = performance.now();
  const objects = generateInventory(FULL_INVENTORY).all as unknown as KubeObject[];
  const kube = await startKubeApiServer({ objects, controllers: false });
  kube.writeKubeconfig(process.env.BENCH_KUBECONFIG!, { contextName: 'bench' });
  process.send!({ objects: objects.length, loadMs: Math.round(performance.now() - t0) });
  process.on('message', (m) => {
    if ((m as { type?: string }).type === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ cpuMs: (u.user + u.system) / 1000 });
    }
  });
  process.on('SIGTERM', () => {
    void kube.stop().finally(() => process.exit(0));
  });
}

async function inventoryRole(): Promise<void> {
  const { loadKubeConfig } = await import('../../main/kube/kubeconfig');
  const { KubeHttp } = await import('../../main/kube/inventory/http');
  const { Inventory } = await import('../../main/kube/inventory/inventory');
  const gc = gcFunction();
  await settle(gc);
  const before = usedMb();
  const rssBefore = process.memoryUsage().rss / 1024 / 1024;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { kc } = loadKubeConfig(process.env.BENCH_KUBECONFIG!, {});
  const inventory = new Inventory({ http: new KubeHttp(kc) });
  inventory.start();
  const ok = await inventory.whenReady(60_000);
  const readyMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (!ok)
    throw new Error(
      `the inventory did not get ready: ${JSON.stringify(inventory.status().kinds.map((k) => [k.kind, k.state, k.lastError?.message]))}`,
    );
  const rssMb = process.memoryUsage().rss / 1024 / 1024 - rssBefore;
  await settle(gc);
  const memMb = usedMb() - before;
  const counts = Object.fromEntries(inventory.status().kinds.map((k) => [k.kind, k.count]));
  process.send!({ readyMs, cpuMs, memMb, rssMb, counts } satisfies RunResult);
  await inventory.stop();
  inventory.http.close();
}

async function compareRole(): Promise<void> {
  const { AppsV1Api, CoreV1Api } = await import('@kubernetes/client-node');
  const { loadKubeConfig } = await import('../../main/kube/kubeconfig');
  const { KubeHttp } = await import('../../main/kube/inventory/http');
  const gc = gcFunction();
  const { kc } = loadKubeConfig(process.env.BENCH_KUBECONFIG!, {});

  // the generated client, paged like the inventory; objects kept (as an informer would)
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  type Page = { items: unknown[]; metadata?: { _continue?: string } };
  const pages = async (fetch: (cont: string | undefined) => Promise<Page>) => {
    const out: unknown[] = [];
    let cont: string | undefined;
    do {
      const page = await fetch(cont);
      out.push(...page.items);
      cont = page.metadata?._continue || undefined;
    } while (cont);
    return out;
  };
  await settle(gc);
  let before = usedMb();
  let t0 = performance.now();
  const generated = await Promise.all([
    pages((c) => core.listPodForAllNamespaces({ limit: 500, _continue: c })),
    pages((c) => apps.listDeploymentForAllNamespaces({ limit: 500, _continue: c })),
    pages((c) => apps.listReplicaSetForAllNamespaces({ limit: 500, _continue: c })),
  ]);
  const generatedMs = performance.now() - t0;
  await settle(gc);
  const generatedMb = usedMb() - before;
  generated.splice(0);

  // raw HTTP + JSON.parse, full objects kept (no projection), same paging
  const http = new KubeHttp(kc);
  const raw = async (p: string) => {
    const out: unknown[] = [];
    let cont: string | undefined;
    do {
      const page = (await http.getJson(p, { limit: 500, continue: cont })) as {
        items: unknown[];
        metadata?: { continue?: string };
      };
      out.push(...page.items);
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return out;
  };
  await settle(gc);
  before = usedMb();
  t0 = performance.now();
  const plain = await Promise.all([
    raw('/api/v1/pods'),
    raw('/apis/apps/v1/deployments'),
    raw('/apis/apps/v1/replicasets'),
  ]);
  const rawMs = performance.now() - t0;
  await settle(gc);
  const rawMb = usedMb() - before;
  plain.splice(0);
  http.close();
  process.send!({ generatedMs, generatedMb, rawMs, rawMb });
}

const role = process.env[ROLE];
if (role) {
  const roles: Record<string, () => Promise<void>> = {
    server: serverRole,
    inventory: inventoryRole,
    compare: compareRole,
  };
  const fn = roles[role];
  if (!fn) throw new Error(`unknown bench role ${role}`);
  fn().then(
    () => {
      if (role !== 'server') process.disconnect();
    },
    (err: unknown) => {
      process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exitCode = 1;
      process.disconnect();
    },
  );
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  bench().then(
    (figures) => {
      for (const f of figures)
        console.log(`BENCH ${f.name} ${f.value} ${f.unit} target ${f.target} ${f.pass ? 'PASS' : 'FAIL'}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
