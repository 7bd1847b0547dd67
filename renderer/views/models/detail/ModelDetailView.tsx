import { useEffect, useMemo } from 'react';
import { Banner } from '../../../components/Banner';
import { Empty } from '../../../components/Empty';
import { modelsStore, useModels } from '../../../state';
import { actionsStore, requestTarget, requestWorkload } from '../../../state/actions';
import { modelDetailStore, workloadFromId, workloadId } from '../../../state/modelDetail';
import { trafficStore } from '../../../state/traffic';
import { LastActionLine } from '../../actions/LastActionLine';
import { ModelHeader } from './ModelHeader';
import { RevisionHistory } from './RevisionHistory';
import '../../actions/actions.css';
import './modelDetail.css';

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
        <ModelHeader model={model} target={target} />
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
      <RevisionHistory target={target} />
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
