/**
 * Time, said once: every moment the console shows goes through `formatDateTime`, with its zone written beside
 * it, in the zone the user picked (UTC or the machine's local time, as Grafana offers), kept in localStorage.
 * Cost days are UTC calendar days and say so where they are shown; they do not follow this switch.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';

export type ZoneMode = 'local' | 'utc';

const STORAGE_KEY = 'firebreak.timeZone';

function savedMode(): ZoneMode {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'utc' ? 'utc' : 'local';
  } catch {
    return 'local'; // storage refused (privacy mode): local time, not a crash
  }
}

export const timeZoneStore = createStore<{ mode: ZoneMode; setMode(mode: ZoneMode): void }>()((set) => ({
  mode: savedMode(),
  setMode(mode) {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, mode);
    } catch {
      // kept for this session only
    }
    set({ mode });
  },
}));

/** The zone times are shown in; components that show times read it so they redraw on a switch. */
export const useTimeZone = (): ZoneMode => useStore(timeZoneStore, (s) => s.mode);

const pad = (n: number) => String(n).padStart(2, '0');

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function partsOf(ms: number, mode: ZoneMode): Parts {
  const t = new Date(ms);
  return mode === 'utc'
    ? {
        y: t.getUTCFullYear(),
        mo: t.getUTCMonth() + 1,
        d: t.getUTCDate(),
        h: t.getUTCHours(),
        mi: t.getUTCMinutes(),
        s: t.getUTCSeconds(),
      }
    : {
        y: t.getFullYear(),
        mo: t.getMonth() + 1,
        d: t.getDate(),
        h: t.getHours(),
        mi: t.getMinutes(),
        s: t.getSeconds(),
      };
}

/** `UTC`, or the local zone's short name at that moment (`CET`, `GMT+1`: it changes with summer time). */
export function zoneLabel(ms: number, mode: ZoneMode): string {
  if (mode === 'utc') return 'UTC';
  const name = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName')?.value;
  return name ?? 'local';
}

export interface TimeFormat {
  /** with the date (default true) */
  date?: boolean;
  /** with seconds (default true) */
  seconds?: boolean;
  /** with the zone (default true; off only where a heading already says it, e.g. a chart axis) */
  zone?: boolean;
}

/** `2025-11-23 13:04:05 UTC`: 24-hour clock, ISO date order, the zone named. Invalid input is shown as it came. */
export function formatDateTime(
  at: number | string,
  mode: ZoneMode = timeZoneStore.getState().mode,
  opts: TimeFormat = {},
): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return String(at);
  const p = partsOf(ms, mode);
  const clock = `${pad(p.h)}:${pad(p.mi)}${opts.seconds === false ? '' : `:${pad(p.s)}`}`;
  const date = opts.date === false ? '' : `${p.y}-${pad(p.mo)}-${pad(p.d)} `;
  return `${date}${clock}${opts.zone === false ? '' : ` ${zoneLabel(ms, mode)}`}`;
}

/** The value of an `<input type="datetime-local">` for a moment, in the chosen zone. */
export function toInputValue(ms: number, mode: ZoneMode, seconds = false): string {
  const p = partsOf(ms, mode);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}${seconds ? `:${pad(p.s)}` : ''}`;
}

/** A `datetime-local` value read in the chosen zone; null when it is not a date and time. */
export function fromInputValue(text: string, mode: ZoneMode): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = mode === 'utc' ? Date.UTC(y, mo - 1, d, h, mi, s) : new Date(y, mo - 1, d, h, mi, s).getTime();
  // 2025-02-30 rolls over to March: refused rather than silently moved
  const back = partsOf(ms, mode);
  return back.y === y && back.mo === mo && back.d === d && back.h === h && back.mi === mi ? ms : null;
}

/** The zone a datetime input is read in, said beside it (`UTC`, `GMT+1`). */
export function inputZoneLabel(mode: ZoneMode): string {
  return zoneLabel(Date.now(), mode);
}
