import { useId } from 'react';
import { ErrorPanel } from '../../components/ErrorPanel';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { useSettings } from '../../state';
import type { AuthKind, SettingsDraft } from '../../state/settings';

import { settingsActions as actions } from './settingsActions';
import { DraftInput } from './DraftInput';

const authKinds: Array<{ kind: AuthKind; label: string }> = [
  { kind: 'none', label: 'None' },
  { kind: 'bearer', label: 'Bearer token' },
  { kind: 'basic', label: 'Basic' },
  { kind: 'sigv4', label: 'AWS SigV4' },
];

/** Prometheus (and Alertmanager): URL, authentication, test connection, tenant and CA. */
export function PrometheusSection({ draft }: { draft: SettingsDraft }) {
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
