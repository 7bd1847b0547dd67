/**
 * The PromQL catalogue per model server: for each server kind, how to get a model's request rate, error
 * rate, latency (histogram quantiles, or a mean where the server has no histogram), in-flight requests and
 * token throughput, from the metric names the server really exposes (REFERENCE.md, "Model servers").
 *
 * A model is selected by its pods (`namespace="llm",pod=~"llama-70b-chat-[a-z0-9]+-[a-z0-9]+"`), so one
 * catalogue entry serves every model of a kind, and the PromQL a chart shows is exactly what ran. Which
 * families exist is detected from the metric names present for those pods, so a user writes no PromQL to
 * start; an override per model service replaces any part.
 */
import { type ModelServerKind, parseServiceId, type ServiceRef } from '../../shared/models';
import { type CatalogueOverride, type SliName } from '../../shared/health';

/** A query for a rate window such as `5m`. */
export type WindowedQuery = (window: string) => string;

export type LatencySource =
  /** a Prometheus histogram: `<name>_bucket` with `le` in the histogram's unit */
  | { kind: 'histogram'; bucket: string; toSeconds: number }
  /** only a mean is available (cumulative duration / count) */
  | { kind: 'mean'; mean: WindowedQuery };

export interface ModelQueries {
  kind: ModelServerKind;
  selector: string;
  /** all requests per second */
  requests: WindowedQuery | null;
  /** failed (5xx / server failure) requests per second */
  errors: WindowedQuery | null;
  latency: LatencySource | null;
  /** requests in flight; `estimated` = from latency by Little's law (rate of the latency sum) */
  inflight: { query: WindowedQuery; estimated: boolean } | null;
  /** LLM token throughput: generated (and prompt) tokens per second */
  tokens: { generation: WindowedQuery; prompt: WindowedQuery | null } | null;
  notes: string[];
}

const has = (present: ReadonlySet<string>, ...names: string[]) => names.some((n) => present.has(n));

