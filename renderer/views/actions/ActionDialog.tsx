import { useEffect, useRef } from 'react';
import type { AppErrorData } from '../../../shared/errors';
import {
  actionTitle,
  isAlertmanagerRequest,
  outcomeTitle,
  outcomeTone,
  requestTarget,
  targetLabel,
  useActions,
  type ActionDialog as DialogState,
} from '../../state/actions';
import { Banner } from '../../components/Banner';
import { Icon } from '../../components/Icon';
import { Ticks } from '../../components/Ticks';
import './actions.css';

import { dialogActions as act } from './dialogActions';
import { ActionFooter } from './ActionFooter';
import { Confirmation, Preview } from './ActionReview';

/**
 * The one dialog every write goes through (mounted once, in App). It shows what the
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
        <ActionFooter dialog={dialog} />
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
              {outcome.status === 'timeout' && !isAlertmanagerRequest(dialog.request) && (
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
