import { describe, expect, it } from 'vitest';
import {
  buildQueries,
  describeQueries,
  detectServerKind,
  errorRatioQuery,
  podSelector,
  quantileQuery,
  rateWindowFor,
} from '../../../main/metrics/sliCatalogue';
import {
  gpuKey,
  heatmapQuery,
  holderOf,
  nodeOf,
  serviceOfPod,
  workloadFromPod,
} from '../../../main/metrics/gpu';
import { tablePrice } from '../../../main/metrics/gpuPrices';
import {
  fromAlertmanager,
  fromPrometheus,
  groupAlerts,
  labelFingerprint,
  matchesSilence,
  ownerOf,
} from '../../../main/metrics/alerts';
import { type ServiceRef, ServiceRef as ServiceRefSchema } from '../../../shared/models';
import { silenceName } from '../../../shared/alerts';
import { ActionRequest } from '../../../shared/actions';

const svc = (id: string, serverKind: ServiceRef['serverKind'] = 'generic', modelName = 'm'): ServiceRef => ({
  id,
  serverKind,
  modelName,
});

describe('detection from metric names', () => {
  const cases: Array<[string[], string | null]> = [
    [['vllm:request_success_total', 'http_requests_total'], 'vllm'],
    [['nv_inference_request_success', 'nv_inference_request_failure'], 'triton'],
    [['request_predict_seconds_bucket', 'revision_request_count'], 'kserve'],
    [['revision_request_count', 'revision_request_latencies_bucket'], 'knative'],
    [['kn_serving_invocation_duration_seconds_count'], 'knative'],
    [['ts_inference_requests_total'], 'torchserve'],
    [['model_infer_request_success'], 'mlserver'],
    [['ray_serve_deployment_request_counter_total'], 'rayserve'],
    [['http_requests_total'], 'generic'],
    [['up', 'DCGM_FI_DEV_GPU_UTIL'], null],
  ];
  it.each(cases)('%j -> %s', (names, kind) => {
    expect(detectServerKind(new Set(names)).kind).toBe(kind);
  });
});

describe('pod selectors', () => {
  it('selects the pods a workload of that kind makes, escaping the name', () => {
    expect(podSelector(svc('llm/Deployment/llama-70b-chat'))).toBe(
      'namespace="llm",pod=~"llama-70b-chat-[a-z0-9]+-[a-z0-9]+"',
    );
    expect(podSelector(svc('nlp/InferenceService/bert-sentiment'))).toBe(
      'namespace="nlp",pod=~"bert-sentiment-predictor-.+"',
    );
    expect(podSelector(svc('db/StatefulSet/r1.v2'))).toBe('namespace="db",pod=~"r1\\\\.v2-[0-9]+"');
  });
  it('the renderer cannot smuggle PromQL through a service id', () => {
    expect(ServiceRefSchema.safeParse(svc('llm/Deployment/x"}or vector(1)#')).success).toBe(false);
    expect(ServiceRefSchema.safeParse(svc('llm/Pod/x')).success).toBe(false);
  });
});

