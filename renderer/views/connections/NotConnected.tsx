import type { AppErrorData } from '../../../shared/errors';
import { go } from '../../components/Shell';
import { Icon } from '../../components/Icon';
import { Ticks } from '../../components/Ticks';

const headline: Record<string, string> = {
  KUBECONFIG_MISSING: 'No kubeconfig found',
  KUBECONFIG_MALFORMED: 'The kubeconfig could not be read',
  NOT_CONFIGURED: 'No Kubernetes context chosen',
  CONTEXT_NOT_FOUND: 'The chosen context is not in the kubeconfig',
};

/** First run, or a kubeconfig that went away: say what is missing and the two ways forward. */
export function NotConnected({ error }: { error?: AppErrorData }) {
  return (
    <section className="not-connected" data-testid="not-connected" aria-labelledby="nc-title">
      <div className="nc-head">
        <Icon name="cluster" className="nc-icon" />
        <div>
          <h2 id="nc-title">Not connected to a cluster</h2>
          <p className="nc-lead">
            {error ? (headline[error.code] ?? 'Firebreak cannot reach a cluster') + '. ' : ''}
            Firebreak reads model services from a Kubernetes context and their request and error rates from
            Prometheus.
          </p>
        </div>
      </div>

      {error && (
        <div className="nc-reason">
          <div className="error-message">
            <Ticks text={error.message} />
          </div>
          <div className="error-hint">
            <Ticks text={error.hint} />
          </div>
          <code className="error-code">{error.code}</code>
        </div>
      )}

      <div className="nc-columns">
        <div className="nc-card">
          <h3>Connect a real cluster</h3>
          <ol>
            <li>
              Have a kubeconfig: Firebreak uses <code>$KUBECONFIG</code>, else <code>~/.kube/config</code>, or
              a path you enter in Settings.
            </li>
            <li>
              In <strong>Settings</strong>, pick the context to use (its cluster server and namespace are
              shown).
            </li>
            <li>Add your Prometheus URL to see live request rates and error ratios.</li>
          </ol>
        </div>
        <div className="nc-card">
          <h3>Try the sandbox</h3>
          <ol>
            <li>
              In the Firebreak checkout, run <code>npm run sandbox</code>. It starts a test cluster and
              Prometheus and prints a kubeconfig path and their URLs.
            </li>
            <li>
              In <strong>Settings</strong>, put that kubeconfig path, choose the context{' '}
              <code>firebreak-sandbox</code>, and paste the Prometheus URL.
            </li>
            <li>Save: the Models view fills in, with an incident under way.</li>
          </ol>
        </div>
      </div>

      <div className="nc-actions">
        <button type="button" className="btn btn-primary" onClick={() => go('settings')}>
          Open Settings
        </button>
      </div>
    </section>
  );
}
