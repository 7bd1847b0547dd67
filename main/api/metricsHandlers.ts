import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { listAlerts } from './alerts';
import type { ApiContext } from './context';
import {
  getCatalogue,
  getGpuFleet,
  getModelHealth,
  getModelOverview,
  rangeQuery,
  setCatalogueOverride,
  setSlo,
} from './metrics';

type MetricsChannel =
  | 'metrics.modelHealth'
  | 'metrics.modelOverview'
  | 'metrics.catalogue'
  | 'metrics.setOverride'
  | 'metrics.setSlo'
  | 'metrics.gpuFleet'
  | 'metrics.range'
  | 'alerts.list';

/** The handlers of the metrics and alerts channels (spread into the dispatcher's table). */
export function metricsHandlers(ctx: ApiContext): {
  [C in MetricsChannel]: (input: ChannelParsedInput<C>) => Promise<ChannelOutput<C>> | ChannelOutput<C>;
} {
  return {
    'metrics.modelHealth': (input) => getModelHealth(ctx, input),
    'metrics.modelOverview': (input) => getModelOverview(ctx, input),
    'metrics.catalogue': (input) => getCatalogue(ctx, input),
    'metrics.setOverride': (input) => setCatalogueOverride(ctx, input),
    'metrics.setSlo': (input) => setSlo(ctx, input),
    'metrics.gpuFleet': (input) => getGpuFleet(ctx, input),
    'metrics.range': (input) => rangeQuery(ctx, input),
    'alerts.list': (input) => listAlerts(ctx, input),
  };
}
