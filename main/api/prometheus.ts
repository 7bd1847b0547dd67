import { AppError } from '../../shared/errors';
import type { PrometheusCheck } from '../../shared/settings';
import type { ChannelParsedInput } from '../../shared/contract';
import { PrometheusClient } from '../metrics/prometheus';
import type { ApiContext } from './context';

/** "Test connection": proves the URL answers the Prometheus API with these credentials, before or after saving. */
export async function checkPrometheus(
  ctx: ApiContext,
  input: ChannelParsedInput<'prometheus.check'>,
): Promise<PrometheusCheck> {
  const config = input.proposed
    ? ctx.settings.proposedPrometheusConfig(input.proposed)
    : ctx.settings.prometheusConfig();
  if (!config) {
    throw new AppError(
      'NOT_CONFIGURED',
      'No Prometheus URL is set.',
      'Enter the Prometheus URL in Settings.',
    );
  }
  const client = new PrometheusClient({ ...config, timeoutMs: 8000 });
  // A query proves the API answers with these credentials; build info and TSDB stats are best-effort extras.
  await client.query('vector(1)');
  const [version, seriesCount] = await Promise.all([client.buildVersion(), client.headSeries()]);
  return { url: client.url, version, seriesCount };
}
