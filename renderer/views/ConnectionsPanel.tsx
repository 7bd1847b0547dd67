import { useCallback, useEffect, useState } from 'react';
import type { KubeConnection, KubeConnectionList } from '../../shared/connections';
import type { AppErrorData, Result } from '../../shared/errors';
import { getTransport } from '../client/current';
import { Icon } from '../components/Icon';
import { Ticks } from '../components/Ticks';

const statusText: Record<KubeConnection['status'], string> = {
  disconnected: 'not connected',
  connecting: 'connecting…',
  ready: 'connected',
  'auth-failed': 'credentials rejected',
  unreachable: 'unreachable',
  forbidden: 'forbidden',
  error: 'error',
};
const statusSeverity = (s: KubeConnection['status']) =>
  s === 'ready' ? 'ok' : s === 'connecting' || s === 'disconnected' ? 'none' : 'critical';

/**
 * Every context of the kubeconfig with its own status: an expired credential or an unreachable cluster shows on
 * its own line and never blocks the others. Several can be connected at once.
 */
export function ConnectionsPanel() {
  const [list, setList] = useState<KubeConnectionList | null>(null);
  const [error, setError] = useState<AppErrorData | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const apply = useCallback((r: Result<KubeConnectionList>) => {
    if (r.ok) {
      setList(r.value);
      setError(null);
    } else setError(r.error);
  }, []);

  useEffect(() => {
    let alive = true;
    const fetchList = (probe: boolean) =>
      getTransport()
        .invoke('kube.connections', { probe })
        .then((r) => {
          if (alive) apply(r);
        });
    void fetchList(true);
    const t = setInterval(() => void fetchList(false), 5000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [apply]);

  const toggle = async (c: KubeConnection) => {
    setBusy(c.name);
    const r = c.connected
      ? await getTransport().invoke('kube.disconnect', { context: c.name })
      : await getTransport().invoke('kube.connect', { context: c.name });
    if (!r.ok) setError(r.error);
    apply(await getTransport().invoke('kube.connections', { probe: false }));
    setBusy(null);
  };

  if (error && !list) return null; // the Kubernetes section above already explains a missing or bad kubeconfig
  if (!list || list.connections.length === 0) return null;
  return (
    <section className="panel form-section" aria-label="Clusters" data-testid="connections-panel">
      <header className="section-head">
        <h2>Clusters</h2>
        <p>Every context of the kubeconfig. Several can be connected at once; each shows its own state.</p>
      </header>
      <table className="grid connections-table">
        <thead>
          <tr>
            <th scope="col">Context</th>
            <th scope="col">Server</th>
            <th scope="col">State</th>
            <th scope="col" aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {list.connections.map((c) => (
            <tr key={c.name} data-testid="connection-row" data-context={c.name}>
              <td className="mono">
                {c.name}
                {c.name === list.current && <span className="badge current-badge">current</span>}
              </td>
              <td className="mono muted">{c.server}</td>
              <td>
                <span className={`sev-${statusSeverity(c.status)}`} data-testid="connection-status">
                  {statusText[c.status]}
                </span>
                {c.error && (
                  <div className="connection-error" title={c.error.code}>
                    {c.error.message} <Ticks text={c.error.hint} />
                  </div>
                )}
              </td>
              <td className="num">
                <button
                  type="button"
                  className="btn btn-ghost"
                  disabled={busy === c.name}
                  onClick={() => void toggle(c)}
                >
                  <Icon name="refresh" className={busy === c.name ? 'spin' : undefined} />
                  {c.connected ? 'Disconnect' : 'Connect'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
