import { useState } from 'react';

/**
 * Rows in `sorted` (the fresh worst-first order) put back in the order they had on screen (`previous`, by id),
 * moving a row above another only when it is clearly worse (`clearlyBefore`): at each refresh, rows whose
 * values are tied or nearly equal hold still under the pointer instead of swapping places. New rows come after
 * the rows they tie with. No neighbours are left out of order: after this, no row is clearly before the one
 * above it.
 */
export function holdStill<T>(
  sorted: readonly T[],
  previous: readonly string[],
  id: (item: T) => string,
  clearlyBefore: (a: T, b: T) => boolean,
): T[] {
  if (previous.length === 0) return [...sorted];
  const was = new Map(previous.map((key, i) => [key, i]));
  const known = sorted.filter((t) => was.has(id(t))).sort((a, b) => was.get(id(a))! - was.get(id(b))!);
  const rows = [...known, ...sorted.filter((t) => !was.has(id(t)))];
  // insertion sort: a row moves up only past rows it is clearly worse than (stable, and n is a few hundred)
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    let j = i;
    while (j > 0 && clearlyBefore(row, rows[j - 1]!)) {
      rows[j] = rows[j - 1]!;
      j--;
    }
    rows[j] = row;
  }
  return rows;
}

/**
 * Two figures are "nearly equal" within `relative` of the larger, or `absolute` (whichever is wider): below
 * that a refresh's noise would reorder the rows.
 */
export function clearlyGreater(a: number, b: number, relative: number, absolute: number): boolean {
  return a - b > Math.max(absolute, relative * Math.max(Math.abs(a), Math.abs(b)));
}

/**
 * `holdStill` across renders: the order shown last time is remembered; `resetKey` (the sort column and
 * direction) starts afresh from `sorted` when the user asks for another order. `sorted` must be memoised: a new
 * array is a refresh. (React's "information from previous renders" pattern: state adjusted while rendering.)
 */
export function useStableOrder<T>(
  sorted: readonly T[],
  id: (item: T) => string,
  clearlyBefore: (a: T, b: T) => boolean,
  resetKey: string,
): T[] {
  const [held, setHeld] = useState(() => ({ key: resetKey, sorted, rows: [...sorted] }));
  if (held.sorted === sorted && held.key === resetKey) return held.rows;
  const previous = held.key === resetKey ? held.rows.map(id) : [];
  const rows = holdStill(sorted, previous, id, clearlyBefore);
  setHeld({ key: resetKey, sorted, rows });
  return rows;
}
