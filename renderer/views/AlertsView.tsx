import { useCallback, useEffect, useRef, useState } from 'react';
import type { ActionRequest } from '../../shared/actions';
import type { Alert, AlertGroup, AlertList } from '../../shared/alerts';
import { ActionDialog } from '../components/ActionDialog';
import { Banner } from '../components/Banner';
import { Empty } from '../components/Empty';
import { ErrorPanel } from '../components/ErrorPanel';
import { Icon } from '../components/Icon';
import { useNow } from '../components/useNow';
import { formatAgo } from '../format';
import { getTransport } from '../client/current';
import { settingsStore, useSettings } from '../state';
import { actionsStore, outcomeTitle, outcomeTone, useActions } from '../state/actions';
import { alertsStore, useAlerts } from '../state/metrics';
import { usePolling } from './metricsHooks';
import './metrics.css';

export function AlertsView() {
  const list = useAlerts((s) => s.list);
  usePolling(() => void alertsStore.getState().load(), 15_000, []);
  // a silence changes what the list shows: read it again once Alertmanager has it
  useEffect(
    () =>
      actionsStore.onSettled((request) => {
        if (request.type === 'silence') void alertsStore.getState().load();
      }),
    [],
  );
  const data = list.data;
  const now = useNow(5000);

  return (
    <div className="view view-scroll metrics-view" data-testid="alerts-view">
      <div className="toolbar">
        {data && (
          <div className="summary" data-testid="alert-counts">
            <span className={`summary-item${data.counts.firing ? ' sev-critical' : ''}`}>
              <strong className="tnum">{data.counts.firing}</strong> firing
            </span>
            <span className="summary-item">
              <strong className="tnum">{data.counts.pending}</strong> pending
            </span>
            <span className="summary-item">
              <strong className="tnum">{data.counts.suppressed}</strong> silenced or inhibited
            </span>
          </div>
        )}
        <span className="toolbar-spacer" />
        {list.updatedAt !== undefined && (
          <span className="muted">updated {formatAgo(list.updatedAt, now)}</span>
        )}
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => void alertsStore.getState().load()}
          disabled={list.status === 'loading'}
        >
          <Icon name="refresh" className={list.status === 'loading' ? 'spin' : undefined} />
          Refresh
        </button>
      </div>

      {list.error && !data && (
        <ErrorPanel
          title="Alerts could not be loaded"
          error={list.error}
          onRetry={() => void alertsStore.getState().load()}
        />
      )}
      {!data && !list.error && <div className="loading-line">Loading alerts…</div>}
      {data && <SourceBanners data={data} />}
      <LastSilence />
      {data && data.groups.length === 0 && (
        <Empty title="No alerts" testId="alerts-empty">
          Nothing is firing or pending.
        </Empty>
      )}
      {data?.groups.map((g) => (
        <GroupCard key={g.key} group={g} canSilence={data.alertmanager.status === 'ok'} />
      ))}
      <ActionDialog />
    </div>
  );
}

/** What the last silence came to (the dialog shows it too; this stays after the dialog is closed). */
function LastSilence() {
  const last = useActions((s) => s.last);
  const [dismissed, setDismissed] = useState<number | null>(null);
  if (!last || last.request.type !== 'silence' || dismissed === last.at) return null;
  const tone = last.outcome ? outcomeTone(last.outcome.status) : 'critical';
  return (
    <Banner
      tone={tone === 'warning' || tone === 'critical' ? tone : 'info'}
      testId="silence-outcome"
      title={last.outcome ? outcomeTitle(last.outcome.status) : 'The silence was not created'}
      action={
        <button type="button" className="btn btn-ghost" onClick={() => setDismissed(last.at)}>
          Dismiss
        </button>
      }
    >
      {last.outcome?.message ?? last.error?.message}
      {last.outcome?.auditSeq != null && ` Recorded in the audit log as entry #${last.outcome.auditSeq}.`}
    </Banner>
  );
}

