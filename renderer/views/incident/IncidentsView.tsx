import { useEffect, useMemo, useRef, useState } from 'react';
import { formatDuration, type IncidentSummary, type Spread } from '../../../shared/incident';
import { Empty } from '../../components/Empty';
import { ErrorPanel } from '../../components/ErrorPanel';
import { FilterInput } from '../../components/FilterInput';
import { matchesFilter } from '../../components/listFilter';
import { Table, type Column } from '../../components/Table';
import { Stat } from '../../components/Stat';
import { formatTimestamp } from '../../format';
import { incidentStore, useIncident } from '../../state';
import { incidentHash } from '../../state/incident';
import { readAsBase64 } from './files';

const go = (id: string) => {
  window.location.hash = incidentHash(id);
};

/** Open and past incidents, the spread of their times, the recorder, and the ways to start one. */
export function IncidentsView() {
  const list = useIncident((s) => s.list);
  const opened = useIncident((s) => s.opened);
  const [opening, setOpening] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void incidentStore.getState().loadList();
    const t = setInterval(() => {
      if (document.visibilityState !== 'hidden') void incidentStore.getState().loadList();
    }, 15_000);
    return () => clearInterval(t);
  }, []);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setOpening(true);
    try {
      const base64 = await readAsBase64(file);
      const inc = await incidentStore.getState().openFile(file.name, base64);
      if (inc) go(inc.id);
    } finally {
      setOpening(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };
  const openSample = async () => {
    const inc = await incidentStore.getState().openSample();
    if (inc) go(inc.id);
  };

  const data = list.data;
  const rec = data?.recorder;
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const keep = (r: IncidentSummary) =>
      matchesFilter(filter, [r.title, r.severity, r.status, r.id, origins[r.origin], ...r.models]);
    return { open: data?.open.filter(keep) ?? [], past: data?.past.filter(keep) ?? [] };
  }, [data, filter]);
  const noMatch = filter.trim() ? `No incident matches “${filter}”.` : null;
  return (
    <div className="view view-scroll incidents" data-testid="incidents-view">
      <div className="toolbar">
        <FilterInput
          value={filter}
          onChange={setFilter}
          placeholder="Filter by title, model or status"
          label="Filter incidents by title, model, severity or status"
          testId="incidents-filter"
        />
        <button
          type="button"
          className="btn btn-primary"
          data-testid="declare-open"
          onClick={() => incidentStore.getState().startDeclare()}
        >
          Declare incident
        </button>
        <label className="btn file-btn" data-testid="open-file">
          {opening ? 'Opening…' : 'Open incident file…'}
          <input
            ref={fileInput}
            type="file"
            accept=".fbi,application/octet-stream"
            data-testid="open-file-input"
            onChange={(e) => void onFile(e.target.files?.[0])}
          />
        </label>
        {(data?.sampleAvailable ?? true) && (
          <button type="button" className="btn" data-testid="open-sample" onClick={() => void openSample()}>
            Open the sample incident
          </button>
        )}
        <span className="toolbar-spacer" />
        {rec && (
          <span className="muted" data-testid="recorder-state" title={rec.lastError ?? undefined}>
            <span
              className={`dot dot-${rec.lastError ? 'critical' : rec.state === 'off' ? 'muted' : 'ok'}`}
              aria-hidden="true"
            />{' '}
            Recorder {recorderText(rec.state, rec.intervalS)}
            {rec.lastCaptureAt && ` · last capture ${formatTimestamp(rec.lastCaptureAt)}`} ·{' '}
            {formatBytes(rec.bytes)} of {formatBytes(rec.budgetBytes)}
          </span>
        )}
      </div>

      {opened.status === 'error' && opened.error && (
        <div data-testid="open-error">
          <ErrorPanel inline title="The incident was not opened" error={opened.error} />
        </div>
      )}
      {list.error && !data && (
        <ErrorPanel
          title="Incidents could not be listed"
          error={list.error}
          onRetry={() => void incidentStore.getState().loadList()}
        />
      )}
      {!data && !list.error && <div className="loading-line">Loading incidents…</div>}

      {data && (
        <>
          <section className="panel-card">
            <h2 className="section-title">Open</h2>
            {data.open.length === 0 ? (
              <p className="muted">No open incident.</p>
            ) : shown.open.length === 0 ? (
              <p className="muted">{noMatch}</p>
            ) : (
              <IncidentTable rows={shown.open} testId="incidents-open" />
            )}
          </section>
          <section className="panel-card">
            <div className="section-row">
              <h2 className="section-title">Past</h2>
              <span className="muted">times from the first SLI breach (started)</span>
            </div>
            <div className="stat-row" data-testid="incident-spread">
              <SpreadStat label="Time to detect" spread={data.spread.detect} />
              <SpreadStat label="Time to mitigate" spread={data.spread.mitigate} />
              <SpreadStat label="Time to resolve" spread={data.spread.resolve} />
            </div>
            {data.past.length === 0 ? (
              <Empty title="No past incidents">Resolved incidents and opened incident files show here.</Empty>
            ) : shown.past.length === 0 ? (
              <p className="muted">{noMatch}</p>
            ) : (
              <IncidentTable rows={shown.past} testId="incidents-past" />
            )}
          </section>
        </>
      )}
    </div>
  );
}

