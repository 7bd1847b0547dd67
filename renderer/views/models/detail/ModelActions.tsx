import { useState } from 'react';
import type { ModelService, WorkloadRef } from '../../../../shared/models';
import { actionsForKind, parseReplicas, useActions, type ActionKind } from '../../../state/actions';
import { notApplicable } from './actionAvailability';
import { openAction } from './openAction';
import { Form } from '../../../components/Form';

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

/** The actions this kind of workload offers; each opens the action dialog, nothing is written before. */
export function ModelActions({ model, target }: { model: ModelService; target: WorkloadRef }) {
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
          .map((a) => {
            const why = notApplicable(a, model);
            return (
              <button
                key={a}
                type="button"
                className={`btn${a === primary ? ' btn-primary' : ''}`}
                onClick={() => openAction(a, target)}
                disabled={busy || why !== null}
                title={why ?? actionTitles[a]}
                aria-describedby={why ? `md-why-${a}` : undefined}
                data-testid={`action-${a}`}
              >
                {actionLabels[a]}
              </button>
            );
          })}
      </div>
      {actions
        .map((a) => ({ a, why: notApplicable(a, model) }))
        .filter((x) => x.why)
        .map(({ a, why }) => (
          <div key={a} id={`md-why-${a}`} className="muted md-small" data-testid={`why-${a}`}>
            {actionLabels[a]}: {why}
          </div>
        ))}
      {actions.includes('scale') && (
        <Form
          className="md-scale"
          onSubmit={() => {
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
        </Form>
      )}
    </div>
  );
}
