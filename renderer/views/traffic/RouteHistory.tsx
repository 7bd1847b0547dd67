import type { RouteView } from '../../../shared/traffic';
import type { AuditEntry } from '../../../shared/audit';
import { formatTimestamp } from '../../format';
import { changeShares, describeChange } from '../../state/traffic';

/** The route's changes from this console, read from the audit log. */
export function RouteHistory({
  route,
  history,
  error,
}: {
  route: RouteView;
  history: AuditEntry[] | undefined;
  error?: string;
}) {
  const names = route.rules[0]?.map((b) => b.name) ?? [];
  return (
    <aside className="traffic-history" aria-label={`Changes of ${route.name}`} data-testid="route-history">
      <div className="traffic-history-title">
        Changes from this console{' '}
        {history && history.length > 0 && <span className="muted tnum">({history.length})</span>}
      </div>
      {error && <div className="sev-critical traffic-small">Could not read the audit log: {error}</div>}
      {!history && !error && <div className="loading-line">Reading the audit log…</div>}
      {history && history.length === 0 && (
        <p className="muted traffic-small">None yet. Every change made here is recorded in the audit log.</p>
      )}
      {history && history.length > 0 && (
        <ol className="traffic-changes">
          {history.slice(0, 12).map((e) => {
            const rule =
              typeof (e.details.request as { rule?: unknown } | undefined)?.rule === 'number'
                ? (e.details.request as { rule: number }).rule
                : 0;
            const ruleNames = route.rules[rule]?.map((b) => b.name) ?? names;
            return (
              <li key={e.seq} className="traffic-change" data-testid="route-change">
                <div className="traffic-change-head">
                  <span className="tnum muted">#{e.seq}</span>
                  <span className="tnum">{formatTimestamp(e.at)}</span>
                  <span
                    className={`traffic-result traffic-result-${e.result === 'done' ? 'ok' : e.result === 'noop' ? 'muted' : 'warn'}`}
                  >
                    {e.result}
                  </span>
                </div>
                <ChangeWhat entry={e} kind={route.kind} names={ruleNames} />
                <div className="muted traffic-small ellipsis" title={e.actor}>
                  by {e.actor}
                  {route.rules.length > 1 ? ` · rule ${rule + 1}` : ''}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </aside>
  );
}

/** One line per backend: `llama-70b-chat  100% → 0%`. */
function ChangeWhat({ entry, kind, names }: { entry: AuditEntry; kind: RouteView['kind']; names: string[] }) {
  const rows = changeShares(entry, kind, names);
  if (!rows) return <div className="mono traffic-change-what">{describeChange(entry, kind, names)}</div>;
  return (
    <table className="traffic-change-what" aria-label={describeChange(entry, kind, names)}>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <td className="ellipsis" title={r.name}>
              {r.name}
            </td>
            <td className="num tnum muted">{r.before !== null ? `${r.before}%` : ''}</td>
            <td className="traffic-change-arrow" aria-hidden="true">
              {r.before !== null ? '→' : ''}
            </td>
            <td
              className={`num tnum${r.before !== null && r.after !== r.before ? ' traffic-change-moved' : ''}`}
            >
              {r.after}%
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
