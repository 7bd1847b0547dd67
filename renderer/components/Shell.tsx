import type { ReactNode } from 'react';
import { formatAgo, formatClock } from '../format';
import type { ViewName } from '../state/app';
import type { AppErrorData } from '../../shared/errors';
import { isNotConnected, LIVE_INTERVAL_S } from '../state/models';
import { useApp, useModels, useSettings } from '../state';
import { contextIndicator, isStale, prometheusIndicator, sourceDown } from '../state/selectors';
import { AlertsBadge } from './AlertsBadge';
import { BrandMark, Icon, type IconName } from './Icon';
import { ContextSwitcher } from './ContextSwitcher';
import { TimeZoneSwitch } from './TimeZoneSwitch';
import { useNow } from './useNow';

const nav: Array<{ view: ViewName; label: string; icon: IconName }> = [
  { view: 'models', label: 'Models', icon: 'models' },
  { view: 'traffic', label: 'Traffic', icon: 'split' },
  { view: 'health', label: 'Model health', icon: 'pulse' },
  { view: 'gpus', label: 'GPUs', icon: 'gpu' },
  { view: 'cost', label: 'Cost', icon: 'coin' },
  { view: 'alerts', label: 'Alerts', icon: 'bell' },
  { view: 'incident', label: 'Incidents', icon: 'alert' },
  { view: 'audit', label: 'Audit log', icon: 'audit' },
  { view: 'settings', label: 'Settings', icon: 'settings' },
];

export const viewTitles: Record<ViewName, string> = {
  models: 'Models',
  traffic: 'Traffic',
  health: 'Model health',
  gpus: 'GPUs',
  cost: 'Cost review',
  alerts: 'Alerts',
  incident: 'Incidents',
  audit: 'Audit log',
  settings: 'Settings',
};

/** Navigation is the hash (`#/settings`): links work with the keyboard, and a reload stays put. */
export function go(view: ViewName) {
  window.location.hash = `#/${view}`;
}

