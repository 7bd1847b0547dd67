/**
 * A silence, planned and applied the way the action pipeline needs it: the preview (which alerts it covers
 * now, what it will change, warnings, or why there is nothing to do), then the write and the check that it
 * took effect (the silence is active and the covered alerts show as suppressed by it).
 *
 * Alertmanager has neither per-user permissions nor a dry run; the preview says so rather than pretend.
 * `silenceAction` puts the two together as an action of the pipeline (pipeline.ts).
 */
import type { ActionRequest, DiffLine } from '../../shared/actions';
import { AppError } from '../../shared/errors';
import { formatMinutes, silenceName } from '../../shared/alerts';
import { AlertmanagerClient, type AmAlert, type AmSilence } from '../metrics/alertmanager';
import { matchesSilence } from '../metrics/alerts';
import type { PrometheusConfig } from '../metrics/prometheus';
import type { ExternalAction } from './pipeline';

export type SilenceRequest = Extract<ActionRequest, { type: 'silence' }>;
type Matcher = { name: string; value: string; isRegex: boolean; isEqual: boolean };

export interface SilencePlan {
  summary: string;
  /** what the user types to confirm: the alert's name where one is named, else the most specific value */
  name: string;
  matchers: Matcher[];
  /** `alertname="GPUIdle", namespace="ml-batch"` */
  matcherText: string;
  durationMinutes: number;
  comment: string;
  /** the alerts active now that it covers */
  covered: AmAlert[];
  diff: DiffLine[];
  warnings: string[];
  noop: string | null;
  dryRun: { ok: boolean; message: string };
}

export interface SilenceEffect {
  status: 'done' | 'timeout';
  message: string;
  silenceId: string;
  startsAt: string;
  endsAt: string;
}

const MAX_ALERT_LINES = 40;

export function matcherText(matchers: readonly Matcher[]): string {
  return matchers
    .map((m) => `${m.name}${m.isEqual ? (m.isRegex ? '=~' : '=') : m.isRegex ? '!~' : '!='}"${m.value}"`)
    .join(', ');
}

