/** UTC calendar days as integers (days since 1970-01-01) and back. */

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Strict YYYY-MM-DD -> day number, or undefined when it is not a real calendar date. */
export function parseDay(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return ms / DAY_MS;
}

export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function todayDay(now: Date = new Date()): number {
  return Math.floor(now.getTime() / DAY_MS);
}

/** First day of the month containing `day`. */
export function monthStart(day: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
}

/** First day of the month `months` after the month containing `day`. */
export function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1) / DAY_MS;
}

export interface Period {
  start: number; // inclusive
  end: number; // exclusive
}

/** Splits [start, end) into DAILY days or MONTHLY calendar months (the first and last clipped to the range). */
export function splitPeriods(start: number, end: number, granularity: 'DAILY' | 'MONTHLY'): Period[] {
  const out: Period[] = [];
  if (granularity === 'DAILY') {
    for (let d = start; d < end; d++) out.push({ start: d, end: d + 1 });
    return out;
  }
  let s = start;
  while (s < end) {
    const next = Math.min(addMonths(s, 1), end);
    out.push({ start: s, end: next });
    s = next;
  }
  return out;
}
