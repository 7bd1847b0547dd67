import { useEffect, useRef, useState } from 'react';

/** What `read` makes of the location hash, read again on every hashchange (navigation is the hash). */
export function useFromHash<T>(read: (hash: string) => T): T {
  const [value, setValue] = useState(() => read(window.location.hash));
  useEffect(() => {
    const on = () => setValue(read(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, [read]);
  return value;
}

/** `#/health?model=<id>` -> the id */
function hashParam(hash: string, name: string): string | null {
  const q = hash.split('?')[1];
  return q ? new URLSearchParams(q).get(name) : null;
}

const modelParam = (hash: string) => hashParam(hash, 'model');

/** The `model` parameter of the hash (`#/health?model=<id>`), the one parameter the views take today. */
export function useModelParam(): string | null {
  return useFromHash(modelParam);
}

// ---------- the chart range in the hash: a link reopens the same view on the same moments ----------

/** A chart window: its length and its end (null: now, moving). */
export interface ChartRange {
  rangeS: number;
  end: number | null;
}

const MIN_RANGE_S = 60;
const MAX_RANGE_S = 90 * 86400;

/** `range=3h` / `range=7d` / `range=90m` -> seconds; null when it is not one. */
function relativeSeconds(text: string): number | null {
  const m = /^(\d{1,5})(m|h|d)$/.exec(text);
  if (!m) return null;
  const s = Number(m[1]) * (m[2] === 'm' ? 60 : m[2] === 'h' ? 3600 : 86400);
  return s >= MIN_RANGE_S && s <= MAX_RANGE_S ? s : null;
}

/** `3h`, `90m`, `7d`: how a relative window is written in the hash. */
export function rangeText(rangeS: number): string {
  if (rangeS % 86400 === 0) return `${rangeS / 86400}d`;
  if (rangeS % 3600 === 0) return `${rangeS / 3600}h`;
  return `${Math.round(rangeS / 60)}m`;
}

/**
 * The range a hash asks for: `from=<ISO>&to=<ISO>` (absolute, UTC text so a link means the same moments in any
 * zone) or `range=3h` (relative to now). Anything else, an empty or reversed span, or one outside 1 min .. 90
 * days, is no range (the view keeps its own).
 */
export function rangeFromHash(hash: string): ChartRange | null {
  const from = hashParam(hash, 'from');
  const to = hashParam(hash, 'to');
  if (from !== null || to !== null) {
    const f = from === null ? NaN : Date.parse(from);
    const t = to === null ? NaN : Date.parse(to);
    if (!Number.isFinite(f) || !Number.isFinite(t)) return null;
    const rangeS = Math.round((t - f) / 1000);
    if (rangeS < MIN_RANGE_S || rangeS > MAX_RANGE_S) return null;
    return { rangeS, end: t };
  }
  const range = hashParam(hash, 'range');
  const rangeS = range === null ? null : relativeSeconds(range);
  return rangeS === null ? null : { rangeS, end: null };
}

/** The hash with the range written in (the other parameters, e.g. `model`, kept). */
export function hashWithRange(hash: string, range: ChartRange): string {
  const [path = '', query = ''] = hash.split('?');
  const params = new URLSearchParams(query);
  params.delete('from');
  params.delete('to');
  params.delete('range');
  if (range.end === null) params.set('range', rangeText(range.rangeS));
  else {
    params.set('from', new Date(range.end - range.rangeS * 1000).toISOString());
    params.set('to', new Date(range.end).toISOString());
  }
  return `${path}?${params.toString()}`;
}

/**
 * Keeps a view's chart range and the hash in step: a range in the hash (a link opened) is applied, and a
 * range chosen is written back without a navigation (replaceState: no history entry per click).
 */
export function useRangeInHash(range: ChartRange, apply: (range: ChartRange) => void): void {
  const asked = useFromHash(rangeFromHash);
  const applyRef = useRef(apply);
  useEffect(() => {
    applyRef.current = apply;
  });
  useEffect(() => {
    if (asked && (asked.rangeS !== range.rangeS || asked.end !== range.end)) applyRef.current(asked);
    // only when the hash changes: a range chosen on screen is written to the hash below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [asked?.rangeS, asked?.end]);
  useEffect(() => {
    const hash = window.location.hash;
    if (!hash.startsWith('#/')) return; // a view's own hash only (the first screen may have none)
    const next = hashWithRange(hash, range);
    if (next !== hash) window.history.replaceState(null, '', next);
  }, [range]);
}
