import type { RevisionSummary, WorkloadRef } from '../../../../shared/models';
import { LastDataBanner } from '../../../components/Banner';
import { ErrorPanel } from '../../../components/ErrorPanel';
import { Icon } from '../../../components/Icon';
import { RefreshButton } from '../../../components/RefreshButton';
import { Table, type Column } from '../../../components/Table';
import { Ticks } from '../../../components/Ticks';
import { formatTimestamp, NONE } from '../../../format';
import { useActions } from '../../../state/actions';
import { effectiveCompare, modelDetailStore, useModelDetail } from '../../../state/modelDetail';
import { openAction } from './openAction';
import { RevisionComparison } from './RevisionComparison';

const revisionColumns: Column[] = [
  { label: 'Revision', num: true, col: 'md-col-rev' },
  { label: 'Created', col: 'md-col-created' },
  { label: 'Change-cause', col: 'md-col-cause' },
  { label: 'Images', col: 'md-col-images' },
  { label: 'GPUs', num: true, col: 'md-col-gpus' },
  { label: <span className="sr-only">Actions</span>, col: 'md-col-actions' },
];

/** The workload's revisions, newest first: roll back to one, or compare two. */
export function RevisionHistory({ target }: { target: WorkloadRef }) {
  const history = useModelDetail((s) => s.history);
  const chosen = useModelDetail((s) => s.compare);
  const busy = useActions((s) => s.dialog.phase !== 'closed');
  const data = history.data;
  const compare = effectiveCompare(data, chosen);
  const canRollBack = target.kind !== 'InferenceService';

  return (
    <section className="md-section" aria-labelledby="md-history-title">
      <div className="md-section-head">
        <h3 id="md-history-title">Revision history</h3>
        {data && data.revisions.length > 0 && (
          <span className="muted tnum">
            {data.revisions.length} {data.revisions.length === 1 ? 'revision' : 'revisions'}, newest first
          </span>
        )}
        <span className="toolbar-spacer" />
        <RefreshButton
          loading={history.status === 'loading'}
          onClick={() => void modelDetailStore.getState().load(target)}
        />
      </div>

      {!data && history.status === 'error' && history.error && (
        <ErrorPanel
          inline
          title="Could not read the revision history"
          error={history.error}
          onRetry={() => void modelDetailStore.getState().load(target)}
        />
      )}
      {data && history.status === 'error' && history.error && (
        <LastDataBanner showing="the last history read" error={history.error} />
      )}
      {!data && history.status !== 'error' && (
        <div className="loading-line">Reading the revision history…</div>
      )}

      {data && data.note && (
        <div className="md-note" role="note" data-testid="history-note">
          <Icon name="info" />
          <span>
            <Ticks text={data.note} />
          </span>
        </div>
      )}

      {data && data.revisions.length > 0 && (
        <div className="table-wrap md-table-wrap">
          <Table className="md-revisions" testId="revisions-table" columns={revisionColumns}>
            {data.revisions.map((r) => (
              <RevisionRow
                key={r.uid || r.revision}
                r={r}
                compared={compare ? r.revision === compare.from || r.revision === compare.to : false}
                canRollBack={canRollBack}
                busy={busy}
                target={target}
                current={data.revisions.find((x) => x.current)?.revision ?? null}
              />
            ))}
          </Table>
        </div>
      )}

      {data && data.revisions.length === 1 && (
        <p className="muted">
          Only one revision is recorded: there is nothing to roll back to or compare with.
        </p>
      )}
      {data && compare && <RevisionComparison revisions={data.revisions} compare={compare} />}
    </section>
  );
}

function RevisionRow({
  r,
  compared,
  canRollBack,
  busy,
  target,
  current,
}: {
  r: RevisionSummary;
  compared: boolean;
  canRollBack: boolean;
  busy: boolean;
  target: WorkloadRef;
  current: number | null;
}) {
  const images = r.containers.map((c) => (r.containers.length > 1 ? `${c.name}: ${c.image}` : c.image));
  return (
    <tr
      data-testid="revision-row"
      data-revision={r.revision}
      data-current={r.current || undefined}
      className={compared ? 'md-row-compared' : undefined}
    >
      <td className="num tnum">
        {r.current && (
          <span className="md-current" data-testid="current-badge">
            current
          </span>
        )}
        <strong>{r.revision}</strong>
      </td>
      <td className="tnum" title={r.createdAt ?? undefined}>
        {r.createdAt ? formatTimestamp(r.createdAt) : NONE}
      </td>
      <td className="ellipsis" title={r.changeCause ?? 'No kubernetes.io/change-cause annotation'}>
        {r.changeCause ?? <span className="muted">{NONE}</span>}
      </td>
      <td className="ellipsis mono" title={images.join('\n')} data-testid="revision-images">
        {images.join(', ') || NONE}
      </td>
      <td className="num tnum">{r.gpus}</td>
      <td className="md-row-actions">
        {!r.current && current !== null && (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() =>
              modelDetailStore
                .getState()
                .setCompare({ from: Math.min(r.revision, current), to: Math.max(r.revision, current) })
            }
            title={`Compare revision ${r.revision} with the current revision ${current}`}
          >
            Compare
          </button>
        )}
        {!r.current && canRollBack && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => openAction('rollback', target, { toRevision: r.revision })}
            disabled={busy}
            data-testid={`rollback-to-${r.revision}`}
            title={`Roll back to revision ${r.revision}: review the change before anything is written`}
          >
            Roll back to {r.revision}…
          </button>
        )}
      </td>
    </tr>
  );
}
