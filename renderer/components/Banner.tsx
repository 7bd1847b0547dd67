import type { ReactNode } from 'react';
import type { AppErrorData } from '../../shared/errors';
import { Icon } from './Icon';
import { Ticks } from './Ticks';

interface BannerProps {
  tone: 'info' | 'warning' | 'critical';
  title: ReactNode;
  children?: ReactNode;
  code?: string;
  action?: ReactNode;
  testId?: string;
}

export function Banner({ tone, title, children, code, action, testId }: BannerProps) {
  return (
    <div className={`banner banner-${tone}`} role={tone === 'info' ? 'status' : 'alert'} data-testid={testId}>
      <Icon name={tone === 'info' ? 'info' : 'alert'} className="banner-icon" />
      <div className="banner-body">
        <div className="banner-title">{title}</div>
        {children && <div className="banner-text">{children}</div>}
      </div>
      {code && <code className="error-code banner-code">{code}</code>}
      {action && <div className="banner-action">{action}</div>}
    </div>
  );
}

/** A reload failed but an earlier answer is on screen: say so, and keep showing it ("the last good data"). */
export function LastDataBanner({
  showing = 'the last good data',
  error,
  testId,
}: {
  showing?: string;
  error: AppErrorData;
  testId?: string;
}) {
  return (
    <Banner tone="warning" title={`Showing ${showing}: ${error.message}`} code={error.code} testId={testId}>
      <Ticks text={error.hint} />
    </Banner>
  );
}
