import { useEffect, useRef } from 'react';
import type { DiffLine, PreparedAction } from '../../shared/actions';
import type { AppErrorData } from '../../shared/errors';
import { formatTimestamp } from '../format';
import {
  actionsStore,
  actionTitle,
  confirmBlocker,
  confirmLabel,
  formatDiffPath,
  outcomeTitle,
  outcomeTone,
  pathLabel,
  requestTarget,
  targetLabel,
  useActions,
  type ActionDialog as DialogState,
} from '../state/actions';
import { Banner } from './Banner';
import { Icon } from './Icon';
import { Ticks } from './Ticks';
import '../views/actions.css';

const act = {
  close: () => actionsStore.getState().close(),
  confirm: () => void actionsStore.getState().confirm(),
  again: () => void actionsStore.getState().again(),
  setTyped: (t: string) => actionsStore.getState().setTyped(t),
};

/**
 * The one dialog every write goes through (mounted once per view that offers actions). It shows what the
 * pipeline prepared: the sentence, the target with its UID, permission, dry run, the diff, warnings; the
 * user types the target's name; then the write, the watch, and the outcome. Cancel and Escape close it
 * without writing. Everything shown is text: nothing from the cluster becomes markup.
 */
export function ActionDialog() {
  const dialog = useActions((s) => s.dialog);
  const ref = useRef<HTMLDivElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const open = dialog.phase !== 'closed';

  // remember what had focus, and give it back on close
  useEffect(() => {
    if (!open) return;
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      returnFocus.current?.focus?.();
    };
  }, [open]);

  // focus: the confirmation input when there is one, else the dialog itself
  const focusKey = dialog.phase === 'review' ? `review:${dialog.prepared.id}` : dialog.phase;
  useEffect(() => {
    if (!open || !ref.current) return;
    const input = ref.current.querySelector<HTMLInputElement>('input[data-autofocus]');
    (input ?? ref.current).focus();
  }, [open, focusKey]);

  // Escape closes without writing, wherever the focus is (while a write is watched it hides the dialog)
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      e.preventDefault();
      act.close();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [open]);

  if (!open) return null;

  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Tab' && ref.current) {
      // keep focus inside the dialog
      const items = [
        ...ref.current.querySelectorAll<HTMLElement>(
          'button:not(:disabled), input:not(:disabled), [href], [tabindex]:not([tabindex="-1"])',
        ),
      ];
      if (items.length === 0) return;
      const first = items[0] as HTMLElement;
      const last = items[items.length - 1] as HTMLElement;
      if (e.shiftKey && (document.activeElement === first || document.activeElement === ref.current)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };

  const target = requestTarget(dialog.request);
  return (
    <div className="ad-backdrop">
      <div
        ref={ref}
        className="ad"
        role="dialog"
        aria-modal="true"
        aria-labelledby="ad-title"
        tabIndex={-1}
        onKeyDown={onKeyDown}
        data-testid="action-dialog"
        data-phase={dialog.phase}
      >
        <header className="ad-head">
          <div className="ad-head-text">
            <h2 id="ad-title">{actionTitle(dialog.request)}</h2>
            <div className="ad-head-target mono">{targetLabel(target)}</div>
          </div>
          {dialog.phase !== 'executing' && (
            <button
              type="button"
              className="btn btn-ghost ad-x"
              onClick={act.close}
              aria-label="Close without writing"
            >
              ✕
            </button>
          )}
        </header>
        <Body dialog={dialog} />
        <Footer dialog={dialog} />
      </div>
    </div>
  );
}

function Body({ dialog }: { dialog: Exclude<DialogState, { phase: 'closed' }> }) {
  switch (dialog.phase) {
    case 'preparing':
      return (
        <div className="ad-body">
          <p className="ad-progress" role="status">
            <Icon name="refresh" className="spin" />
            Preparing: reading the target, checking permission, server-side dry run… nothing is written.
          </p>
        </div>
      );
    case 'refused':
      return (
        <div className="ad-body">
          <Refusal error={dialog.error} />
        </div>
      );
    case 'review':
      return (
        <div className="ad-body">
          {dialog.conflict && (
            <Banner tone="warning" title={dialog.conflict} testId="ad-conflict">
              This is the new preview, planned against what is there now. Read it and confirm again.
            </Banner>
          )}
          <Preview prepared={dialog.prepared} />
          {!dialog.prepared.noop && <Confirmation prepared={dialog.prepared} typed={dialog.typed} />}
        </div>
      );
    case 'executing':
      return (
        <div className="ad-body">
          <Preview prepared={dialog.prepared} />
          <p className="ad-progress ad-progress-strong" role="status" data-testid="ad-progress">
            <Icon name="refresh" className="spin" />
            Writing… watching until it takes effect.
          </p>
        </div>
      );
    case 'failed':
      return (
        <div className="ad-body">
          <Preview prepared={dialog.prepared} compact />
          <Refusal error={dialog.error} title="The action did not go through" />
        </div>
      );
    case 'outcome': {
      const { outcome } = dialog;
      const tone = outcomeTone(outcome.status);
      return (
        <div className="ad-body">
          <p className="ad-summary" data-testid="ad-summary">
            {dialog.prepared.summary}
          </p>
          <div
            className={`ad-outcome ad-outcome-${tone}`}
            role="status"
            data-testid="ad-outcome"
            data-status={outcome.status}
          >
            <Icon
              name={tone === 'ok' ? 'check' : tone === 'muted' ? 'info' : 'alert'}
              className="ad-outcome-icon"
            />
            <div>
              <div className="ad-outcome-title">{outcomeTitle(outcome.status)}</div>
              <div className="ad-outcome-message">
                <Ticks text={outcome.message} />
              </div>
              {outcome.status === 'timeout' && dialog.request.type !== 'silence' && (
                <div className="muted">
                  The change is written; the cluster has not finished applying it. Watch the Models view, or
                  check the rollout with <code>kubectl rollout status</code>.
                </div>
              )}
              {outcome.auditSeq !== null && (
                <div className="muted tnum">Recorded in the audit log as entry #{outcome.auditSeq}.</div>
              )}
            </div>
          </div>
        </div>
      );
    }
  }
}

