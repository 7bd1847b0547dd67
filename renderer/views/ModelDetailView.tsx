import { useEffect, useMemo, useState } from 'react';
import type { RevisionSummary, WorkloadRef, ModelService } from '../../shared/models';
import { ActionDialog } from '../components/ActionDialog';
import { Banner } from '../components/Banner';
import { Empty } from '../components/Empty';
import { ErrorPanel } from '../components/ErrorPanel';
import { Icon } from '../components/Icon';
import { Ticks } from '../components/Ticks';
import { useNow } from '../components/useNow';
import {
  errorRatioSeverity,
  formatAgo,
  formatCompact,
  formatPercent,
  formatTimestamp,
  NONE,
  replicaSeverity,
  replicaTitle,
  serverLabel,
} from '../format';
import { modelsStore, useModels } from '../state';
import {
  actionsForKind,
  actionsStore,
  outcomeTitle,
  outcomeTone,
  parseReplicas,
  requestFor,
  requestTarget,
  requestWorkload,
  useActions,
  type ActionKind,
} from '../state/actions';
import {
  argsChange,
  effectiveCompare,
  modelDetailStore,
  revisionDiffRows,
  useModelDetail,
  workloadFromId,
  workloadId,
  type DiffRow,
} from '../state/modelDetail';
import { routesFor, trafficStore, useTraffic } from '../state/traffic';
import './actions.css';

const openAction = (
  action: ActionKind,
  target: WorkloadRef,
  extra?: { toRevision?: number; replicas?: number },
) => void actionsStore.getState().open(requestFor(action, target, extra));

/** One model service: what it runs, its revisions and what changed between them, and what can be done to it. */
export function ModelDetailView({ id }: { id: string }) {
  const target = useMemo(() => workloadFromId(id), [id]);
  const list = useModels((s) => s.list);
  const model = list.data?.models.find((m) => m.id === id);

  useEffect(() => {
    if (!target) return;
    void modelDetailStore.getState().load(target);
    if (trafficStore.getState().routes.status === 'idle') void trafficStore.getState().load();
    // after an action on this target: its history, the model list and the routes are read again
    return actionsStore.onSettled((request) => {
      const t = requestTarget(request);
      const w = requestWorkload(request);
      if (w && workloadId(w) === workloadId(target)) {
        void modelDetailStore.getState().load(target);
        void modelsStore.getState().refresh();
      } else if (t.namespace === target.namespace) {
        void trafficStore.getState().load();
      }
    });
  }, [target]);

  if (!target) {
    return (
      <div className="view">
        <Back />
        <Empty title="This is not a model service address">
          <a href="#/models">Back to the model list</a>
        </Empty>
      </div>
    );
  }

  return (
    <div className="view view-scroll md" data-testid="model-detail">
      <Back name={target.name} />
      {model ? (
        <Header model={model} target={target} />
      ) : list.data ? (
        <Banner
          tone="warning"
          title={`${target.kind} ${target.namespace}/${target.name} is not in the current model list`}
        >
          It may have been deleted or renamed, or the context changed. The history below is read from the
          cluster.
        </Banner>
      ) : (
        <div className="loading-line">Loading model services…</div>
      )}
      <LastActionLine target={target} />
      <History target={target} />
      <ActionDialog />
    </div>
  );
}

function Back({ name }: { name?: string }) {
  return (
    <nav className="md-crumbs" aria-label="Breadcrumb">
      <a href="#/models" className="md-back" data-testid="back-to-models">
        <span aria-hidden="true">←</span> Models
      </a>
      {name && (
        <>
          <span className="muted" aria-hidden="true">
            /
          </span>
          <span className="md-crumb-current" aria-current="page">
            {name}
          </span>
        </>
      )}
    </nav>
  );
}

