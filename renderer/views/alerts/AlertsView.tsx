import { useEffect, useMemo, useState } from 'react';
import type { AlertGroup, AlertList } from '../../../shared/alerts';
import { FilterInput } from '../../components/FilterInput';
import { matchesFilter } from '../../components/listFilter';
import { Banner } from '../../components/Banner';
import { Empty } from '../../components/Empty';
import { ErrorPanel } from '../../components/ErrorPanel';
import { RefreshButton } from '../../components/RefreshButton';
import { usePolling } from '../../components/usePolling';
import {
  actionsStore,
  isAlertmanagerRequest,
  outcomeTitle,
  outcomeTone,
  useActions,
} from '../../state/actions';
import { alertsStore, useAlerts } from '../../state/alerts';
import { declareFromAlerts } from '../incident/declareFrom';
import { AlertmanagerUrlForm } from './AlertmanagerUrlForm';
import { AlertRow } from './AlertRow';
import { SilencesPanel } from './SilencesPanel';
import { alertsCsv } from './alertsCsv';
import { CsvButton } from '../../components/CsvButton';
import '../../components/metrics.css';
import { UpdatedAgo } from '../../components/UpdatedAgo';

export function AlertsView() {
  const list = useAlerts((s) => s.list);
  usePolling(() => void alertsStore.getState().load(), 15_000, []);
  // a silence changes what the list shows: read it again once Alertmanager has it
  useEffect(
    () =>
      actionsStore.onSettled((request) => {
        if (isAlertmanagerRequest(request)) void alertsStore.getState().load();
      }),
    [],
  );
  const data = list.data;
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => filterGroups(data?.groups ?? [], filter), [data, filter]);
  // first run: neither Alertmanager nor Prometheus is set, so an empty list proves nothing
  const noSource =
    data?.alertmanager.status === 'not_configured' && data.prometheus.status === 'not_configured';

  return (
    <div className="view view-scroll metrics-view" data-testid="alerts-view">
      <div className="toolbar">
        <FilterInput
          value={filter}
          onChange={setFilter}
          placeholder="Filter by alert, model or label"
          label="Filter alerts by name, model or label"
          testId="alerts-filter"
        />
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
        <UpdatedAgo at={list.updatedAt} />
        <CsvButton what="alerts" table={() => alertsCsv(groups)} disabled={groups.length === 0} />
        <RefreshButton
          loading={list.status === 'loading'}
          onClick={() => void alertsStore.getState().load()}
        />
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
      {data && data.groups.length === 0 && noSource && (
        <Empty title="No alert source configured" testId="alerts-no-source">
          Firebreak reads alerts from Alertmanager and pending ones from Prometheus; neither URL is set, so
          nothing here says whether anything is firing. <a href="#/settings">Set them in Settings</a>.
        </Empty>
      )}
      {data && data.groups.length === 0 && !noSource && (
        <Empty title="No alerts" testId="alerts-empty">
          Nothing is firing or pending.
        </Empty>
      )}
      {data && data.groups.length > 0 && groups.length === 0 && (
        <Empty title={`No alert matches “${filter}”`} testId="alerts-no-match">
          <button type="button" className="btn btn-ghost" onClick={() => setFilter('')}>
            Clear the filter
          </button>
        </Empty>
      )}
      {data &&
        groups.map((g) => <GroupCard key={g.key} group={g} canSilence={data.alertmanager.status === 'ok'} />)}
      {data?.alertmanager.status === 'ok' && <SilencesPanel silences={data.silences} />}
    </div>
  );
}

/** The groups with the alerts the filter matches (by alert name, group, labels, summary); empty groups go. */
function filterGroups(groups: readonly AlertGroup[], filter: string): AlertGroup[] {
  if (!filter.trim()) return [...groups];
  return groups
    .map((g) => ({
      ...g,
      alerts: g.alerts.filter((a) =>
        matchesFilter(filter, [
          g.label,
          a.name,
          a.state,
          a.severity,
          a.summary,
          ...Object.entries(a.labels).map(([k, v]) => `${k}=${v}`),
        ]),
      ),
    }))
    .filter((g) => g.alerts.length > 0);
}

/** What the last silence came to (the dialog shows it too; this stays after the dialog is closed). */
function LastSilence() {
  const last = useActions((s) => s.last);
  const [dismissed, setDismissed] = useState<number | null>(null);
  if (!last || !isAlertmanagerRequest(last.request) || dismissed === last.at) return null;
  const tone = last.outcome ? outcomeTone(last.outcome.status) : 'critical';
  return (
    <Banner
      tone={tone === 'warning' || tone === 'critical' ? tone : 'info'}
      testId="silence-outcome"
      title={
        last.outcome
          ? outcomeTitle(last.outcome.status)
          : last.request.type === 'silence'
            ? 'The silence was not created'
            : 'The silence was not expired'
      }
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

function DeclareButton({ group }: { group: AlertGroup }) {
  return (
    <button
      type="button"
      className="btn"
      data-testid="declare-from-alert"
      onClick={() => declareFromAlerts(group)}
    >
      Declare incident
    </button>
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
        <DeclareButton group={group} />
      </div>
      <ul className="alert-list">
        {group.alerts.map((a) => (
          <AlertRow key={`${a.source}-${a.fingerprint}`} alert={a} canSilence={canSilence} />
        ))}
      </ul>
    </section>
  );
}