export function NavRail() {
  const current = useApp((s) => s.view);
  return (
    <nav className="rail" aria-label="Main">
      <div className="brand">
        <BrandMark />
        <span className="brand-name">Firebreak</span>
      </div>
      <ul className="rail-list">
        {nav.map((item) => (
          <li key={item.view}>
            <a
              href={`#/${item.view}`}
              className="rail-link"
              aria-current={current === item.view ? 'page' : undefined}
              data-testid={`nav-${item.view}`}
            >
              <Icon name={item.icon} />
              <span>{item.label}</span>
              {item.view === 'alerts' && <AlertsBadge />}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Chip({
  label,
  children,
  tone,
  title,
  testId,
  onClick,
}: {
  label: string;
  children: ReactNode;
  tone: 'ok' | 'warning' | 'critical' | 'muted';
  title?: string;
  testId?: string;
  onClick?: () => void;
}) {
  const body = (
    <>
      <span className={`dot dot-${tone}`} aria-hidden="true" />
      <span className="chip-label">{label}</span>
      <span className="chip-value">{children}</span>
    </>
  );
  if (onClick)
    return (
      <button
        type="button"
        className={`chip chip-${tone}`}
        title={title}
        data-testid={testId}
        onClick={onClick}
      >
        {body}
      </button>
    );
  return (
    <span className={`chip chip-${tone}`} title={title} data-testid={testId}>
      {body}
    </span>
  );
}

export function TopBar() {
  const view = useApp((s) => s.view);
  const transportKind = useApp((s) => s.transportKind);
  const list = useModels((s) => s.list);
  const settings = useSettings((s) => s.settings);
  const contexts = useSettings((s) => s.contexts);
  const prom = prometheusIndicator(list, settings);
  const ctx = contextIndicator(list, settings, contexts);

  return (
    <header className="topbar">
      <h1 className="topbar-title">{viewTitles[view]}</h1>
      <div className="topbar-chips">
        {/* a menu of the kubeconfig's contexts: picking one switches to it */}
        <ContextSwitcher ctx={ctx} onSettings={() => go('settings')} />
        {prom.status === 'ok' && (
          <Chip
            label="Prometheus"
            tone="ok"
            testId="prometheus-chip"
            title="Prometheus answered the last query"
          >
            ok
          </Chip>
        )}
        {prom.status === 'not_configured' && (
          <Chip
            label="Prometheus"
            tone="muted"
            testId="prometheus-chip"
            title="No Prometheus URL: add one in Settings to see request and error rates"
            onClick={() => go('settings')}
          >
            not configured
          </Chip>
        )}
        {prom.status === 'error' && (
          <Chip
            label="Prometheus"
            tone="critical"
            testId="prometheus-chip"
            title={`${prom.error.message}\n${prom.error.hint}\n(${prom.error.code})`}
            onClick={() => go('settings')}
          >
            error
          </Chip>
        )}
        {prom.status === 'unknown' && (
          <Chip label="Prometheus" tone="muted" testId="prometheus-chip">
            …
          </Chip>
        )}
        <TimeZoneSwitch />
        <span className="chip chip-plain" data-testid="transport-chip" title={transportTitle(transportKind)}>
          <Icon name={transportKind === 'electron' ? 'desktop' : 'browser'} />
          <span className="chip-value">{transportKind === 'electron' ? 'Desktop' : 'Browser'}</span>
        </span>
      </div>
    </header>
  );
}

function transportTitle(kind: string): string {
  if (kind === 'electron') return 'Desktop app: talking to the main process over IPC';
  if (kind === 'serve') return 'Browser: talking to `npm run serve` over HTTP and WebSocket on this machine';
  return 'In-memory transport';
}

export function StatusBar() {
  const now = useNow(1000);
  const live = useModels((s) => s.live);
  const list = useModels((s) => s.list);
  const liveError = useModels((s) => s.liveError);
  const connection = useApp((s) => s.connection);
  const info = useApp((s) => s.info);
  const updatedAt = list.updatedAt;
  const stale = isStale(updatedAt, now, LIVE_INTERVAL_S);
  const notConnected = list.status === 'error' && isNotConnected(list.error);
  const down = sourceDown(list);

  let tone: 'ok' | 'warning' | 'critical' | 'muted' = 'muted';
  let state = 'Paused';
  let why: AppErrorData | undefined = liveError;
  if (notConnected) {
    state = 'Not connected to a cluster';
    why = list.error;
  } else if (connection === 'reconnecting') {
    tone = 'warning';
    state = 'Reconnecting to the server…';
  } else if (live === 'live' || (live === 'connecting' && updatedAt !== undefined)) {
    tone = stale ? 'warning' : 'ok';
    state = stale ? 'Live, no update lately' : 'Live';
    // the cluster is live but a source behind the figures is not: say which, since when
    if (down) {
      tone = 'warning';
      state = `${down.source} ${down.state}${down.since ? ` since ${formatClock(down.since)}` : ''}`;
      why = down.error;
    }
  } else if (live === 'connecting' || list.status === 'loading') {
    state = 'Loading…';
  } else if (live === 'stopped') {
    tone = 'critical';
    state = 'Live updates stopped';
  } else if (list.status === 'error') {
    tone = 'critical';
    state = 'Cannot load model services';
    why = list.error;
  }

  return (
    <footer className="statusbar" data-testid="status-bar">
      <span
        className={`status-item${down && tone === 'warning' ? ' status-degraded' : ''}`}
        title={why ? `${why.message}\n${why.hint}` : undefined}
        data-testid="live-state"
        data-tone={tone}
      >
        <span className={`dot dot-${tone}${tone === 'ok' ? ' dot-pulse' : ''}`} aria-hidden="true" />
        {state}
      </span>
      {!notConnected && (
        <span
          className={`status-item${stale && updatedAt !== undefined ? ' sev-warning' : ''}`}
          data-testid="freshness"
        >
          {updatedAt !== undefined ? `updated ${formatAgo(updatedAt, now)}` : 'no data yet'}
        </span>
      )}
      {!notConnected && <span className="status-item muted">refreshes every {LIVE_INTERVAL_S} s</span>}
      <span className="status-spacer" />
      {info.data && (
        <span className="status-item muted" title={`Local store: ${info.data.storePath}`}>
          Firebreak {info.data.version}
        </span>
      )}
    </footer>
  );
}