function Header({ model, target }: { model: ModelService; target: WorkloadRef }) {
  const list = useModels((s) => s.list);
  const routes = useTraffic((s) => s.routes);
  const now = useNow(5000);
  const rateKnown = list.data?.metrics.status === 'ok';
  const errSev = errorRatioSeverity(model.errorRatio);
  const repSev = replicaSeverity(model.replicas);
  const routed = routes.data ? routesFor(routes.data, model) : [];
  return (
    <section className="md-head panel" aria-label="Model service">
      <div className="md-head-main">
        <div className="md-title-row">
          <h2 className="md-title" data-testid="md-name">
            {model.name}
          </h2>
          <span className="md-ns mono">{model.namespace}</span>
          <span className={`badge badge-${model.serverKind}`}>{serverLabel(model.serverKind)}</span>
          <span className="md-kind">{model.workloadKind}</span>
          {model.modelName !== model.name && <span className="muted">model {model.modelName}</span>}
        </div>
        <dl className="md-stats">
          <div>
            <dt>Replicas</dt>
            <dd
              className={`tnum sev-${repSev === 'ok' ? 'none' : repSev}`}
              title={replicaTitle(model.replicas)}
              data-testid="md-replicas"
            >
              {model.replicas.ready}
              <span className="muted">/</span>
              {model.replicas.desired} <span className="muted md-unit">ready</span>
            </dd>
          </div>
          <div className="md-stat-image">
            <dt>Image</dt>
            <dd className="mono md-image" title={model.image ?? undefined} data-testid="md-image">
              {model.image ?? NONE}
            </dd>
          </div>
          <div>
            <dt>Requests/s</dt>
            <dd className="tnum" data-testid="md-rate">
              {rateKnown && model.requestRate !== null ? formatCompact(model.requestRate) : NONE}
              {rateKnown && model.requestRate !== null && <span className="muted md-unit">/s</span>}
            </dd>
          </div>
          <div>
            <dt>Error ratio</dt>
            <dd className={`tnum ${rateKnown ? `sev-${errSev}` : ''}`} data-testid="md-errors">
              {rateKnown ? formatPercent(model.errorRatio) : NONE}
            </dd>
          </div>
        </dl>
        <div className="md-meta muted">
          {rateKnown ? 'Rates over the last 5 minutes, ' : 'No live rates (Prometheus not available), '}
          updated {list.updatedAt !== undefined ? formatAgo(list.updatedAt, now) : NONE}.{' '}
          {routed.length > 0 && (
            <>
              Traffic:{' '}
              {routed.map((r, i) => (
                <span key={`${r.route.namespace}/${r.route.name}#${r.rule}`}>
                  {i > 0 && ', '}
                  <a href="#/traffic" data-testid="md-route-link">
                    {r.route.kind} {r.route.name}
                  </a>{' '}
                  <span className="tnum">{Math.round(r.share * 100)}%</span>
                </span>
              ))}
              .{' '}
            </>
          )}
          <a href={`#/health?model=${encodeURIComponent(model.id)}`}>Health charts</a>
        </div>
      </div>
      <Actions model={model} target={target} />
    </section>
  );
}

const actionLabels: Record<ActionKind, string> = {
  rollback: 'Roll back…',
  pause: 'Pause',
  resume: 'Resume',
  restart: 'Restart',
  scale: 'Scale',
  abort: 'Abort rollout',
  retry: 'Retry rollout',
  'canary-zero': 'Canary 0% (roll back)…',
  promote: 'Promote latest',
};

const actionTitles: Record<ActionKind, string> = {
  rollback:
    'Roll back to the previous revision (kubectl rollout undo): review the change before anything is written',
  pause: 'Pause the rollout: the controller stops replacing pods',
  resume: 'Resume a paused rollout',
  restart: 'Restart every pod, one by one (kubectl rollout restart)',
  scale: 'Set the number of replicas',
  abort: 'Abort the Argo rollout: traffic goes back to the stable version at once',
  retry: 'Retry an aborted Argo rollout',
  'canary-zero': 'KServe: send 0% to the latest revision, all traffic back to the previous one',
  promote: 'KServe: send 100% to the latest revision',
};

