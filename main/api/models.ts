/**
 * Models: the model list (once, and live), the rules that say which workloads are model services, revision
 * history; and the model services of a context as health, GPU, alerts and cost find them.
 */
import { AppError } from '../../shared/errors';
import {
  drainedBy,
  type MetricsStatus,
  type ModelList,
  type ModelService,
  type modelsChannels,
  type modelsStreams,
} from '../../shared/models';
import type { Connection, Connections } from '../kube/connections';
import { inventoryStatusView } from '../kube/inventory/inventory';
import { loadMappingRules, saveMappingRules } from '../kube/inventory/mappingRules';
import { modelViewFrom, type ModelView } from '../kube/inventory/modelView';
import type { DiscoveredModelService } from '../kube/modelServices';
import { ResourceClient } from '../kube/resources';
import { revisionHistory } from '../kube/revisions';
import { modelRates, type ModelRates } from '../metrics/modelRates';
import { downSinceFor, markAnswered } from '../metrics/staleness';
import { metricsEnv, type ApiContext } from './context';
import { catalogueOverrides } from './health';
import type { HandlersOf, StreamHandlersOf } from './dispatch';

export function modelsHandlers(ctx: ApiContext): HandlersOf<typeof modelsChannels> {
  return {
    'models.list': (input) => listModels(ctx, input, ctx.connections),
    'models.mappingRules': () => loadMappingRules(ctx.store),
    'models.saveMappingRules': (input) =>
      ctx.store.transaction(() => {
        const view = saveMappingRules(ctx.store, input.rules);
        ctx.store.audit.append({
          actor: ctx.actor,
          action: 'models.saveMappingRules',
          target: 'model-service mapping rules',
          result: 'saved',
          details: { rules: view.rules, defaults: input.rules === null },
        });
        return view;
      }),
    'models.history': (input) =>
      revisionHistory(
        new ResourceClient(ctx.connections.connect(input.context ?? null).kubeConfig),
        input.target,
      ),
  };
}

export function modelsStreamHandlers(ctx: ApiContext): StreamHandlersOf<typeof modelsStreams> {
  return {
    'models.live': (params, emit, fail) => watchModels(ctx, params, emit, fail, ctx.connections),
  };
}

const KUBE_TIMEOUT_MS = 15_000;
/** after a change, wait this long for more before sending (a rollout changes many objects at once) */
const DEBOUNCE_MS = 500;
/** and send at most this often */
const MIN_INTERVAL_MS = 2_000;

type Rates = Map<string, ModelRates>;

/**
 * The Models view: model services from the context's inventory (list+watch, started on first use) joined with
 * their live rates. A Prometheus failure never hides the model list: it comes back as the list's metrics status.
 * A cluster that cannot be read at all is an error; one that was read and is now unreachable is a list marked
 * stale (`inventory.stale`).
 */
async function listModels(
  ctx: ApiContext,
  input: { context?: string | undefined },
  connections: Connections,
): Promise<ModelList> {
  const conn = connections.connect(input.context ?? null);
  await ready(conn);
  const views = modelViewFrom(conn.inventory, loadMappingRules(ctx.store).rules, Date.now());
  const { rates, metrics } = await fetchRates(ctx, views);
  return modelList(conn, views, rates, metrics);
}

/**
 * Sends the model list when something it shows changed in the cluster (debounced, at most every 2 s), and every
 * `intervalS` seconds with fresh rates. A failed round of rates is reported in the list's metrics status.
 */
function watchModels(
  ctx: ApiContext,
  params: { context?: string | undefined; intervalS: number },
  emit: (list: ModelList) => void,
  fail: (err: unknown) => void,
  connections: Connections,
): () => void {
  let stopped = false;
  let conn: Connection | undefined;
  let unsubscribe: (() => void) | undefined;
  let rates: Rates = new Map();
  let metrics: MetricsStatus = { status: 'not_configured' };
  let lastSignature = '';
  let lastSentAt = 0;
  let pending: NodeJS.Timeout | undefined;
  let tick: NodeJS.Timeout | undefined;

  const views = (c: Connection) => modelViewFrom(c.inventory, loadMappingRules(ctx.store).rules, Date.now());

  const send = (force: boolean) => {
    if (stopped || !conn) return;
    const list = modelList(conn, views(conn), rates, metrics);
    const { fetchedAt: _at, ...content } = list;
    const signature = JSON.stringify(content);
    if (!force && signature === lastSignature) return;
    lastSignature = signature;
    lastSentAt = Date.now();
    emit(list);
  };

  const onChange = () => {
    if (stopped || pending) return;
    const wait = Math.max(DEBOUNCE_MS, lastSentAt + MIN_INTERVAL_MS - Date.now());
    pending = setTimeout(() => {
      pending = undefined;
      try {
        send(false);
      } catch (err) {
        fail(err);
      }
    }, wait);
  };

  /** (re)attach to the context's connection: it is replaced when its kubeconfig entry changes */
  const attach = () => {
    const c = connections.connect(params.context ?? null);
    if (c !== conn) {
      unsubscribe?.();
      conn = c;
      unsubscribe = c.inventory.onChange(onChange);
    }
    return c;
  };

  const round = async (first: boolean) => {
    try {
      const c = attach();
      if (first) await ready(c);
      if (stopped) return;
      const fresh = await fetchRates(ctx, views(c));
      rates = fresh.rates;
      metrics = fresh.metrics;
      send(true);
    } catch (err) {
      if (!stopped) fail(err);
      if (first) return stop();
    }
    if (!stopped) tick = setTimeout(() => void round(false), params.intervalS * 1000);
  };

  const stop = () => {
    stopped = true;
    unsubscribe?.();
    if (pending) clearTimeout(pending);
    if (tick) clearTimeout(tick);
  };
  void round(true);
  return stop;
}

