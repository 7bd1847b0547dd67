import { useEffect, useId, type ReactNode } from 'react';
import type { KubeContextInfo } from '../../shared/connections';
import { ErrorPanel } from '../components/ErrorPanel';
import { Field } from '../components/Field';
import { ConnectionsPanel } from './ConnectionsPanel';
import { Icon } from '../components/Icon';
import { formatTimestamp } from '../format';
import { settingsStore, useSettings } from '../state';
import type { AuthKind, SettingsDraft } from '../state/settings';

const actions = {
  edit: (patch: Partial<SettingsDraft>) => settingsStore.getState().edit(patch),
  load: () => settingsStore.getState().load(),
  useKubeconfigPath: () => settingsStore.getState().useKubeconfigPath(),
  test: () => settingsStore.getState().testPrometheus(),
  save: () => settingsStore.getState().saveDraft(),
  discard: () => settingsStore.getState().discard(),
};

export function SettingsView() {
  const settings = useSettings((s) => s.settings);
  const draft = useSettings((s) => s.draft);

  useEffect(() => {
    void actions.load();
  }, []);

  if (!draft) {
    if (settings.status === 'error' && settings.error)
      return (
        <div className="view view-center">
          <ErrorPanel
            title="Could not load settings"
            error={settings.error}
            onRetry={() => void actions.load()}
          />
        </div>
      );
    return (
      <div className="view view-center">
        <div className="loading-line" role="status">
          Loading settings…
        </div>
      </div>
    );
  }

  return (
    <div className="view view-scroll" data-testid="settings-view">
      <form
        className="settings"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void actions.save();
        }}
      >
        <KubernetesSection draft={draft} />
        <ConnectionsPanel />
        <PrometheusSection draft={draft} />
        <SaveBar />
      </form>
    </div>
  );
}

type TextDraftField = {
  [K in keyof SettingsDraft]: SettingsDraft[K] extends string ? K : never;
}[keyof SettingsDraft];

/** A one-line text field bound to a field of the settings draft (named after it), with its error from the store. */
function DraftInput({
  draft,
  field,
  label,
  type = 'text',
  placeholder,
  help,
}: {
  draft: SettingsDraft;
  field: TextDraftField;
  label: string;
  type?: 'text' | 'url' | 'password';
  placeholder?: string;
  help?: ReactNode;
}) {
  const id = useId();
  const error = useSettings((s) => s.fieldErrors[field]);
  return (
    <Field label={label} htmlFor={id} error={error} help={help}>
      <input
        id={id}
        name={field}
        className="input mono"
        type={type}
        inputMode={type === 'url' ? 'url' : undefined}
        value={draft[field]}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => actions.edit({ [field]: e.target.value })}
      />
    </Field>
  );
}

function KubernetesSection({ draft }: { draft: SettingsDraft }) {
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
                void actions.useKubeconfigPath();
              }
            }}
          />
          <button
            type="button"
            className={`btn${pathChanged ? ' btn-primary' : ''}`}
            onClick={() => void actions.useKubeconfigPath()}
            disabled={contexts.status === 'loading'}
            title="Use this kubeconfig and list its contexts"
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

const authKinds: Array<{ kind: AuthKind; label: string }> = [
  { kind: 'none', label: 'None' },
  { kind: 'bearer', label: 'Bearer token' },
  { kind: 'basic', label: 'Basic' },
  { kind: 'sigv4', label: 'AWS SigV4' },
];

