import { useLayoutEffect, useRef } from 'react';

/** Where a key moves the row focus: the new index, or null when the key is not a row move. */
export function nextRowIndex(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, index + 1);
    case 'ArrowUp':
      return Math.max(0, index - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return Math.min(count - 1, index + 10);
    case 'PageUp':
      return Math.max(0, index - 10);
    default:
      return null;
  }
}

/** Opens a row as a click would: a row that is a link (`row-link`) itself, else its first link or button. */
function openRow(row: HTMLTableRowElement): void {
  if (row.classList.contains('row-link')) row.click();
  else row.querySelector<HTMLElement>('a[href], button:not(:disabled)')?.click();
}

/**
 * Roving focus over a table body's rows: one row is in the Tab order (the last one focused, else the first),
 * the arrow keys (and Home, End, PageUp, PageDown) move between rows, Enter opens the focused row.
 */
export function useRowNav() {
  const body = useRef<HTMLTableSectionElement>(null);
  const active = useRef<HTMLTableRowElement | null>(null);

  // after every render: the rows may have come, gone or moved
  useLayoutEffect(() => {
    const rows = body.current ? [...body.current.rows] : [];
    if (!active.current || !rows.includes(active.current)) active.current = rows[0] ?? null;
    for (const r of rows) r.tabIndex = r === active.current ? 0 : -1;
  });

  const onKeyDown = (e: React.KeyboardEvent<HTMLTableSectionElement>) => {
    const tbody = body.current;
    const row = e.target as HTMLElement;
    // only when a row itself has focus: a field or link inside a row keeps its keys
    if (!tbody || !(row instanceof HTMLTableRowElement) || row.parentElement !== tbody) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      openRow(row);
      return;
    }
    const rows = [...tbody.rows];
    const to = nextRowIndex(e.key, rows.indexOf(row), rows.length);
    if (to === null || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const next = rows[to]!;
    for (const r of rows) r.tabIndex = r === next ? 0 : -1;
    active.current = next;
    next.focus();
  };

  const onFocus = (e: React.FocusEvent<HTMLTableSectionElement>) => {
    const row = (e.target as HTMLElement).closest('tr');
    if (row && row.parentElement === body.current) active.current = row;
  };

  return { ref: body, onKeyDown, onFocus };
}