function SourceBanners({ data }: { data: AlertList }) {
  const am = data.alertmanager;
  const prom = data.prometheus;
  return (
    <>
      {am.status === 'not_configured' && (
        <Banner
          tone="info"
          testId="am-not-configured"
          title="No Alertmanager URL: showing Prometheus's own alerts, without silences"
        >
          <AlertmanagerUrlForm />
        </Banner>
      )}
      {am.status === 'error' && (
        <Banner
          tone="critical"
          title={`Alertmanager: ${am.error.message}`}
          code={am.error.code}
          testId="am-error"
        >
          {am.error.hint}
          <AlertmanagerUrlForm />
        </Banner>
      )}
      {prom.status === 'error' && (
        <Banner
          tone="warning"
          title={`Pending alerts unavailable (Prometheus): ${prom.error.message}`}
          code={prom.error.code}
        >
          {prom.error.hint}
        </Banner>
      )}
    </>
  );
}

function GroupCard({ group, canSilence }: { group: AlertGroup; canSilence: boolean }) {
  const firing = group.alerts.filter((a) => a.state === 'firing').length;
  return (
    <section
      className={`panel-card alert-group${firing ? ' alert-group-firing' : ''}`}
      data-testid="alert-group"
      data-key={group.key}
    >
      <div className="section-row">
        <h3 className="section-title">{group.label}</h3>
        <span className="muted">
          {group.alerts.length} alert{group.alerts.length === 1 ? '' : 's'}
        </span>
        <span className="toolbar-spacer" />
        {group.serviceId && (
          <a className="btn btn-ghost" href={`#/health?model=${encodeURIComponent(group.serviceId)}`}>
            Model health
          </a>
        )}
      </div>
      <ul className="alert-list">
        {group.alerts.map((a) => (
          <AlertRow key={`${a.source}-${a.fingerprint}`} alert={a} canSilence={canSilence} />
        ))}
      </ul>
    </section>
  );
}

function AlertRow({ alert, canSilence }: { alert: Alert; canSilence: boolean }) {
  const [silencing, setSilencing] = useState(false);
  const closeForm = useCallback(() => setSilencing(false), []);
  const labels = Object.entries(alert.labels).filter(([k]) => k !== 'alertname' && k !== 'severity');
  return (
    <li
      className={`alert alert-${alert.state}`}
      data-testid="alert"
      data-alertname={alert.name}
      data-state={alert.state}
    >
      <div className="alert-head">
        <span
          className={`pill pill-${alert.state === 'firing' ? 'critical' : alert.state === 'pending' ? 'warning' : 'muted'}`}
        >
          {alert.state}
        </span>
        <span className="alert-name">{alert.name}</span>
        {alert.severity && <span className="alert-sev muted">{alert.severity}</span>}
        {alert.startsAt && (
          <span className="muted" title={alert.startsAt}>
            since {new Date(alert.startsAt).toLocaleTimeString()}
          </span>
        )}
        <span className="toolbar-spacer" />
        {alert.runbookUrl && (
          <a
            className="btn btn-ghost"
            href={alert.runbookUrl}
            target="_blank"
            rel="noopener noreferrer"
            data-testid="runbook"
          >
            Runbook
          </a>
        )}
        {canSilence && alert.source === 'alertmanager' && alert.state !== 'suppressed' && (
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => setSilencing((v) => !v)}
            data-testid="silence-button"
          >
            {silencing ? 'Cancel' : 'Silence…'}
          </button>
        )}
      </div>
      {alert.summary && <p className="alert-summary">{alert.summary}</p>}
      {alert.description && <p className="alert-desc muted">{alert.description}</p>}
      <div className="label-chips">
        {labels.map(([k, v]) => (
          <span key={k} className="label-chip" title={`${k}=${v}`}>
            <span className="label-k">{k}</span>=<span className="label-v">{v}</span>
          </span>
        ))}
      </div>
      {alert.silencedBy.length > 0 && <p className="muted">Silenced by {alert.silencedBy.join(', ')}</p>}
      {silencing && <SilenceForm alert={alert} onDone={closeForm} />}
    </li>
  );
}

const DURATIONS = [
  { label: '30 min', minutes: 30 },
  { label: '1 h', minutes: 60 },
  { label: '4 h', minutes: 240 },
  { label: '24 h', minutes: 1440 },
];

