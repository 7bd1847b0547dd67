import { useEffect, useState } from 'react';
import { Icon } from './Icon';
import './keyboard.css';

/**
 * Puts text on the clipboard. The async Clipboard API first (a browser on the serve URL); where it is
 * refused, the copy command on a hidden text field, which needs no permission: the Electron window
 * denies every permission request (clipboard included) by policy, and a page on plain http has no
 * navigator.clipboard at all.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (permission, focus): the copy command below still works inside the click
  }
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } finally {
    area.remove();
    before?.focus();
  }
  return ok;
}

/** A small button that copies `text` (a name, an image, a UID, a PromQL query, a silence id). */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className={`copy-btn copy-${state}`}
      aria-label={`Copy ${what}`}
      title={state === 'failed' ? 'Could not copy: select the text and press Ctrl+C' : `Copy ${what}`}
      data-testid="copy"
      data-copy={text}
      onClick={(e) => {
        // a copy button inside a clickable row copies, it does not open the row
        e.stopPropagation();
        void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'));
      }}
    >
      <Icon name={state === 'copied' ? 'check' : 'copy'} />
      <span className="copy-state" role="status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Not copied' : ''}
      </span>
    </button>
  );
}
