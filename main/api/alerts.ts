/**
 * The alert list: Alertmanager's firing and suppressed alerts plus Prometheus's pending ones, grouped by model
 * service. A silence is an action (main/actions/silence.ts).
 */
import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { toAppErrorData } from '../../shared/errors';
import { parseServiceId } from '../../shared/models';
import {
  silenceName,
  type Alert,
  type AlertList,
  type alertsChannels,
  type Silence,
} from '../../shared/alerts';
import { matcherText } from '../actions/silence';
import { AlertmanagerClient, type AmAlert, type AmSilence } from '../metrics/alertmanager';
import { fromAlertmanager, fromPrometheus, groupAlerts, valueNote, type AlertOwner } from '../metrics/alerts';
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
  const amClient = amConfig ? new AlertmanagerClient({ ...amConfig, timeoutMs: 10_000 }) : null;
  const [am, prom, who, amSilences, rules] = await Promise.all([
    amClient
      ? amClient.alerts().then(
          (alerts) => ({ alerts, status: { status: 'ok' } as SourceStatus }),
          (err: unknown) => ({ alerts: [] as AmAlert[], status: statusOf(err) }),
        )
      : Promise.resolve({ alerts: [] as AmAlert[], status: { status: 'not_configured' } as SourceStatus }),
    promConfig
      ? new PrometheusClient({ ...promConfig, timeoutMs: 10_000 }).alerts().then(
          (alerts) => ({ alerts, status: { status: 'ok' } as SourceStatus }),
          (err: unknown) => ({ alerts: [], status: statusOf(err) }),
        )
      : Promise.resolve({ alerts: [], status: { status: 'not_configured' } as SourceStatus }),
    owners(ctx, input.context),
    // the silences are a second read: when only it fails, the alerts still show (without the list of silences)
    amClient ? amClient.silences().catch(() => [] as AmSilence[]) : Promise.resolve([] as AmSilence[]),
    // what each alert's value is, from its rule (best effort: without the rules it is said less precisely)
    promConfig
      ? new PrometheusClient({ ...promConfig, timeoutMs: 5_000 }).alertRules().catch(() => [])
      : Promise.resolve([]),
  ]);
  const queries = new Map(rules.map((r) => [r.name, r.query]));
  // without a working Alertmanager, Prometheus's own firing alerts stand in (not their silences)
  const amWorks = am.status.status === 'ok';
  const alerts: Alert[] = [...am.alerts.map(fromAlertmanager), ...fromPrometheus(prom.alerts, !amWorks)].map(
    (a) => {
      const note = valueNote(queries.get(a.name));
      return note ? { ...a, valueNote: note } : a;
    },
  );
  const groups = groupAlerts(alerts, who);
  const count = (state: Alert['state']) => alerts.filter((a) => a.state === state).length;
  return {
    fetchedAt: new Date().toISOString(),
    groups,
    counts: { firing: count('firing'), pending: count('pending'), suppressed: count('suppressed') },
    alertmanager: am.status,
    prometheus: prom.status,
    silences: runningSilences(amSilences, am.alerts),
  };
}

/** Running and scheduled silences, the soonest to end first, each with the number of alerts it silences now. */
function runningSilences(silences: readonly AmSilence[], alerts: readonly AmAlert[]): Silence[] {
  return silences
    .filter((s): s is AmSilence & { status: { state: 'active' | 'pending' } } => s.status.state !== 'expired')
    .map((s) => {
      const matchers = s.matchers.map((m) => ({ ...m, isEqual: m.isEqual ?? true }));
      return {
        id: s.id,
        state: s.status.state,
        matchers: matcherText(matchers),
        name: silenceName(matchers),
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        createdBy: s.createdBy,
        comment: s.comment,
        silencing: alerts.filter((a) => (a.status.silencedBy ?? []).includes(s.id)).length,
      };
    })
    .sort((a, b) => Date.parse(a.endsAt) - Date.parse(b.endsAt) || a.id.localeCompare(b.id));
}
