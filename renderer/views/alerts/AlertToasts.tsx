import { usePolling } from '../../components/usePolling';
import { alertsStore, useAlerts } from '../../state/alerts';
import './alerts.css';

/** How often the alert list is read while the console is open (the nav badge and the toasts). */
const ALERTS_WATCH_MS = 20_000;

/**
 * Reads the alert list on every screen (the Alerts badge counts from it) and shows a toast when a critical
 * alert starts firing: once per alert, not for those already firing when the console opened, until dismissed.
 */
export function AlertToasts() {
  usePolling(() => void alertsStore.getState().load(), ALERTS_WATCH_MS, []);
  const toasts = useAlerts((s) => s.toasts);
  return (
    <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.fingerprint} className="toast toast-critical" data-testid="alert-toast">
          <div className="toast-body">
            <strong className="toast-title">Critical alert firing: {t.name}</strong>
            <span className="toast-text">
              {t.group}
              {t.summary ? ` · ${t.summary}` : ''}
            </span>
          </div>
          <a
            className="btn btn-ghost"
            href="#/alerts"
            onClick={() => alertsStore.getState().dismissToast(t.fingerprint)}
          >
            Open Alerts
          </a>
          <button
            type="button"
            className="btn btn-ghost"
            aria-label={`Dismiss the ${t.name} alert`}
            onClick={() => alertsStore.getState().dismissToast(t.fingerprint)}
            data-testid="toast-dismiss"
          >
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
