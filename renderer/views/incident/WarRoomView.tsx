import { useEffect, useMemo } from 'react';
import type { TimelineEntry } from '../../../shared/incident';
import { Banner } from '../../components/Banner';
import { ErrorPanel } from '../../components/ErrorPanel';
import { actionsStore } from '../../state/actions';
import { incidentStore, useIncident } from '../../state';
import { ChangeList } from './Changes';
import { AlertsPanel, HealthTiles } from './HealthTiles';
import { IncidentCharts } from './IncidentCharts';
import { IncidentFiles } from './IncidentFiles';
import { MomentDiffPanel, ReplayBanner, Scrubber } from './ReplayBar';
import { Timeline } from './Timeline';
import { WarRoomActions } from './WarRoomActions';
import { WarRoomHeader } from './WarRoomHeader';
import '../../components/metrics.css';

const showDiff = (from: string, to: string) => {
  void incidentStore
    .getState()
    .runDiff(from, to)
    .then(() => document.querySelector('[data-testid="moment-diff"]')?.scrollIntoView({ block: 'nearest' }));
};

/** One screen per incident: live (pushed over `incident.live`) or replayed at the scrubber's position. */
export function WarRoomView({ id, at }: { id: string; at: string | null }) {
  const room = useIncident((s) => s.room);
  const live = useIncident((s) => s.live);
  const liveError = useIncident((s) => s.liveError);
  const position = useIncident((s) => s.at);

  useEffect(() => {
    void incidentStore.getState().open(id, at);
    return () => incidentStore.getState().close();
  }, [id, at]);

  // an action from the war room shows on the timeline as soon as the recorder has it
  useEffect(
    () =>
      actionsStore.onSettled(() => {
        const s = incidentStore.getState();
        if (s.currentId === id && s.room.data?.live) void s.refreshTimeline();
      }),
    [id],
  );

  const data = room.data;
  const names = useMemo(() => new Map((data?.tiles ?? []).map((t) => [t.serviceId, t.name])), [data?.tiles]);

  if (!data)
    return (
      <div className="view view-scroll warroom" data-testid="warroom">
        {room.error ? (
          <div className="view-center">
            <ErrorPanel
              title="The war room could not be opened"
              error={room.error}
              onRetry={() => void incidentStore.getState().open(id, at)}
            />
          </div>
        ) : (
          <div className="loading-line">Opening the war room…</div>
        )}
      </div>
    );

  const replay = !data.live;
  const onDiff = (e: TimelineEntry) => e.diff && showDiff(e.diff.from, e.diff.to);
  return (
    <div
      className="view view-scroll warroom"
      data-testid="warroom"
      data-live={data.live ? 'true' : 'false'}
      data-origin={data.incident.origin}
    >
      {replay && <ReplayBanner room={data} />}
      {live === 'stopped' && liveError && (
        <Banner tone="warning" title={`Live updates stopped: ${liveError.message}`} code={liveError.code}>
          {liveError.hint}
        </Banner>
      )}
      {room.error && (
        <Banner
          tone="warning"
          title={`Showing the last position read: ${room.error.message}`}
          code={room.error.code}
        />
      )}
      <WarRoomHeader room={data} position={position} />
      {replay && <Scrubber room={data} />}
      <MomentDiffPanel names={names} />
      <div className="wr-grid">
        <div className="wr-main">
          <HealthTiles room={data} />
          <Timeline
            cursorEntryId={data.cursorEntryId}
            names={names}
            onDiff={onDiff}
            {...(replay ? { onSeek: (t: string) => incidentStore.getState().seek(t) } : {})}
          />
          <section className="panel-card" data-testid="changes-before">
            <h2 className="section-title">
              What changed before it started
              <span className="muted">30 minutes before the first SLI breach, ranked</span>
            </h2>
            <ChangeList
              changes={data.changes}
              names={names}
              testId="ranked-changes"
              onDiff={(c) => c.diff && showDiff(c.diff.from, c.diff.to)}
              empty="No change to the involved models in the 30 minutes before it started."
            />
          </section>
        </div>
        <div className="wr-side">
          <WarRoomActions room={data} />
          <AlertsPanel room={data} />
          <IncidentCharts room={data} position={position} />
          <IncidentFiles id={id} />
        </div>
      </div>
    </div>
  );
}
