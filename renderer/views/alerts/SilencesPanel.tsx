import type { Silence } from '../../../shared/alerts';
import { PanelCard } from '../../components/PanelCard';
import { Table, type Column } from '../../components/Table';
import { formatTimestamp } from '../../format';
import { actionsStore } from '../../state/actions';

const columns: Column[] = [
  { label: 'Matchers' },
  { label: 'State' },
  { label: 'Ends' },
  { label: 'By' },
  { label: 'Why' },
  { label: 'Silencing', num: true, title: 'Active alerts it silences now' },
  { label: '' },
];

/**
 * Alertmanager's running and scheduled silences. Expiring one is a write: it goes through the action dialog
 * (preview of what notifies again, typed confirmation, audit) like creating one.
 */
export function SilencesPanel({ silences }: { silences: Silence[] }) {
  return (
    <PanelCard
      title={`Silences (${silences.length})`}
      testId="silences"
      empty={silences.length === 0 && 'No silence is running or scheduled.'}
    >
      <Table className="compact silences-table" columns={columns}>
        {silences.map((s) => (
          <tr key={s.id} data-testid="silence-row" data-silence-id={s.id}>
            <td className="mono ellipsis" title={`${s.matchers}\nid ${s.id}`}>
              {s.matchers}
            </td>
            <td className={s.state === 'active' ? 'sev-ok' : 'muted'}>{s.state}</td>
            <td className="tnum" title={s.endsAt}>
              {formatTimestamp(s.endsAt)}
            </td>
            <td className="ellipsis" title={s.createdBy}>
              {s.createdBy}
            </td>
            <td className="ellipsis" title={s.comment}>
              {s.comment}
            </td>
            <td className="num tnum">{s.silencing}</td>
            <td className="num">
              <button
                type="button"
                className="btn btn-ghost"
                data-testid="expire-silence"
                title="End this silence now: the alerts it silences notify again"
                onClick={() => void actionsStore.getState().open({ type: 'expireSilence', silenceId: s.id })}
              >
                Expire…
              </button>
            </td>
          </tr>
        ))}
      </Table>
    </PanelCard>
  );
}
