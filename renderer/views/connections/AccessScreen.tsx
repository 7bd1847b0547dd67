import type { AppErrorData } from '../../../shared/errors';
import { BrandMark, Icon } from '../../components/Icon';

/** Serve mode without a usable token: nothing else can load, so say exactly how to get in. */
export function AccessScreen({ error }: { error?: AppErrorData }) {
  return (
    <div className="access" data-testid={error ? 'access-refused' : 'access-no-token'}>
      <div className="access-card">
        <div className="brand brand-large">
          <BrandMark />
          <span className="brand-name">Firebreak</span>
        </div>
        <h1>
          <Icon name="lock" />
          {error ? 'The access token was refused' : 'This page needs an access token'}
        </h1>
        {error && (
          <div className="nc-reason">
            <div className="error-message">{error.message}</div>
            <code className="error-code">{error.code}</code>
          </div>
        )}
        <p className="access-lead">
          Open the URL printed by <code>npm run serve</code> (it carries the access token).
        </p>
        <p className="muted">
          It looks like <span className="mono">http://127.0.0.1:PORT/#token=…</span>. The token changes every
          time the server starts, so a bookmark or an old tab stops working after a restart.
        </p>
      </div>
    </div>
  );
}
