/**
 * Expiring a silence, as an action of the pipeline (pipeline.ts): the preview (the silence, what it silences now
 * and so what will notify again), the typed confirmation, DELETE /api/v2/silence/{id}, then reading Alertmanager
 * until the silence shows as expired and no alert is still silenced by it. Like creating one, Alertmanager has
 * neither per-user permissions nor a dry run, and the preview says so.
 */
import type { ActionRequest, DiffLine } from '../../shared/actions';
import { silenceName } from '../../shared/alerts';
import { AppError } from '../../shared/errors';
import { AlertmanagerClient, type AmAlert, type AmSilence } from '../metrics/alertmanager';
import type { PrometheusConfig } from '../metrics/prometheus';
import type { ExternalAction } from './pipeline';
import { matcherText } from './silence';

export type ExpireSilenceRequest = Extract<ActionRequest, { type: 'expireSilence' }>;

const MAX_ALERT_LINES = 40;
const utc = (d: string) => `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export interface ExpirePlan {
  silence: AmSilence;
  name: string;
  matcherText: string;
  /** active alerts it silences now */
  silenced: AmAlert[];
  /** of those, the ones no other silence covers: they notify again once it ends */
  released: AmAlert[];
  diff: DiffLine[];
  noop: string | null;
}

export async function planExpire(
  client: AlertmanagerClient,
  request: ExpireSilenceRequest,
): Promise<ExpirePlan> {
  const [silences, alerts] = await Promise.all([client.silences(), client.alerts()]);
  const silence = silences.find((s) => s.id === request.silenceId);
  if (!silence)
    throw new AppError(
      'NOT_FOUND',
      `Alertmanager at ${client.url} has no silence ${request.silenceId}.`,
      'Reload the alert list: it may have been removed after its retention ended.',
    );
  const matchers = silence.matchers.map((m) => ({ ...m, isEqual: m.isEqual ?? true }));
  const text = matcherText(matchers);
  const silenced = alerts.filter((a) => (a.status.silencedBy ?? []).includes(silence.id));
  const released = silenced.filter((a) => (a.status.silencedBy ?? []).length === 1);
  const noop =
    silence.status.state === 'expired'
      ? `Silence ${silence.id} already ended at ${utc(silence.endsAt)}.`
      : null;
  const diff: DiffLine[] = [
    {
      path: 'Silence ends',
      before: `${utc(silence.endsAt)}${silence.status.state === 'pending' ? ` (starts ${utc(silence.startsAt)})` : ''}`,
      after: 'now, at confirmation (expired)',
    },
  ];
  const shown = silenced.slice(0, MAX_ALERT_LINES);
  for (const a of shown)
    diff.push({
      path: `${a.labels.alertname ?? '(no alertname)'} ${a.fingerprint}`,
      before: 'silenced',
      after: released.includes(a) ? 'firing (notifies again)' : 'still silenced by another silence',
    });
  if (silenced.length > MAX_ALERT_LINES)
    diff.push({
      path: `${silenced.length - MAX_ALERT_LINES} more alerts`,
      before: 'silenced',
      after: 'firing',
    });
  return { silence, name: silenceName(matchers), matcherText: text, silenced, released, diff, noop };
}

/** Expires the silence, then reads Alertmanager until it shows as expired and silences no alert. */
export async function applyExpire(
  client: AlertmanagerClient,
  plan: ExpirePlan,
  options: { timeoutMs: number; pollMs: number; now?: () => number },
): Promise<{ status: 'done' | 'timeout'; message: string; endedAt: string }> {
  const now = options.now ?? Date.now;
  const id = plan.silence.id;
  await client.expireSilence(id);
  const endedAt = new Date(now()).toISOString();
  const deadline = now() + options.timeoutMs;
  let last = 'waiting for Alertmanager to show the silence as expired';
  for (;;) {
    const [silences, alerts] = await Promise.all([client.silences(), client.alerts()]).catch(
      () => [null, null] as const,
    );
    if (silences && alerts) {
      const s = silences.find((x) => x.id === id);
      const still = alerts.filter((a) => (a.status.silencedBy ?? []).includes(id));
      if ((!s || s.status.state === 'expired') && still.length === 0) {
        const n = plan.released.length;
        return {
          status: 'done',
          message: `Silence ${id} has expired; ${n} alert${n === 1 ? '' : 's'} it silenced ${n === 1 ? 'is' : 'are'} firing and notifying again.`,
          endedAt,
        };
      }
      last =
        s && s.status.state !== 'expired'
          ? `the silence is still ${s.status.state}`
          : `${still.length} alerts still shown as silenced by it`;
    }
    if (now() > deadline)
      return {
        status: 'timeout',
        message: `Silence ${id} was expired, but after ${Math.round(options.timeoutMs / 1000)} s ${last}.`,
        endedAt,
      };
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}

/** Expiring a silence as an action of the pipeline: preview, typed confirmation, the write, its check, the audit. */
export async function expireSilenceAction(
  config: PrometheusConfig | null,
  actor: string,
  request: ExpireSilenceRequest,
  options: { effectTimeoutMs?: number; pollMs?: number } = {},
): Promise<ExternalAction> {
  if (!config)
    throw new AppError(
      'NOT_CONFIGURED',
      'No Alertmanager URL is set.',
      'Enter the Alertmanager URL in Settings (beside Prometheus).',
    );
  const client = new AlertmanagerClient({ ...config, timeoutMs: 10_000 });
  const plan = await planExpire(client, request);
  const s = plan.silence;
  const n = plan.released.length;
  const target = `Silence ${plan.matcherText} id=${s.id}`;
  return {
    preview: {
      context: client.url,
      summary: `Expire silence ${s.id} (${plan.matcherText}, by ${s.createdBy}) now: ${n} alert${n === 1 ? '' : 's'} it silences will notify again`,
      target: {
        apiVersion: 'alertmanager/v2',
        kind: 'Silence',
        namespace: '',
        name: plan.name,
        uid: s.id,
        resourceVersion: '',
      },
      confirmPhrase: plan.name,
      permission: {
        allowed: true,
        reason: `Alertmanager has no per-user permissions: whoever reaches its API may expire a silence. The audit log records ${actor}.`,
      },
      dryRun: {
        ok: true,
        message: `Alertmanager has no dry run. Checked here: the silence exists and is ${s.status.state}; it silences ${plan.silenced.length} alert${plan.silenced.length === 1 ? '' : 's'} now.`,
      },
      diff: plan.diff,
      warnings:
        n > 0
          ? [`${n} alert${n === 1 ? '' : 's'} will start notifying (paging) again as soon as it ends.`]
          : [],
      noop: plan.noop,
    },
    auditTarget: target,
    before: {
      alertmanager: client.url,
      silence: {
        id: s.id,
        matchers: s.matchers,
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        createdBy: s.createdBy,
        comment: s.comment,
        state: s.status.state,
      },
      silencedAlerts: plan.silenced.map((a) => ({
        fingerprint: a.fingerprint,
        alertname: a.labels.alertname ?? null,
      })),
    },
    async apply() {
      const effect = await applyExpire(client, plan, {
        timeoutMs: options.effectTimeoutMs ?? 30_000,
        pollMs: options.pollMs ?? 500,
      });
      return {
        status: effect.status,
        message: effect.message,
        after: { silenceId: s.id, state: 'expired', endedAt: effect.endedAt },
      };
    },
  };
}
