import { AppError } from '../../shared/errors';
import type { MetricsStatus, ModelList, ModelService } from '../../shared/domain';
import { kubeConfigFor } from '../kube/kubeconfig';
import { discoverModelServices } from '../kube/modelServices';
import { modelRates } from '../metrics/modelRates';
import { PrometheusClient } from '../metrics/prometheus';
import type { ApiContext } from './context';

const KUBE_TIMEOUT_MS = 15_000;

/**
 * The Models view: model services from the cluster joined with their live rates. A Prometheus failure
 * never hides the model list: it comes back as the list's metrics status.
 */
export async function listModels(
  ctx: ApiContext,
  input: { context?: string | undefined },
): Promise<ModelList> {
  const saved = ctx.settings.kube();
  const kc = kubeConfigFor(saved.kubeconfigPath, input.context ?? saved.context, ctx.env);
  const context = kc.getCurrentContext();
  const discovered = await withTimeout(discoverModelServices(kc), KUBE_TIMEOUT_MS, () => {
    return new AppError(
      'CLUSTER_UNREACHABLE',
      `The cluster of context "${context}" did not answer within ${KUBE_TIMEOUT_MS / 1000} s.`,
      'Check your network or VPN, then retry.',
    );
  });

  let metrics: MetricsStatus = { status: 'not_configured' };
  let rates = new Map<string, { requestRate: number | null; errorRatio: number | null }>();
  const prom = ctx.settings.prometheusConfig();
  if (prom) {
    try {
      rates = await modelRates(new PrometheusClient(prom), discovered);
      metrics = { status: 'ok' };
    } catch (err) {
      const e =
        err instanceof AppError
          ? err
          : new AppError('PROMETHEUS_ERROR', 'Reading rates from Prometheus failed.', 'Retry in a moment.');
      metrics = { status: 'error', error: e.toJSON() };
    }
  }

  const models: ModelService[] = discovered.map((d) => {
    const r = rates.get(d.id);
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
    };
  });
  return { context, fetchedAt: new Date().toISOString(), models, metrics };
}

/** Re-sends the model list every `intervalS` seconds; a failed round is reported and the next one tried. */
export function watchModels(
  ctx: ApiContext,
  params: { context?: string | undefined; intervalS: number },
  emit: (list: ModelList) => void,
  fail: (err: unknown) => void,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const round = async () => {
    try {
      const list = await listModels(ctx, params);
      if (!stopped) emit(list);
    } catch (err) {
      if (!stopped) fail(err);
    } finally {
      if (!stopped) timer = setTimeout(round, params.intervalS * 1000);
    }
  };
  void round();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
