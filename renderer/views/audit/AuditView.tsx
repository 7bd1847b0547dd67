import { useEffect } from 'react';
import type { AuditEntry } from '../../../shared/audit';
import { LastDataBanner } from '../../components/Banner';
import { Empty } from '../../components/Empty';
import { ErrorPanel } from '../../components/ErrorPanel';
import { Icon } from '../../components/Icon';
import { RefreshButton } from '../../components/RefreshButton';
import { Table, type Column } from '../../components/Table';
import { formatTimestamp, summarizeDetails } from '../../format';
import { auditStore, useAudit } from '../../state';
import { AUDIT_PAGE } from '../../state/audit';

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

  useEffect(() => {
    void actions.load();
  }, []);

  const firstLoad = !entries.data && (entries.status === 'loading' || entries.status === 'idle');

  return (
    <div className="view" data-testid="audit-view">
      <div className="toolbar">
        <VerifyControl />
        <span className="toolbar-spacer" />
        {entries.data && (
          <span className="muted tnum">
            {entries.data.length === AUDIT_PAGE
              ? `latest ${AUDIT_PAGE} entries`
              : `${entries.data.length} entries`}
          </span>
        )}
        <RefreshButton loading={entries.status === 'loading'} onClick={() => void actions.load()} />
      </div>

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
            {(entries.data ?? []).map((e) => (
              <AuditRow key={e.seq} entry={e} />
            ))}
          </Table>
          {entries.data && entries.data.length === 0 && (
            <Empty title="No audited actions yet">
              Every change Firebreak makes (settings saved, actions on the cluster) is recorded here in a
              hash-chained, append-only log.
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
        {actionLine(entry.details) ?? summarizeDetails(entry.details)}
      </td>
    </tr>
  );
}

/** A cluster action's entry reads as its sentence and outcome ("Roll back … · … successfully rolled out"). */
function actionLine(details: Record<string, unknown>): string | null {
  if (typeof details.summary !== 'string') return null;
  return typeof details.message === 'string' ? `${details.summary} · ${details.message}` : details.summary;
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
