import { timeZoneStore, useTimeZone, zoneLabel } from '../time';
import { useNow } from './useNow';

/** The top bar's UTC / local switch (as Grafana has): every time on screen follows it, its zone named. */
export function TimeZoneSwitch() {
  const mode = useTimeZone();
  // the local zone's name changes with summer time
  const local = zoneLabel(useNow(3_600_000), 'local');
  return (
    <div className="seg topbar-zone" role="group" aria-label="Times in" data-testid="time-zone">
      <span className="seg-label">Times</span>
      {(['local', 'utc'] as const).map((m) => (
        <button
          key={m}
          type="button"
          className={`seg-btn${m === mode ? ' seg-on' : ''}`}
          aria-pressed={m === mode}
          title={m === 'utc' ? 'Show every time in UTC' : `Show every time in this machine's zone (${local})`}
          onClick={() => timeZoneStore.getState().setMode(m)}
          data-testid={`time-zone-${m}`}
        >
          {m === 'utc' ? 'UTC' : `Local (${local})`}
        </button>
      ))}
    </div>
  );
}
