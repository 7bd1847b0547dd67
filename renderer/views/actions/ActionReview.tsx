import type { DiffLine, PreparedAction } from '../../../shared/actions';
import { CopyButton } from '../../components/CopyButton';
import {
  confirmBlocker,
  formatDiffPath,
  isAlertmanagerRequest,
  pathLabel,
  targetLabel,
  useActions,
} from '../../state/actions';
import { Banner } from '../../components/Banner';
import { Icon } from '../../components/Icon';
import { Ticks } from '../../components/Ticks';

import { dialogActions as act } from './dialogActions';
import { Form } from '../../components/Form';

/** What the pipeline prepared: the sentence, the target with its UID, permission, dry run, warnings, the diff. */
export function Preview({ prepared, compact }: { prepared: PreparedAction; compact?: boolean }) {
  const t = prepared.target;
  const silence = isAlertmanagerRequest(prepared.request);
  return (
    <>
      <p className="ad-summary" data-testid="ad-summary">
        {prepared.summary}
      </p>
      {!compact && (
        <dl className="ad-facts">
          <div>
            <dt>Target</dt>
            <dd>
              <span className="mono ad-strong">{targetLabel(t)}</span>{' '}
              <span className="muted mono">{t.apiVersion}</span>
              {!silence && (
                <div className="muted mono ad-small" data-testid="ad-uid">
                  uid {t.uid || '—'}
                  {t.uid && <CopyButton text={t.uid} what="the UID" />} · resourceVersion{' '}
                  {t.resourceVersion || '—'}
                </div>
              )}
            </dd>
          </div>
          <div>
            <dt>{silence ? 'Alertmanager' : 'Context'}</dt>
            <dd className="mono">{prepared.context}</dd>
          </div>
          <div>
            <dt>Permission</dt>
            <dd
              className={prepared.permission.allowed ? 'sev-ok' : 'sev-critical'}
              data-testid="ad-permission"
            >
              <Icon name={prepared.permission.allowed ? 'check' : 'lock'} className="ad-inline-icon" />
              {prepared.permission.allowed ? 'Allowed. ' : 'Denied. '}
              <span className="ad-fact-text">{prepared.permission.reason}</span>
            </dd>
          </div>
          <div>
            <dt>Dry run</dt>
            <dd
              className={prepared.noop ? 'muted' : prepared.dryRun.ok ? 'sev-ok' : 'sev-critical'}
              data-testid="ad-dryrun"
            >
              <Icon
                name={prepared.noop ? 'info' : prepared.dryRun.ok ? 'check' : 'alert'}
                className="ad-inline-icon"
              />
              <span className="ad-fact-text">
                <Ticks text={prepared.dryRun.message} />
              </span>
            </dd>
          </div>
        </dl>
      )}
      <OpenerNotes prepared={prepared} />
      {prepared.warnings.map((w) => (
        <Banner
          key={w}
          tone="warning"
          title={silence ? 'Check before you silence' : 'Another controller may revert this edit'}
          testId="ad-warning"
        >
          <Ticks text={w} />
        </Banner>
      ))}
      {prepared.noop ? (
        <div className="ad-noop" role="status" data-testid="ad-noop">
          <Icon name="info" />
          <span>
            Nothing to do: <Ticks text={prepared.noop} />
          </span>
        </div>
      ) : (
        !compact && <DiffTable prepared={prepared} />
      )}
    </>
  );
}

/** The opener's notes on the change's effect, while they still describe the object under review. */
function OpenerNotes({ prepared }: { prepared: PreparedAction }) {
  const labels = useActions((s) => s.labels);
  if (!labels?.notes?.length || labels.resourceVersion !== prepared.target.resourceVersion) return null;
  return (
    <ul className="ad-notes" data-testid="ad-notes">
      {labels.notes.map((n) => (
        <li key={n.text} className={n.tone === 'warning' ? 'sev-warning' : undefined} data-tone={n.tone}>
          <Icon name={n.tone === 'warning' ? 'alert' : 'info'} className="ad-inline-icon" />
          {n.text}
        </li>
      ))}
    </ul>
  );
}

function DiffTable({ prepared }: { prepared: PreparedAction }) {
  const labels = useActions((s) => s.labels);
  // what people compare first: images, then the rest in the server's order
  const diff: DiffLine[] = [...prepared.diff].sort(
    (a, b) => Number(!/\/image$/.test(a.path)) - Number(!/\/image$/.test(b.path)),
  );
  if (diff.length === 0) return <p className="muted">The dry run reported no field changes.</p>;
  return (
    <div className="ad-diff-wrap">
      <div className="ad-diff-title">
        What will change{' '}
        <span className="muted tnum">
          ({diff.length} {diff.length === 1 ? 'field' : 'fields'})
        </span>
      </div>
      <table className="ad-diff" data-testid="ad-diff">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Now</th>
            <th scope="col" aria-hidden="true" />
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {diff.map((d) => (
            <tr key={d.path} data-testid="ad-diff-row">
              <td className="ad-diff-path" title={d.path}>
                {pathLabel(labels, prepared, d.path) ?? formatDiffPath(d.path)}
                {pathLabel(labels, prepared, d.path) && (
                  <div className="ad-diff-raw">{formatDiffPath(d.path)}</div>
                )}
              </td>
              <td className={d.before === null ? 'ad-diff-none' : 'ad-diff-before'}>
                {d.before ?? '(not set)'}
              </td>
              <td className="ad-diff-arrow" aria-hidden="true">
                →
              </td>
              <td className={d.after === null ? 'ad-diff-none' : 'ad-diff-after'}>
                {d.after ?? '(removed)'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The typed confirmation: the target's name, and only then the write. */
export function Confirmation({ prepared, typed }: { prepared: PreparedAction; typed: string }) {
  const blocker = confirmBlocker(prepared, typed);
  const canType = prepared.permission.allowed && prepared.dryRun.ok;
  const matches = typed.trim() === prepared.confirmPhrase;
  return (
    <Form
      className="ad-confirm"
      onSubmit={() => {
        if (!blocker) act.confirm();
      }}
    >
      <label htmlFor="ad-confirm-input" className="ad-confirm-label">
        To confirm, type <strong className="mono ad-phrase">{prepared.confirmPhrase}</strong>
      </label>
      <input
        id="ad-confirm-input"
        className={`input mono ad-confirm-input${matches ? ' ad-confirm-ok' : ''}`}
        value={typed}
        onChange={(e) => act.setTyped(e.target.value)}
        disabled={!canType}
        autoComplete="off"
        spellCheck={false}
        data-autofocus
        data-testid="ad-confirm-input"
        aria-describedby="ad-confirm-why"
        placeholder={canType ? prepared.confirmPhrase : ''}
      />
      <div
        id="ad-confirm-why"
        className={`ad-confirm-why${blocker && canType ? ' muted' : blocker ? ' sev-critical' : ' sev-ok'}`}
      >
        {blocker ?? 'Matches. Confirm writes to the cluster.'}
      </div>
    </Form>
  );
}
