import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { NonFinite } from '../../shared/series';
import { HttpEndpoint, type AwsCredentialProvider, type HttpResponse } from './http';
import { parseMatrixFast } from './matrixParser';

export type PrometheusAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  /** Amazon Managed Prometheus (service `aps`); credentials from the AWS default chain unless given */
  | { kind: 'sigv4'; region: string; service?: string; credentials?: AwsCredentialProvider };

export interface PrometheusConfig {
  url: string;
  auth: PrometheusAuth;
  /** per-request timeout; a slow query never blocks anything else */
  timeoutMs?: number;
  /** PEM CA bundle for a Prometheus behind a private CA */
  caCert?: string | null;
  /** the tenant of a multi-tenant Mimir or Cortex (`X-Scope-OrgID`) */
  tenant?: string | null;
}

/** One series of an instant query: its labels and value (NaN/±Inf kept as such; callers decide). */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
  at: number;
}

/** A range query's answer on the aligned grid start + i*step, i < points. */
export interface GridSeries {
  labels: Record<string, string>;
  /** set when the cache kept the values as per-mille uint16 (65535 = none): the heatmap reads these directly */
  permille?: Uint16Array;
  /** NaN where there is no drawable value (no sample, or a NaN/±Inf sample counted in nonFinite) */
  values: Float64Array;
  nonFinite: NonFinite;
}
export interface GridResult {
  start: number;
  step: number;
  points: number;
  series: GridSeries[];
}

/** Alerting rule state from Prometheus's /api/v1/alerts (where pending alerts live). */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: string | null;
  value: string | null;
}

const sampleValue = z.tuple([z.number(), z.string()]);
const vectorResult = z.object({
  resultType: z.literal('vector'),
  result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue })),
});
const scalarResult = z.object({ resultType: z.literal('scalar'), result: sampleValue });
/** values are checked point by point while they are put on the grid (zod on half a million tuples is too slow) */
const matrixResult = z.object({
  resultType: z.literal('matrix'),
  result: z.array(
    z.object({
      metric: z.record(z.string(), z.string()),
      values: z.custom<unknown[]>((v) => Array.isArray(v), 'values must be an array').optional(),
    }),
  ),
});
const apiEnvelope = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});
const stringList = z.array(z.string());
const alertsData = z.object({
  alerts: z.array(
    z.object({
      labels: z.record(z.string(), z.string()),
      annotations: z.record(z.string(), z.string()).optional(),
      state: z.enum(['pending', 'firing', 'inactive']),
      activeAt: z.string().optional(),
      value: z.string().optional(),
    }),
  ),
});

const alertRulesData = z.object({
  groups: z.array(
    z.object({
      rules: z.array(z.object({ type: z.string().optional(), name: z.string(), query: z.string() })),
    }),
  ),
});

/** Prometheus HTTP API client (also Thanos, Mimir, VictoriaMetrics, Amazon Managed Prometheus). */
export class PrometheusClient {
  private readonly endpoint: HttpEndpoint;
  private readonly timeoutMs: number;

  constructor(config: PrometheusConfig) {
    this.timeoutMs = config.timeoutMs ?? 10_000;
    this.endpoint = new HttpEndpoint({
      url: config.url,
      auth: config.auth,
      caCert: config.caCert ?? null,
      tenant: config.tenant ?? null,
      timeoutMs: this.timeoutMs,
      service: 'Prometheus',
    });
    this.source = `${this.endpoint.baseText} tenant=${config.tenant ?? ''}`;
  }

  get url(): string {
    return this.endpoint.baseText;
  }

  /** Which Prometheus answers: its URL (without credentials) and tenant. Saved answers are kept per source. */
  readonly source: string;

  /** Instant query: a vector (or a scalar, returned as one unlabelled sample). */
  async query(promql: string, opts: { time?: Date; signal?: AbortSignal } = {}): Promise<InstantSample[]> {
    const params = new URLSearchParams({ query: promql });
    if (opts.time) params.set('time', String(opts.time.getTime() / 1000));
    params.set('timeout', `${Math.max(1, Math.floor(this.timeoutMs / 1000))}s`);
    const data = await this.request('/api/v1/query', params, opts.signal);
    const vector = vectorResult.safeParse(data);
    if (vector.success) {
      return vector.data.result.map((r) => ({
        labels: r.metric,
        value: parseValue(r.value[1]),
        at: r.value[0],
      }));
    }
    const scalar = scalarResult.safeParse(data);
    if (scalar.success)
      return [{ labels: {}, value: parseValue(scalar.data.result[1]), at: scalar.data.result[0] }];
    throw this.notUnderstood('a query');
  }

