import { z } from 'zod';
import { AppError } from '../../shared/errors';

export type PrometheusAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string };

export interface PrometheusConfig {
  url: string;
  auth: PrometheusAuth;
  /** per-request timeout; a slow query never blocks anything else */
  timeoutMs?: number;
}

/** One series of an instant query: its labels and value (NaN/±Inf kept as such; callers decide). */
export interface InstantSample {
  labels: Record<string, string>;
  value: number;
  at: number;
}

const sampleValue = z.tuple([z.number(), z.string()]);
const vectorResult = z.object({
  resultType: z.literal('vector'),
  result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue })),
});
const scalarResult = z.object({ resultType: z.literal('scalar'), result: sampleValue });
const apiEnvelope = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

/** Prometheus HTTP API client (also Thanos, Mimir, VictoriaMetrics: they speak the same API). */
export class PrometheusClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(config: PrometheusConfig) {
    this.base = config.url.replace(/\/+$/, '');
    this.timeoutMs = config.timeoutMs ?? 10_000;
    this.headers = { Accept: 'application/json' };
    if (config.auth.kind === 'bearer') this.headers.Authorization = `Bearer ${config.auth.token}`;
    if (config.auth.kind === 'basic') {
      const raw = `${config.auth.username}:${config.auth.password}`;
      this.headers.Authorization = `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;
    }
  }

  get url(): string {
    return this.base;
  }

  /** Instant query: a vector (or a scalar, returned as one unlabelled sample). */
  async query(promql: string, opts: { time?: Date; signal?: AbortSignal } = {}): Promise<InstantSample[]> {
    const params = new URLSearchParams({ query: promql });
    if (opts.time) params.set('time', String(opts.time.getTime() / 1000));
    const data = await this.request('/api/v1/query', params, opts.signal);
    const vector = vectorResult.safeParse(data);
    if (vector.success) {
      return vector.data.result.map((r) => ({ labels: r.metric, value: parseValue(r.value[1]), at: r.value[0] }));
    }
    const scalar = scalarResult.safeParse(data);
    if (scalar.success) return [{ labels: {}, value: parseValue(scalar.data.result[1]), at: scalar.data.result[0] }];
    throw new AppError(
      'PROMETHEUS_ERROR',
      `Prometheus at ${this.base} answered a query with a result Firebreak does not understand.`,
      'Check that the URL points at the Prometheus HTTP API (…/api/v1 is added by Firebreak).',
    );
  }

  /** Version from /api/v1/status/buildinfo (absent on some Prometheus-compatible stores: null then). */
  async buildVersion(signal?: AbortSignal): Promise<string | null> {
    try {
      const data = (await this.request('/api/v1/status/buildinfo', new URLSearchParams(), signal)) as {
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
      const data = (await this.request('/api/v1/status/tsdb', new URLSearchParams(), signal)) as {
        headStats?: { numSeries?: unknown };
      };
      const n = data?.headStats?.numSeries;
      return typeof n === 'number' ? n : null;
    } catch (err) {
      if (err instanceof AppError && err.code !== 'PROMETHEUS_UNREACHABLE' && err.code !== 'PROMETHEUS_AUTH_FAILED')
        return null;
      throw err;
    }
  }

  private async request(path: string, params: URLSearchParams, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method: 'POST',
        headers: { ...this.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: params.toString(),
        signal: combined,
        redirect: 'error',
      });
    } catch (err) {
      throw this.networkError(err, timeout.aborted);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401 || res.status === 403) {
      throw new AppError(
        'PROMETHEUS_AUTH_FAILED',
        `Prometheus at ${this.base} refused the request (${res.status}).`,
        'Check the token or user name and password in Settings.',
        { status: res.status },
      );
    }
    let body: z.infer<typeof apiEnvelope> | null = null;
    try {
      const parsed = apiEnvelope.safeParse(JSON.parse(text));
      body = parsed.success ? parsed.data : null;
    } catch {
      body = null;
    }
    if (body?.status === 'error') {
      const bad = res.status === 400 || res.status === 422 || body.errorType === 'bad_data';
      throw new AppError(
        bad ? 'PROMETHEUS_BAD_QUERY' : 'PROMETHEUS_ERROR',
        `Prometheus: ${(body.error ?? body.errorType ?? 'error').slice(0, 300)}`,
        bad
          ? 'The query was rejected; check any PromQL override for this model.'
          : 'Prometheus is struggling (overloaded or timing out); retry in a moment.',
        { status: res.status, errorType: body.errorType ?? null },
      );
    }
    if (!res.ok || !body) {
      throw new AppError(
        'PROMETHEUS_ERROR',
        res.ok
          ? `${this.base} did not answer like a Prometheus API (got ${res.headers.get('content-type') ?? 'no content type'}).`
          : `Prometheus at ${this.base} answered HTTP ${res.status}.`,
        res.ok
          ? 'Check the URL: it should be the Prometheus server root, e.g. http://prometheus:9090.'
          : 'Prometheus or a proxy in front of it failed; retry, and check its logs if it persists.',
        { status: res.status },
      );
    }
    return body.data;
  }

  private networkError(err: unknown, timedOut: boolean): AppError {
    if (timedOut) {
      return new AppError(
        'PROMETHEUS_TIMEOUT',
        `Prometheus at ${this.base} did not answer within ${Math.round(this.timeoutMs / 1000)} s.`,
        'Prometheus may be overloaded, or the query too heavy; retry, or narrow the time range.',
      );
    }
    if (err instanceof Error && err.name === 'AbortError') {
      return new AppError('PROMETHEUS_TIMEOUT', 'The Prometheus query was cancelled.', 'Nothing to do.');
    }
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    return new AppError(
      'PROMETHEUS_UNREACHABLE',
      `Cannot reach Prometheus at ${this.base} (${detail}).`,
      'Check the URL in Settings and that Prometheus is running and reachable (port-forward, VPN, sandbox).',
    );
  }
}

/** Prometheus encodes sample values as strings, including "NaN", "+Inf" and "-Inf". */
export function parseValue(raw: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return Number(raw);
}
