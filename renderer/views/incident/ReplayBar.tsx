import { useState } from 'react';
import type { WarRoom } from '../../../shared/incident';
import { Banner } from '../../components/Banner';
import { ErrorPanel } from '../../components/ErrorPanel';
import { formatTimestamp } from '../../format';
import { incidentStore, useIncident } from '../../state';
import { captureExtent, SPEEDS, type Speed } from '../../state/incident';
import { ChangeList } from './Changes';

const st = () => incidentStore.getState();

/** Says plainly that this is a replay, of what, and from where; the sample offers to connect a cluster. */
export function ReplayBanner({ room }: { room: WarRoom }) {
  const fileName = useIncident((s) => s.fileNames[room.incident.id]);
  const inc = room.incident;
  if (inc.origin === 'sample')
    return (
      <Banner
        tone="info"
        testId="sample-banner"
        title={`This is a sample incident — Replay of ${inc.title}, from the bundled sample, read-only`}
        action={
          <a className="btn btn-primary" href="#/settings" data-testid="connect-cluster">
            Connect a cluster
          </a>
        }
      >
        Firebreak recorded it from its sandbox: a model revision rolls out, errors and latency rise, the alert
        fires, traffic moves to the fallback, the rollback, the recovery. Scrub it, diff two moments, export
        the postmortem.
      </Banner>
    );
  const from = inc.origin === 'file' ? `from the file ${fileName ?? 'opened'}` : 'from this console’s store';
  return (
    <Banner tone="info" testId="replay-banner" title={`Replay of ${inc.title} — ${from}, read-only`}>
      {inc.status === 'resolved' ? 'The incident is resolved: ' : ''}every panel shows the state at the
      scrubber’s position.
    </Banner>
  );
}

const fmt = (iso: string | null) => (iso ? formatTimestamp(iso) : '—');

