/**
 * The sandbox: one call starts, on loopback ports it picks, everything the console talks to, all telling
 * the scenario's story (test/harness/scenario):
 *   - the Kubernetes API test server, seeded with the scenario's objects and history (llama-70b-chat at
 *     revision 2 with the bad image, revision 1 kept as a ReplicaSet), and a kubeconfig (context
 *     `firebreak-sandbox`) in `dir`;
 *   - the live exporter (reads the API server's store at every scrape);
 *   - a real Alertmanager and a real Prometheus, backfilled with the history, scraping the exporter every 5 s
 *     and evaluating the sandbox's alert rules;
 *   - optionally the Cost Explorer test server fed with the scenario's daily cost records.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertmanagerServer } from './alertmanager';
import { startAlertmanager } from './alertmanager';
import type { CostExplorerServer } from './cost-explorer';
import type { Exporter } from './exporter';
import { conditionsFromKube, startExporter } from './exporter';
import type { KubeApiServer, KubeObject } from './kube';
import { startKubeApiServer } from './kube';
import { installSignalHandlers, registerTempDir, waitFor } from './ports';
import type { PrometheusServer } from './prometheus';
import { startPrometheus } from './prometheus';
import type { Scenario, ScenarioOptions } from './scenario';
import { NAME_LABEL, createScenario } from './scenario';

export const SANDBOX_CONTEXT = 'firebreak-sandbox';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export interface SandboxOptions {
  /**
   * Where the kubeconfig and the servers' data go; kept on stop() (its prometheus/ and alertmanager/ are
   * recreated at each start). Default: a temporary folder, removed on stop().
   */
  dir?: string;
  seed?: number;
  /** The story's "now" (default: the current time); not in the future. */
  now?: Date;
  historyHours?: number;
  /** Passed to the scenario (see ScenarioOptions). */
  stepSeconds?: number;
  historyStepSeconds?: number;
  withCostExplorer?: boolean;
  /** Days of cost records for the Cost Explorer test server; default 90. */
  costDays?: number;
  /** `for:` of the sandbox's alert rules (ModelHighErrorRate, GPUIdle); default '1m'. */
  alertFor?: string;
  /** Scrape interval of the live exporter, seconds; default 5. */
  scrapeIntervalSeconds?: number;
  /** Kill the children and remove temporary data on SIGINT/SIGTERM (default true; the CLI handles signals itself). */
  handleSignals?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface Sandbox {
  dir: string;
  kubeconfigPath: string;
  kubeApiUrl: string;
  prometheusUrl: string;
  alertmanagerUrl: string;
  costExplorerUrl: string | null;
  /** The Cost Explorer test server (credentials, recorded requests, fault switches), when started. */
  costExplorer: CostExplorerServer | null;
  kube: KubeApiServer;
  scenario: Scenario;
  exporter: Exporter;
  prometheus: PrometheusServer;
  alertmanager: AlertmanagerServer;
  /** Seconds each start-up phase took, and `total`. */
  timings: Record<string, number>;
  /** Kinds of the scenario the API server does not store ("apiVersion Kind"), left out of the seed. */
  skippedKinds: string[];
  stop(): Promise<void>;
}

type Stop = () => Promise<unknown>;

function podsOf(kube: KubeApiServer, namespace: string, workload: string): string[] {
  return kube.store
    .list('v1', 'Pod', namespace)
    .filter((p) => p.metadata.labels?.[NAME_LABEL] === workload && !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name)
    .sort();
}

