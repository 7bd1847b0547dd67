import type { ViewName } from '../state/app';

/**
 * The console's keyboard shortcuts, as a pure reader of key events (unit-tested): Ctrl/Cmd+K and
 * Ctrl/Cmd+Shift+P open the palette (also while typing, as in VS Code); `?` the shortcut list, `/` the
 * current list's filter, `g` then a letter a view. Single keys are ignored while the user types in a field.
 */

/** `g` then this letter goes to the view (the letters Lens and GitHub users expect where they can). */
export const goKeys: Readonly<Record<string, ViewName>> = {
  m: 'models',
  h: 'health',
  g: 'gpus',
  a: 'alerts',
  t: 'traffic',
  c: 'cost',
  i: 'incident',
  s: 'settings',
  l: 'audit',
};

/** What the shortcut list shows, in this order (then the `g` keys). */
export const shortcutList: ReadonlyArray<{ keys: string[]; what: string }> = [
  { keys: ['Ctrl/⌘ K'], what: 'Command palette: go to a model or view, run an action' },
  { keys: ['Ctrl/⌘ Shift P'], what: 'Command palette' },
  { keys: ['?'], what: 'This list of shortcuts' },
  { keys: ['/'], what: 'Filter the list on screen' },
  { keys: ['↑', '↓'], what: 'Move between the rows of a table' },
  { keys: ['Enter'], what: 'Open the row (a model’s detail, an incident)' },
  { keys: ['Esc'], what: 'Close a dialog, clear a filter' },
];

export type Shortcut =
  | { type: 'palette' }
  | { type: 'help' }
  | { type: 'filter' }
  | { type: 'go'; view: ViewName }
  /** `g` was pressed: the next letter decides */
  | { type: 'pending' };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** How long after `g` the second letter still counts. */
const SEQUENCE_MS = 1500;

/** A reader keeps the `g` of a two-key sequence; `read` says what a key does (null = nothing: let it be). */
export function createShortcutReader(sequenceMs = SEQUENCE_MS) {
  let gAt: number | null = null;
  return {
    read(e: KeyLike, now: number, typing: boolean): Shortcut | null {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      if (mod && !e.altKey && ((key === 'k' && !e.shiftKey) || (key === 'p' && e.shiftKey))) {
        gAt = null;
        return { type: 'palette' };
      }
      if (typing || mod || e.altKey) {
        gAt = null;
        return null;
      }
      const pending = gAt !== null && now - gAt <= sequenceMs;
      gAt = null;
      if (pending) {
        const view = goKeys[key];
        return view ? { type: 'go', view } : null;
      }
      if (e.key === '?') return { type: 'help' };
      if (e.key === '/') return { type: 'filter' };
      if (key === 'g' && !e.shiftKey) {
        gAt = now;
        return { type: 'pending' };
      }
      return null;
    },
  };
}

/** Is the user typing: a text field, a select, or editable content has focus. */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName !== 'INPUT') return false;
  const type = (el as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'file', 'color'].includes(type);
}