function Refusal({ error, title }: { error: AppErrorData; title?: string }) {
  const refused = error.code === 'ACTION_REFUSED';
  return (
    <div className={`ad-refusal${refused ? '' : ' ad-refusal-error'}`} role="alert" data-testid="ad-refusal">
      <Icon name={refused ? 'info' : 'alert'} className="ad-refusal-icon" />
      <div className="ad-refusal-body">
        <div className="ad-refusal-title">
          {title ?? (refused ? 'Firebreak will not do this' : 'Could not prepare this action')}
        </div>
        <div className="ad-refusal-message">
          <Ticks text={error.message} />
        </div>
        {error.hint && (
          <div className="muted">
            <Ticks text={error.hint} />
          </div>
        )}
        <div>
          <code className="error-code">{error.code}</code> <span className="muted">Nothing was written.</span>
        </div>
      </div>
    </div>
  );
}

function Preview({ prepared, compact }: { prepared: PreparedAction; compact?: boolean }) {
  const t = prepared.target;
  const silence = prepared.request.type === 'silence';
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
                  uid {t.uid || '—'} · resourceVersion {t.resourceVersion || '—'}
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

function Confirmation({ prepared, typed }: { prepared: PreparedAction; typed: string }) {
  const blocker = confirmBlocker(prepared, typed);
  const canType = prepared.permission.allowed && prepared.dryRun.ok;
  const matches = typed.trim() === prepared.confirmPhrase;
  return (
    <form
      className="ad-confirm"
      onSubmit={(e) => {
        e.preventDefault();
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
    </form>
  );
}

function Footer({ dialog }: { dialog: Exclude<DialogState, { phase: 'closed' }> }) {
  const expires =
    dialog.phase === 'review' && !dialog.prepared.noop ? (
      <span className="muted ad-expiry" title={dialog.prepared.expiresAt}>
        Nothing is written until you confirm. Preview valid until{' '}
        {formatTimestamp(dialog.prepared.expiresAt).slice(11)}.
      </span>
    ) : null;
  return (
    <footer className="ad-foot">
      {expires}
      <span className="ad-foot-spacer" />
      {dialog.phase === 'executing' && (
        <button
          type="button"
          className="btn btn-ghost"
          onClick={act.close}
          title="The write is on its way: the result will show in the view"
        >
          Hide (keep watching)
        </button>
      )}
      {dialog.phase === 'failed' && (
        <button type="button" className="btn" onClick={act.again}>
          Prepare again
        </button>
      )}
      {(dialog.phase === 'preparing' || dialog.phase === 'refused' || dialog.phase === 'failed') && (
        <button type="button" className="btn" onClick={act.close} data-testid="ad-cancel">
          {dialog.phase === 'preparing' ? 'Cancel' : 'Close'}
        </button>
      )}
      {dialog.phase === 'review' && (
        <>
          <button type="button" className="btn" onClick={act.close} data-testid="ad-cancel">
            {dialog.prepared.noop ? 'Close' : 'Cancel'}
          </button>
          {!dialog.prepared.noop && (
            <button
              type="button"
              className="btn btn-danger"
              onClick={act.confirm}
              disabled={confirmBlocker(dialog.prepared, dialog.typed) !== null}
              title={
                confirmBlocker(dialog.prepared, dialog.typed) ??
                'Write the change, then watch until it takes effect'
              }
              data-testid="ad-confirm"
            >
              {confirmLabel(dialog.request, dialog.prepared.target.name)}
            </button>
          )}
        </>
      )}
      {dialog.phase === 'executing' && (
        <button type="button" className="btn btn-danger" disabled data-testid="ad-confirm">
          <Icon name="refresh" className="spin" />
          Writing…
        </button>
      )}
      {dialog.phase === 'outcome' && (
        <button type="button" className="btn btn-primary" onClick={act.close} data-testid="ad-close">
          Close
        </button>
      )}
    </footer>
  );
}
