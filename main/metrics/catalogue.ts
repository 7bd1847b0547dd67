import type { ModelServerKind } from '../../shared/models';

/**
 * The PromQL behind each model server's request and error rates, per (namespace, pod) so one query per
 * server kind serves every model of that kind. `or` falls back to the next spelling per pod when a
 * server version exposes other names (REFERENCE.md, "Model servers").
 */
export interface RateQueries {
  /** all requests per second, where the server counts them in one family */
  requests: string | null;
  /** successful requests per second (what cost per 1k divides by) */
  successes: string | null;
  /** failed requests per second; null where the server exposes no failure counter */
  errors: string | null;
}

const by = (expr: string) => `sum by (namespace, pod) (${expr})`;
const rate = (selector: string) => by(`rate(${selector}[5m])`);
const anyOf = (...exprs: string[]) => exprs.join(' or ');

const knativeRequests = anyOf(
  rate('revision_request_count'),
  rate('kn_serving_invocation_duration_seconds_count'),
);
const knativeErrors = anyOf(
  rate('revision_request_count{response_code_class="5xx"}'),
  rate('kn_serving_invocation_duration_seconds_count{http_response_status_code=~"5.."}'),
);

export const rateCatalogue: Record<ModelServerKind, RateQueries> = {
  // vLLM's OpenAI server counts every HTTP request with its status class; vLLM's own counter only successes.
  vllm: {
    requests: rate('http_requests_total{handler=~"/v1/.*"}'),
    successes: rate('vllm:request_success_total'),
    errors: rate('http_requests_total{handler=~"/v1/.*",status=~"5.*"}'),
  },
  triton: {
    requests: null,
    successes: rate('nv_inference_request_success'),
    errors: rate('nv_inference_request_failure'),
  },
  // KServe serverless: Knative's queue-proxy sees every request with its status (old and new metric names);
  // RawDeployment: only the Python server's predict histogram.
  kserve: {
    requests: anyOf(knativeRequests, rate('request_predict_seconds_count')),
    successes: null,
    errors: knativeErrors,
  },
  knative: { requests: knativeRequests, successes: null, errors: knativeErrors },
  torchserve: { requests: rate('ts_inference_requests_total'), successes: null, errors: null },
  mlserver: {
    requests: null,
    successes: rate('model_infer_request_success'),
    errors: rate('model_infer_request_failure'),
  },
  rayserve: {
    requests: rate('ray_serve_deployment_request_counter_total'),
    successes: null,
    errors: rate('ray_serve_deployment_error_counter_total'),
  },
  generic: {
    requests: rate('http_requests_total'),
    successes: null,
    errors: anyOf(rate('http_requests_total{status=~"5.*"}'), rate('http_requests_total{code=~"5.."}')),
  },
};
