import { useState } from 'react';
import { getTransport } from '../../client/current';
import { settingsStore, useSettings } from '../../state';
import { alertsStore } from '../../state/alerts';
import { Form } from '../../components/Form';

/**
 * The Alertmanager URL, set where it is missed. It joins the Prometheus settings (same authentication and CA);
 * the saved Prometheus URL and credentials are kept as they are.
 */
export function AlertmanagerUrlForm() {
  const saved = useSettings((s) => s.settings.data);
  const [url, setUrl] = useState(saved?.prometheus.alertmanagerUrl ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!saved) return null;
  const auth = saved.prometheus.auth;
  const save = async () => {
    setBusy(true);
    setError(null);
    const r = await getTransport().invoke('settings.update', {
      prometheus: {
        url: saved.prometheus.url,
        // the saved secret is kept: no token or password is sent
        auth: auth.kind === 'basic' ? { kind: 'basic', username: auth.username } : { kind: auth.kind },
        alertmanagerUrl: url.trim() || null,
      },
    });
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    void settingsStore.getState().load();
    void alertsStore.getState().load();
  };
  return (
    <Form className="am-form" testId="alertmanager-form" onSubmit={() => void save()}>
      <input
        className="input mono"
        type="url"
        name="alertmanagerUrl"
        placeholder="http://alertmanager.monitoring:9093"
        aria-label="Alertmanager URL"
        value={url}
        spellCheck={false}
        onChange={(e) => setUrl(e.target.value)}
      />
      <button type="submit" className="btn" disabled={busy}>
        Save Alertmanager URL
      </button>
      {error && <span className="sev-critical">{error}</span>}
    </Form>
  );
}
