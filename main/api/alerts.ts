/**
 * The alert list (Alertmanager's firing and suppressed alerts plus Prometheus's pending ones, grouped by model
 * service), and silences as actions of the pipeline.
 */
import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { AppError, toAppErrorData } from '../../shared/errors';
import { parseServiceId } from '../../shared/models';
import { type Alert, type AlertList } from '../../shared/alerts';
import type { ExternalAction } from '../kube/actionPipeline';
import { AlertmanagerClient } from '../metrics/alertmanager';
import { fromAlertmanager, fromPrometheus, groupAlerts, type AlertOwner } from '../metrics/alerts';
import { applySilence, planSilence, type SilenceRequest } from '../metrics/silencePlan';
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
 * A silence as an action of the pipeline: the preview (which alerts it covers now, what changes, warnings),
 * then, once confirmed, the write and the check that Alertmanager shows the alerts as silenced. The pipeline
 * records it in the audit log with what it covered before and the silence after.
 */
export async function silenceAction(
  ctx: ApiContext,
  request: SilenceRequest,
  options: { effectTimeoutMs?: number; pollMs?: number } = {},
): Promise<ExternalAction> {
  const config = ctx.settings.alertmanagerConfig();
  if (!config) {
    throw new AppError(
      'NOT_CONFIGURED',
      'No Alertmanager URL is set.',
      'Enter the Alertmanager URL in Settings (beside Prometheus).',
    );
  }
  const client = new AlertmanagerClient({ ...config, timeoutMs: 10_000 });
  const plan = await planSilence(client, request, new Date());
  const target = `Silence ${plan.matcherText}`;
  return {
    preview: {
      context: client.url,
      summary: plan.summary,
      target: {
        apiVersion: 'alertmanager/v2',
        kind: 'Silence',
        namespace: '',
        name: plan.name,
        uid: '',
        resourceVersion: '',
      },
      confirmPhrase: plan.name,
      permission: {
        allowed: true,
        reason: `Alertmanager has no per-user permissions: whoever reaches its API may silence. It records ${ctx.actor} as the author.`,
      },
      dryRun: plan.dryRun,
      diff: plan.diff,
      warnings: plan.warnings,
      noop: plan.noop,
    },
    auditTarget: target,
    before: {
      alertmanager: client.url,
      matchingAlerts: plan.covered.map((a) => ({
        fingerprint: a.fingerprint,
        alertname: a.labels.alertname ?? null,
        state: a.status.state,
      })),
    },
    async apply() {
      const effect = await applySilence(client, plan, {
        createdBy: ctx.actor,
        timeoutMs: options.effectTimeoutMs ?? 30_000,
        pollMs: options.pollMs ?? 500,
      });
      return {
        status: effect.status,
        message: effect.message,
        auditTarget: `${target} id=${effect.silenceId}`,
        after: {
          silenceId: effect.silenceId,
          matchers: plan.matchers,
          startsAt: effect.startsAt,
          endsAt: effect.endsAt,
          comment: plan.comment,
        },
      };
    },
  };
}
