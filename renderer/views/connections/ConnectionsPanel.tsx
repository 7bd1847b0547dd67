import { useEffect } from 'react';
import type { KubeConnection } from '../../../shared/connections';
import { Icon } from '../../components/Icon';
import { Table, type Column } from '../../components/Table';
import { Ticks } from '../../components/Ticks';
import { connectionsStore, useConnections } from '../../state/connections';

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

const columns: Column[] = [
  { label: 'Context' },
  { label: 'Server' },
  { label: 'State' },
  { header: <th key="actions" scope="col" aria-label="Actions" /> },
];

/**
 * Every context of the kubeconfig with its own status: an expired credential or an unreachable cluster shows on
 * its own line and never blocks the others. Several can be connected at once.
 */
export function ConnectionsPanel() {
  const list = useConnections((s) => s.list);
  const error = useConnections((s) => s.error);
  const busy = useConnections((s) => s.busy);

  useEffect(() => {
    const store = connectionsStore.getState();
    store.reset();
    void store.load(true);
    const t = setInterval(() => void connectionsStore.getState().load(false), 5000);
    return () => clearInterval(t);
  }, []);

  if (error && !list) return null; // the Kubernetes section above already explains a missing or bad kubeconfig
  if (!list || list.connections.length === 0) return null;
  return (
    <section className="panel form-section" aria-label="Clusters" data-testid="connections-panel">
      <header className="section-head">
        <h2>Clusters</h2>
        <p>Every context of the kubeconfig. Several can be connected at once; each shows its own state.</p>
      </header>
      <Table className="connections-table" columns={columns}>
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
                onClick={() => void connectionsStore.getState().toggle(c)}
              >
                <Icon name="refresh" className={busy === c.name ? 'spin' : undefined} />
                {c.connected ? 'Disconnect' : 'Connect'}
              </button>
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
