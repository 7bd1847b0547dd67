import { useState } from 'react';
import type { ActionRequest } from '../../../shared/actions';
import type { AppErrorData } from '../../../shared/errors';
import type { IncidentModel, WarRoom } from '../../../shared/incident';
import { parseServiceId, WorkloadKind, type ModelService } from '../../../shared/models';
import { ErrorPanel } from '../../components/ErrorPanel';
import { incidentStore, useIncident, useModels } from '../../state';
import { actionsStore, parseReplicas, requestFor } from '../../state/actions';

/** The request that moves all of a model's traffic to its fallback, from the route the Models list found. */
export function fallbackRequest(
  model: IncidentModel,
  services: readonly ModelService[],
): ActionRequest | null {
  const svc = services.find((s) => s.id === model.serviceId);
  const route = svc?.route;
  if (!svc || !route) return null;
  if (route.kind === 'InferenceService') {
    const { namespace, name } = parseServiceId(model.serviceId);
    return { type: 'canary', target: { kind: 'InferenceService', namespace, name }, percent: 0 };
  }
  // only the model a rule leads (its first backend) has a fallback there: for a fallback standing by in another
  // model's rule, "route to fallback" would send everything to the model it stands in for
  if (route.backends[0]?.name !== route.backend) return null;
  const fallbackName = model.fallbackId ? parseServiceId(model.fallbackId).name : null;
  const names = route.backends.map((b) => b.name);
  const to = names.find((n) => n === fallbackName) ?? names.find((n) => n !== route.backend);
  if (!to || route.rule === null) return null;
  return {
    type: 'traffic',
    route: { kind: route.kind, namespace: route.namespace, name: route.name },
    rule: route.rule,
    weights: Object.fromEntries(names.map((n) => [n, n === to ? 100 : 0])),
  };
}

const open = (r: ActionRequest) => void actionsStore.getState().open(r);

/** The actions at hand for the involved models, each through the one action dialog (two clicks and a name). */
export function WarRoomActions({ room }: { room: WarRoom }) {
  const services = useModels((s) => s.list.data?.models) ?? [];
  const inc = room.incident;
  const readonly = !room.live;
  return (
    <section className="panel-card inc-actions" data-testid="wr-actions">
      <h2 className="section-title">
        Actions{readonly && <span className="muted">read-only replay: nothing here writes</span>}
      </h2>
      {!readonly &&
        inc.models.map((m) => <ModelActions key={m.serviceId} model={m} services={services} room={room} />)}
      {!readonly && <NoteForm />}
      {!readonly && <ResolveControl />}
    </section>
  );
}

