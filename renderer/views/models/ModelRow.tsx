import type { ModelService, MetricsStatus } from '../../../shared/models';
import { CopyButton } from '../../components/CopyButton';
import { Banner } from '../../components/Banner';
import { go } from '../../components/Shell';
import { Ticks } from '../../components/Ticks';
import {
  errorRatioSeverity,
  formatClock,
  formatCompact,
  formatPercent,
  healthSummary,
  replicaSeverity,
  replicaTitle,
  serverLabel,
  shortDigest,
  splitImage,
  NONE,
} from '../../format';
import { detailHash } from '../../state/modelDetail';

/** One model service in the list; the row opens its detail. */
export function ModelRow({
  model,
  rateKnown,
  asOf,
}: {
  model: ModelService;
  rateKnown: boolean;
  /** the rates are the copy saved at this time (Prometheus down): shown greyed, with their time */
  asOf?: string | undefined;
}) {
  const errSev = errorRatioSeverity(model.errorRatio);
  const stale = asOf !== undefined;
  const staleProps = stale
    ? { 'data-stale': 'true', title: `As of ${formatClock(asOf)}: Prometheus cannot be asked now` }
    : {};
  const repSev = replicaSeverity(model.replicas);
  const rowSev =
    errSev === 'critical' || repSev === 'critical' ? 'critical' : errSev === 'warning' ? 'warning' : '';
  return (
    <tr
      className={`row-link${rowSev ? ` row-${rowSev}` : ''}`}
      data-testid="model-row"
      data-model={model.name}
      onClick={() => {
        window.location.hash = detailHash(model.id);
      }}
    >
      <td className="col-model">
        <div className="model-cell" title={`${model.namespace}/${model.name}\nmodel: ${model.modelName}`}>
          <a
            className="model-name model-link"
            href={detailHash(model.id)}
            onClick={(e) => e.stopPropagation()}
          >
            {model.name}
          </a>
          <CopyButton text={model.name} what={`the name ${model.name}`} />
          <span className="model-ns">{model.namespace}</span>
        </div>
        {model.drained && <DrainedNote drained={model.drained} />}
      </td>
      <td className="col-server">
        <span className={`badge badge-${model.serverKind}`}>{serverLabel(model.serverKind)}</span>
      </td>
      <td className="col-workload muted">{model.workloadKind}</td>
      <td
        className={`col-replicas num tnum sev-${repSev}`}
        title={replicaTitle(model.replicas)}
        data-testid="replicas"
      >
        {model.replicas.ready}
        <span className="sep">/</span>
        {model.replicas.desired}
      </td>
      <td className="col-health">
        <HealthCell model={model} />
      </td>
      <td className="col-image">
        <ImageCell image={model.image} />
      </td>
      <td
        className={`col-rate num tnum${stale ? ' stale-value' : ''}`}
        data-testid="request-rate"
        {...staleProps}
      >
        {rateKnown ? <Rate value={model.requestRate} /> : <span className="muted">{NONE}</span>}
      </td>
      <td
        className={`col-errors num tnum sev-${rateKnown && !stale ? errSev : 'none'}${stale ? ' stale-value' : ''}`}
        data-testid="error-ratio"
        {...staleProps}
      >
        {rateKnown ? <ErrorRatio value={model.errorRatio} /> : <span className="muted">{NONE}</span>}
      </td>
    </tr>
  );
}

function HealthCell({ model }: { model: ModelService }) {
  const h = healthSummary(model);
  if (!h) return <span className="muted">{NONE}</span>;
  return (
    <span className={`health-note sev-${h.severity}`} title={h.title} data-testid="health">
      {h.text}
    </span>
  );
}

function Rate({ value }: { value: number | null }) {
  if (value === null) return <span className="muted">{NONE}</span>;
  return (
    <>
      {formatCompact(value)}
      <span className="unit">/s</span>
    </>
  );
}

function ErrorRatio({ value }: { value: number | null }) {
  if (value === null)
    return (
      <span className="muted" title="No traffic in the last 5 minutes">
        {NONE}
      </span>
    );
  const sev = errorRatioSeverity(value);
  return (
    <span className={sev === 'critical' ? 'pill pill-critical' : undefined}>{formatPercent(value)}</span>
  );
}

/** Traffic moved away: not healthy, only quiet; its last error ratio while it served says how it was. */
function DrainedNote({ drained }: { drained: NonNullable<ModelService['drained']> }) {
  const last = drained.lastErrorRatio;
  return (
    <div
      className="drained-note sev-warning"
      data-testid="drained-marker"
      title={`Its routes give it no traffic; ${drained.fallbacks.join(', ')} carries it.${
        last !== null ? ` Last error ratio while it served: ${formatPercent(last)}.` : ''
      }`}
    >
      drained, fallback active{last !== null ? ` (was ${formatPercent(last)})` : ''}
    </div>
  );
}

function ImageCell({ image }: { image: string | null }) {
  if (!image) return <span className="muted">{NONE}</span>;
  const { modelSource, repository, tag, digest } = splitImage(image);
  if (modelSource)
    return (
      <span
        className="image"
        title={`Model format ${modelSource.format}, loaded from ${modelSource.storageUri}`}
      >
        <span className="image-repo image-format">{modelSource.format}</span>
        <span className="image-source">{modelSource.storageUri}</span>
      </span>
    );
  return (
    <span className="image" title={image}>
      <span className="image-repo">{repository}</span>
      {tag && <span className="image-tag">:{tag}</span>}
      {digest && <span className="image-digest">@{shortDigest(digest)}</span>}
    </span>
  );
}

/** Why the rates are missing (Prometheus not configured, unreachable, or no series). */
export function MetricsBanner({ metrics }: { metrics: MetricsStatus }) {
  if (metrics.status === 'not_configured')
    return (
      <Banner
        tone="info"
        testId="metrics-banner"
        title="Add a Prometheus URL in Settings to see live request and error rates"
        action={
          <button type="button" className="btn btn-ghost" onClick={() => go('settings')}>
            Open Settings
          </button>
        }
      />
    );
  if (metrics.status === 'error' && metrics.asOf)
    return (
      <Banner
        tone="warning"
        testId="metrics-banner"
        title={`Prometheus cannot be asked: rates shown greyed as of ${formatClock(metrics.asOf)} (${metrics.error.message})`}
        code={metrics.error.code}
        action={
          <button type="button" className="btn btn-ghost" onClick={() => go('settings')}>
            Check settings
          </button>
        }
      >
        <Ticks text={metrics.error.hint} />
      </Banner>
    );
  if (metrics.status === 'error')
    return (
      <Banner
        tone="critical"
        testId="metrics-banner"
        title={`Request and error rates unavailable: ${metrics.error.message}`}
        code={metrics.error.code}
        action={
          <button type="button" className="btn btn-ghost" onClick={() => go('settings')}>
            Check settings
          </button>
        }
      >
        <Ticks text={metrics.error.hint} />
      </Banner>
    );
  return null;
}
