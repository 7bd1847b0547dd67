import { formatClock } from '../../format';
import { confirmBlocker, confirmLabel, type ActionDialog as DialogState } from '../../state/actions';
import { Icon } from '../../components/Icon';

import { dialogActions as act } from './dialogActions';

/** The dialog's buttons for each phase: cancel, confirm, try again, close. */
export function ActionFooter({ dialog }: { dialog: Exclude<DialogState, { phase: 'closed' }> }) {
  const expires =
    dialog.phase === 'review' && !dialog.prepared.noop ? (
      <span className="muted ad-expiry" title={dialog.prepared.expiresAt}>
        Nothing is written until you confirm. Preview valid until {formatClock(dialog.prepared.expiresAt)}.
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