function ModelActions({
  model,
  services,
  room,
}: {
  model: IncidentModel;
  services: readonly ModelService[];
  room: WarRoom;
}) {
  const [replicas, setReplicas] = useState('');
  const { namespace, kind, name } = parseServiceId(model.serviceId);
  const k = WorkloadKind.safeParse(kind);
  const target = k.success ? { kind: k.data, namespace, name } : null;
  const fallback = fallbackRequest(model, services);
  const firing = room.alerts.filter((a) => a.state === 'firing' && a.model === model.serviceId);
  const n = parseReplicas(replicas);
  const canRollback = target && target.kind !== 'InferenceService';
  return (
    <div className="inc-model-actions" data-testid="model-actions" data-model={model.name}>
      <div className="inc-model-actions-name">{model.name}</div>
      <div className="inc-btns">
        {canRollback && (
          <button
            type="button"
            className="btn"
            data-testid="wr-rollback"
            onClick={() => open(requestFor('rollback', target))}
          >
            Roll back
          </button>
        )}
        <button
          type="button"
          className="btn"
          data-testid="wr-fallback"
          disabled={!fallback}
          title={fallback ? undefined : 'No route with another backend sends this model traffic'}
          onClick={() => fallback && open(fallback)}
        >
          Route to fallback
        </button>
        {target?.kind === 'Deployment' && (
          <button
            type="button"
            className="btn"
            data-testid="wr-pause"
            onClick={() => open(requestFor('pause', target))}
          >
            Pause rollout
          </button>
        )}
        {target?.kind === 'Rollout' && (
          <button
            type="button"
            className="btn"
            data-testid="wr-abort"
            onClick={() => open(requestFor('abort', target))}
          >
            Abort rollout
          </button>
        )}
        {firing.length > 0 && (
          <button
            type="button"
            className="btn"
            data-testid="wr-silence"
            onClick={() =>
              open({
                type: 'silence',
                matchers: [
                  { name: 'alertname', value: firing[0]!.name, isRegex: false, isEqual: true },
                  { name: 'namespace', value: namespace, isRegex: false, isEqual: true },
                ],
                durationMinutes: 60,
                comment: `Incident ${room.incident.id}: ${room.incident.title}`.slice(0, 2000),
              })
            }
          >
            Silence {firing[0]!.name}
          </button>
        )}
      </div>
      {target && target.kind !== 'InferenceService' && target.kind !== 'DaemonSet' && (
        <form
          className="inc-scale"
          onSubmit={(e) => {
            e.preventDefault();
            if (n !== null) open(requestFor('scale', target, { replicas: n }));
          }}
        >
          <input
            className="input tnum"
            inputMode="numeric"
            value={replicas}
            placeholder="replicas"
            aria-label={`Replicas of ${model.name}`}
            onChange={(e) => setReplicas(e.target.value)}
          />
          <button type="submit" className="btn" disabled={n === null} data-testid="wr-scale">
            Scale
          </button>
        </form>
      )}
    </div>
  );
}

function NoteForm() {
  const [text, setText] = useState('');
  const write = useIncident((s) => s.write);
  return (
    <form
      className="inc-note"
      onSubmit={(e) => {
        e.preventDefault();
        const t = text.trim();
        if (!t) return;
        void incidentStore
          .getState()
          .note(t)
          .then((ok) => ok && setText(''));
      }}
    >
      <input
        className="input"
        value={text}
        maxLength={4000}
        placeholder="Add a note to the timeline"
        aria-label="Note"
        data-testid="wr-note-input"
        onChange={(e) => setText(e.target.value)}
      />
      <button
        type="submit"
        className="btn"
        disabled={!text.trim() || write.status === 'loading'}
        data-testid="wr-note-add"
      >
        Add note
      </button>
    </form>
  );
}

function ResolveControl() {
  const [step, setStep] = useState<'idle' | 'confirm' | 'refused'>('idle');
  const [refusal, setRefusal] = useState<AppErrorData | null>(null);
  const run = async (force: boolean) => {
    const err = await incidentStore.getState().resolve(force);
    if (!err) {
      setStep('idle');
      return;
    }
    setRefusal(err);
    setStep(err.code === 'ACTION_REFUSED' && !force ? 'refused' : 'confirm');
  };
  return (
    <div className="inc-resolve" data-testid="wr-resolve">
      {step === 'idle' && (
        <button
          type="button"
          className="btn"
          data-testid="wr-resolve-open"
          onClick={() => setStep('confirm')}
        >
          Resolve incident…
        </button>
      )}
      {step === 'confirm' && (
        <>
          <span>Close the incident? Its clock stops and it becomes a replay.</span>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="wr-resolve-confirm"
            onClick={() => void run(false)}
          >
            Resolve
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => setStep('idle')}>
            Cancel
          </button>
        </>
      )}
      {step === 'refused' && refusal && (
        <>
          <ErrorPanel inline title="Not resolved" error={refusal} />
          <button
            type="button"
            className="btn btn-primary"
            data-testid="wr-resolve-force"
            onClick={() => void run(true)}
          >
            Close anyway
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => setStep('idle')}>
            Keep it open
          </button>
        </>
      )}
      {step === 'confirm' && refusal && refusal.code !== 'ACTION_REFUSED' && (
        <ErrorPanel inline error={refusal} />
      )}
    </div>
  );
}
