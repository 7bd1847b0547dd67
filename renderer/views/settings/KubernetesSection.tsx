import { useId } from 'react';
import type { KubeContextInfo } from '../../../shared/connections';
import { ErrorPanel } from '../../components/ErrorPanel';
import { Field } from '../../components/Field';
import { useSettings } from '../../state';
import type { SettingsDraft } from '../../state/settings';

import { settingsActions as actions } from './settingsActions';

/** Which kubeconfig and context the console reads (and writes) through. */
export function KubernetesSection({ draft }: { draft: SettingsDraft }) {
  const id = useId();
  const contexts = useSettings((s) => s.contexts);
  const saved = useSettings((s) => s.settings.data);
  const errors = useSettings((s) => s.fieldErrors);
  const list = contexts.data?.contexts ?? [];
  const chosen: KubeContextInfo | undefined =
    list.find((c) => c.name === draft.context) ??
    (draft.context ? undefined : list.find((c) => c.name === contexts.data?.current));
  const pathChanged = (draft.kubeconfigPath.trim() || null) !== (saved?.kube.kubeconfigPath ?? null);
  const knownContext = !draft.context || list.some((c) => c.name === draft.context);

  return (
    <section className="panel form-section" aria-labelledby={`${id}-k8s`}>
      <header className="section-head">
        <h2 id={`${id}-k8s`}>Kubernetes</h2>
        <p>Where model services are discovered.</p>
      </header>

      <Field
        label="Kubeconfig file"
        htmlFor={`${id}-path`}
        error={errors.kubeconfigPath}
        help={
          <>
            Leave empty to use <code>$KUBECONFIG</code>, else <code>~/.kube/config</code>.
            {!draft.kubeconfigPath.trim() && contexts.data && contexts.data.sources.length > 0 && (
              <>
                {' '}
                Now reading <span className="mono">{contexts.data.sources.join(', ')}</span>.
              </>
            )}
          </>
        }
      >
        <div className="input-row">
          <input
            id={`${id}-path`}
            name="kubeconfigPath"
            className="input mono"
            value={draft.kubeconfigPath}
            placeholder="default: $KUBECONFIG or ~/.kube/config"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={errors.kubeconfigPath ? true : undefined}
            aria-describedby={errors.kubeconfigPath ? `${id}-path-error` : undefined}
            onChange={(e) => actions.edit({ kubeconfigPath: e.target.value })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void actions.loadDraftContexts();
              }
            }}
          />
          <button
            type="button"
            className={`btn${pathChanged ? ' btn-primary' : ''}`}
            onClick={() => void actions.loadDraftContexts()}
            disabled={contexts.status === 'loading'}
            title="List this kubeconfig's contexts (nothing is saved until you Save)"
          >
            {contexts.status === 'loading' ? 'Loading…' : 'Load contexts'}
          </button>
        </div>
      </Field>

      {contexts.status === 'error' && contexts.error && (
        <div className="field field-note">
          <div className="field-label" />
          <div className="field-control">
            <ErrorPanel inline error={contexts.error} />
          </div>
        </div>
      )}

      <Field label="Context" htmlFor={`${id}-context`} error={errors.context}>
        <select
          id={`${id}-context`}
          name="context"
          className="input mono"
          value={draft.context}
          onChange={(e) => actions.edit({ context: e.target.value })}
          disabled={contexts.status === 'loading'}
        >
          <option value="">
            {contexts.data?.current
              ? `kubeconfig's current context (${contexts.data.current})`
              : "kubeconfig's current context"}
          </option>
          {list.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} — {c.server}
              {c.namespace ? ` · ns ${c.namespace}` : ''}
            </option>
          ))}
          {!knownContext && <option value={draft.context}>{draft.context} (not in this kubeconfig)</option>}
        </select>
        {chosen ? (
          <dl className="context-details" data-testid="context-details">
            <div>
              <dt>Cluster</dt>
              <dd className="mono">{chosen.cluster}</dd>
            </div>
            <div>
              <dt>Server</dt>
              <dd className="mono">{chosen.server}</dd>
            </div>
            <div>
              <dt>Namespace</dt>
              <dd className="mono">{chosen.namespace ?? 'default'}</dd>
            </div>
            <div>
              <dt>User</dt>
              <dd className="mono">{chosen.user}</dd>
            </div>
          </dl>
        ) : (
          contexts.status === 'ready' &&
          list.length === 0 && <div className="field-help">This kubeconfig has no contexts.</div>
        )}
      </Field>
    </section>
  );
}