function Actions({ model, target }: { model: ModelService; target: WorkloadRef }) {
  const busy = useActions((s) => s.dialog.phase !== 'closed');
  const actions = actionsForKind(model.workloadKind);
  const [replicas, setReplicas] = useState(String(model.replicas.desired));
  const parsed = parseReplicas(replicas);
  const primary = actions[0];
  return (
    <div className="md-actions" role="group" aria-label="Actions" data-testid="md-actions">
      <div className="md-actions-title">Actions</div>
      <div className="md-actions-row">
        {actions
          .filter((a) => a !== 'scale')
          .map((a) => (
            <button
              key={a}
              type="button"
              className={`btn${a === primary ? ' btn-primary' : ''}`}
              onClick={() => openAction(a, target)}
              disabled={busy}
              title={actionTitles[a]}
              data-testid={`action-${a}`}
            >
              {actionLabels[a]}
            </button>
          ))}
      </div>
      {actions.includes('scale') && (
        <form
          className="md-scale"
          onSubmit={(e) => {
            e.preventDefault();
            if (parsed !== null) openAction('scale', target, { replicas: parsed });
          }}
        >
          <label htmlFor="md-replicas" className="muted">
            Replicas
          </label>
          <input
            id="md-replicas"
            className={`input tnum md-replicas-input${parsed === null ? ' input-invalid' : ''}`}
            inputMode="numeric"
            value={replicas}
            onChange={(e) => setReplicas(e.target.value)}
            aria-invalid={parsed === null}
            data-testid="scale-input"
          />
          <button
            type="submit"
            className="btn"
            disabled={busy || parsed === null}
            title={actionTitles.scale}
            data-testid="action-scale"
          >
            Scale…
          </button>
          {parsed === null && <span className="sev-critical md-small">0 to 10,000</span>}
        </form>
      )}
    </div>
  );
}

/** The outcome of the last action on this target, kept after its dialog closed. */
function LastActionLine({ target }: { target: WorkloadRef }) {
  const last = useActions((s) => s.last);
  const background = useActions((s) => s.background);
  const now = useNow(5000);
  if (background) {
    return (
      <div className="md-last" role="status" data-testid="md-last-action">
        <Icon name="refresh" className="spin" /> Written; watching in the background until it takes effect…
      </div>
    );
  }
  const w = last && requestWorkload(last.request);
  if (!last || !w || workloadId(w) !== workloadId(target)) return null;
  const tone = last.outcome ? outcomeTone(last.outcome.status) : 'critical';
  return (
    <div className={`md-last md-last-${tone}`} role="status" data-testid="md-last-action">
      <span className={`dot dot-${tone}`} aria-hidden="true" />
      <span className="md-last-what">{last.summary}</span>
      <span className="md-last-result">
        {last.outcome ? `${outcomeTitle(last.outcome.status)}: ` : 'Failed: '}
        <Ticks text={last.outcome?.message ?? last.error?.message ?? ''} />
      </span>
      <span className="muted">{formatAgo(last.at, now)}</span>
    </div>
  );
}

function History({ target }: { target: WorkloadRef }) {
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
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => void modelDetailStore.getState().load(target)}
          disabled={history.status === 'loading'}
        >
          <Icon name="refresh" className={history.status === 'loading' ? 'spin' : undefined} />
          Refresh
        </button>
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
        <Banner
          tone="warning"
          title={`Showing the last history read: ${history.error.message}`}
          code={history.error.code}
        >
          <Ticks text={history.error.hint} />
        </Banner>
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
          <table className="grid md-revisions" data-testid="revisions-table">
            <colgroup>
              <col className="md-col-rev" />
              <col className="md-col-created" />
              <col className="md-col-cause" />
              <col className="md-col-images" />
              <col className="md-col-gpus" />
              <col className="md-col-actions" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Revision
                </th>
                <th scope="col">Created</th>
                <th scope="col">Change-cause</th>
                <th scope="col">Images</th>
                <th scope="col" className="num">
                  GPUs
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      )}

      {data && data.revisions.length === 1 && (
        <p className="muted">
          Only one revision is recorded: there is nothing to roll back to or compare with.
        </p>
      )}
      {data && compare && <Comparison revisions={data.revisions} compare={compare} />}
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