function SpreadStat({ label, spread }: { label: string; spread: Spread }) {
  return (
    <Stat
      label={`${label} · median / p90`}
      value={`${formatDuration(spread.medianS)} / ${formatDuration(spread.p90S)}`}
      title={`${spread.n} incident${spread.n === 1 ? '' : 's'}; fastest ${formatDuration(spread.minS)}, slowest ${formatDuration(spread.maxS)}`}
    />
  );
}

const origins: Record<IncidentSummary['origin'], string> = {
  store: 'this console',
  file: 'incident file',
  sample: 'sample',
};

const incidentColumns: Column[] = [
  { label: 'Incident' },
  { label: 'Severity' },
  { label: 'Status' },
  { label: 'Models' },
  { label: 'Started' },
  { label: 'Detect', num: true },
  { label: 'Mitigate', num: true },
  { label: 'Resolve', num: true },
  { label: 'From' },
];

/** Open or past incidents; a row opens its war room (click its title, or Enter on the row). */
function IncidentTable({ rows, testId }: { rows: IncidentSummary[]; testId: string }) {
  return (
    <div className="table-wrap inc-table-wrap">
      <Table className="compact inc-table" testId={testId} columns={incidentColumns}>
        {rows.map((r) => (
          <tr key={r.id} data-testid="incident-row" data-id={r.id}>
            <td className="ellipsis">
              <a href={incidentHash(r.id)} title={r.title}>
                {r.title}
              </a>
            </td>
            <td>
              <span className={`pill inc-sev inc-sev-${r.severity.toLowerCase()}`}>{r.severity}</span>
            </td>
            <td>{r.status}</td>
            <td className="ellipsis" title={r.models.join(', ')}>
              {r.models.join(', ')}
            </td>
            <td className="tnum">{formatTimestamp(r.startedAt ?? r.declaredAt)}</td>
            <td className="num tnum">{formatDuration(r.intervals.timeToDetectS)}</td>
            <td className="num tnum">{formatDuration(r.intervals.timeToMitigateS)}</td>
            <td className="num tnum">{formatDuration(r.intervals.timeToResolveS)}</td>
            <td className="muted">{origins[r.origin]}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}

function recorderText(state: 'off' | 'ring' | 'incident', intervalS: number): string {
  if (state === 'off') return 'off (no cluster to record)';
  if (state === 'ring') return `keeping the last hour (every ${intervalS} s)`;
  return `capturing an open incident every ${intervalS} s`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}