  /**
   * Range query on an aligned grid. `start` and `end` should be multiples of `step` (see chooseStep); the
   * result has one slot per grid point whatever Prometheus returned, so charts share one time axis.
   */
  async queryRange(
    promql: string,
    grid: { start: number; end: number; step: number },
    opts: { signal?: AbortSignal; maxSeries?: number; timeoutMs?: number } = {},
  ): Promise<GridResult & { droppedSeries: number }> {
    const { start, end, step } = grid;
    if (!(step > 0) || !(end >= start)) {
      throw new AppError(
        'INVALID_INPUT',
        'A range query needs end >= start and a positive step.',
        'This is a bug.',
      );
    }
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const params = new URLSearchParams({
      query: promql,
      start: String(start),
      end: String(end),
      step: String(step),
      timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s`,
    });
    const res = await this.endpoint.send({
      method: 'POST',
      path: '/api/v1/query_range',
      body: params.toString(),
      signal: opts.signal,
      timeoutMs,
    });
    const points = Math.floor((end - start) / step) + 1;
    const maxSeries = opts.maxSeries ?? Infinity;
    // the common case, read straight onto the grid; anything unusual goes the JSON.parse + zod way below
    if (res.status === 200) {
      const fast = parseMatrixFast(res.body, { start, step, points }, maxSeries);
      if (fast)
        return {
          start,
          step,
          points,
          series: fast.series,
          droppedSeries: Math.max(0, fast.total - fast.series.length),
        };
    }
    const data = this.unwrap(res);
    const parsed = matrixResult.safeParse(data);
    if (!parsed.success) throw this.notUnderstood('a range query');
    const result = parsed.data.result;
    const series: GridSeries[] = [];
    for (let s = 0; s < result.length && series.length < maxSeries; s++) {
      const r = result[s]!;
      series.push({ labels: r.metric, ...toGrid(r.values ?? [], start, step, points) });
    }
    return { start, step, points, series, droppedSeries: Math.max(0, result.length - series.length) };
  }

  /** Every metric name Prometheus knows (optionally only those with series matching `match` in the window). */
  async metricNames(
    opts: { match?: string; start?: number; end?: number; signal?: AbortSignal } = {},
  ): Promise<string[]> {
    return this.labelValues('__name__', opts);
  }

  async labelValues(
    label: string,
    opts: { match?: string; start?: number; end?: number; signal?: AbortSignal } = {},
  ): Promise<string[]> {
    const params = new URLSearchParams();
    if (opts.match) params.append('match[]', opts.match);
    if (opts.start !== undefined) params.set('start', String(opts.start));
    if (opts.end !== undefined) params.set('end', String(opts.end));
    const data = await this.request(
      `/api/v1/label/${encodeURIComponent(label)}/values`,
      params,
      opts.signal,
      undefined,
      'GET',
    );
    const parsed = stringList.safeParse(data);
    if (!parsed.success) throw this.notUnderstood('a label values request');
    return parsed.data;
  }

  /** Alerting rules' active alerts (pending and firing), from Prometheus itself. */
  async alerts(signal?: AbortSignal): Promise<PrometheusAlert[]> {
    const data = await this.request('/api/v1/alerts', new URLSearchParams(), signal, undefined, 'GET');
    const parsed = alertsData.safeParse(data);
    if (!parsed.success) throw this.notUnderstood('the alerts request');
    return parsed.data.alerts.map((a) => ({
      labels: a.labels,
      annotations: a.annotations ?? {},
      state: a.state,
      activeAt: a.activeAt ?? null,
      value: a.value ?? null,
    }));
  }

  /** Alerting rules (name and PromQL) from /api/v1/rules: what an alert's value was computed by. */
  async alertRules(signal?: AbortSignal): Promise<Array<{ name: string; query: string }>> {
    const params = new URLSearchParams({ type: 'alert' });
    const data = await this.request('/api/v1/rules', params, signal, undefined, 'GET');
    const parsed = alertRulesData.safeParse(data);
    if (!parsed.success) throw this.notUnderstood('the rules request');
    return parsed.data.groups.flatMap((g) => g.rules.map((r) => ({ name: r.name, query: r.query })));
  }

  /** Version from /api/v1/status/buildinfo (absent on some Prometheus-compatible stores: null then). */
  async buildVersion(signal?: AbortSignal): Promise<string | null> {
    try {
      const data = (await this.request(
        '/api/v1/status/buildinfo',
        new URLSearchParams(),
        signal,
        undefined,
        'GET',
      )) as {
        version?: unknown;
      };
      return typeof data?.version === 'string' ? data.version : null;
    } catch (err) {
      if (err instanceof AppError && err.details?.status === 404) return null;
      throw err;
    }
  }

  /** Number of series in the head block (null where the store does not expose TSDB status). */
  async headSeries(signal?: AbortSignal): Promise<number | null> {
    try {
      const data = (await this.request(
        '/api/v1/status/tsdb',
        new URLSearchParams(),
        signal,
        undefined,
        'GET',
      )) as {
        headStats?: { numSeries?: unknown };
      };
      const n = data?.headStats?.numSeries;
      return typeof n === 'number' ? n : null;
    } catch (err) {
      if (
        err instanceof AppError &&
        err.code !== 'PROMETHEUS_UNREACHABLE' &&
        err.code !== 'PROMETHEUS_AUTH_FAILED'
      )
        return null;
      throw err;
    }
  }

  private async request(
    path: string,
    params: URLSearchParams,
    signal?: AbortSignal,
    timeoutMs?: number,
    method: 'GET' | 'POST' = 'POST',
  ): Promise<unknown> {
    const res =
      method === 'POST'
        ? await this.endpoint.send({ method, path, body: params.toString(), signal, timeoutMs })
        : await this.endpoint.send({ method, path, query: params, signal, timeoutMs });
    return this.unwrap(res);
  }

  private unwrap(res: HttpResponse): unknown {
    if (res.status === 401 || res.status === 403) throw this.endpoint.authError(res.status);
    const text = res.body.toString('utf8');
    let body: z.infer<typeof apiEnvelope> | null = null;
    try {
      const parsed = apiEnvelope.safeParse(JSON.parse(text));
      body = parsed.success ? parsed.data : null;
    } catch {
      body = null;
    }
    if (body?.status === 'error') {
      const errorType = body.errorType ?? null;
      if (errorType === 'timeout' || res.status === 503) {
        throw new AppError(
          'PROMETHEUS_TIMEOUT',
          `Prometheus gave up on the query: ${(body.error ?? errorType ?? 'timeout').slice(0, 300)}`,
          'The query is too heavy for this window: narrow the time range, or retry when Prometheus is less busy.',
          { status: res.status, errorType },
        );
      }
      const bad = res.status === 400 || res.status === 422 || errorType === 'bad_data';
      throw new AppError(
        bad ? 'PROMETHEUS_BAD_QUERY' : 'PROMETHEUS_ERROR',
        `Prometheus: ${(body.error ?? errorType ?? 'error').slice(0, 300)}`,
        bad
          ? 'The query was rejected; check any PromQL override for this model.'
          : 'Prometheus is struggling (overloaded or timing out); retry in a moment.',
        { status: res.status, errorType },
      );
    }
    const ok = res.status >= 200 && res.status < 300;
    if (!ok || !body) {
      const contentType = String(res.headers['content-type'] ?? 'no content type');
      throw new AppError(
        'PROMETHEUS_ERROR',
        ok
          ? `${this.url} did not answer like a Prometheus API (got ${contentType.slice(0, 80)}).`
          : `Prometheus at ${this.url} answered HTTP ${res.status}${text ? `: ${firstLine(text)}` : ''}.`,
        ok
          ? 'Check the URL: it should be the Prometheus server root, e.g. http://prometheus:9090.'
          : res.status >= 400 && res.status < 500
            ? 'The request was refused; check the URL (a path prefix such as /prometheus may be needed).'
            : 'Prometheus or a proxy in front of it failed; retry, and check its logs if it persists.',
        { status: res.status },
      );
    }
    return body.data;
  }

  private notUnderstood(what: string): AppError {
    return new AppError(
      'PROMETHEUS_ERROR',
      `Prometheus at ${this.url} answered ${what} with a result Firebreak does not understand.`,
      'Check that the URL points at the Prometheus HTTP API (…/api/v1 is added by Firebreak).',
    );
  }
}

/** A short, printable first line of an error body (never HTML-rendered; trimmed). */
function firstLine(text: string): string {
  const line = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Prometheus encodes sample values as strings, including "NaN", "+Inf" and "-Inf". */
export function parseValue(raw: string): number {
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return Number(raw);
}

/**
 * Puts [t, "v"] pairs on the grid start + i*step. Samples off the grid snap to the nearest slot; NaN and ±Inf
 * samples are counted and left out (NaN in the grid); malformed pairs are skipped.
 */
export function toGrid(
  pairs: readonly unknown[],
  start: number,
  step: number,
  points: number,
): { values: Float64Array; nonFinite: NonFinite } {
  const values = new Float64Array(points).fill(NaN);
  const nonFinite = { nan: 0, posInf: 0, negInf: 0 };
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i] as unknown[];
    if (!Array.isArray(p) || p.length !== 2) continue;
    const t = p[0];
    const raw = p[1];
    if (typeof t !== 'number' || typeof raw !== 'string') continue;
    const idx = Math.round((t - start) / step);
    if (idx < 0 || idx >= points) continue;
    const v = parseValue(raw);
    if (Number.isFinite(v)) values[idx] = v;
    else if (v === Infinity) nonFinite.posInf++;
    else if (v === -Infinity) nonFinite.negInf++;
    else nonFinite.nan++;
  }
  return { values, nonFinite };
}
