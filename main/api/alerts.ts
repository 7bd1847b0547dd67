/**
 * The alert list: Alertmanager's firing and suppressed alerts plus Prometheus's pending ones, grouped by model
 * service. A silence is an action (main/actions/silence.ts).
 */
import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { toAppErrorData } from '../../shared/errors';
import { parseServiceId } from '../../shared/models';
import type { Alert, AlertList, alertsChannels } from '../../shared/alerts';
import { AlertmanagerClient } from '../metrics/alertmanager';
import { fromAlertmanager, fromPrometheus, groupAlerts, type AlertOwner } from '../metrics/alerts';
import { PrometheusClient } from '../metrics/prometheus';
import type { ApiContext } from './context';
import type { HandlersOf } from './dispatch';
import { modelServicesOrNone } from './models';

type SourceStatus = AlertList['alertmanager'];

function statusOf(err: unknown): SourceStatus {
  const e = toAppErrorData(err);
  return { status: 'error', error: { code: e.code, message: e.message, hint: e.hint } };
}

async function owners(ctx: ApiContext, context?: string): Promise<AlertOwner[]> {
  const services = await modelServicesOrNone(ctx, context);
  return services.map((s) => ({
    id: s.id,
    name: s.name,
    namespace: s.namespace,
    modelName: s.modelName,
    podPrefix: s.podPrefix,
    workload: parseServiceId(s.id).name,
  }));
}

export function alertsHandlers(ctx: ApiContext): HandlersOf<typeof alertsChannels> {
  return {
    'alerts.list': (input) => listAlerts(ctx, input),
  };
}

async function listAlerts(
  ctx: ApiContext,
  input: ChannelParsedInput<'alerts.list'>,
): Promise<ChannelOutput<'alerts.list'>> {
  const amConfig = ctx.settings.alertmanagerConfig();
  const promConfig = ctx.settings.prometheusConfig();
  const [am, prom, who] = await Promise.all([
    amConfig
      ? new AlertmanagerClient({ ...amConfig, timeoutMs: 10_000 }).alerts().then(
          (alerts) => ({ alerts, status: { status: 'ok' } as SourceStatus }),
          (err: unknown) => ({ alerts: [], status: statusOf(err) }),
        )
      : Promise.resolve({ alerts: [], status: { status: 'not_configured' } as SourceStatus }),
    promConfig
      ? new PrometheusClient({ ...promConfig, timeoutMs: 10_000 }).alerts().then(
          (alerts) => ({ alerts, status: { status: 'ok' } as SourceStatus }),
          (err: unknown) => ({ alerts: [], status: statusOf(err) }),
        )
      : Promise.resolve({ alerts: [], status: { status: 'not_configured' } as SourceStatus }),
    owners(ctx, input.context),
  ]);
  // without a working Alertmanager, Prometheus's own firing alerts stand in (not their silences)
  const amWorks = am.status.status === 'ok';
  const alerts: Alert[] = [...am.alerts.map(fromAlertmanager), ...fromPrometheus(prom.alerts, !amWorks)];
  const groups = groupAlerts(alerts, who);
  const count = (state: Alert['state']) => alerts.filter((a) => a.state === state).length;
  return {
    fetchedAt: new Date().toISOString(),
    groups,
    counts: { firing: count('firing'), pending: count('pending'), suppressed: count('suppressed') },
    alertmanager: am.status,
    prometheus: prom.status,
  };
}
