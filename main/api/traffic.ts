/** Traffic: the routes that split traffic, read from the live connection. A change of split is an action. */
import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { PEAK_RANGE_S, type trafficChannels } from '../../shared/traffic';
import { listRoutes } from '../kube/routes';
import { pool } from '../metrics/charts';
import { catalogueEntry } from '../metrics/modelHealth';
import { nowInstant, peakRequestRate } from '../metrics/nowFigures';
import { metricsEnv, type ApiContext } from './context';
import type { HandlersOf } from './dispatch';
import { catalogueOverrides, prometheusNotConfigured } from './health';

export function trafficHandlers(ctx: ApiContext): HandlersOf<typeof trafficChannels> {
  return {
    'traffic.routes': (input) => listRoutes(ctx.connections.connect(input.context ?? null).kubeConfig),
    'traffic.peaks': (input) => peaks(ctx, input),
  };
}

/** Per backend, the most it served over the last day: a fallback asked for more is a risk the dialog names. */
async function peaks(
  ctx: ApiContext,
  input: ChannelParsedInput<'traffic.peaks'>,
): Promise<ChannelOutput<'traffic.peaks'>> {
  const env = metricsEnv(ctx);
  if (!env.client) throw prometheusNotConfigured();
  const overrides = catalogueOverrides(ctx);
  const at = nowInstant(Date.now());
  return pool(input.services, 4, async (service) => {
    const { queries } = await catalogueEntry(env, service, overrides[service.id] ?? null);
    return { id: service.id, peak: await peakRequestRate(env, queries, at, PEAK_RANGE_S) };
  });
}
