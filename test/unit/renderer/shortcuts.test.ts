import { describe, expect, it } from 'vitest';
import { createShortcutReader, goKeys, isTyping, type KeyLike } from '../../../renderer/components/shortcuts';
import { nextRowIndex } from '../../../renderer/components/rowNav';
import { views } from '../../../renderer/state/app';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('shortcut reader', () => {
  it('opens the palette with Ctrl+K, Cmd+K, Ctrl+Shift+P and Cmd+Shift+P, even while typing', () => {
    const r = createShortcutReader();
    for (const typing of [false, true]) {
      expect(r.read(key('k', { ctrlKey: true }), 0, typing)).toEqual({ type: 'palette' });
      expect(r.read(key('k', { metaKey: true }), 0, typing)).toEqual({ type: 'palette' });
      expect(r.read(key('P', { ctrlKey: true, shiftKey: true }), 0, typing)).toEqual({ type: 'palette' });
      expect(r.read(key('P', { metaKey: true, shiftKey: true }), 0, typing)).toEqual({ type: 'palette' });
    }
    // Ctrl+P alone (print) and Ctrl+Shift+K are not the palette
    expect(r.read(key('p', { ctrlKey: true }), 0, false)).toBeNull();
    expect(r.read(key('K', { ctrlKey: true, shiftKey: true }), 0, false)).toBeNull();
    expect(r.read(key('k', { ctrlKey: true, altKey: true }), 0, false)).toBeNull();
  });

  it('reads ? and / as the shortcut list and the filter', () => {
    const r = createShortcutReader();
    expect(r.read(key('?', { shiftKey: true }), 0, false)).toEqual({ type: 'help' });
    expect(r.read(key('/'), 0, false)).toEqual({ type: 'filter' });
  });

  it('goes to a view with g then its letter', () => {
    const r = createShortcutReader();
    expect(r.read(key('g'), 1000, false)).toEqual({ type: 'pending' });
    expect(r.read(key('a'), 1200, false)).toEqual({ type: 'go', view: 'alerts' });
    expect(r.read(key('g'), 2000, false)).toEqual({ type: 'pending' });
    expect(r.read(key('g'), 2100, false)).toEqual({ type: 'go', view: 'gpus' });
    expect(r.read(key('g'), 3000, false)).toEqual({ type: 'pending' });
    expect(r.read(key('L', { shiftKey: true }), 3100, false)).toEqual({ type: 'go', view: 'audit' });
  });

  it('lets the sequence lapse after the timeout, and forgets it on any other key', () => {
    const r = createShortcutReader(1500);
    r.read(key('g'), 0, false);
    expect(r.read(key('a'), 1600, false)).toBeNull();
    r.read(key('g'), 2000, false);
    expect(r.read(key('x'), 2100, false)).toBeNull();
    expect(r.read(key('a'), 2200, false)).toBeNull();
    r.read(key('g'), 3000, false);
    expect(r.read(key('a', { ctrlKey: true }), 3100, false)).toBeNull();
    expect(r.read(key('a'), 3200, false)).toBeNull();
  });

  it('ignores single keys while the user types', () => {
    const r = createShortcutReader();
    expect(r.read(key('?', { shiftKey: true }), 0, true)).toBeNull();
    expect(r.read(key('/'), 0, true)).toBeNull();
    expect(r.read(key('g'), 0, true)).toBeNull();
    // a g typed in a field does not arm the sequence for the next key outside it
    expect(r.read(key('a'), 100, false)).toBeNull();
    r.read(key('g'), 200, false);
    expect(r.read(key('a'), 300, true)).toBeNull();
    expect(r.read(key('a'), 400, false)).toBeNull();
  });

  it('has a letter for every view, each a different one', () => {
    expect(new Set(Object.values(goKeys))).toEqual(new Set(views));
    expect(goKeys).toMatchObject({ m: 'models', h: 'health', g: 'gpus', a: 'alerts', t: 'traffic' });
    expect(goKeys).toMatchObject({ c: 'cost', i: 'incident', s: 'settings', l: 'audit' });
  });
});

describe('typing targets', () => {
  const el = (tagName: string, extra: Record<string, unknown> = {}) =>
    ({ tagName, isContentEditable: false, ...extra }) as unknown as EventTarget;
  it('counts text fields, text areas, selects and editable content', () => {
    expect(isTyping(el('INPUT', { type: 'text' }))).toBe(true);
    expect(isTyping(el('INPUT', { type: 'search' }))).toBe(true);
    expect(isTyping(el('TEXTAREA'))).toBe(true);
    expect(isTyping(el('SELECT'))).toBe(true);
    expect(isTyping(el('DIV', { isContentEditable: true }))).toBe(true);
  });
  it('does not count buttons, checkboxes, rows or the page', () => {
    expect(isTyping(el('INPUT', { type: 'checkbox' }))).toBe(false);
    expect(isTyping(el('BUTTON'))).toBe(false);
    expect(isTyping(el('TR'))).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});

describe('row moves', () => {
  it('moves within the rows and stops at the ends', () => {
    expect(nextRowIndex('ArrowDown', 0, 3)).toBe(1);
    expect(nextRowIndex('ArrowDown', 2, 3)).toBe(2);
    expect(nextRowIndex('ArrowUp', 0, 3)).toBe(0);
    expect(nextRowIndex('End', 0, 3)).toBe(2);
    expect(nextRowIndex('Home', 2, 3)).toBe(0);
    expect(nextRowIndex('PageDown', 0, 30)).toBe(10);
    expect(nextRowIndex('Enter', 0, 3)).toBeNull();
    expect(nextRowIndex('ArrowDown', 0, 0)).toBeNull();
  });
});
