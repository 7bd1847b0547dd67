import type { AlertGroup } from '../../../shared/alerts';
import type { CsvTable } from '../../components/CsvButton';

/** The alert list as CSV: one row per alert, under its model service group; times as Alertmanager gives them (UTC). */
export function alertsCsv(groups: readonly AlertGroup[]): CsvTable {
  return {
    header: [
      'group',
      'alertname',
      'state',
      'severity',
      'since_utc',
      'summary',
      'labels',
      'silenced_by',
      'source',
      'fingerprint',
    ],
    rows: groups.flatMap((g) =>
      g.alerts.map((a) => [
        g.label,
        a.name,
        a.state,
        a.severity,
        a.startsAt,
        a.summary,
        Object.entries(a.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        a.silencedBy.join(' '),
        a.source,
        a.fingerprint,
      ]),
    ),
  };
}