function PrometheusSection({ draft }: { draft: SettingsDraft }) {
  const id = useId();
  const saved = useSettings((s) => s.settings.data);
  const errors = useSettings((s) => s.fieldErrors);
  const check = useSettings((s) => s.check);
  const savedAuth = saved?.prometheus.auth;
  const hasToken = savedAuth?.kind === 'bearer' && savedAuth.hasToken;
  const hasPassword = savedAuth?.kind === 'basic' && savedAuth.hasPassword;

  return (
    <section className="panel form-section" aria-labelledby={`${id}-prom`}>
      <header className="section-head">
        <h2 id={`${id}-prom`}>Prometheus</h2>
        <p>Request rates and error ratios. Optional: models are listed without it.</p>
      </header>

      <DraftInput
        draft={draft}
        field="prometheusUrl"
        label="URL"
        type="url"
        placeholder="http://prometheus.monitoring:9090"
        help="The server's base URL, e.g. http://prometheus.monitoring:9090. Leave empty to turn metrics off."
      />

      <DraftInput
        draft={draft}
        field="alertmanagerUrl"
        label="Alertmanager URL"
        type="url"
        placeholder="http://alertmanager.monitoring:9093"
        help="Firing alerts and silences. Optional; it uses the same authentication as Prometheus."
      />

      <div className="field" role="radiogroup" aria-labelledby={`${id}-auth`}>
        <span className="field-label" id={`${id}-auth`}>
          Authentication
        </span>
        <div className="field-control">
          <div className="segmented">
            {authKinds.map((a) => (
              <label key={a.kind} className={`segment${draft.authKind === a.kind ? ' segment-on' : ''}`}>
                <input
                  type="radio"
                  name="authKind"
                  value={a.kind}
                  checked={draft.authKind === a.kind}
                  onChange={() => actions.edit({ authKind: a.kind })}
                />
                {a.label}
              </label>
            ))}
          </div>
          {errors.authKind && <div className="field-error">{errors.authKind}</div>}
        </div>
      </div>

      {draft.authKind === 'bearer' && (
        <DraftInput
          draft={draft}
          field="token"
          label="Token"
          type="password"
          placeholder={hasToken ? '•••••••• saved; leave empty to keep it' : 'Paste a bearer token'}
          help={<SecretNote saved={hasToken} what="token" />}
        />
      )}

      {draft.authKind === 'basic' && (
        <>
          <DraftInput draft={draft} field="username" label="User name" />
          <DraftInput
            draft={draft}
            field="password"
            label="Password"
            type="password"
            placeholder={hasPassword ? '•••••••• saved; leave empty to keep it' : 'Password'}
            help={<SecretNote saved={hasPassword} what="password" />}
          />
        </>
      )}

      {draft.authKind === 'sigv4' && (
        <DraftInput
          draft={draft}
          field="awsRegion"
          label="AWS region"
          placeholder="us-east-1"
          help="Amazon Managed Prometheus: the URL is the workspace's (https://aps-workspaces.REGION.amazonaws.com/workspaces/ws-…). Credentials come from the AWS chain (environment, profiles, SSO); Firebreak never stores them."
        />
      )}

      <ConnectionExtras draft={draft} />

      <div className="field">
        <span className="field-label" />
        <div className="field-control">
          <div className="test-row">
            <button
              type="button"
              className="btn"
              onClick={() => void actions.test()}
              disabled={check.status === 'loading'}
              data-testid="test-prometheus"
            >
              {check.status === 'loading' ? 'Testing…' : 'Test connection'}
            </button>
            {check.status === 'ready' && check.data && (
              <span className="test-ok" role="status" data-testid="prometheus-check">
                <Icon name="check" />
                Connected to Prometheus {check.data.version ?? '(version not reported)'}
                {check.data.seriesCount !== null && (
                  <span className="muted"> · {check.data.seriesCount.toLocaleString('en-US')} series</span>
                )}
              </span>
            )}
            {check.status === 'idle' && (
              <span className="muted">Checks the values above, before saving.</span>
            )}
          </div>
          {check.status === 'error' && check.error && (
            <div data-testid="prometheus-check">
              <ErrorPanel inline error={check.error} />
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

function SecretNote({ saved, what }: { saved: boolean; what: string }) {
  return (
    <span className="secret-note">
      <Icon name="lock" />
      Kept in memory for this session only; never written to disk.
      {saved ? ` A ${what} is set: leave empty to keep it.` : ''}
    </span>
  );
}

function SaveBar() {
  const save = useSettings((s) => s.save);
  const dirty = useSettings((s) => s.dirty);
  const fieldErrors = useSettings((s) => s.fieldErrors);
  const invalid = Object.keys(fieldErrors).length > 0;

  return (
    <div className="savebar">
      <div className="savebar-status">
        {save.status === 'error' && save.error && <ErrorPanel inline error={save.error} />}
        {save.status !== 'error' && invalid && (
          <span className="sev-critical">Fix the highlighted fields, then save.</span>
        )}
        {save.status === 'ready' && !dirty && save.updatedAt && (
          <span className="test-ok" role="status" data-testid="saved">
            <Icon name="check" />
            Saved at {formatTimestamp(new Date(save.updatedAt).toISOString()).slice(11)}
          </span>
        )}
        {dirty && save.status !== 'error' && !invalid && <span className="muted">Unsaved changes</span>}
      </div>
      <button type="button" className="btn btn-ghost" onClick={actions.discard} disabled={!dirty}>
        Discard
      </button>
      <button
        type="submit"
        className="btn btn-primary"
        disabled={save.status === 'loading'}
        data-testid="save-settings"
      >
        {save.status === 'loading' ? 'Saving…' : 'Save'}
      </button>
    </div>
  );
}

const CA_MAX = 65_536;

/** Tenant and CA: what a Mimir, Cortex or a Prometheus behind a private CA needs (folded away otherwise). */
function ConnectionExtras({ draft }: { draft: SettingsDraft }) {
  const id = useId();
  const saved = useSettings((s) => s.settings.data);
  const errors = useSettings((s) => s.fieldErrors);
  const hasCaCert = saved?.prometheus.hasCaCert === true;
  const open = !!(draft.tenant || draft.caCert || hasCaCert || errors.tenant || errors.caCert);
  // a file larger than any CA bundle is cut just past the limit, which the field then reports
  const loadFile = async (file: File | undefined) => {
    if (file) actions.edit({ caCert: await file.slice(0, CA_MAX + 1).text(), removeCaCert: false });
  };
  return (
    <details className="form-extras" open={open} data-testid="connection-extras">
      <summary>Tenant and CA certificate</summary>
      <DraftInput
        draft={draft}
        field="tenant"
        label="Tenant"
        placeholder="e.g. team-inference"
        help="Multi-tenant Mimir or Cortex: sent as X-Scope-OrgID to Prometheus and Alertmanager. Leave empty otherwise."
      />
      <Field
        label="CA certificate"
        htmlFor={`${id}-ca`}
        error={errors.caCert}
        help={
          hasCaCert && !draft.removeCaCert
            ? 'A CA certificate is saved and trusted besides the system CAs. Paste or load another to replace it.'
            : 'For a server with a certificate from a private CA: trusted besides the system CAs. PEM.'
        }
      >
        <textarea
          id={`${id}-ca`}
          name="caCert"
          className="input mono ca-input"
          rows={3}
          value={draft.caCert}
          placeholder={
            hasCaCert && !draft.removeCaCert ? 'saved; leave empty to keep it' : '-----BEGIN CERTIFICATE-----'
          }
          spellCheck={false}
          aria-invalid={errors.caCert ? true : undefined}
          onChange={(e) => actions.edit({ caCert: e.target.value })}
        />
        <div className="ca-actions">
          <label className="btn btn-ghost file-btn">
            Load from file…
            <input
              type="file"
              accept=".pem,.crt,.cer,text/plain"
              name="caCertFile"
              onChange={(e) => void loadFile(e.target.files?.[0])}
            />
          </label>
          {hasCaCert && (
            <label className="check">
              <input
                type="checkbox"
                name="removeCaCert"
                checked={draft.removeCaCert}
                onChange={(e) => actions.edit({ removeCaCert: e.target.checked, caCert: '' })}
              />
              Remove the saved certificate
            </label>
          )}
        </div>
      </Field>
    </details>
  );
}
