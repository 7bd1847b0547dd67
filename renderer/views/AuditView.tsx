import { useEffect } from 'react';
import type { AuditEntry } from '../../shared/audit';
import { Banner } from '../components/Banner';
import { Empty } from '../components/Empty';
import { ErrorPanel } from '../components/ErrorPanel';
import { Icon } from '../components/Icon';
import { TableSkeleton } from '../components/Skeleton';
import { Ticks } from '../components/Ticks';
import { formatTimestamp, summarizeDetails } from '../format';
import { auditStore, useAudit } from '../state';
import { AUDIT_PAGE } from '../state/audit';

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
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => void actions.load()}
          disabled={entries.status === 'loading'}
        >
          <Icon name="refresh" className={entries.status === 'loading' ? 'spin' : undefined} />
          Refresh
        </button>
      </div>

      {entries.data && entries.status === 'error' && entries.error && (
        <Banner
          tone="warning"
          title={`Showing the last loaded entries: ${entries.error.message}`}
          code={entries.error.code}
        >
          <Ticks text={entries.error.hint} />
        </Banner>
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
          <table className="grid audit-table" data-testid="audit-table" aria-busy={firstLoad || undefined}>
            <colgroup>
              <col className="col-seq" />
              <col className="col-time" />
              <col className="col-actor" />
              <col className="col-action" />
              <col className="col-target" />
              <col className="col-result" />
              <col className="col-details" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Result</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            {firstLoad ? (
              <TableSkeleton columns={7} rows={5} />
            ) : (
              <tbody>
                {(entries.data ?? []).map((e) => (
                  <AuditRow key={e.seq} entry={e} />
                ))}
              </tbody>
            )}
          </table>
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