/** Regex-escapes a Kubernetes name for a PromQL `=~` matcher (inside a double-quoted string). */
function re(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`);
}

/**
 * The pod selector of a model service: pods that a workload of that kind names `<name>-…`.
 * Deployment and Rollout pods are `<name>-<template hash>-<suffix>`; StatefulSet pods `<name>-<ordinal>`;
 * KServe predictor pods `<name>-predictor-…`.
 */
export function podSelector(service: Pick<ServiceRef, 'id'>): string {
  const { namespace, kind, name } = parseServiceId(service.id);
  const n = re(name);
  const pod =
    kind === 'StatefulSet'
      ? `${n}-[0-9]+`
      : kind === 'InferenceService'
        ? `${n}-predictor-.+`
        : kind === 'DaemonSet'
          ? `${n}-[a-z0-9]+`
          : `${n}-[a-z0-9]+-[a-z0-9]+`;
  return `namespace="${namespace}",pod=~"${pod}"`;
}

/** Which server the metric names say (null: none of the known families is present). */
export function detectServerKind(present: ReadonlySet<string>): {
  kind: ModelServerKind | null;
  reason: string;
} {
  const names = [...present];
  const vllm = names.find((n) => n.startsWith('vllm:'));
  if (vllm) return { kind: 'vllm', reason: `vLLM metrics found (${vllm})` };
  if (has(present, 'nv_inference_request_success', 'nv_inference_count'))
    return { kind: 'triton', reason: 'Triton metrics found (nv_inference_request_success)' };
  if (has(present, 'ts_inference_requests_total', 'ts_inference_latency_microseconds'))
    return { kind: 'torchserve', reason: 'TorchServe metrics found (ts_inference_requests_total)' };
  if (has(present, 'model_infer_request_success', 'model_infer_request_failure'))
    return { kind: 'mlserver', reason: 'MLServer metrics found (model_infer_request_success)' };
  if (names.some((n) => n.startsWith('ray_serve_')))
    return { kind: 'rayserve', reason: 'Ray Serve metrics found (ray_serve_*)' };
  if (has(present, 'request_predict_seconds_count', 'request_predict_seconds_bucket'))
    return { kind: 'kserve', reason: 'KServe model server metrics found (request_predict_seconds)' };
  if (has(present, 'revision_request_count', 'kn_serving_invocation_duration_seconds_count'))
    return { kind: 'knative', reason: 'Knative queue-proxy metrics found' };
  if (
    has(
      present,
      'http_requests_total',
      'http_server_requests_seconds_count',
      'http_request_duration_seconds_count',
    )
  )
    return { kind: 'generic', reason: 'generic HTTP server metrics found' };
  return { kind: null, reason: 'none of the known model server metrics exist for these pods' };
}

const sumRate =
  (metric: string, sel: string, extra = '') =>
  (w: string) =>
    `sum(rate(${metric}{${sel}${extra ? `,${extra}` : ''}}[${w}]))`;
const either = (...qs: Array<WindowedQuery | null>): WindowedQuery | null => {
  const list = qs.filter((q): q is WindowedQuery => q !== null);
  if (list.length === 0) return null;
  if (list.length === 1) return list[0]!;
  return (w) => list.map((q) => q(w)).join(' or ');
};

/** Knative's queue-proxy, old names (revision_request_count, ms latencies) or new (kn_serving_invocation_…). */
function knative(sel: string, present: ReadonlySet<string>, all: boolean) {
  const oldNames = all || has(present, 'revision_request_count');
  const newNames = all || has(present, 'kn_serving_invocation_duration_seconds_count');
  return {
    requests: either(
      oldNames ? sumRate('revision_request_count', sel) : null,
      newNames ? sumRate('kn_serving_invocation_duration_seconds_count', sel) : null,
    ),
    errors: either(
      oldNames ? sumRate('revision_request_count', sel, 'response_code_class="5xx"') : null,
      newNames
        ? sumRate('kn_serving_invocation_duration_seconds_count', sel, 'http_response_status_code=~"5.."')
        : null,
    ),
    latency: (newNames && has(present, 'kn_serving_invocation_duration_seconds_bucket')
      ? { kind: 'histogram', bucket: 'kn_serving_invocation_duration_seconds_bucket', toSeconds: 1 }
      : oldNames
        ? { kind: 'histogram', bucket: 'revision_request_latencies_bucket', toSeconds: 0.001 }
        : null) as LatencySource | null,
  };
}

/**
 * The queries for one model service. `present` = metric names that exist for its pods (from detection);
 * an empty set means "unknown": every alternative is queried (joined with `or`).
 */
export function buildQueries(
  service: ServiceRef,
  present: ReadonlySet<string>,
  override: CatalogueOverride | null = null,
): ModelQueries & { detected: ModelServerKind | null; reason: string } {
  const detection = present.size
    ? detectServerKind(present)
    : { kind: null, reason: 'metric names not checked' };
  const kind: ModelServerKind = override?.serverKind ?? detection.kind ?? service.serverKind;
  const reason = override?.serverKind
    ? `set by an override (${override.serverKind})`
    : detection.kind
      ? detection.reason
      : `${detection.reason}; using what discovery said (${service.serverKind})`;
  const sel = override?.selector ?? podSelector(service);
  const all = present.size === 0;
  const p = (...names: string[]) => all || has(present, ...names);
  const notes: string[] = [];

  let q: Omit<ModelQueries, 'kind' | 'selector' | 'notes'>;
  switch (kind) {
    case 'vllm': {
      const http = p('http_requests_total');
      q = {
        // vLLM's OpenAI server counts every request with its status; vLLM's own counter only the successful ones
        requests: either(
          http ? sumRate('http_requests_total', sel, 'handler=~"/v1/.*"') : null,
          sumRate('vllm:request_success_total', sel),
        ),
        errors: http ? sumRate('http_requests_total', sel, 'handler=~"/v1/.*",status=~"5.*"') : null,
        latency: { kind: 'histogram', bucket: 'vllm:e2e_request_latency_seconds_bucket', toSeconds: 1 },
        inflight: p('vllm:num_requests_running')
          ? { query: () => `sum(vllm:num_requests_running{${sel}})`, estimated: false }
          : null,
        tokens: {
          generation: sumRate('vllm:generation_tokens_total', sel),
          prompt: sumRate('vllm:prompt_tokens_total', sel),
        },
      };
      if (!http)
        notes.push(
          'No http_requests_total for these pods: failures are not counted (vLLM counts only successes).',
        );
      break;
    }
    case 'triton': {
      const total = (w: string) =>
        `(sum(rate(nv_inference_request_success{${sel}}[${w}])) + sum(rate(nv_inference_request_failure{${sel}}[${w}])))`;
      q = {
        requests: total,
        errors: sumRate('nv_inference_request_failure', sel),
        latency: p('nv_inference_request_duration_us')
          ? {
              kind: 'mean',
              mean: (w) => `sum(rate(nv_inference_request_duration_us{${sel}}[${w}])) / ${total(w)} / 1e6`,
            }
          : null,
        inflight: p('nv_inference_pending_request_count')
          ? { query: () => `sum(nv_inference_pending_request_count{${sel}})`, estimated: false }
          : {
              query: (w) => `sum(rate(nv_inference_request_duration_us{${sel}}[${w}])) / 1e6`,
              estimated: true,
            },
        tokens: null,
      };
      notes.push(
        'Triton exposes cumulative durations, not a histogram: latency is the mean, not percentiles.',
      );
      break;
    }
    case 'kserve': {
      const kn = knative(sel, present, all);
      const predict = p('request_predict_seconds_count', 'request_predict_seconds_bucket');
      q = {
        requests: either(kn.requests, predict ? sumRate('request_predict_seconds_count', sel) : null),
        errors: kn.errors,
        latency: predict
          ? { kind: 'histogram', bucket: 'request_predict_seconds_bucket', toSeconds: 1 }
          : kn.latency,
        inflight: predict ? { query: sumRate('request_predict_seconds_sum', sel), estimated: true } : null,
        tokens: null,
      };
      if (!kn.errors)
        notes.push('No Knative queue-proxy metrics (RawDeployment mode?): failures are not counted.');
      break;
    }
    case 'knative': {
      const kn = knative(sel, present, all);
      q = { requests: kn.requests, errors: kn.errors, latency: kn.latency, inflight: null, tokens: null };
      break;
    }
    case 'torchserve':
      q = {
        requests: sumRate('ts_inference_requests_total', sel),
        errors: null,
        latency: {
          kind: 'mean',
          mean: (w) =>
            `sum(rate(ts_inference_latency_microseconds{${sel}}[${w}])) / sum(rate(ts_inference_requests_total{${sel}}[${w}])) / 1e6`,
        },
        inflight: {
          query: (w) => `sum(rate(ts_inference_latency_microseconds{${sel}}[${w}])) / 1e6`,
          estimated: true,
        },
        tokens: null,
      };
      notes.push(
        'TorchServe counts requests without a status and latency as a cumulative sum: no error ratio, mean latency.',
      );
      break;
    case 'mlserver': {
      const total = (w: string) =>
        `(sum(rate(model_infer_request_success{${sel}}[${w}])) + sum(rate(model_infer_request_failure{${sel}}[${w}])))`;
      q = {
        requests: total,
        errors: sumRate('model_infer_request_failure', sel),
        latency: p('rest_server_requests_duration_seconds_bucket')
          ? { kind: 'histogram', bucket: 'rest_server_requests_duration_seconds_bucket', toSeconds: 1 }
          : null,
        inflight: p('rest_server_requests_duration_seconds_sum')
          ? { query: sumRate('rest_server_requests_duration_seconds_sum', sel), estimated: true }
          : null,
        tokens: null,
      };
      break;
    }
    case 'rayserve':
      q = {
        requests: sumRate('ray_serve_deployment_request_counter_total', sel),
        errors: sumRate('ray_serve_deployment_error_counter_total', sel),
        latency: {
          kind: 'histogram',
          bucket: 'ray_serve_deployment_processing_latency_ms_bucket',
          toSeconds: 0.001,
        },
        inflight: p('ray_serve_replica_processing_queries')
          ? { query: () => `sum(ray_serve_replica_processing_queries{${sel}})`, estimated: false }
          : null,
        tokens: null,
      };
      break;
    case 'generic':
    default: {
      q = {
        requests: sumRate('http_requests_total', sel),
        errors: either(
          p('http_requests_total') ? sumRate('http_requests_total', sel, 'status=~"5.*"') : null,
          p('http_requests_total') ? sumRate('http_requests_total', sel, 'code=~"5.."') : null,
        ),
        latency: p('http_request_duration_seconds_bucket')
          ? { kind: 'histogram', bucket: 'http_request_duration_seconds_bucket', toSeconds: 1 }
          : null,
        inflight: p('http_requests_in_flight')
          ? { query: () => `sum(http_requests_in_flight{${sel}})`, estimated: false }
          : p('http_requests_in_progress')
            ? { query: () => `sum(http_requests_in_progress{${sel}})`, estimated: false }
            : null,
        tokens: null,
      };
    }
  }

  // overrides replace single parts; `$selector` and `$window` are filled in
  if (override) {
    const fill =
      (text: string): WindowedQuery =>
      (w) =>
        text.replaceAll('$selector', sel).replaceAll('$window', w);
    if (override.requests) q.requests = fill(override.requests);
    if (override.errors) q.errors = fill(override.errors);
    if (override.latencyBuckets)
      q.latency = {
        kind: 'histogram',
        bucket: override.latencyBuckets,
        toSeconds: override.latencyUnitToSeconds ?? 1,
      };
    if (override.inflight) q.inflight = { query: fill(override.inflight), estimated: false };
    if (override.tokens) q.tokens = { generation: fill(override.tokens), prompt: null };
  }

  return { kind, selector: sel, notes, detected: detection.kind, reason, ...q };
}

/** histogram_quantile over the model's pods, in seconds. */
export function quantileQuery(
  latency: Extract<LatencySource, { kind: 'histogram' }>,
  sel: string,
  q: number,
  w: string,
): string {
  const inner = `histogram_quantile(${q}, sum by (le) (rate(${latency.bucket}{${sel}}[${w}])))`;
  return latency.toSeconds === 1 ? inner : `${inner} * ${latency.toSeconds}`;
}

/** Bucket rates by le over a window (for the latency SLO: share of requests slower than the threshold). */
export function bucketRatesQuery(
  latency: Extract<LatencySource, { kind: 'histogram' }>,
  sel: string,
  w: string,
): string {
  return `sum by (le) (rate(${latency.bucket}{${sel}}[${w}]))`;
}

/** Error ratio that is 0 (not absent) when there were requests but no failure series. */
export function errorRatioQuery(m: Pick<ModelQueries, 'requests' | 'errors'>, w: string): string | null {
  if (!m.requests || !m.errors) return null;
  const req = m.requests(w);
  return `(${m.errors(w)} or 0 * (${req})) / (${req})`;
}

/** The PromQL behind each SLI at a window, as the catalogue view shows it. */
export function describeQueries(m: ModelQueries, w = '5m'): Record<SliName, string[]> {
  const latency: string[] =
    m.latency?.kind === 'histogram'
      ? [0.5, 0.95, 0.99].map((q) =>
          quantileQuery(m.latency as Extract<LatencySource, { kind: 'histogram' }>, m.selector, q, w),
        )
      : m.latency?.kind === 'mean'
        ? [m.latency.mean(w)]
        : [];
  const ratio = errorRatioQuery(m, w);
  return {
    requests: m.requests ? [m.requests(w)] : [],
    errors: [...(m.errors ? [m.errors(w)] : []), ...(ratio ? [ratio] : [])],
    latency,
    inflight: m.inflight ? [m.inflight.query(w)] : [],
    tokens: m.tokens ? [m.tokens.generation(w), ...(m.tokens.prompt ? [m.tokens.prompt(w)] : [])] : [],
  };
}

/** The rate window for a chart step: at least 5 minutes, and at least two steps (so no sample is skipped). */
export function rateWindowFor(stepS: number): string {
  const s = Math.max(300, Math.ceil(stepS * 2));
  return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}
