import { useState } from 'react';
import { formatDateTime, fromInputValue, toInputValue, useTimeZone, zoneLabel } from '../time';
import type { ChartRange } from './useFromHash';
import { useNow } from './useNow';
import './timeRange.css';

/**
 * A chart's window: the relative ones (last 1h, 3h…, moving with now) as a row of buttons, or an absolute
 * range (from, to) typed in the zone of the top bar's switch. The chosen range goes to the URL (useRangeInHash).
 */
export function TimeRangePicker({
  windows,
  value,
  onChange,
  testId,
}: {
  windows: ReadonlyArray<{ label: string; rangeS: number }>;
  value: ChartRange;
  onChange: (range: ChartRange) => void;
  testId: string;
}) {
  const zone = useTimeZone();
  const now = useNow(3_600_000);
  const [editing, setEditing] = useState<{ from: string; to: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const absolute = value.end !== null;

  const open = () => {
    // starts from what is on screen: the absolute range, or the relative window ending now
    const end = value.end ?? Date.now();
    setEditing({ from: toInputValue(end - value.rangeS * 1000, zone), to: toInputValue(end, zone) });
    setError(null);
  };
  const apply = () => {
    if (!editing) return;
    const from = fromInputValue(editing.from, zone);
    const to = fromInputValue(editing.to, zone);
    if (from === null || to === null) return setError('Enter both times as date and time.');
    const rangeS = Math.round((to - from) / 1000);
    if (rangeS < 60) return setError('"To" must be at least a minute after "from".');
    if (rangeS > 90 * 86400) return setError('At most 90 days.');
    setEditing(null);
    onChange({ rangeS, end: to });
  };

  return (
    <div className="seg time-range" role="group" aria-label="Window" data-testid={testId}>
      {/* the charts' time axes are in this zone: said here, beside them */}
      <span className="seg-label" title="The charts' times are in this zone (switch in the top bar)">
        Window · {zoneLabel(value.end ?? now, zone)}
      </span>
      {windows.map((w) => {
        const on = !absolute && w.rangeS === value.rangeS;
        return (
          <button
            key={w.rangeS}
            type="button"
            className={`seg-btn${on ? ' seg-on' : ''}`}
            aria-pressed={on}
            title={`The last ${w.label}, moving with now`}
            onClick={() => {
              setEditing(null);
              onChange({ rangeS: w.rangeS, end: null });
            }}
          >
            {w.label}
          </button>
        );
      })}
      <button
        type="button"
        className={`seg-btn${absolute ? ' seg-on' : ''}`}
        aria-pressed={absolute}
        aria-expanded={editing !== null}
        onClick={() => (editing ? setEditing(null) : open())}
        title="A fixed range: from, to"
        data-testid={`${testId}-custom`}
      >
        {absolute
          ? `${formatDateTime(value.end! - value.rangeS * 1000, zone, { seconds: false, zone: false })} – ${formatDateTime(value.end!, zone, { seconds: false })}`
          : 'From – to…'}
      </button>
      {editing && (
        <span className="time-range-edit" data-testid={`${testId}-edit`}>
          <label>
            From
            <input
              type="datetime-local"
              className="input"
              value={editing.from}
              onChange={(e) => setEditing({ ...editing, from: e.target.value })}
              data-testid={`${testId}-from`}
            />
          </label>
          <label>
            to
            <input
              type="datetime-local"
              className="input"
              value={editing.to}
              onChange={(e) => setEditing({ ...editing, to: e.target.value })}
              data-testid={`${testId}-to`}
            />
          </label>
          <span className="muted">{zoneLabel(fromInputValue(editing.to, zone) ?? value.end ?? 0, zone)}</span>
          <button type="button" className="btn btn-primary" onClick={apply} data-testid={`${testId}-apply`}>
            Apply
          </button>
          {error && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </span>
      )}
    </div>
  );
}
