import { useEffect, useRef, useState } from 'react';
import type { CaptureGap, TimelineEntry, TimelineSource } from '../../../shared/incident';
import { formatClock, formatTimestamp } from '../../format';
import { incidentStore, useIncident } from '../../state';
import { modelName } from './Changes';

export const ROW_H = 28;
const OVERSCAN = 10;
const SOURCES: TimelineSource[] = ['change', 'event', 'alert', 'action', 'note', 'changepoint', 'milestone'];

const time = (iso: string) => formatClock(iso);

/** The gap that lies between two rows' times, if any: drawn as a break above the later row. */
function gapBefore(gaps: readonly CaptureGap[], prev: TimelineEntry | undefined, row: TimelineEntry) {
  if (!prev) return null;
  const a = Date.parse(prev.at);
  const b = Date.parse(row.at);
  return gaps.find((g) => Date.parse(g.from) >= a && Date.parse(g.to) <= b) ?? null;
}

/**
 * One timeline on one clock: changes, events, alerts, actions, notes, change-points. A fixed-row-height
 * virtual list: only the rows in view (and a few either side) are in the page, so 100,000 entries scroll as
 * 30 do; pages of rows are read as they come into view.
 */
export function Timeline({
  cursorEntryId,
  names,
  onDiff,
  onSeek,
  height = 420,
}: {
  cursorEntryId: number | null;
  names: ReadonlyMap<string, string>;
  onDiff: (entry: TimelineEntry) => void;
  onSeek?: (at: string) => void;
  height?: number;
}) {
  const tl = useIncident((s) => s.timeline);
  // a short timeline takes only the room it needs
  height = Math.min(height, Math.max(tl.total, 4) * ROW_H + 2);
  const filters = useIncident((s) => s.filters);
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
  const last = Math.min(tl.total, Math.ceil((top + height) / ROW_H) + OVERSCAN);

  useEffect(() => {
    if (tl.total > 0) void incidentStore.getState().ensureRows(first, last);
  }, [first, last, tl.total]);

  // the replay's cursor stays in view when it moves (when its row is loaded)
  useEffect(() => {
    if (cursorEntryId === null || !box.current) return;
    for (const [i, e] of tl.rows)
      if (e.id === cursorEntryId) {
        const y = i * ROW_H;
        const el = box.current;
        if (y < el.scrollTop || y > el.scrollTop + el.clientHeight - ROW_H)
          el.scrollTop = Math.max(0, y - el.clientHeight / 2);
        break;
      }
  }, [cursorEntryId, tl.rows]);

  const toggleSource = (s: TimelineSource) =>
    incidentStore.getState().setFilters({
      sources: filters.sources.includes(s) ? filters.sources.filter((x) => x !== s) : [...filters.sources, s],
    });
  const toggleModel = (m: string) =>
    incidentStore.getState().setFilters({
      models: filters.models.includes(m) ? filters.models.filter((x) => x !== m) : [...filters.models, m],
    });

  const rows: React.JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const e = tl.rows.get(i);
    const style = { top: i * ROW_H, height: ROW_H };
    if (!e) {
      rows.push(<div key={`p${i}`} className="tl-row tl-placeholder" style={style} />);
      continue;
    }
    const gap = gapBefore(tl.gaps, tl.rows.get(i - 1), e);
    const cursor = e.id === cursorEntryId;
    rows.push(
      <div
        key={e.id}
        className={`tl-row tl-${e.tone}${cursor ? ' tl-cursor' : ''}${gap ? ' tl-after-gap' : ''}`}
        style={style}
        data-testid="tl-row"
        data-source={e.source}
        data-cursor={cursor ? 'true' : undefined}
        title={gap ? `No capture ${time(gap.from)}–${time(gap.to)}: ${gap.reason}` : undefined}
      >
        <button
          type="button"
          className="tl-time tnum"
          onClick={() => onSeek?.(e.at)}
          disabled={!onSeek}
          title={onSeek ? 'Replay from here' : formatTimestamp(e.at)}
        >
          {time(e.at)}
        </button>
        <span className={`tl-source tl-source-${e.source}`}>{e.source}</span>
        <span className="tl-summary" title={e.summary}>
          {e.summary}
          {e.count > 1 && <span className="muted"> (x{e.count})</span>}
        </span>
        {e.model && <span className="tl-model muted">{modelName(names, e.model)}</span>}
        {e.diff && (
          <button type="button" className="link-btn" data-testid="tl-diff" onClick={() => onDiff(e)}>
            diff
          </button>
        )}
      </div>,
    );
  }

  return (
    <section className="panel-card inc-timeline" data-testid="inc-timeline">
      <div className="section-row">
        <h2 className="section-title">
          Timeline <span className="muted tnum">{tl.total} entries</span>
        </h2>
        {tl.gaps.length > 0 && (
          <span className="sev-warning" data-testid="tl-gaps">
            {tl.gaps.length} gap{tl.gaps.length === 1 ? '' : 's'} in capture
          </span>
        )}
      </div>
      <div className="tl-filters" role="group" aria-label="Filter the timeline">
        {SOURCES.filter((s) => (tl.facets.sources[s] ?? 0) > 0 || filters.sources.includes(s)).map((s) => (
          <button
            key={s}
            type="button"
            className={`tl-chip${filters.sources.includes(s) ? ' tl-chip-on' : ''}`}
            aria-pressed={filters.sources.includes(s)}
            data-testid={`tl-filter-${s}`}
            onClick={() => toggleSource(s)}
          >
            {s} <span className="tnum">{tl.facets.sources[s] ?? 0}</span>
          </button>
        ))}
        {Object.entries(tl.facets.models).map(([m, n]) => (
          <button
            key={m}
            type="button"
            className={`tl-chip${filters.models.includes(m) ? ' tl-chip-on' : ''}`}
            aria-pressed={filters.models.includes(m)}
            onClick={() => toggleModel(m)}
            title={m}
          >
            {modelName(names, m)} <span className="tnum">{n}</span>
          </button>
        ))}
      </div>
      {tl.status === 'error' && tl.error && <p className="sev-critical">{tl.error.message}</p>}
      <div
        ref={box}
        className="tl-scroll"
        style={{ height }}
        onScroll={(e) => setTop(e.currentTarget.scrollTop)}
        data-testid="tl-scroll"
      >
        <div className="tl-space" style={{ height: tl.total * ROW_H }}>
          {rows}
        </div>
        {tl.status === 'ready' && tl.total === 0 && (
          <p className="muted tl-empty">Nothing on the timeline.</p>
        )}
      </div>
    </section>
  );
}
