import type { AppErrorData } from '../../shared/errors';
import { Ticks } from './Ticks';

interface ErrorPanelProps {
  error: AppErrorData;
  /** what was being attempted, e.g. "Could not load model services" */
  title?: string;
  onRetry?: () => void;
  retrying?: boolean;
  /** inline (inside a form) rather than a centred panel */
  inline?: boolean;
}

/** Every error reads the same way: what happened, what to do, and the code for a bug report. */
export function ErrorPanel({ error, title, onRetry, retrying, inline }: ErrorPanelProps) {
  return (
    <div className={inline ? 'error-inline' : 'error-panel'} role="alert">
      <div className="error-body">
        {title && <div className="error-title">{title}</div>}
        <div className="error-message">
          <Ticks text={error.message} />
        </div>
        {error.hint && (
          <div className="error-hint">
            <Ticks text={error.hint} />
          </div>
        )}
        <code className="error-code">{error.code}</code>
      </div>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry} disabled={retrying}>
          {retrying ? 'Retrying…' : 'Retry'}
        </button>
      )}
    </div>
  );
}
