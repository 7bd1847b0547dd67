import { useCallback, useEffect, useRef, useState } from 'react';
import type { Alert } from '../../../shared/alerts';
import { SilenceForm } from './SilenceForm';
import { formatTimestamp } from '../../format';
import { EditToggle } from '../../components/EditToggle';
import { useFromHash } from '../../components/useFromHash';
import { CopyButton } from '../../components/CopyButton';

/** `#/alerts?silence=<fingerprint>` (the palette's "Silence…"): the alert whose silence form opens */
const silenceParam = (hash: string) => new URLSearchParams(hash.split('?')[1] ?? '').get('silence');

/** One alert: its state, labels and links; Alertmanager's can be silenced from here. */
export function AlertRow({ alert, canSilence }: { alert: Alert; canSilence: boolean }) {
  // null: the user has not opened or closed the form here yet; it follows the palette's ask
  const [choice, setChoice] = useState<boolean | null>(null);
  const closeForm = useCallback(() => setChoice(false), []);
  const asked = useFromHash(silenceParam) === alert.fingerprint;
  const item = useRef<HTMLLIElement>(null);
  const silenceable = canSilence && alert.source === 'alertmanager' && alert.state !== 'suppressed';
  const silencing = choice ?? (asked && silenceable);
  // once the form is there: bring it into view, ready for the reason
  useEffect(() => {
    if (!asked || !silencing) return;
    item.current?.scrollIntoView({ block: 'center' });
    item.current?.querySelector<HTMLInputElement>('input[name="comment"]')?.focus();
  }, [asked, silencing]);
  const labels = Object.entries(alert.labels).filter(([k]) => k !== 'alertname' && k !== 'severity');
  return (
    <li
      ref={item}
      className={`alert alert-${alert.state}`}
      data-testid="alert"
      data-alertname={alert.name}
      data-state={alert.state}
    >
      <div className="alert-head">
        <span
          className={`pill pill-${alert.state === 'firing' ? 'critical' : alert.state === 'pending' ? 'warning' : 'muted'}`}
        >
          {alert.state}
        </span>
        <span className="alert-name">{alert.name}</span>
        {alert.severity && <span className="alert-sev muted">{alert.severity}</span>}
        {alert.startsAt && (
          <span className="muted" title={alert.startsAt}>
            since {formatTimestamp(alert.startsAt)}
          </span>
        )}
        <span className="toolbar-spacer" />
        {alert.runbookUrl && (
          <a
            className="btn btn-ghost"
            href={alert.runbookUrl}
            target="_blank"
            rel="noopener noreferrer"
            data-testid="runbook"
          >
            Runbook
          </a>
        )}
        {silenceable && (
          <EditToggle
            open={silencing}
            onToggle={() => setChoice(!silencing)}
            label="Silence…"
            testId="silence-button"
          />
        )}
      </div>
      {alert.summary && (
        <p className="alert-summary">
          {alert.summary}
          {alert.valueNote && (
            <span className="muted alert-value-note" data-testid="alert-value-note">
              {' '}
              (value {alert.valueNote})
            </span>
          )}
        </p>
      )}
      {alert.description && <p className="alert-desc muted">{alert.description}</p>}
      <div className="label-chips">
        {labels.map(([k, v]) => (
          <span key={k} className="label-chip" title={`${k}=${v}`}>
            <span className="label-k">{k}</span>=<span className="label-v">{v}</span>
          </span>
        ))}
      </div>
      {alert.silencedBy.length > 0 && (
        <p className="muted" data-testid="silenced-by">
          Silenced by{' '}
          {alert.silencedBy.map((id, i) => (
            <span key={id}>
              {i > 0 && ', '}
              <span className="mono">{id}</span>
              <CopyButton text={id} what="the silence id" />
            </span>
          ))}
        </p>
      )}
      {silencing && <SilenceForm alert={alert} onDone={closeForm} />}
    </li>
  );
}