/** The matchers a silence starts from: the alert's name and what says which model (editable). */
function initialMatchers(alert: Alert): Array<{ name: string; value: string; on: boolean }> {
  const keys = ['alertname', 'namespace', 'model', 'pod', 'exported_pod', 'gpu', 'Hostname'];
  return keys
    .filter((k) => alert.labels[k] !== undefined)
    .map((k) => ({ name: k, value: alert.labels[k]!, on: ['alertname', 'namespace', 'model'].includes(k) }));
}

function SilenceForm({ alert, onDone }: { alert: Alert; onDone: () => void }) {
  const [matchers, setMatchers] = useState(() => initialMatchers(alert));
  const [minutes, setMinutes] = useState(60);
  const [comment, setComment] = useState('');
  const sent = useRef<ActionRequest | null>(null);
  const chosen = matchers.filter((m) => m.on);
  // the form closes once its silence went through the pipeline (it stays, with what was typed, on Cancel)
  useEffect(
    () =>
      actionsStore.onSettled((request, outcome) => {
        if (request === sent.current && outcome) onDone();
      }),
    [onDone],
  );
  const submit = () => {
    const request: ActionRequest = {
      type: 'silence',
      matchers: chosen.map((m) => ({ name: m.name, value: m.value, isRegex: false, isEqual: true })),
      durationMinutes: minutes,
      comment: comment.trim(),
    };
    sent.current = request;
    void actionsStore.getState().open(request);
  };
  return (
    <form
      className="silence-form"
      data-testid="silence-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <fieldset>
        <legend>Silence alerts matching</legend>
        {matchers.map((m, i) => (
          <label key={m.name} className="matcher">
            <input
              type="checkbox"
              checked={m.on}
              onChange={(e) =>
                setMatchers((ms) => ms.map((x, j) => (j === i ? { ...x, on: e.target.checked } : x)))
              }
            />
            <code>
              {m.name}=&quot;{m.value}&quot;
            </code>
          </label>
        ))}
      </fieldset>
      <label>
        For
        <select className="input" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {DURATIONS.map((d) => (
            <option key={d.minutes} value={d.minutes}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <label className="grow">
        Why (kept in Alertmanager and the audit log)
        <input
          className="input"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder="e.g. rollback in progress, INC-1234"
          name="comment"
        />
      </label>
      <button
        type="submit"
        className="btn btn-primary"
        disabled={chosen.length === 0 || comment.trim().length < 3}
        title={
          comment.trim().length < 3 ? 'Say why (at least 3 characters)' : 'Preview the silence, then confirm'
        }
        data-testid="silence-preview"
      >
        Preview silence…
      </button>
    </form>
  );
}

/**
 * The Alertmanager URL, set where it is missed. It joins the Prometheus settings (same authentication and CA);
 * the saved Prometheus URL and credentials are kept as they are.
 */
function AlertmanagerUrlForm() {
  const saved = useSettings((s) => s.settings.data);
  const [url, setUrl] = useState(saved?.prometheus.alertmanagerUrl ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!saved) return null;
  const auth = saved.prometheus.auth;
  const save = async () => {
    setBusy(true);
    setError(null);
    const r = await getTransport().invoke('settings.update', {
      prometheus: {
        url: saved.prometheus.url,
        // the saved secret is kept: no token or password is sent
        auth: auth.kind === 'basic' ? { kind: 'basic', username: auth.username } : { kind: auth.kind },
        alertmanagerUrl: url.trim() || null,
      },
    });
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    void settingsStore.getState().load();
    void alertsStore.getState().load();
  };
  return (
    <form
      className="am-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      data-testid="alertmanager-form"
    >
      <input
        className="input mono"
        type="url"
        name="alertmanagerUrl"
        placeholder="http://alertmanager.monitoring:9093"
        aria-label="Alertmanager URL"
        value={url}
        spellCheck={false}
        onChange={(e) => setUrl(e.target.value)}
      />
      <button type="submit" className="btn" disabled={busy}>
        Save Alertmanager URL
      </button>
      {error && <span className="sev-critical">{error}</span>}
    </form>
  );
}
