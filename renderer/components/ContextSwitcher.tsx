import { useEffect, useRef, useState } from 'react';
import type { AppErrorData } from '../../shared/errors';
import { appStore, modelsStore, settingsStore } from '../state';
import { connectionsStore, useConnections } from '../state/connections';
import type { ContextIndicator } from '../state/selectors';
import './keyboard.css';

const tones = { connected: 'ok', pending: 'muted', not_connected: 'warning' } as const;

/**
 * The top bar's context chip: a menu of the kubeconfig's contexts, as kubectx or Lens's cluster picker.
 * Picking one connects it and saves it as the current context; the views follow (the model list reloads).
 */
export function ContextSwitcher({ ctx, onSettings }: { ctx: ContextIndicator; onSettings: () => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<AppErrorData | null>(null);
  const list = useConnections((s) => s.list);
  const busy = useConnections((s) => s.busy);
  const loadError = useConnections((s) => s.error);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const current = ctx.status === 'connected' ? ctx.name : ctx.status === 'pending' ? ctx.name : null;

  useEffect(() => {
    if (!open) return;
    void connectionsStore.getState().load(false);
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!menu.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  // on open (and once the list has come): the keyboard is on the current context
  useEffect(() => {
    if (!open) return;
    const items = menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]');
    const checked = menu.current?.querySelector<HTMLElement>('[aria-checked="true"]');
    (checked ?? items?.[0])?.focus();
  }, [open, list]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const pick = async (name: string) => {
    if (name === current) return close();
    const err = await connectionsStore.getState().makeCurrent(name);
    setError(err);
    if (err) return;
    close();
    // what depends on the context: the saved settings, the model list, what the top bar shows
    void settingsStore.getState().load();
    void modelsStore.getState().refresh();
    void appStore.getState().loadInfo();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const to =
      e.key === 'ArrowDown'
        ? (at + 1) % items.length
        : e.key === 'ArrowUp'
          ? (at - 1 + items.length) % items.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? items.length - 1
              : null;
    if (to !== null && items.length) {
      e.preventDefault();
      items[to]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === 'Tab') setOpen(false);
  };

  const label = ctx.status === 'not_connected' ? 'not connected' : (current ?? 'kubeconfig default');
  const title =
    ctx.status === 'not_connected' && ctx.error
      ? `${ctx.error.message}\n${ctx.error.hint}\nClick to pick another context`
      : `Kubernetes context ${label}: click to switch`;
  return (
    <span className="ctx-switch">
      <button
        ref={button}
        type="button"
        className={`chip chip-${tones[ctx.status]}`}
        title={title}
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="context-chip"
        onClick={() => setOpen((o) => !o)}
      >
        <span className={`dot dot-${tones[ctx.status]}`} aria-hidden="true" />
        <span className="chip-label">Context</span>
        <span className="chip-value">
          <span className={ctx.status === 'not_connected' ? undefined : 'mono'}>{label}</span> ▾
        </span>
      </button>
      {open && (
        <div
          ref={menu}
          className="ctx-menu"
          role="menu"
          aria-label="Kubernetes contexts"
          data-testid="context-menu"
          onKeyDown={onKeyDown}
        >
          {!list && !loadError && <div className="ctx-note muted">Reading the kubeconfig…</div>}
          {list?.connections.length === 0 && (
            <div className="ctx-note muted">No context in the kubeconfig.</div>
          )}
          {list?.connections.map((c) => (
            <button
              key={c.name}
              type="button"
              role="menuitemradio"
              aria-checked={c.name === current}
              className="ctx-item"
              data-testid="context-item"
              data-context={c.name}
              disabled={busy !== null}
              title={c.server}
              onClick={() => void pick(c.name)}
            >
              <span className="ctx-check" aria-hidden="true">
                {c.name === current ? '✓' : ''}
              </span>
              <span className="ctx-name mono">{c.name}</span>
              <span className="ctx-server muted">
                {busy === c.name ? 'connecting…' : c.connected ? c.status : c.cluster}
              </span>
            </button>
          ))}
          {(error ?? (list ? null : loadError)) && (
            <div className="ctx-note sev-critical" role="alert" data-testid="context-error">
              {(error ?? loadError)?.message}
            </div>
          )}
          <button
            type="button"
            role="menuitem"
            className="ctx-item ctx-settings"
            onClick={() => {
              setOpen(false);
              onSettings();
            }}
          >
            <span className="ctx-check" aria-hidden="true" />
            Kubernetes settings…
          </button>
        </div>
      )}
    </span>
  );
}