/**
 * Waits for the inventory's first complete list (at most 15 s). Nothing listed at all: the connection's error
 * (401, unreachable …) is the answer. Partly listed: what is there, marked not synced.
 */
async function ready(conn: Connection): Promise<void> {
  await conn.inventory.whenReady(KUBE_TIMEOUT_MS);
  const st = conn.inventory.status();
  if (st.synced || st.kinds.some((k) => k.synced)) return;
  const s = conn.status();
  if (s.error) throw AppError.from(s.error);
  const plugin = conn.pendingPlugin();
  if (plugin) {
    // not the network: the credential plugin has not answered yet (a login may be waiting)
    throw new AppError(
      'CLUSTER_AUTH_FAILED',
      `Waiting for the credential plugin \`${plugin.command}\` of context "${conn.context}" (it has up to ${Math.round(plugin.timeoutMs / 1000)} s).`,
      'If it opened a login (a browser window, a device code), complete it; the list appears once it has finished.',
      { plugin: plugin.command, reason: 'pending' },
    );
  }
  throw new AppError(
    'CLUSTER_UNREACHABLE',
    `The cluster of context "${conn.context}" did not answer within ${KUBE_TIMEOUT_MS / 1000} s.`,
    'Check your network or VPN, then retry.',
  );
}

async function fetchRates(
  ctx: ApiContext,
  views: ModelView[],
): Promise<{ rates: Rates; metrics: MetricsStatus }> {
  const env = metricsEnv(ctx);
  if (!env.client) return { rates: new Map(), metrics: { status: 'not_configured' } };
  const url = env.client.url;
  try {
    const services = views.map((v) => ({ ...v, drained: drainedBy(v.routes) !== null }));
    const rates = await modelRates(env, services, catalogueOverrides(ctx));
    // rates from the copy saved mean Prometheus is down: the list shows them greyed "as of" the copy
    const stale = env.stale?.view() ?? null;
    if (!stale) {
      markAnswered(url);
      return { rates, metrics: { status: 'ok' } };
    }
    const since = downSinceFor(url);
    return { rates, metrics: { status: 'error', error: stale.error, asOf: stale.asOf, since } };
  } catch (err) {
    const e =
      err instanceof AppError
        ? err
        : new AppError('PROMETHEUS_ERROR', 'Reading rates from Prometheus failed.', 'Retry in a moment.');
    const since = downSinceFor(url);
    return { rates: new Map(), metrics: { status: 'error', error: e.toJSON(), since } };
  }
}

function modelList(conn: Connection, views: ModelView[], rates: Rates, metrics: MetricsStatus): ModelList {
  const models: ModelService[] = views.map((d) => {
    const r = rates.get(d.id);
    const drained = drainedBy(d.routes);
    return {
      id: d.id,
      name: d.name,
      namespace: d.namespace,
      workloadKind: d.workloadKind,
      serverKind: d.serverKind,
      modelName: d.modelName,
      replicas: d.replicas,
      image: d.image,
      requestRate: r?.requestRate ?? null,
      errorRatio: r?.errorRatio ?? null,
      health: d.health,
      route: d.route,
      routes: d.routes,
      ...(drained && { drained: { ...drained, lastErrorRatio: r?.lastErrorRatio ?? null } }),
      ...(d.paused !== undefined && { paused: d.paused }),
    };
  });
  return {
    context: conn.context,
    fetchedAt: new Date().toISOString(),
    models,
    metrics,
    inventory: inventoryStatusView(conn.inventory.status()),
  };
}

const SERVICES_TIMEOUT_MS = 5_000;

/**
 * The model services of the context, as the Models view finds them (the user's mapping rules included), or none
 * when no cluster is configured or it has not answered in time (grouping then falls back to pod names).
 */
export async function modelServicesOrNone(
  ctx: ApiContext,
  context?: string,
): Promise<DiscoveredModelService[]> {
  try {
    const conn = ctx.connections.connect(context ?? null);
    await conn.inventory.whenReady(SERVICES_TIMEOUT_MS);
    return modelViewFrom(conn.inventory, loadMappingRules(ctx.store).rules, Date.now());
  } catch {
    return [];
  }
}