function rolledOut(d: KubeObject | undefined): boolean {
  if (!d) return false;
  const spec = (d.spec ?? {}) as { replicas?: number };
  const status = (d.status ?? {}) as {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
  const want = spec.replicas ?? 1;
  return (
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    (status.updatedReplicas ?? 0) >= want &&
    status.replicas === status.updatedReplicas &&
    (status.availableReplicas ?? 0) >= want
  );
}

/**
 * Seeds the API server with the scenario and plays its history, so the deployment controller makes the
 * revisions; returns the pod names it made per workload and revision (for the metrics).
 */
export async function seedKube(
  kube: KubeApiServer,
  scenario: Scenario,
): Promise<{ podNames: Record<string, Record<number, string[]>>; skipped: string[] }> {
  const podNames: Record<string, Record<number, string[]>> = {};
  const skipped = new Set<string>();
  const apply = (obj: KubeObject) => {
    try {
      kube.store.apply(obj);
    } catch (err) {
      // a kind the test server does not serve (yet): the rest of the story still holds
      if (!/unknown kind|cannot load/i.test(err instanceof Error ? err.message : '')) throw err;
      skipped.add(`${obj.apiVersion} ${obj.kind}`);
    }
  };
  // the story's clock while it is played: the objects the controllers make (ReplicaSets, pods, their events) carry
  // the scenario's times, so a revision-2 ReplicaSet is created when the rollout happened, before the errors rose
  const playAt = (atMs: number) => {
    const real0 = Date.now();
    kube.store.now = () => atMs + (Date.now() - real0);
  };
  const objects = scenario.kubeObjects();
  const created = objects.map((o) => Date.parse(o.metadata.creationTimestamp ?? '')).filter(Number.isFinite);
  playAt(created.length ? Math.min(...created) : scenario.start.getTime());
  for (const obj of objects) apply(obj);
  const deployments = scenario.workloads.filter((w) => w.kind === 'Deployment');
  const record = async (names: readonly string[]) => {
    for (const w of deployments.filter((x) => names.includes(x.name))) {
      const d = await waitFor(
        async () => {
          const got = kube.store.get('apps/v1', 'Deployment', w.namespace, w.name);
          return rolledOut(got) ? got : undefined;
        },
        { what: `the rollout of Deployment ${w.namespace}/${w.name}`, timeoutMs: 20_000, intervalMs: 50 },
      );
      const revision = Number(d.metadata.annotations?.[REVISION_ANNOTATION] ?? '1');
      (podNames[w.name] ??= {})[revision] = podsOf(kube, w.namespace, w.name);
    }
  };
  // revision 1 of every Deployment: record its pods before the history replaces them
  await record(deployments.map((w) => w.name));
  for (const step of scenario.kubeHistory()) {
    playAt(step.at.getTime());
    for (const obj of step.objects) apply(obj);
    await record(step.objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name));
  }
  kube.store.now = Date.now;
  return { podNames, skipped: [...skipped] };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const mark = (phase: string, since: number) => {
    timings[phase] = Math.round(performance.now() - since) / 1000;
    opts.log?.(`${phase}: ${timings[phase]} s`);
  };
  if (opts.now && opts.now.getTime() > Date.now() + 60_000) {
    throw new Error('startSandbox: `now` is in the future; Prometheus would refuse the live samples');
  }
  if (opts.handleSignals !== false) installSignalHandlers();
  const temporary = !opts.dir;
  const dir = opts.dir ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), 'firebreak-sandbox-'));
  await mkdir(dir, { recursive: true });
  // a given dir may hold an earlier run: its TSDB blocks would overlap the new history
  await Promise.all(
    ['prometheus', 'alertmanager'].map((sub) => rm(join(dir, sub), { recursive: true, force: true })),
  );
  const unregister = temporary ? registerTempDir(dir) : () => false;
  const orphanDir = temporary ? dir : undefined;
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((err: unknown) => console.error('sandbox stop:', err));
    }
    if (temporary) {
      await rm(dir, { recursive: true, force: true });
      unregister();
    }
  };

  let alertmanagerStarting: Promise<AlertmanagerServer> | undefined;
  try {
    const scenarioOptions: ScenarioOptions = {
      seed: opts.seed,
      now: opts.now,
      historyHours: opts.historyHours,
      stepSeconds: opts.stepSeconds,
      historyStepSeconds: opts.historyStepSeconds,
    };
    const story = createScenario(scenarioOptions);

    // Alertmanager starts meanwhile (it needs nothing from the others)
    alertmanagerStarting = startAlertmanager({
      dir: join(dir, 'alertmanager'),
      removeOnOrphan: orphanDir,
    }).then((am) => {
      stops.push(() => am.stop());
      return am;
    });
    alertmanagerStarting.catch(() => undefined);

    let t = performance.now();
    const kube = await startKubeApiServer({ seed: story.seed });
    stops.push(() => kube.stop());
    const { podNames, skipped } = await seedKube(kube, story);
    if (skipped.length > 0)
      opts.log?.(`the Kubernetes API test server does not store: ${skipped.join(', ')} (skipped)`);
    const kubeconfigPath = kube.writeKubeconfig(join(dir, 'kubeconfig'), { contextName: SANDBOX_CONTEXT });
    mark('kube', t);

    // the same story, naming the pods the controller made
    t = performance.now();
    const scenario = createScenario({ ...scenarioOptions, now: story.now, podNames });
    const exporter = await startExporter({ scenario, conditions: conditionsFromKube(scenario, kube.store) });
    stops.push(() => exporter.stop());
    mark('history', t);

    t = performance.now();
    const alertmanager = await alertmanagerStarting;
    const prometheus = await startPrometheus({
      scenario,
      dir: join(dir, 'prometheus'),
      exporterTarget: exporter.target,
      alertmanagerTarget: alertmanager.target,
      alertFor: opts.alertFor,
      scrapeIntervalSeconds: opts.scrapeIntervalSeconds,
      removeOnOrphan: orphanDir,
    });
    stops.push(() => prometheus.stop());
    if (prometheus.backfill) timings.backfill = Math.round(prometheus.backfill.seconds * 1000) / 1000;
    mark('prometheus', t);

    let costExplorer: CostExplorerServer | null = null;
    const costModule = fileURLToPath(new URL('./cost-explorer/index.ts', import.meta.url));
    if (opts.withCostExplorer && existsSync(costModule)) {
      const { startCostExplorerServer } = await import('./cost-explorer');
      costExplorer = await startCostExplorerServer({
        records: scenario.dailyCosts({ days: opts.costDays ?? 90 }),
        today: scenario.now.toISOString().slice(0, 10),
      });
      const server = costExplorer;
      stops.push(() => server.stop());
    }
    mark('total', t0);

    return {
      dir,
      kubeconfigPath,
      kubeApiUrl: kube.url,
      prometheusUrl: prometheus.url,
      alertmanagerUrl: alertmanager.url,
      costExplorerUrl: costExplorer?.url ?? null,
      costExplorer,
      kube,
      scenario,
      exporter,
      prometheus,
      alertmanager,
      timings,
      skippedKinds: skipped,
      stop: stopAll,
    };
  } catch (err) {
    // a child still starting must be up (and in `stops`) before we stop everything
    await alertmanagerStarting?.catch(() => undefined);
    await stopAll();
    throw err;
  }
}
