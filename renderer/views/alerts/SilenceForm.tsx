import { useEffect, useRef, useState } from 'react';
import type { ActionRequest } from '../../../shared/actions';
import type { Alert } from '../../../shared/alerts';
import { actionsStore } from '../../state/actions';
import { Form } from '../../components/Form';

const DURATIONS = [
  { label: '30 min', minutes: 30 },
  { label: '1 h', minutes: 60 },
  { label: '4 h', minutes: 240 },
  { label: '24 h', minutes: 1440 },
];

/** The matchers a silence starts from: the alert's name and what says which model (editable). */
function initialMatchers(alert: Alert): Array<{ name: string; value: string; on: boolean }> {
  const keys = ['alertname', 'namespace', 'model', 'pod', 'exported_pod', 'gpu', 'Hostname'];
  return keys
    .filter((k) => alert.labels[k] !== undefined)
    .map((k) => ({ name: k, value: alert.labels[k]!, on: ['alertname', 'namespace', 'model'].includes(k) }));
}

/** A silence starts here and goes through the action dialog: preview, typed confirmation, write. */
export function SilenceForm({ alert, onDone }: { alert: Alert; onDone: () => void }) {
  const [matchers, setMatchers] = useState(() => initialMatchers(alert));
  const [minutes, setMinutes] = useState(60);
  const [comment, setComment] = useState('');
  const sent = useRef<ActionRequest | null>(null);
  const chosen = matchers.filter((m) => m.on);
  // the form closes once its silence went through the pipeline (it stays, with what was typed, on Cancel)
  useEffect(
    () =>
      actionsStore.onSettled((request, outcome) => {
        if (request === sent.current && outcome) onDone();
      }),
    [onDone],
  );
  const submit = () => {
    const request: ActionRequest = {
      type: 'silence',
      matchers: chosen.map((m) => ({ name: m.name, value: m.value, isRegex: false, isEqual: true })),
      durationMinutes: minutes,
      comment: comment.trim(),
    };
    sent.current = request;
    void actionsStore.getState().open(request);
  };
  return (
    <Form className="silence-form" testId="silence-form" onSubmit={() => submit()}>
      <fieldset>
        <legend>Silence alerts matching</legend>
        {matchers.map((m, i) => (
          <label key={m.name} className="matcher">
            <input
              type="checkbox"
              checked={m.on}
              onChange={(e) =>
                setMatchers((ms) => ms.map((x, j) => (j === i ? { ...x, on: e.target.checked } : x)))
              }
            />
            <code>
              {m.name}=&quot;{m.value}&quot;
            </code>
          </label>
        ))}
      </fieldset>
      <label>
        For
        <select className="input" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {DURATIONS.map((d) => (
            <option key={d.minutes} value={d.minutes}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <label className="grow">
        Why (kept in Alertmanager and the audit log)
        <input
          className="input"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder="e.g. rollback in progress, INC-1234"
          name="comment"
        />
      </label>
      <button
        type="submit"
        className="btn btn-primary"
        disabled={chosen.length === 0 || comment.trim().length < 3}
        title={
          comment.trim().length < 3 ? 'Say why (at least 3 characters)' : 'Preview the silence, then confirm'
        }
        data-testid="silence-preview"
      >
        Preview silence…
      </button>
    </Form>
  );
}