function sameMatchers(a: readonly Matcher[], b: ReadonlyArray<Partial<Matcher>>): boolean {
  const key = (m: Partial<Matcher>) => JSON.stringify([m.name, m.value, !!m.isRegex, m.isEqual ?? true]);
  const x = a.map(key).sort();
  const y = b.map(key).sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

const utc = (d: Date | string) => `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Labels that say which one an alert is, first where present. */
const TELLING = [
  'model',
  'namespace',
  'pod',
  'exported_pod',
  'gpu',
  'Hostname',
  'hostname',
  'node',
  'service',
];

/**
 * `GPUIdle {gpu="2", device="nvidia2"}`: each covered alert by what tells it apart from the others (the labels
 * whose values differ among them, the telling ones first; for a single alert its telling labels), at most three.
 */
function alertLabels(alerts: readonly AmAlert[]): string[] {
  const keys = new Set(alerts.flatMap((a) => Object.keys(a.labels)));
  keys.delete('alertname');
  keys.delete('severity');
  const varying = [...keys].filter((k) => new Set(alerts.map((a) => a.labels[k])).size > 1);
  const rank = (k: string) => (TELLING.includes(k) ? TELLING.indexOf(k) : TELLING.length);
  const pick = (varying.length ? varying : [...keys].filter((k) => TELLING.includes(k)))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .slice(0, 3);
  const seen = new Map<string, number>();
  return alerts.map((a) => {
    const shown = pick.filter((k) => a.labels[k] !== undefined).map((k) => `${k}="${a.labels[k]}"`);
    let label = `${a.labels.alertname ?? '(no alertname)'}${shown.length ? ` {${shown.join(', ')}}` : ''}`;
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    if (n > 1) label += ` (${n})`;
    return label;
  });
}

function stateOf(a: AmAlert): string {
  if (a.status.silencedBy?.length) return `silenced by ${a.status.silencedBy.join(', ')}`;
  if (a.status.inhibitedBy?.length) return 'inhibited';
  return a.status.state === 'active' ? 'firing' : a.status.state;
}

export async function planSilence(
  client: AlertmanagerClient,
  request: SilenceRequest,
  now: Date,
): Promise<SilencePlan> {
  const matchers: Matcher[] = request.matchers.map((m) => ({
    name: m.name,
    value: m.value,
    isRegex: m.isRegex,
    isEqual: m.isEqual,
  }));
  const text = matcherText(matchers);
  const name = silenceName(matchers);
  const endsAt = new Date(now.getTime() + request.durationMinutes * 60_000);

  const badRegex = matchers.find((m) => {
    if (!m.isRegex) return false;
    try {
      new RegExp(`^(?:${m.value})$`);
      return false;
    } catch {
      return true;
    }
  });
  const [alerts, silences] = await Promise.all([client.alerts(), client.silences()]);
  const covered = alerts.filter((a) => matchesSilence(a.labels, matchers));

  const warnings: string[] = [];
  if (covered.length === 0)
    warnings.push(
      'It matches no alert active now: it will only silence matching alerts that fire before it ends. Check the matchers.',
    );
  const names = [...new Set(covered.map((a) => a.labels.alertname ?? ''))];
  if (names.length > 1)
    warnings.push(
      `It covers ${names.length} different alerts: ${names.join(', ')}. Narrow it if that is more than you mean.`,
    );

  let noop: string | null = null;
  const same = silences.filter(
    (s: AmSilence) => s.status.state === 'active' && sameMatchers(matchers, s.matchers),
  );
  const longest = same.sort((a, b) => Date.parse(b.endsAt) - Date.parse(a.endsAt))[0];
  // one that ends at about the same time (within 5 % of the duration, at least a minute) already does the job
  const slackMs = Math.max(60_000, request.durationMinutes * 60_000 * 0.05);
  if (longest && Date.parse(longest.endsAt) >= endsAt.getTime() - slackMs) {
    noop = `Silence ${longest.id} by ${longest.createdBy} already has these matchers and runs until ${utc(longest.endsAt)}.`;
  } else if (longest) {
    warnings.push(
      `Silence ${longest.id} by ${longest.createdBy} has the same matchers and ends at ${utc(longest.endsAt)}; this one runs to ${utc(endsAt)}.`,
    );
  }

  const diff: DiffLine[] = [
    { path: 'Silence matchers', before: null, after: text },
    {
      path: 'Silence runs',
      before: null,
      after: `${formatMinutes(request.durationMinutes)}, from confirmation (until about ${utc(endsAt)})`,
    },
    { path: 'Comment', before: null, after: request.comment },
  ];
  const shown = covered.slice(0, MAX_ALERT_LINES);
  alertLabels(shown).forEach((path, i) => diff.push({ path, before: stateOf(shown[i]!), after: 'silenced' }));
  if (covered.length > MAX_ALERT_LINES)
    diff.push({
      path: `${covered.length - MAX_ALERT_LINES} more alerts`,
      before: 'firing',
      after: 'silenced',
    });

  const dryRun = badRegex
    ? { ok: false, message: `${badRegex.name}=~"${badRegex.value}" is not a valid regular expression.` }
    : {
        ok: true,
        message: `Alertmanager has no dry run. Checked here: the matchers are valid and select something specific; they cover ${covered.length} alert${covered.length === 1 ? '' : 's'} active now.`,
      };

  return {
    summary: `Silence ${text} for ${formatMinutes(request.durationMinutes)}: it covers ${covered.length} alert${covered.length === 1 ? '' : 's'} active now`,
    name,
    matchers,
    matcherText: text,
    durationMinutes: request.durationMinutes,
    comment: request.comment,
    covered,
    diff,
    warnings,
    noop,
    dryRun,
  };
}

/**
 * Creates the silence (its time starts now, at confirmation), then reads Alertmanager until the silence is
 * active and every covered alert that is still active shows as silenced by it.
 */
export async function applySilence(
  client: AlertmanagerClient,
  plan: SilencePlan,
  options: { createdBy: string; timeoutMs: number; pollMs: number; now?: () => number },
): Promise<SilenceEffect> {
  const now = options.now ?? Date.now;
  const startsAt = new Date(now());
  const endsAt = new Date(startsAt.getTime() + plan.durationMinutes * 60_000);
  const silenceId = await client.createSilence({
    matchers: plan.matchers,
    startsAt,
    endsAt,
    createdBy: options.createdBy,
    comment: plan.comment,
  });
  const times = { silenceId, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() };
  const fingerprints = new Set(plan.covered.map((a) => a.fingerprint));
  const deadline = now() + options.timeoutMs;
  let last = 'waiting for Alertmanager to show the silence';
  for (;;) {
    const [silences, alerts] = await Promise.all([client.silences(), client.alerts()]).catch(
      () => [null, null] as const,
    );
    const silence = silences?.find((s) => s.id === silenceId);
    if (silence && silence.status.state === 'expired')
      throw new AppError(
        'ALERTMANAGER_ERROR',
        `Silence ${silenceId} was created but is already expired.`,
        'Check the clocks of this machine and Alertmanager, then create it again.',
      );
    if (silence && alerts) {
      const still = alerts.filter((a) => fingerprints.has(a.fingerprint));
      const open = still.filter((a) => !(a.status.silencedBy ?? []).includes(silenceId));
      if (silence.status.state === 'active' && open.length === 0)
        return {
          status: 'done',
          message: `Silence ${silenceId} is active until ${utc(endsAt)}; ${still.length} alert${still.length === 1 ? '' : 's'} now show${still.length === 1 ? 's' : ''} as silenced.`,
          ...times,
        };
      last = `${open.length} of ${still.length} covered alerts not yet shown as silenced`;
    }
    if (now() > deadline)
      return {
        status: 'timeout',
        message: `Silence ${silenceId} was created, but after ${Math.round(options.timeoutMs / 1000)} s: ${last}.`,
        ...times,
      };
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}

/**
 * A silence as an action of the pipeline: the preview (which alerts it covers now, what changes, warnings),
 * then, once confirmed, the write and the check that Alertmanager shows the alerts as silenced. The pipeline
 * records it in the audit log with what it covered before and the silence after.
 */
export async function silenceAction(
  config: PrometheusConfig | null,
  actor: string,
  request: SilenceRequest,
  options: { effectTimeoutMs?: number; pollMs?: number } = {},
): Promise<ExternalAction> {
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
        reason: `Alertmanager has no per-user permissions: whoever reaches its API may silence. It records ${actor} as the author.`,
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
        createdBy: actor,
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
