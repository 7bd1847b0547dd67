import { useEffect, useMemo, useState } from 'react';
import type { AuditEntry } from '../../../shared/audit';
import { LastDataBanner } from '../../components/Banner';
import { Empty } from '../../components/Empty';
import { ErrorPanel } from '../../components/ErrorPanel';
import { Icon } from '../../components/Icon';
import { RefreshButton } from '../../components/RefreshButton';
import { Table, type Column } from '../../components/Table';
import { CsvButton } from '../../components/CsvButton';
import { formatTimestamp } from '../../format';
import { auditStore, useAudit } from '../../state';
import { AUDIT_PAGE } from '../../state/audit';
import './audit.css';
import {
  auditChoices,
  auditCsv,
  detailsLine,
  filterAudit,
  isFiltered,
  NO_AUDIT_FILTER,
  type AuditFilter,
} from './auditFilter';

const actions = {
  load: () => auditStore.getState().load(),
  verify: () => auditStore.getState().verify(),
};

function resultTone(result: string): string {
  const r = result.toLowerCase();
  if (/^(ok|success|succeeded|done|applied|saved|allowed)/.test(r)) return 'sev-ok';
  if (/(fail|error|denied|refused|forbidden|conflict)/.test(r)) return 'sev-critical';
  return 'muted';
}

const auditColumns: Column[] = [
  { label: '#', num: true, col: 'col-seq' },
  { label: 'Time', col: 'col-time' },
  { label: 'Actor', col: 'col-actor' },
  { label: 'Action', col: 'col-action' },
  { label: 'Target', col: 'col-target' },
  { label: 'Result', col: 'col-result' },
  { label: 'Details', col: 'col-details' },
];

