import { useEffect, useRef, useState } from 'react';
import { CommandPalette } from './CommandPalette';
import { viewTitles } from './Shell';
import { createShortcutReader, goKeys, isTyping, shortcutList } from './shortcuts';
import './keyboard.css';

/** The list filter of the view on screen: the one a view marks, else its first search field. */
function listFilter(): HTMLInputElement | null {
  return (
    document.querySelector<HTMLInputElement>('#content [data-list-filter]') ??
    document.querySelector<HTMLInputElement>('#content input[type="search"]')
  );
}

/** Another dialog (the action dialog, Declare) has the keyboard: single-key shortcuts wait for it. */
const otherDialogOpen = () =>
  [...document.querySelectorAll('[aria-modal="true"]')].some((d) => !d.closest('[data-kb-layer]'));

/**
 * The keyboard shortcuts of the whole console (mounted once, in App): the palette, the shortcut list,
 * `/` for the list filter and `g` then a letter for a view. What each key does is `shortcuts.ts`.
 */
export function KeyboardLayer() {
  const [open, setOpen] = useState<'palette' | 'help' | null>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const reader = createShortcutReader();
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const inLayer = e.target instanceof Element && e.target.closest('[data-kb-layer]') !== null;
      const typing = isTyping(e.target) || inLayer || otherDialogOpen();
      const s = reader.read(e, performance.now(), typing);
      if (!s) return;
      if (s.type === 'palette') {
        e.preventDefault();
        if (!inLayer && otherDialogOpen()) return;
        returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
        setOpen((o) => (o === 'palette' ? null : 'palette'));
      } else if (s.type === 'help') {
        e.preventDefault();
        returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
        setOpen('help');
      } else if (s.type === 'filter') {
        const input = listFilter();
        if (!input) return;
        e.preventDefault();
        input.focus();
        input.select();
      } else if (s.type === 'go') {
        e.preventDefault();
        window.location.hash = `#/${s.view}`;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const close = (restore: boolean) => {
    setOpen(null);
    if (restore) returnFocus.current?.focus?.();
  };

  if (open === 'palette')
    return (
      <div data-kb-layer="">
        <CommandPalette onClose={close} />
      </div>
    );
  if (open === 'help') return <ShortcutHelp onClose={() => close(true)} />;
  return null;
}

function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  return (
    <div className="kb-backdrop" data-kb-layer="" onMouseDown={onClose}>
      <div
        className="kb-help"
        role="dialog"
        aria-modal="true"
        aria-labelledby="kb-help-title"
        data-testid="shortcut-help"
        data-kb-layer=""
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          // one button: Tab stays on it; Escape and ? close
          if (e.key === 'Tab') e.preventDefault();
          if (e.key === 'Escape' || e.key === '?') {
            e.preventDefault();
            onClose();
          }
        }}
      >
        <header className="kb-help-head">
          <h2 id="kb-help-title">Keyboard shortcuts</h2>
          <button ref={button} type="button" className="btn btn-ghost" onClick={onClose}>
            Close
          </button>
        </header>
        <dl className="kb-help-list">
          {shortcutList.map((s) => (
            <div key={s.what} className="kb-help-row">
              <dt>
                <Keys keys={s.keys} />
              </dt>
              <dd>{s.what}</dd>
            </div>
          ))}
          {Object.entries(goKeys).map(([letter, view]) => (
            <div key={letter} className="kb-help-row">
              <dt>
                <Keys keys={['g', letter]} then />
              </dt>
              <dd>Go to {viewTitles[view]}</dd>
            </div>
          ))}
        </dl>
        <p className="muted kb-help-note">Single keys do nothing while you type in a field.</p>
      </div>
    </div>
  );
}

function Keys({ keys, then }: { keys: string[]; then?: boolean }) {
  return (
    <>
      {keys.map((k, i) => (
        <span key={k}>
          {i > 0 && <span className="muted">{then ? ' then ' : ' '}</span>}
          <kbd>{k}</kbd>
        </span>
      ))}
    </>
  );
}
