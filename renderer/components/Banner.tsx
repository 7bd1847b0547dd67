import type { ReactNode } from 'react';
import { Icon } from './Icon';

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