describe('catalogue queries', () => {
  it('vLLM: all HTTP requests, 5xx as errors, the e2e histogram, running requests, tokens', () => {
    const q = buildQueries(
      svc('llm/Deployment/llama-70b-chat', 'vllm'),
      new Set(['vllm:request_success_total', 'http_requests_total', 'vllm:num_requests_running']),
    );
    const sel = 'namespace="llm",pod=~"llama-70b-chat-[a-z0-9]+-[a-z0-9]+"';
    expect(q.requests!('5m')).toBe(
      `sum(rate(http_requests_total{${sel},handler=~"/v1/.*"}[5m])) or sum(rate(vllm:request_success_total{${sel}}[5m]))`,
    );
    expect(q.errors!('5m')).toContain('status=~"5.*"');
    expect(q.latency).toEqual({
      kind: 'histogram',
      bucket: 'vllm:e2e_request_latency_seconds_bucket',
      toSeconds: 1,
    });
    expect(quantileQuery(q.latency as never, q.selector, 0.95, '5m')).toBe(
      `histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{${sel}}[5m])))`,
    );
    expect(q.tokens!.generation('1m')).toBe(`sum(rate(vllm:generation_tokens_total{${sel}}[1m]))`);
    expect(q.inflight!.estimated).toBe(false);
  });
  it('an error ratio is 0, not absent, when there were requests but no failure series', () => {
    const q = buildQueries(
      svc('vision/Deployment/resnet50', 'triton'),
      new Set(['nv_inference_request_success', 'nv_inference_request_duration_us']),
    );
    expect(errorRatioQuery(q, '5m')).toMatch(/^\(sum\(rate\(nv_inference_request_failure.* or 0 \* \(/);
    expect(q.latency?.kind).toBe('mean');
  });
  it('Knative: old names, new names, or both when unknown', () => {
    const oldOnly = buildQueries(svc('a/InferenceService/x', 'knative'), new Set(['revision_request_count']));
    expect(oldOnly.requests!('5m')).not.toContain('kn_serving');
    expect(oldOnly.latency).toEqual({
      kind: 'histogram',
      bucket: 'revision_request_latencies_bucket',
      toSeconds: 0.001,
    });
    expect(quantileQuery(oldOnly.latency as never, oldOnly.selector, 0.5, '5m')).toMatch(/ \* 0\.001$/);
    const newOnly = buildQueries(
      svc('a/InferenceService/x', 'knative'),
      new Set([
        'kn_serving_invocation_duration_seconds_count',
        'kn_serving_invocation_duration_seconds_bucket',
      ]),
    );
    expect(newOnly.errors!('5m')).toBe(
      'sum(rate(kn_serving_invocation_duration_seconds_count{namespace="a",pod=~"x-predictor-.+",http_response_status_code=~"5.."}[5m]))',
    );
    const unknown = buildQueries(svc('a/InferenceService/x', 'knative'), new Set());
    expect(unknown.requests!('5m')).toContain(' or ');
  });
  it('KServe serverless: requests and errors from the queue proxy, latency from the model server histogram', () => {
    const q = buildQueries(
      svc('nlp/InferenceService/bert-sentiment', 'kserve'),
      new Set(['request_predict_seconds_bucket', 'request_predict_seconds_count', 'revision_request_count']),
    );
    expect(q.requests!('5m')).toMatch(/^sum\(rate\(revision_request_count/);
    expect(q.errors!('5m')).toContain('response_code_class="5xx"');
    expect(q.latency).toMatchObject({ bucket: 'request_predict_seconds_bucket' });
    expect(q.inflight!.estimated).toBe(true);
  });
  it('detection wins over what discovery guessed; an override wins over both', () => {
    const q = buildQueries(svc('risk/Deployment/fraud', 'generic'), new Set(['model_infer_request_success']));
    expect(q.kind).toBe('mlserver');
    expect(q.reason).toMatch(/MLServer/);
    const o = buildQueries(
      svc('risk/Deployment/fraud', 'generic'),
      new Set(['model_infer_request_success']),
      {
        serverKind: 'generic',
        requests: 'sum(rate(my_requests_total{$selector}[$window]))',
        latencyBuckets: 'my_latency_ms_bucket',
        latencyUnitToSeconds: 0.001,
        selector: 'namespace="risk",app="fraud"',
      },
    );
    expect(o.kind).toBe('generic');
    expect(o.requests!('10m')).toBe('sum(rate(my_requests_total{namespace="risk",app="fraud"}[10m]))');
    expect(describeQueries(o).latency[1]).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(my_latency_ms_bucket{namespace="risk",app="fraud"}[5m]))) * 0.001',
    );
  });
  it('falls back to what discovery said when no known metric exists', () => {
    const q = buildQueries(svc('x/Deployment/y', 'torchserve'), new Set(['up']));
    expect(q.kind).toBe('torchserve');
    expect(q.detected).toBeNull();
    expect(q.reason).toMatch(/discovery/);
  });
  it('rate windows grow with the step', () => {
    expect(rateWindowFor(15)).toBe('5m');
    expect(rateWindowFor(600)).toBe('20m');
    expect(rateWindowFor(3600)).toBe('2h');
  });
});

describe('GPU labels in every spelling', () => {
  it('reads the holder from pod/namespace or exported_pod/exported_namespace', () => {
    expect(holderOf({ pod: 'a-1', namespace: 'n' })).toEqual({ namespace: 'n', pod: 'a-1' });
    expect(
      holderOf({
        exported_pod: 'a-1',
        exported_namespace: 'n',
        pod: 'dcgm-exporter-x',
        namespace: 'gpu-operator',
      }),
    ).toEqual({ namespace: 'n', pod: 'a-1' });
    expect(holderOf({ pod: 'nvidia-dcgm-exporter-abc', namespace: 'gpu-operator' })).toBeNull();
    expect(holderOf({ gpu: '0' })).toBeNull();
  });
  it('reads the node from Hostname, hostname, node or instance', () => {
    expect(nodeOf({ Hostname: 'a' })).toBe('a');
    expect(nodeOf({ hostname: 'b' })).toBe('b');
    expect(nodeOf({ node: 'c' })).toBe('c');
    expect(nodeOf({ instance: '10.0.0.1:9400' })).toBe('10.0.0.1');
    expect(gpuKey({ hostname: 'b', gpu: '3' })).toBe('b/3');
  });
  it('groups pods by their model service, or by the workload in the pod name', () => {
    const owners = [
      { id: 'llm/Deployment/llama', namespace: 'llm', podPrefix: 'llama-' },
      { id: 'llm/Deployment/llama-big', namespace: 'llm', podPrefix: 'llama-big-' },
    ];
    expect(serviceOfPod('llm', 'llama-big-6b84f8b578-nbvnm', owners)).toBe('llm/Deployment/llama-big');
    expect(serviceOfPod('other', 'llama-big-6b84f8b578-nbvnm', owners)).toBeNull();
    expect(workloadFromPod('llama-70b-chat-6b84f8b578-nbvnm')).toBe('llama-70b-chat');
    expect(workloadFromPod('bert-sentiment-predictor-00001-deployment-7d9c5-x2x4z')).toBe('bert-sentiment');
    expect(workloadFromPod('redis-2')).toBe('redis');
  });
  it('prefers engine-active and falls back to GPU_UTIL / 100 per GPU', () => {
    expect(heatmapQuery(600)).toBe(
      'max by (Hostname, hostname, gpu, UUID, modelName) (avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE[10m]) or avg_over_time(DCGM_FI_DEV_GPU_UTIL[10m]) / 100)',
    );
    expect(heatmapQuery(15)).toContain('[1m]');
  });
  it('has a price for common GPUs and none for unknown ones', () => {
    expect(tablePrice('NVIDIA H100 80GB HBM3')).toBe(12.29);
    expect(tablePrice('NVIDIA L4')).toBe(1.15);
    expect(tablePrice('NVIDIA A100-SXM4-80GB')).toBe(5.12);
    expect(tablePrice('Some Future GPU')).toBeNull();
    // the cost view's price table wins over the defaults: exact name, else the longest entry contained
    const list = [
      { match: 'H100', usdPerHour: 9.5 },
      { match: 'H100 80GB HBM3', usdPerHour: 8.75 },
      { match: 'Some Future GPU', usdPerHour: 20 },
    ];
    expect(tablePrice('NVIDIA H100 80GB HBM3', list)).toBe(8.75);
    expect(tablePrice('Some Future GPU', list)).toBe(20);
    expect(tablePrice('NVIDIA L4', list)).toBe(1.15);
    expect(tablePrice(null)).toBeNull();
  });
});

describe('alerts', () => {
  const owners = [
    {
      id: 'llm/Deployment/llama-70b-chat',
      name: 'llama-70b-chat',
      namespace: 'llm',
      modelName: 'llama-70b-chat',
      podPrefix: 'llama-70b-chat-',
      workload: 'llama-70b-chat',
    },
    {
      id: 'ml-batch/Deployment/batch-embeddings',
      name: 'batch-embeddings',
      namespace: 'ml-batch',
      modelName: 'batch-embeddings',
      podPrefix: 'batch-embeddings-',
      workload: 'batch-embeddings',
    },
  ];
  const am = (
    labels: Record<string, string>,
    annotations: Record<string, string> = {},
    state: 'active' | 'suppressed' = 'active',
  ) =>
    fromAlertmanager({
      labels,
      annotations,
      fingerprint: labelFingerprint(labels),
      startsAt: '2026-01-01T00:00:00Z',
      status: { state, silencedBy: state === 'suppressed' ? ['s1'] : [], inhibitedBy: [] },
    });

  it('finds the model service from model, pod or namespace labels', () => {
    expect(ownerOf({ namespace: 'llm', model: 'llama-70b-chat' }, owners)?.id).toBe(
      'llm/Deployment/llama-70b-chat',
    );
    expect(ownerOf({ namespace: 'ml-batch', pod: 'batch-embeddings-6b84f8b578-abcde' }, owners)?.id).toBe(
      'ml-batch/Deployment/batch-embeddings',
    );
    expect(
      ownerOf({ exported_namespace: 'ml-batch', exported_pod: 'batch-embeddings-6b84f8b578-abcde' }, owners)
        ?.id,
    ).toBe('ml-batch/Deployment/batch-embeddings');
    expect(ownerOf({ namespace: 'other', model: 'llama-70b-chat' }, owners)).toBeNull();
  });

  it('groups firing, pending and suppressed alerts by service, firing first, and keeps only http(s) runbooks', () => {
    const alerts = [
      am(
        {
          alertname: 'GPUIdle',
          namespace: 'ml-batch',
          pod: 'batch-embeddings-6b84f8b578-abcde',
          severity: 'warning',
        },
        { runbook_url: 'javascript:alert(1)' },
      ),
      am(
        { alertname: 'ModelHighErrorRate', namespace: 'llm', model: 'llama-70b-chat', severity: 'critical' },
        { runbook_url: 'https://runbooks.example.com/x', summary: '<img src=x onerror=alert(1)>' },
      ),
      am({ alertname: 'Old', namespace: 'llm', model: 'llama-70b-chat' }, {}, 'suppressed'),
      ...fromPrometheus(
        [
          {
            labels: { alertname: 'Latency', namespace: 'llm', model: 'llama-70b-chat' },
            annotations: {},
            state: 'pending',
            activeAt: null,
            value: null,
          },
          {
            labels: { alertname: 'Firing', namespace: 'llm' },
            annotations: {},
            state: 'firing',
            activeAt: null,
            value: null,
          },
          {
            labels: { alertname: 'Watchdog' },
            annotations: {},
            state: 'pending',
            activeAt: null,
            value: null,
          },
        ],
        false,
      ),
    ];
    const groups = groupAlerts(alerts, owners);
    expect(groups.map((g) => g.key)).toEqual([
      'llm/Deployment/llama-70b-chat',
      'ml-batch/Deployment/batch-embeddings',
      'other',
    ]);
    expect(groups[0]!.alerts.map((a) => a.state)).toEqual(['firing', 'pending', 'suppressed']);
    expect(groups[0]!.alerts[0]!.runbookUrl).toBe('https://runbooks.example.com/x');
    expect(groups[0]!.alerts[0]!.summary).toBe('<img src=x onerror=alert(1)>'); // text: the renderer shows it as text
    expect(groups[1]!.alerts[0]!.runbookUrl).toBeNull();
    expect(groups[0]!.alerts[2]!.silencedBy).toEqual(['s1']);
  });

  it('matches silences with Alertmanager semantics', () => {
    const labels = { alertname: 'GPUIdle', namespace: 'ml-batch', gpu: '2' };
    expect(
      matchesSilence(labels, [{ name: 'alertname', value: 'GPUIdle', isRegex: false, isEqual: true }]),
    ).toBe(true);
    expect(matchesSilence(labels, [{ name: 'gpu', value: '[23]', isRegex: true, isEqual: true }])).toBe(true);
    expect(matchesSilence(labels, [{ name: 'gpu', value: '2', isRegex: true, isEqual: false }])).toBe(false);
    expect(matchesSilence(labels, [{ name: 'missing', value: '', isRegex: false, isEqual: true }])).toBe(
      true,
    );
  });

  it('refuses a silence that matches everything', () => {
    const silence = (matchers: unknown[]) =>
      ActionRequest.safeParse({ type: 'silence', matchers, durationMinutes: 60, comment: 'x y z' }).success;
    expect(silence([{ name: 'alertname', value: '.*', isRegex: true }])).toBe(false);
    expect(silence([{ name: 'alertname', value: '.+', isRegex: true }])).toBe(false);
    expect(silence([{ name: 'alertname', value: '' }])).toBe(false);
    expect(silence([{ name: 'alertname', value: 'GPUIdle', isEqual: false }])).toBe(false);
    expect(silence([{ name: 'alertname', value: 'GPUIdle' }])).toBe(true);
    expect(silence([{ name: 'bad name', value: 'x' }])).toBe(false);
    expect(silence([])).toBe(false);
    expect(
      ActionRequest.safeParse({
        type: 'silence',
        matchers: [{ name: 'alertname', value: 'GPUIdle' }],
        durationMinutes: 2,
        comment: 'x y z',
      }).success,
    ).toBe(false);
  });

  it('names a silence by its alert, else by its most specific value', () => {
    const m = (name: string, value: string, isRegex = false, isEqual = true) => ({
      name,
      value,
      isRegex,
      isEqual,
    });
    expect(silenceName([m('namespace', 'ml-batch'), m('alertname', 'GPUIdle')])).toBe('GPUIdle');
    expect(silenceName([m('alertname', 'GPU.*', true), m('namespace', 'ml-batch')])).toBe('ml-batch');
    expect(silenceName([m('alertname', 'GPU.*', true)])).toBe('silence');
  });
});
