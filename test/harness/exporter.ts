/**
 * The live synthetic exporter: one HTTP server on a free loopback port serving `/metrics` (Prometheus text
 * format) with the scenario's series at the moment of the scrape. Counters carry on from the backfill's
 * last values. What it reports follows the cluster: `conditionsFromKube` reads the test API server's store
 * at every scrape, so rolling llama-70b-chat back stops its errors and moving the chat route's weights moves
 * its traffic to llama-8b-chat (share = weight / sum of weights).
 */
import { createServer, type Server } from 'node:http';
import type { Conditions, LiveState, Scenario } from './scenario';
import { NAME_LABEL } from './scenario';
import { LOOPBACK } from './ports';

/** The part of the test API server's store the exporter reads. */
export interface ReadableStore {
  list(apiVersion: string, kind: string, namespace?: string): readonly unknown[];
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): unknown;
}

interface Meta {
  name?: string;
  labels?: Record<string, string>;
  deletionTimestamp?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const field = (v: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), v);
const meta = (v: unknown): Meta => (isRecord(field(v, 'metadata')) ? (field(v, 'metadata') as Meta) : {});

/** The container images of a pod template or pod spec holder. */
function images(podSpecHolder: unknown): string[] {
  const containers = field(podSpecHolder, 'spec', 'containers');
  return Array.isArray(containers)
    ? containers.map((c) => field(c, 'image')).filter((i): i is string => typeof i === 'string')
    : [];
}

/** Share of each backend of an HTTPRoute: weight / sum of weights (weight defaults to 1); all 0 when the sum is 0. */
export function routeShares(route: unknown): Record<string, number> {
  const weights = new Map<string, number>();
  const rules = field(route, 'spec', 'rules');
  for (const rule of Array.isArray(rules) ? rules : []) {
    const refs = field(rule, 'backendRefs');
    for (const ref of Array.isArray(refs) ? refs : []) {
      const name = field(ref, 'name');
      const weight = field(ref, 'weight');
      if (typeof name !== 'string') continue;
      weights.set(name, (weights.get(name) ?? 0) + (typeof weight === 'number' ? Math.max(0, weight) : 1));
    }
  }
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  return Object.fromEntries([...weights].map(([name, w]) => [name, total > 0 ? w / total : 0]));
}

/**
 * Conditions read from the store at each call:
 *   broken    = the incident model's Deployment template runs the bad image;
 *   shares    = the chat HTTPRoute's weights (no route: no traffic through it);
 *   pods      = running pods labelled app.kubernetes.io/name=<workload> (or serving.kserve.io/inferenceservice),
 *               not being deleted; a workload whose pods the store has never held (no controller) uses the
 *               scenario's pod names while it wants replicas.
 */
export function conditionsFromKube(
  scenario: Scenario,
  store: ReadableStore,
  nowMs: () => number = Date.now,
): () => Conditions {
  const hadPods = new Set<string>();
  const { incident, route } = scenario;
  return () => {
    const broken = new Set<string>();
    const deployment = store.get('apps/v1', 'Deployment', incident.namespace, incident.model);
    if (images(field(deployment, 'spec', 'template')).includes(incident.badImage)) broken.add(incident.model);

    const shares = routeShares(
      store.get('gateway.networking.k8s.io/v1', 'HTTPRoute', route.namespace, route.name),
    );

    const pods: Record<string, string[]> = {};
    const podsByNamespace = new Map<string, readonly unknown[]>();
    for (const w of scenario.workloads) {
      let list = podsByNamespace.get(w.namespace);
      if (!list) podsByNamespace.set(w.namespace, (list = store.list('v1', 'Pod', w.namespace)));
      const mine = list.filter((p) => {
        const labels = meta(p).labels ?? {};
        return labels[NAME_LABEL] === w.name || labels['serving.kserve.io/inferenceservice'] === w.name;
      });
      if (mine.length > 0) hadPods.add(w.name);
      const running = mine
        .filter(
          (p) =>
            !meta(p).deletionTimestamp &&
            ['Running', undefined].includes(field(p, 'status', 'phase') as string | undefined),
        )
        .map((p) => meta(p).name)
        .filter((n): n is string => typeof n === 'string')
        .sort();
      if (running.length > 0 || hadPods.has(w.name)) {
        pods[w.name] = running;
        continue;
      }
      const owner =
        w.kind === 'Deployment'
          ? store.get('apps/v1', 'Deployment', w.namespace, w.name)
          : store.get('serving.kserve.io/v1beta1', 'InferenceService', w.namespace, w.name);
      const replicas = field(owner, 'spec', 'replicas');
      const wanted = owner !== undefined && owner !== null && (typeof replicas !== 'number' || replicas > 0);
      pods[w.name] = wanted
        ? [...scenario.podNames(w.name, scenario.revisionAt(w.name, nowMs() / 1000))]
        : [];
    }
    return { broken, routeShares: shares, pods };
  };
}

export interface ExporterOptions {
  scenario: Scenario;
  /** The cluster state at scrape time (default: the story's, i.e. nothing changes). */
  conditions?: () => Conditions;
  /** Counters to continue from (default: the end of the scenario's backfill). */
  state?: LiveState;
  port?: number;
  /** Clock in ms (default Date.now). */
  now?: () => number;
}

export interface Exporter {
  url: string;
  /** host:port for a scrape config. */
  target: string;
  port: number;
  state: LiveState;
  /** Scrapes served so far. */
  readonly scrapes: number;
  /** Advances to now and returns the exposition (what a scrape gets). */
  metricsText(): string;
  stop(): Promise<void>;
}

export async function startExporter(opts: ExporterOptions): Promise<Exporter> {
  const { scenario } = opts;
  const state = opts.state ?? scenario.initialLiveState();
  const now = opts.now ?? Date.now;
  const conditions = opts.conditions ?? (() => scenario.conditionsAt(now() / 1000));
  const metricsText = () => {
    const t = Math.max(now() / 1000, Number.isNaN(state.t) ? -Infinity : state.t);
    return scenario.exposition(scenario.sampleAt(t, state, conditions()));
  };
  let scrapes = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      try {
        const body = metricsText();
        scrapes++;
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          .end(req.method === 'HEAD' ? undefined : body);
      } catch (err) {
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(err instanceof Error ? err.message : String(err));
      }
      return;
    }
    if (path === '/' || path === '/-/healthy') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('firebreak sandbox exporter: /metrics\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${LOOPBACK}:${port}`,
    target: `${LOOPBACK}:${port}`,
    port,
    state,
    get scrapes() {
      return scrapes;
    },
    metricsText,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