function Comparison({
  revisions,
  compare,
}: {
  revisions: RevisionSummary[];
  compare: { from: number; to: number };
}) {
  const from = revisions.find((r) => r.revision === compare.from);
  const to = revisions.find((r) => r.revision === compare.to);
  const rows = useMemo(() => (from && to ? revisionDiffRows(from, to) : []), [from, to]);
  if (!from || !to) return null;
  const label = (r: RevisionSummary) => `Revision ${r.revision}${r.current ? ' (current)' : ''}`;
  const set = (next: { from: number; to: number }) => modelDetailStore.getState().setCompare(next);
  return (
    <div className="md-compare panel" data-testid="revision-diff">
      <div className="md-compare-head">
        <h3>What changed</h3>
        <label className="md-pick">
          <span className="muted">from</span>
          <select
            className="input md-select"
            value={compare.from}
            onChange={(e) => set({ from: Number(e.target.value), to: compare.to })}
            data-testid="diff-from"
            aria-label="Compare from revision"
          >
            {revisions.map((r) => (
              <option key={r.revision} value={r.revision}>
                {label(r)}
              </option>
            ))}
          </select>
        </label>
        <label className="md-pick">
          <span className="muted">to</span>
          <select
            className="input md-select"
            value={compare.to}
            onChange={(e) => set({ from: compare.from, to: Number(e.target.value) })}
            data-testid="diff-to"
            aria-label="Compare to revision"
          >
            {revisions.map((r) => (
              <option key={r.revision} value={r.revision}>
                {label(r)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => set({ from: compare.to, to: compare.from })}
          title="Swap the two revisions"
        >
          ⇄ Swap
        </button>
        <span className="toolbar-spacer" />
        <span className="muted md-small">Env vars: names only, values are never shown.</span>
      </div>
      {from.revision === to.revision ? (
        <p className="muted md-compare-empty">Pick two different revisions.</p>
      ) : rows.length === 0 ? (
        <p className="muted md-compare-empty" data-testid="diff-empty">
          Revisions {from.revision} and {to.revision} run the same images, args, env var names and resources.
        </p>
      ) : (
        <table className="md-diff" data-testid="diff-table">
          <thead>
            <tr>
              <th scope="col">Container</th>
              <th scope="col">Field</th>
              <th scope="col">Revision {from.revision}</th>
              <th scope="col" aria-hidden="true" />
              <th scope="col">Revision {to.revision}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <DiffRowView
                key={`${row.container ?? ''}|${row.label}|${row.from ?? ''}|${row.to ?? ''}|${i}`}
                row={row}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function DiffRowView({ row }: { row: DiffRow }) {
  if (row.group === 'args') {
    const { removed, added } = argsChange(row.from, row.to);
    const reordered = removed.length === 0 && added.length === 0;
    return (
      <tr data-testid="diff-row" data-field="args">
        <td className="mono muted">{row.container ?? NONE}</td>
        <td>{reordered ? 'args (order changed)' : 'args'}</td>
        <td className="mono md-diff-from">
          {reordered ? (
            row.from
          ) : removed.length ? (
            removed.map((a) => <div key={a}>− {a}</div>)
          ) : (
            <span className="md-diff-none">{NONE}</span>
          )}
        </td>
        <td className="md-diff-arrow" aria-hidden="true">
          →
        </td>
        <td className="mono md-diff-to">
          {reordered ? (
            row.to
          ) : added.length ? (
            added.map((a) => <div key={a}>+ {a}</div>)
          ) : (
            <span className="md-diff-none">{NONE}</span>
          )}
        </td>
      </tr>
    );
  }
  return (
    <tr data-testid="diff-row" data-field={row.group}>
      <td className="mono muted">{row.container ?? NONE}</td>
      <td className={row.group === 'resources' || row.group === 'gpus' ? 'mono' : undefined}>{row.label}</td>
      <td className={`mono ${row.from === null ? 'md-diff-none' : 'md-diff-from'}`}>
        {row.from ?? '(none)'}
      </td>
      <td className="md-diff-arrow" aria-hidden="true">
        →
      </td>
      <td className={`mono ${row.to === null ? 'md-diff-none' : 'md-diff-to'}`}>{row.to ?? '(none)'}</td>
    </tr>
  );
}
