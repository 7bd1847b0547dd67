import { NOW_LABEL, type ModelTile } from '../../../shared/health';
import type { ServiceRef } from '../../../shared/models';
import { Sparkline } from '../../charts/Sparkline';
import { formatValue } from '../../charts/format';
import { serverLabel } from '../../format';
import { declareForModel } from '../incident/declareFrom';

/** `#/health?model=<id>`: the tile list and links choose the model by the hash. */
function selectModel(id: string): void {
  window.location.hash = `#/health?model=${encodeURIComponent(id)}`;
}

/** The worst first: the commander looks at the top of the list. */
export function score(t: ModelTile | undefined): number {
  if (!t) return -1;
  return (t.now.errorRatio ?? 0) * 100 + (t.error ? 0.5 : 0);
}

/** One model service in the list: its request rate, errors and latency, with the last hour as sparklines. */
export function ModelTileButton({
  service,
  name,
  namespace,
  tile,
  selected,
}: {
  service: ServiceRef;
  name: string;
  namespace: string;
  tile: ModelTile | undefined;
  selected: boolean;
}) {
  const err = tile?.now.errorRatio ?? null;
  const tone = err !== null && err >= 0.05 ? 'critical' : err !== null && err >= 0.01 ? 'warning' : 'accent';
  return (
    <>
      <button
        type="button"
        className={`tile${selected ? ' tile-on' : ''}${tone === 'critical' ? ' tile-critical' : ''}`}
        aria-current={selected ? 'true' : undefined}
        onClick={() => selectModel(service.id)}
        data-testid="model-tile"
        data-model={name}
      >
        <div className="tile-head">
          <span className="tile-name">{name}</span>
          <span className={`badge badge-${tile?.serverKind ?? service.serverKind}`}>
            {serverLabel(tile?.serverKind ?? service.serverKind)}
          </span>
        </div>
        <div className="tile-ns muted">{namespace}</div>
        {tile?.error ? (
          <div className="tile-error">{tile.error}</div>
        ) : (
          <div className="tile-metrics">
            <TileMetric
              label="req/s"
              value={formatValue('reqps', tile?.now.requestRate)}
              spark={tile?.spark.requests ?? []}
            />
            <TileMetric
              label="errors"
              value={formatValue('ratio', tile?.now.errorRatio)}
              spark={tile?.spark.errorRatio ?? []}
              tone={tone}
            />
            <TileMetric
              label={tile?.now.latencyIsMean ? 'mean' : 'p95'}
              value={formatValue('seconds', tile?.now.p95)}
              spark={tile?.spark.p95 ?? []}
            />
          </div>
        )}
      </button>
      {tone === 'critical' && (
        <button
          type="button"
          className="btn btn-ghost tile-declare"
          data-testid="declare-from-tile"
          title={`${name} is paging: declare an incident for it`}
          onClick={() => declareForModel(service.id, name)}
        >
          Declare incident for {name}
        </button>
      )}
    </>
  );
}

function TileMetric({
  label,
  value,
  spark,
  tone = 'accent',
}: {
  label: string;
  value: string;
  spark: Array<number | null>;
  tone?: 'accent' | 'critical' | 'warning';
}) {
  return (
    <div className="tile-metric" title={`${label}: ${NOW_LABEL}; the sparkline is the last hour`}>
      <span className="tile-metric-label">{label}</span>
      <span className={`tile-metric-value tnum${tone !== 'accent' ? ` sev-${tone}` : ''}`}>{value}</span>
      <Sparkline values={spark} tone={tone} label={`${label}, last hour`} />
    </div>
  );
}
