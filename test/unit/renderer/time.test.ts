/**
 * Time, said once (issue 12, item 5): one format everywhere, 24-hour, the zone named, in UTC or local time as
 * the user switched, kept across restarts; datetime inputs read in the same zone.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// a zone with an offset and summer time, so local and UTC differ (Node reads TZ again when it changes)
process.env.TZ = 'Europe/Berlin';

const mem = new Map<string, string>();
beforeAll(() => {
  (globalThis as { localStorage?: unknown }).localStorage = {
    getItem: (k: string) => mem.get(k) ?? null,
    setItem: (k: string, v: string) => void mem.set(k, v),
  };
});

const load = async () => {
  const time = await import('../../../renderer/time');
  const format = await import('../../../renderer/format');
  const charts = await import('../../../renderer/charts/format');
  return { ...time, ...format, ...charts };
};

afterEach(async () => (await load()).timeZoneStore.getState().setMode('local'));

const winter = Date.parse('2025-01-15T13:04:05Z');
const summer = Date.parse('2025-07-15T13:04:05Z');

describe('the one time format', () => {
  it('local: 24-hour clock, ISO date, the zone named (and its summer name)', async () => {
    const { formatDateTime } = await load();
    expect(formatDateTime(winter, 'local')).toBe('2025-01-15 14:04:05 GMT+1');
    expect(formatDateTime(summer, 'local')).toBe('2025-07-15 15:04:05 GMT+2');
  });

  it('UTC, with the date or the clock alone', async () => {
    const { formatDateTime } = await load();
    expect(formatDateTime('2025-01-15T13:04:05Z', 'utc')).toBe('2025-01-15 13:04:05 UTC');
    expect(formatDateTime(winter, 'utc', { date: false, seconds: false })).toBe('13:04 UTC');
    expect(formatDateTime('not a time', 'utc')).toBe('not a time');
  });

  it('every view formats through it, following the switch, and the switch is kept', async () => {
    const { formatTimestamp, formatClock, formatTime, timeZoneStore } = await load();
    expect(formatTimestamp('2025-01-15T13:04:05Z')).toBe('2025-01-15 14:04:05 GMT+1');
    timeZoneStore.getState().setMode('utc');
    expect(formatTimestamp('2025-01-15T13:04:05Z')).toBe('2025-01-15 13:04:05 UTC');
    expect(formatClock(winter)).toBe('13:04:05 UTC');
    expect(formatTime(winter)).toBe('13:04'); // a chart axis: the window picker names the zone
    expect(formatTime(winter, true)).toBe('2025-01-15 13:04 UTC');
    expect(mem.get('firebreak.timeZone')).toBe('utc');
  });

  it('charts draw their time axis in the chosen zone', async () => {
    const { visibleOption, timeZoneStore } = await load();
    expect(visibleOption({}) as { useUTC?: boolean }).toMatchObject({ useUTC: false });
    timeZoneStore.getState().setMode('utc');
    expect(visibleOption({}) as { useUTC?: boolean }).toMatchObject({ useUTC: true });
  });

  it('datetime inputs are read and written in the chosen zone; impossible dates refused', async () => {
    const { fromInputValue, toInputValue } = await load();
    expect(toInputValue(winter, 'utc')).toBe('2025-01-15T13:04');
    expect(toInputValue(winter, 'local')).toBe('2025-01-15T14:04');
    expect(fromInputValue('2025-01-15T13:04', 'utc')).toBe(Date.parse('2025-01-15T13:04:00Z'));
    expect(fromInputValue('2025-01-15T14:04', 'local')).toBe(Date.parse('2025-01-15T13:04:00Z'));
    expect(fromInputValue('2025-02-30T10:00', 'utc')).toBeNull();
    expect(fromInputValue('yesterday', 'utc')).toBeNull();
  });
});
