import type { ModelService, WorkloadRef } from '../../../../shared/models';
import { CopyButton } from '../../../components/CopyButton';
import { useNow } from '../../../components/useNow';
import {
  errorRatioSeverity,
  formatAgo,
  formatCompact,
  formatPercent,
  NONE,
  replicaSeverity,
  replicaTitle,
  serverLabel,
} from '../../../format';
import { useModels } from '../../../state';
import { routesFor, useTraffic } from '../../../state/traffic';
import { ModelActions } from './ModelActions';

/** What the model service runs and how it is doing now, with what can be done to it. */
export function ModelHeader({ model, target }: { model: ModelService; target: WorkloadRef }) {
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
          <CopyButton text={model.name} what="the name" />
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
            <dd className="mono md-image" title={model.image ?? undefined}>
              <span data-testid="md-image">{model.image ?? NONE}</span>
              {model.image && <CopyButton text={model.image} what="the image" />}
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
      <ModelActions model={model} target={target} />
    </section>
  );
}
