import { NOW_LABEL } from '../../../shared/health';
import type { WarRoom, WarRoomTile } from '../../../shared/incident';
import { formatValue } from '../../charts/format';
import { errorRatioSeverity, formatRate, formatTimestamp, NONE } from '../../format';
import { useModels } from '../../state';

/** The captured tiles are the same 5-minute rates as every "now" figure, at the cursor's minute. */
const NOW_WINDOW_TEXT = '5-min rates';

/** Per involved model and its fallback: the figures a commander reads first; a breaching tile is red. */
export function HealthTiles({ room }: { room: WarRoom }) {
  const models = useModels((s) => s.list.data?.models);
  return (
    <div className="inc-tiles" data-testid="inc-tiles">
      {room.tiles.map((t) => {
        // live, before the recorder's first series: the Models list's own figures of now, said so
        const m =
          room.live && t.requestRate === null && t.errorRatio === null
            ? models?.find((x) => x.id === t.serviceId)
            : undefined;
        const tile =
          m && (m.requestRate !== null || m.errorRatio !== null)
            ? { ...t, requestRate: m.requestRate, errorRatio: m.errorRatio }
            : t;
        return <Tile key={t.serviceId} tile={tile} fromList={tile !== t} />;
      })}
      {room.tiles.length === 0 && <p className="muted">No model services are involved.</p>}
    </div>
  );
}

function Tile({ tile, fromList }: { tile: WarRoomTile; fromList: boolean }) {
  const err = errorRatioSeverity(tile.errorRatio);
  // the objective's verdict, or (before one is captured) errors in the red band
  const breaching = tile.breaching || (fromList && err === 'critical');
  const replicasShort = tile.replicas !== null && tile.replicas.ready < tile.replicas.desired;
  return (
    <section
      className={`inc-tile${breaching ? ' inc-tile-breaching' : ''}`}
      data-testid="inc-tile"
      data-model={tile.name}
      data-breaching={breaching ? 'true' : undefined}
      aria-label={`${tile.name}${breaching ? ', breaching its objective' : ''}`}
    >
      <header className="inc-tile-head">
        <span className="inc-tile-name ellipsis" title={tile.serviceId}>
          {tile.name}
        </span>
        <span className={`pill ${tile.role === 'fallback' ? 'pill-muted' : ''}`}>{tile.role}</span>
        {breaching && <span className="pill pill-critical">breaching</span>}
      </header>
      <dl className="inc-tile-grid">
        <Figure label="Requests" testId="tile-rate" value={formatRate(tile.requestRate)} />
        <Figure
          label="Errors"
          testId="tile-errors"
          value={formatValue('ratio', tile.errorRatio)}
          tone={err === 'critical' || err === 'warning' ? err : undefined}
        />
        <Figure label="p95" testId="tile-p95" value={formatValue('seconds', tile.p95)} />
        <Figure label="GPU use" testId="tile-gpu" value={formatValue('percent', tile.gpuUtil)} />
        <Figure
          label="Cost / 1k"
          testId="tile-cost"
          value={tile.costPer1k !== null ? `$${tile.costPer1k}` : NONE}
        />
        <Figure
          label="Ready"
          testId="tile-replicas"
          value={tile.replicas ? `${tile.replicas.ready}/${tile.replicas.desired}` : NONE}
          tone={replicasShort ? 'critical' : undefined}
        />
        <Figure
          label="Traffic"
          testId="tile-share"
          value={tile.trafficShare !== null ? formatValue('ratio', tile.trafficShare) : 'no route'}
        />
      </dl>
      <div className="inc-tile-image mono ellipsis" title={tile.image ?? undefined} data-testid="tile-image">
        {tile.image ?? 'image not known'}
      </div>
      {fromList ? (
        <div className="inc-tile-asof muted">
          requests and errors: the Models list now, {NOW_LABEL} (not yet captured)
        </div>
      ) : (
        tile.asOf && (
          <div className="inc-tile-asof muted">
            {NOW_WINDOW_TEXT} to {formatTimestamp(tile.asOf)}
          </div>
        )
      )}
    </section>
  );
}

function Figure({
  label,
  value,
  tone,
  testId,
}: {
  label: string;
  value: string;
  tone?: 'warning' | 'critical';
  testId: string;
}) {
  return (
    <div className="inc-fig">
      <dt>{label}</dt>
      <dd className={`tnum${tone ? ` sev-${tone}` : ''}`} data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

/** The alerts of the incident at this moment: firing first. */
export function AlertsPanel({ room }: { room: WarRoom }) {
  const order = { firing: 0, silenced: 1, resolved: 2 } as const;
  const alerts = [...room.alerts].sort((a, b) => order[a.state] - order[b.state]);
  const firing = alerts.filter((a) => a.state === 'firing').length;
  return (
    <section className="panel-card inc-alerts" data-testid="inc-alerts">
      <div className="section-row">
        <h2 className="section-title">Alerts</h2>
        <span className={firing ? 'sev-critical' : 'muted'}>{firing} firing</span>
      </div>
      {alerts.length === 0 && <p className="muted">No linked alert.</p>}
      <ul className="inc-alert-list">
        {alerts.map((a) => (
          <li key={a.fingerprint} className={`inc-alert inc-alert-${a.state}`} data-testid="inc-alert">
            <span
              className={`dot dot-${a.state === 'firing' ? 'critical' : a.state === 'silenced' ? 'muted' : 'ok'}`}
            />
            <span className="inc-alert-name">{a.name}</span>
            <span className="muted">
              {a.state} since {formatTimestamp(a.state === 'resolved' && a.endsAt ? a.endsAt : a.startsAt)}
            </span>
            {a.summary && <div className="inc-alert-summary">{a.summary}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
