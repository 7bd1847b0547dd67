import { useState } from 'react';
import { formatDuration, type Milestone, type WarRoom } from '../../../shared/incident';
import { ErrorPanel } from '../../components/ErrorPanel';
import { useNow } from '../../components/useNow';
import { formatClock } from '../../format';
import { fromInputValue, inputZoneLabel, timeZoneStore, toInputValue } from '../../time';
import { incidentStore, useIncident } from '../../state';

const secondsBetween = (from: string | null, toMs: number) =>
  from === null ? null : Math.max(0, Math.round((toMs - Date.parse(from)) / 1000));

/** Title, severity, status, commander, the clock, and the milestones with their evidence. */
export function WarRoomHeader({ room, position }: { room: WarRoom; position: string | null }) {
  const now = useNow(1000);
  const inc = room.incident;
  const started = inc.milestones.find((m) => m.name === 'started')?.at ?? inc.declaredAt;
  // live: the wall clock; a replay: the scrubber's position
  const atMs = room.live ? now : Date.parse(position ?? room.at);
  const endMs = inc.closedAt && room.live ? Math.min(atMs, Date.parse(inc.closedAt)) : atMs;
  const sinceAction =
    inc.lastActionAt && Date.parse(inc.lastActionAt) <= atMs ? secondsBetween(inc.lastActionAt, atMs) : null;
  return (
    <header className="panel-card inc-head" data-testid="warroom-header">
      <div className="inc-head-row">
        <span className={`pill inc-sev inc-sev-${inc.severity.toLowerCase()}`} data-testid="wr-severity">
          {inc.severity}
        </span>
        <h2 className="inc-title" data-testid="wr-title" title={inc.title}>
          {inc.title}
        </h2>
        <span className={`pill inc-status inc-status-${inc.status}`} data-testid="wr-status">
          {inc.status}
        </span>
        <span className="muted ellipsis">commander {inc.commander}</span>
        <span className="toolbar-spacer" />
        <div className="inc-clock" data-testid="wr-clock">
          <div>
            <span className="muted">{room.live ? 'elapsed' : 'at this point'}</span>
            <strong className="tnum" data-testid="wr-elapsed">
              {formatDuration(secondsBetween(started, endMs))}
            </strong>
          </div>
          <div>
            <span className="muted">since last action</span>
            <strong className="tnum" data-testid="wr-since-action">
              {formatDuration(sinceAction)}
            </strong>
          </div>
        </div>
      </div>
      <ol className="inc-milestones" data-testid="wr-milestones">
        {inc.milestones.map((m) => (
          <MilestoneItem key={m.name} m={m} readonly={inc.readonly} atMs={atMs} />
        ))}
      </ol>
      <div className="inc-intervals muted tnum">
        detect {formatDuration(inc.intervals.timeToDetectS)} · acknowledge{' '}
        {formatDuration(inc.intervals.timeToAcknowledgeS)} · mitigate{' '}
        {formatDuration(inc.intervals.timeToMitigateS)} · resolve{' '}
        {formatDuration(inc.intervals.timeToResolveS)}
      </div>
    </header>
  );
}

/** An ISO time as the value of a datetime-local input, to the second, in the zone of the top bar's switch. */
function toZoneInput(iso: string | null): string {
  return toInputValue(iso ? Date.parse(iso) : Date.now(), timeZoneStore.getState().mode, true);
}

function MilestoneItem({ m, readonly, atMs }: { m: Milestone; readonly: boolean; atMs: number }) {
  const [editing, setEditing] = useState(false);
  const [when, setWhen] = useState(() => toZoneInput(m.at));
  const [reason, setReason] = useState('');
  const write = useIncident((s) => s.write);
  const reached = m.at !== null && Date.parse(m.at) <= atMs;
  const save = async () => {
    const ms = fromInputValue(when, timeZoneStore.getState().mode);
    if (ms === null || reason.trim().length === 0) return;
    if (await incidentStore.getState().correctMilestone(m.name, new Date(ms).toISOString(), reason.trim()))
      setEditing(false);
  };
  return (
    <li
      className={`inc-milestone${reached ? ' inc-milestone-reached' : ''}`}
      data-testid="milestone"
      data-name={m.name}
    >
      <div className="inc-milestone-name">
        {m.name}
        {m.corrected && (
          <span className="pill pill-warning" title={`${m.corrected.reason} (${m.corrected.by})`}>
            corrected
          </span>
        )}
      </div>
      <div className="inc-milestone-at tnum">{m.at ? formatClock(m.at) : 'not yet'}</div>
      <div className="inc-milestone-ev muted" title={m.evidence?.summary}>
        {m.evidence?.summary ?? (m.at ? '' : 'no evidence yet')}
      </div>
      {!readonly && !editing && (
        <button
          type="button"
          className="link-btn"
          onClick={() => setEditing(true)}
          data-testid="milestone-correct"
        >
          correct
        </button>
      )}
      {editing && (
        <form
          className="inc-correct"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <input
            className="input"
            type="datetime-local"
            step={1}
            value={when}
            onChange={(e) => setWhen(e.target.value)}
            aria-label={`${m.name} at (${inputZoneLabel(timeZoneStore.getState().mode)})`}
          />
          <input
            className="input"
            value={reason}
            maxLength={500}
            placeholder="Why (audited)"
            aria-label="Reason"
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="submit" className="btn btn-primary" disabled={reason.trim().length === 0}>
            Save
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => setEditing(false)}>
            Cancel
          </button>
          {write.status === 'error' && write.error && <ErrorPanel inline error={write.error} />}
        </form>
      )}
    </li>
  );
}