export function AuditView() {
  const entries = useAudit((s) => s.entries);
  const [filter, setFilter] = useState<AuditFilter>(NO_AUDIT_FILTER);
  const all = entries.data;
  const shown = useMemo(() => (all ? filterAudit(all, filter) : []), [all, filter]);
  const filtered = isFiltered(filter);

  useEffect(() => {
    void actions.load();
  }, []);

  const firstLoad = !entries.data && (entries.status === 'loading' || entries.status === 'idle');

  return (
    <div className="view" data-testid="audit-view">
      <div className="toolbar">
        <VerifyControl />
        <span className="toolbar-spacer" />
        {all && (
          <span className="muted tnum" data-testid="audit-count">
            {filtered ? `${shown.length} of ` : ''}
            {all.length === AUDIT_PAGE ? `latest ${AUDIT_PAGE} entries` : `${all.length} entries`}
          </span>
        )}
        <CsvButton what="audit-log" table={() => auditCsv(shown)} disabled={!all || shown.length === 0} />
        <RefreshButton loading={entries.status === 'loading'} onClick={() => void actions.load()} />
      </div>

      {all && all.length > 0 && <FilterBar entries={all} filter={filter} onChange={setFilter} />}

      {entries.data && entries.status === 'error' && entries.error && (
        <LastDataBanner showing="the last loaded entries" error={entries.error} />
      )}

      {!entries.data && entries.status === 'error' && entries.error ? (
        <div className="view-center">
          <ErrorPanel
            title="Could not load the audit log"
            error={entries.error}
            onRetry={() => void actions.load()}
          />
        </div>
      ) : (
        <div className="table-wrap">
          <Table
            className="audit-table"
            testId="audit-table"
            columns={auditColumns}
            skeletonRows={firstLoad ? 5 : undefined}
          >
            {shown.map((e) => (
              <AuditRow key={e.seq} entry={e} />
            ))}
          </Table>
          {entries.data && entries.data.length === 0 && (
            <Empty title="No audited actions yet">
              Every change Firebreak makes (settings saved, actions on the cluster) is recorded here in a
              hash-chained, append-only log.
            </Empty>
          )}
          {all && all.length > 0 && shown.length === 0 && (
            <Empty title="No entry matches the filter" testId="audit-no-match">
              <button type="button" className="btn btn-ghost" onClick={() => setFilter(NO_AUDIT_FILTER)}>
                Clear the filter
              </button>
            </Empty>
          )}
        </div>
      )}
    </div>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  return (
    <tr data-testid="audit-row">
      <td className="num tnum muted">{entry.seq}</td>
      <td className="tnum" title={entry.at}>
        {formatTimestamp(entry.at)}
      </td>
      <td className="ellipsis" title={entry.actor}>
        {entry.actor}
      </td>
      <td className="ellipsis mono" title={entry.action}>
        {entry.action}
      </td>
      <td className="ellipsis mono" title={entry.target}>
        {entry.target}
      </td>
      <td className={`ellipsis ${resultTone(entry.result)}`} title={entry.result}>
        {entry.result}
      </td>
      <td className="ellipsis mono details" title={JSON.stringify(entry.details, null, 2)}>
        {detailsLine(entry)}
      </td>
    </tr>
  );
}

/** Narrow the list by action, target (a model's name, a silence id), result, or any text. */
function FilterBar({
  entries,
  filter,
  onChange,
}: {
  entries: AuditEntry[];
  filter: AuditFilter;
  onChange: (f: AuditFilter) => void;
}) {
  const set = (patch: Partial<AuditFilter>) => onChange({ ...filter, ...patch });
  const actionChoices = useMemo(() => auditChoices(entries, 'action'), [entries]);
  const resultChoices = useMemo(() => auditChoices(entries, 'result'), [entries]);
  return (
    <div className="toolbar audit-filter" data-testid="audit-filter">
      <label className="audit-choice">
        <span className="muted">Action</span>
        <select
          className="input"
          value={filter.action}
          onChange={(e) => set({ action: e.target.value })}
          data-testid="audit-filter-action"
        >
          <option value="">any</option>
          {actionChoices.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label className="audit-choice">
        <span className="muted">Result</span>
        <select
          className="input"
          value={filter.result}
          onChange={(e) => set({ result: e.target.value })}
          data-testid="audit-filter-result"
        >
          <option value="">any</option>
          {resultChoices.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <input
          type="search"
          placeholder="Model or target"
          aria-label="Filter by model or target"
          value={filter.target}
          onChange={(e) => set({ target: e.target.value })}
          spellCheck={false}
          data-testid="audit-filter-target"
        />
      </label>
      <label className="filter">
        <Icon name="search" />
        <input
          type="search"
          data-list-filter=""
          placeholder="Search every field"
          aria-label="Search the audit log"
          value={filter.text}
          onChange={(e) => set({ text: e.target.value })}
          spellCheck={false}
          data-testid="audit-filter-text"
        />
      </label>
      {isFiltered(filter) && (
        <button type="button" className="btn btn-ghost" onClick={() => onChange(NO_AUDIT_FILTER)}>
          Clear
        </button>
      )}
    </div>
  );
}

function VerifyControl() {
  const verification = useAudit((s) => s.verification);
  return (
    <div className="verify">
      <button
        type="button"
        className="btn"
        onClick={() => void actions.verify()}
        disabled={verification.status === 'loading'}
        data-testid="verify-chain"
      >
        {verification.status === 'loading' ? 'Verifying…' : 'Verify chain'}
      </button>
      <span className="verify-result" data-testid="verify-result" role="status">
        {verification.status === 'ready' && verification.data && verification.data.ok && (
          <span className="test-ok">
            <Icon name="check" />
            Chain intact: {verification.data.entries.toLocaleString('en-US')}{' '}
            {verification.data.entries === 1 ? 'entry' : 'entries'} verified
          </span>
        )}
        {verification.status === 'ready' && verification.data && !verification.data.ok && (
          <span className="sev-critical verify-broken">
            <Icon name="alert" />
            Chain broken at seq {verification.data.brokenAt ?? '?'}: entries from there on may have been
            altered
          </span>
        )}
        {verification.status === 'idle' && (
          <span className="muted">Recomputes every entry's hash to prove none was altered or removed.</span>
        )}
      </span>
      {verification.status === 'error' && verification.error && (
        <ErrorPanel inline error={verification.error} />
      )}
    </div>
  );
}