/** Seek to any second of the capture, play at 1x–32x, step between entries, bookmarks, moments A and B. */
export function Scrubber({ room }: { room: WarRoom }) {
  const at = useIncident((s) => s.at);
  const playing = useIncident((s) => s.playing);
  const speed = useIncident((s) => s.speed);
  const bookmarks = useIncident((s) => s.bookmarks[room.incident.id]) ?? [];
  const a = useIncident((s) => s.diffA);
  const b = useIncident((s) => s.diffB);
  const [label, setLabel] = useState('');
  const { fromMs, toMs } = captureExtent(room);
  const value = Math.round(((at ? Date.parse(at) : toMs) - fromMs) / 1000);
  const max = Math.max(1, Math.round((toMs - fromMs) / 1000));
  const inside = (iso: string) => Date.parse(iso) >= fromMs && Date.parse(iso) <= toMs;
  const pct = (iso: string) => `${((Date.parse(iso) - fromMs) / (toMs - fromMs || 1)) * 100}%`;
  const marks = room.incident.milestones.filter((m) => m.at && inside(m.at));
  return (
    <section className="panel-card inc-replay" data-testid="replay-bar" aria-label="Replay">
      <div className="inc-replay-row">
        <button
          type="button"
          className="btn btn-primary inc-play"
          data-testid="replay-play"
          onClick={() => (playing ? st().pause() : st().play())}
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <div className="seg inc-speed" role="group" aria-label="Speed">
          {SPEEDS.map((s: Speed) => (
            <button
              key={s}
              type="button"
              className={`seg-btn${s === speed ? ' seg-on' : ''}`}
              aria-pressed={s === speed}
              onClick={() => st().setSpeed(s)}
            >
              {s}x
            </button>
          ))}
        </div>
        <button
          type="button"
          className="btn"
          onClick={() => st().step(-1)}
          data-testid="replay-prev"
          title="Previous timeline entry"
          aria-label="Previous timeline entry"
        >
          ◀
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => st().step(1)}
          data-testid="replay-next"
          title="Next timeline entry"
          aria-label="Next timeline entry"
        >
          ▶
        </button>
        <strong className="tnum inc-pos" data-testid="replay-position" title={fmt(at)}>
          {fmt(at).slice(11) || fmt(at)}
        </strong>
        <span className="toolbar-spacer" />
        <button type="button" className="btn" data-testid="set-a" onClick={() => st().setDiffPoint('A')}>
          Set A
        </button>
        <button type="button" className="btn" data-testid="set-b" onClick={() => st().setDiffPoint('B')}>
          Set B
        </button>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="run-diff"
          disabled={!a || !b}
          title={!a || !b ? 'Set A and B from the scrubber first' : undefined}
          onClick={() => void st().runDiff()}
        >
          Diff A → B
        </button>
      </div>
      <div className="inc-track">
        <input
          type="range"
          className="inc-range"
          min={0}
          max={max}
          step={1}
          value={Math.min(Math.max(value, 0), max)}
          aria-label="Replay position"
          aria-valuetext={fmt(at)}
          data-testid="replay-scrubber"
          onChange={(e) => st().seek(new Date(fromMs + Number(e.target.value) * 1000).toISOString())}
        />
        <div className="inc-track-marks" aria-hidden="true">
          {marks.map((m) => (
            <span
              key={m.name}
              className={`inc-track-mark inc-mark-${m.name}`}
              style={{ left: pct(m.at!) }}
              title={m.name}
            />
          ))}
          {bookmarks.map((bm) => (
            <span key={bm.at} className="inc-track-bookmark" style={{ left: pct(bm.at) }} title={bm.label} />
          ))}
          {a && (
            <span className="inc-track-ab" style={{ left: pct(a) }}>
              A
            </span>
          )}
          {b && (
            <span className="inc-track-ab" style={{ left: pct(b) }}>
              B
            </span>
          )}
        </div>
      </div>
      <div className="inc-replay-row inc-replay-foot">
        <span className="muted tnum">
          capture {fmt(room.capture.from)} – {fmt(room.capture.to)} · {room.capture.captures} captures
        </span>
        {(a || b) && (
          <span className="muted tnum" data-testid="diff-points">
            A {fmt(a)} · B {fmt(b)}
          </span>
        )}
        <span className="toolbar-spacer" />
        <form
          className="inc-bookmark-form"
          onSubmit={(e) => {
            e.preventDefault();
            st().addBookmark(label);
            setLabel('');
          }}
        >
          <input
            className="input"
            value={label}
            placeholder="Bookmark label"
            aria-label="Bookmark label"
            maxLength={80}
            onChange={(e) => setLabel(e.target.value)}
          />
          <button type="submit" className="btn" data-testid="bookmark-add">
            Bookmark
          </button>
        </form>
      </div>
      {bookmarks.length > 0 && (
        <ul className="inc-bookmarks" data-testid="bookmarks">
          {bookmarks.map((bm) => (
            <li key={bm.at} className="inc-bookmark">
              <button type="button" className="link-btn" onClick={() => st().seek(bm.at)}>
                {bm.label} · {fmt(bm.at).slice(11)}
              </button>
              <button
                type="button"
                className="btn btn-ghost inc-x"
                aria-label={`Remove bookmark ${bm.label}`}
                onClick={() => st().removeBookmark(bm.at)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** What changed between moments A and B (a timeline row's "diff" sets them too). */
export function MomentDiffPanel({ names }: { names: ReadonlyMap<string, string> }) {
  const diff = useIncident((s) => s.diff);
  if (diff.status === 'idle') return null;
  const d = diff.data;
  return (
    <section className="panel-card inc-diff" data-testid="moment-diff">
      <div className="section-row">
        <h2 className="section-title">
          What changed {d ? `${fmt(d.from)} → ${fmt(d.to)}` : ''}
          {d && (
            <span className="muted">
              {d.changes.length} of {d.compared} objects; captures {fmt(d.fromCapture)} → {fmt(d.toCapture)}
            </span>
          )}
        </h2>
        <span className="toolbar-spacer" />
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => incidentStore.setState({ diff: { status: 'idle' } })}
        >
          Close
        </button>
      </div>
      {diff.status === 'loading' && <p className="loading-line">Comparing…</p>}
      {diff.error && <ErrorPanel inline title="No diff" error={diff.error} />}
      {d && (
        <ChangeList
          changes={d.changes}
          names={names}
          testId="moment-diff-changes"
          empty="Nothing changed between these moments."
        />
      )}
    </section>
  );
}
