/**
 * Handler of the GPU view: heatmap, per node and per model service, idle GPUs with their cost. Which pods belong
 * to which model service comes from the same inventory as the Models view; prices from the cost view's table.
 */
import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import type { gpuChannels } from '../../shared/gpu';
import { readPriceTable } from '../cost/priceTable';
import { gpuFleet } from '../metrics/gpu';
import type { GpuPriceList } from '../metrics/gpuPrices';
import { metricsEnv, type ApiContext } from './context';
import type { HandlersOf } from './dispatch';
import { prometheusNotConfigured } from './health';
import { modelServicesOrNone } from './models';

export function gpuHandlers(ctx: ApiContext): HandlersOf<typeof gpuChannels> {
  return {
    'metrics.gpuFleet': (input) => getGpuFleet(ctx, input),
  };
}

async function getGpuFleet(
  ctx: ApiContext,
  input: ChannelParsedInput<'metrics.gpuFleet'>,
): Promise<ChannelOutput<'metrics.gpuFleet'>> {
  const env = metricsEnv(ctx, 60_000);
  if (!env.client) throw prometheusNotConfigured();
  const services = await modelServicesOrNone(ctx, input.context);
  const fleet = await gpuFleet(env, input, services, gpuPriceList(ctx));
  // a heatmap still fresh in the cache, beside figures that had to come from the copy: the answer as a whole
  // is the copy, and says so (Prometheus went down since the heatmap was fetched)
  const stale = env.stale?.view() ?? null;
  if (stale && !fleet.cache?.offline) return { ...fleet, cache: { fetchedAt: stale.asOf, offline: true } };
  return fleet;
}

/** The GPU-model prices of the cost view's price table (edited there), in USD; null when it cannot be read. */
function gpuPriceList(ctx: ApiContext): GpuPriceList | null {
  try {
    const table = readPriceTable(ctx.store);
    if (table.currency !== 'USD') return null;
    return table.entries
      .filter((e) => e.kind === 'gpu')
      .map((e) => ({ match: e.match, usdPerHour: Number(e.hourly) }))
      .filter((e) => Number.isFinite(e.usdPerHour) && e.match.trim() !== '');
  } catch {
    return null;
  }
}
