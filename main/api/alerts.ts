/**
 * Handlers of the alerts channels: the alert list (Alertmanager's firing and suppressed alerts plus
 * Prometheus's pending ones, grouped by model service) and creating a silence.
 */
import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { AppError, toAppErrorData } from '../../shared/errors';
import { parseServiceId, type Alert, type AlertList } from '../../shared/metrics';
import { AlertmanagerClient } from '../metrics/alertmanager';
import {
  fromAlertmanager,
  fromPrometheus,
  groupAlerts,
  matchesSilence,
  type AlertOwner,
} from '../metrics/alerts';
import { PrometheusClient } from '../metrics/prometheus';
import type { ApiContext } from './context';
import { modelServicesOrNone } from './metrics';

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

export async function listAlerts(
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

/**
 * Creates a silence in Alertmanager and records it in the audit log with what it covered before (the
 * matching alerts) and after (the silence). Everything a silence does happens here, so it can be routed
 * through the general action pipeline later without touching its callers.
 */
export async function createSilence(
  ctx: ApiContext,
  input: ChannelParsedInput<'alerts.silence'>,
): Promise<ChannelOutput<'alerts.silence'>> {
  const config = ctx.settings.alertmanagerConfig();
  if (!config) {
    throw new AppError(
      'NOT_CONFIGURED',
      'No Alertmanager URL is set.',
      'Enter the Alertmanager URL in Settings (beside Prometheus).',
    );
  }
  const client = new AlertmanagerClient({ ...config, timeoutMs: 10_000 });
  const matchers = input.matchers.map((m) => ({
    name: m.name,
    value: m.value,
    isRegex: m.isRegex,
    isEqual: m.isEqual,
  }));
  const target = matchers
    .map((m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}"${m.value}"`)
    .join(', ');
  const startsAt = new Date();
  const endsAt = new Date(startsAt.getTime() + input.durationMinutes * 60_000);

  const current = await client.alerts();
  const covered = current.filter((a) => matchesSilence(a.labels, matchers));
  const before = {
    matchingAlerts: covered.map((a) => ({
      fingerprint: a.fingerprint,
      alertname: a.labels.alertname ?? null,
      state: a.status.state,
    })),
  };
  try {
    const silenceId = await client.createSilence({
      matchers,
      startsAt,
      endsAt,
      createdBy: ctx.actor,
      comment: input.comment,
    });
    const entry = ctx.store.audit.append({
      actor: ctx.actor,
      action: 'alerts.silence',
      target,
      result: 'created',
      details: {
        alertmanager: client.url,
        before,
        after: {
          silenceId,
          matchers,
          startsAt: startsAt.toISOString(),
          endsAt: endsAt.toISOString(),
          comment: input.comment,
        },
      },
    });
    return { silenceId, endsAt: endsAt.toISOString(), auditSeq: entry.seq, matchedAlerts: covered.length };
  } catch (err) {
    const e = toAppErrorData(err);
    ctx.store.audit.append({
      actor: ctx.actor,
      action: 'alerts.silence',
      target,
      result: 'failed',
      details: { alertmanager: client.url, before, error: { code: e.code, message: e.message } },
    });
    throw err;
  }
}
