import { useEffect, useMemo, useState } from 'react';
import type { IncidentModel, Severity } from '../../../shared/incident';
import type { ModelService } from '../../../shared/models';
import { ErrorPanel } from '../../components/ErrorPanel';
import { incidentStore, useIncident, useModels } from '../../state';
import { incidentHash, type DeclarePrefill } from '../../state/incident';

const SEVERITIES: Severity[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];

/** The model a model service's traffic would move to: another backend of the route that sends it traffic. */
export function defaultFallback(m: ModelService, all: readonly ModelService[]): string | null {
  const route = m.route;
  if (!route) return null;
  for (const b of route.backends) {
    if (b.name === route.backend) continue;
    const other = all.find((x) => x.namespace === route.namespace && x.name === b.name && x.id !== m.id);
    if (other) return other.id;
  }
  return null;
}

/**
 * Declare an incident (by hand, from an alert group, from a paging model's tile): title, severity, the model
 * services involved with their fallbacks, commander. Mounted once; opened by `incidentStore.startDeclare()`.
 */
export function DeclareDialog() {
  const prefill = useIncident((s) => s.declaring);
  if (!prefill) return null;
  return <DeclareForm prefill={prefill} />;
}

function DeclareForm({ prefill }: { prefill: DeclarePrefill }) {
  const listed0 = useModels((s) => s.list.data?.models);
  const models = useMemo(() => listed0 ?? [], [listed0]);
  const write = useIncident((s) => s.write);
  const [title, setTitle] = useState(prefill.title ?? '');
  const [severity, setSeverity] = useState<Severity>('SEV2');
  const [commander, setCommander] = useState('');
  const [picked, setPicked] = useState<string[]>(prefill.serviceIds ?? []);
  const [fallbacks, setFallbacks] = useState<Record<string, string | null>>({});
  const byId = useMemo(() => new Map(models.map((m) => [m.id, m])), [models]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') incidentStore.getState().cancelDeclare();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const fallbackOf = (id: string) => {
    if (id in fallbacks) return fallbacks[id] ?? null;
    const m = byId.get(id);
    return m ? defaultFallback(m, models) : null;
  };
  const toggle = (id: string, on: boolean) =>
    setPicked((p) => (on ? [...p.filter((x) => x !== id), id] : p.filter((x) => x !== id)));

  const involved: IncidentModel[] = picked.map((id) => {
    const m = byId.get(id);
    const [, , name = id] = id.split('/');
    return {
      serviceId: id,
      name: m?.name ?? name,
      serverKind: m?.serverKind ?? 'generic',
      modelName: m?.modelName ?? '',
      fallbackId: fallbackOf(id),
    };
  });
  const problem =
    title.trim().length === 0
      ? 'Give the incident a title'
      : involved.length === 0
        ? 'Pick at least one model service'
        : null;

  const submit = async () => {
    if (problem) return;
    const inc = await incidentStore.getState().declare({
      title: title.trim(),
      severity,
      ...(commander.trim() ? { commander: commander.trim() } : {}),
      models: involved,
      alertNames: prefill.alertNames ?? [],
    });
    if (inc) window.location.hash = incidentHash(inc.id);
  };

  // the picked ones first (a model named by an alert may not be listed: it still shows)
  const listed = [...new Set([...picked, ...models.map((m) => m.id)])];
  return (
    <div className="ad-backdrop">
      <form
        className="ad inc-declare"
        role="dialog"
        aria-modal="true"
        aria-labelledby="declare-title"
        data-testid="declare-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <header className="ad-head">
          <div className="ad-head-text">
            <h2 id="declare-title">Declare an incident</h2>
            {prefill.alertNames && prefill.alertNames.length > 0 && (
              <div className="ad-head-target">from the alerts {prefill.alertNames.join(', ')}</div>
            )}
          </div>
        </header>
        <div className="ad-body">
          <label className="inc-field">
            <span>Title</span>
            <input
              className="input"
              value={title}
              autoFocus
              maxLength={200}
              data-testid="declare-title"
              onChange={(e) => setTitle(e.target.value)}
              placeholder="e.g. llama-70b-chat failing after the rollout"
            />
          </label>
          <div className="inc-field-row">
            <label className="inc-field">
              <span>Severity</span>
              <select
                className="input"
                value={severity}
                data-testid="declare-severity"
                onChange={(e) => setSeverity(e.target.value as Severity)}
              >
                {SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <label className="inc-field grow">
              <span>Commander (empty: you)</span>
              <input
                className="input"
                value={commander}
                maxLength={120}
                data-testid="declare-commander"
                onChange={(e) => setCommander(e.target.value)}
              />
            </label>
          </div>
          <fieldset className="inc-models" data-testid="declare-models">
            <legend>Model services involved, and where their traffic can go</legend>
            {listed.length === 0 && <p className="muted">No model services are listed (no cluster?).</p>}
            {listed.map((id) => {
              const m = byId.get(id);
              const on = picked.includes(id);
              return (
                <div key={id} className="inc-model-row" data-testid="declare-model" data-id={id}>
                  <label className="inc-model-pick">
                    <input type="checkbox" checked={on} onChange={(e) => toggle(id, e.target.checked)} />
                    <span className="ellipsis" title={id}>
                      {m?.name ?? id}
                      <span className="muted"> {m?.namespace ?? ''}</span>
                    </span>
                  </label>
                  {on && (
                    <label className="inc-model-fallback">
                      <span className="muted">fallback</span>
                      <select
                        className="input"
                        value={fallbackOf(id) ?? ''}
                        onChange={(e) => setFallbacks((f) => ({ ...f, [id]: e.target.value || null }))}
                      >
                        <option value="">none</option>
                        {models
                          .filter((x) => x.id !== id)
                          .map((x) => (
                            <option key={x.id} value={x.id}>
                              {x.name} ({x.namespace})
                            </option>
                          ))}
                      </select>
                    </label>
                  )}
                </div>
              );
            })}
          </fieldset>
          {write.status === 'error' && write.error && (
            <ErrorPanel inline title="Not declared" error={write.error} />
          )}
        </div>
        <footer className="ad-foot">
          {problem && <span className="muted">{problem}</span>}
          <span className="ad-foot-spacer" />
          <button type="button" className="btn" onClick={() => incidentStore.getState().cancelDeclare()}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="declare-submit"
            disabled={!!problem || write.status === 'loading'}
          >
            {write.status === 'loading' ? 'Declaring…' : 'Declare'}
          </button>
        </footer>
      </form>
    </div>
  );
}
