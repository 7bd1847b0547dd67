import { firingCount, useAlerts } from '../state/alerts';

/** The number of alerts firing, on the Alerts nav item (nothing when none fire or the list is not read yet). */
export function AlertsBadge() {
  const n = useAlerts((s) => firingCount(s.list.data));
  if (!n) return null;
  return (
    <span className="rail-badge tnum" data-testid="alerts-badge" aria-label={`${n} firing`}>
      {n > 99 ? '99+' : n}
    </span>
  );
}
