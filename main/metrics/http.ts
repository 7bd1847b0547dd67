/**
 * The HTTP underneath the Prometheus and Alertmanager clients: node:http/https (so a custom CA works without
 * undici), keep-alive agents shared by every client of the same endpoint, a per-request timeout combined with
 * the caller's AbortSignal, gzip for remote endpoints, a response size cap, and authentication by bearer
 * token, basic auth or AWS SigV4 (Amazon Managed Prometheus). Failures become typed AppErrors whose message
 * names the endpoint; nothing here logs a secret.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import zlib from 'node:zlib';
import type { SignatureV4 as SignatureV4Class } from '@smithy/signature-v4';
import { AppError, type ErrorCode } from '../../shared/errors';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type AwsCredentialProvider = () => Promise<AwsCredentials>;

export type EndpointAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  /** AWS Signature V4: Amazon Managed Prometheus uses service `aps` */
  | { kind: 'sigv4'; region: string; service?: string; credentials?: AwsCredentialProvider };

export interface EndpointConfig {
  url: string;
  auth: EndpointAuth;
  /** PEM bundle trusted in addition to (not instead of) the system's CAs */
  caCert?: string | null;
  /** Mimir/Cortex/Loki tenant: sent as `X-Scope-OrgID` (signed with the rest under SigV4) */
  tenant?: string | null;
  timeoutMs?: number;
  /** what the user calls it, in messages: "Prometheus", "Alertmanager" */
  service: 'Prometheus' | 'Alertmanager';
  /** largest response body accepted, bytes */
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface SendOptions {
  method: 'GET' | 'POST' | 'DELETE';
  /** path below the endpoint's base path, e.g. `/api/v1/query` */
  path: string;
  query?: URLSearchParams;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const agents = new Map<string, http.Agent>();

function agentFor(protocol: string, caCert: string | null | undefined): http.Agent {
  const key = `${protocol}|${caCert ? createHash('sha256').update(caCert).digest('hex') : ''}`;
  let agent = agents.get(key);
  if (!agent) {
    agent =
      protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            maxSockets: 32,
            // a custom CA adds to Node's bundled roots: a public endpoint behind it keeps working
            ...(caCert ? { ca: [...tlsRootCertificates(), caCert] } : {}),
          })
        : new http.Agent({ keepAlive: true, maxSockets: 32 });
    agents.set(key, agent);
  }
  return agent;
}

function tlsRootCertificates(): string[] {
  return [...tls.rootCertificates];
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\./.test(hostname);
}

/** One HTTP endpoint (a Prometheus or an Alertmanager) with its auth and TLS settings. */
export class HttpEndpoint {
  readonly base: URL;
  readonly baseText: string;
  private readonly config: EndpointConfig;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private signer: Promise<SigV4Signer> | null = null;

  constructor(config: EndpointConfig) {
    // never a `user:password@` in what is sent or printed (Settings moves it into basic auth)
    const url = new URL(config.url);
    url.username = '';
    url.password = '';
    this.baseText = url.toString().replace(/\/+$/, '');
    this.base = new URL(this.baseText);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new AppError(
        'INVALID_INPUT',
        `${config.service} URL must start with http:// or https://.`,
        'Fix the URL in Settings.',
      );
    }
    this.config = config;
    this.timeoutMs = config.timeoutMs ?? 10_000;
    this.agent = agentFor(this.base.protocol, config.caCert);
  }

  get timeout(): number {
    return this.timeoutMs;
  }

  /** Sends one request; resolves with any HTTP status (callers map statuses), rejects only on transport failures. */
  async send(opts: SendOptions): Promise<HttpResponse> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    // a caller's deadline (AbortSignal.timeout) is a timeout too, so the copy saved is served as for ours
    const timedOut = () => timeout.aborted || isTimeoutReason(opts.signal?.reason);
    if (signal.aborted) throw this.abortError(timedOut(), timeout.aborted ? timeoutMs : null);

    const basePath = this.base.pathname.replace(/\/+$/, '');
    const qs = opts.query?.toString() ?? '';
    const path = `${basePath}${opts.path}${qs ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (!isLoopback(this.base.hostname)) headers['Accept-Encoding'] = 'gzip';
    if (opts.body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    }
    if (this.config.tenant) headers['X-Scope-OrgID'] = this.config.tenant;
    const auth = this.config.auth;
    if (auth.kind === 'bearer') headers.Authorization = `Bearer ${auth.token}`;
    if (auth.kind === 'basic') {
      headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
    }
    if (auth.kind === 'sigv4') {
      this.signer ??= createSigV4Signer(auth);
      let signer: SigV4Signer;
      try {
        signer = await this.signer;
      } catch (err) {
        this.signer = null;
        throw err;
      }
      Object.assign(
        headers,
        await signer.sign({
          method: opts.method,
          host: this.base.host,
          path: `${basePath}${opts.path}`,
          query: opts.query,
          headers,
          body: opts.body ?? '',
        }),
      );
    }

    const lib = this.base.protocol === 'https:' ? https : http;
    const maxBytes = this.config.maxBytes ?? DEFAULT_MAX_BYTES;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: AppError) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        reject(err);
      };
      const onAbort = () => {
        req.destroy();
        fail(this.abortError(timedOut(), timeout.aborted ? timeoutMs : null));
      };
      const req = lib.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
          port: this.base.port || undefined,
          method: opts.method,
          path,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const gz = /gzip/i.test(String(res.headers['content-encoding'] ?? ''));
          const stream: NodeJS.ReadableStream = gz ? res.pipe(zlib.createGunzip()) : res;
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              req.destroy();
              fail(
                new AppError(
                  this.code('ERROR'),
                  `${this.config.service} at ${this.baseText} sent more than ${Math.round(maxBytes / 1048576)} MiB.`,
                  'Narrow the time range or the query.',
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          stream.on('end', () => {
            if (settled) return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size) });
          });
          stream.on('error', (err: Error) => fail(this.networkError(err)));
        },
      );
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => {
        if (signal.aborted) return fail(this.abortError(timedOut(), timeout.aborted ? timeoutMs : null));
        fail(this.networkError(err));
      });
      if (opts.body !== undefined) req.end(opts.body);
      else req.end();
    });
  }

  private code(suffix: 'UNREACHABLE' | 'TIMEOUT' | 'ERROR' | 'AUTH_FAILED'): ErrorCode {
    if (this.config.service === 'Prometheus') return `PROMETHEUS_${suffix}`;
    return suffix === 'UNREACHABLE' || suffix === 'TIMEOUT'
      ? 'ALERTMANAGER_UNREACHABLE'
      : 'ALERTMANAGER_ERROR';
  }

  /** `timeoutMs` null: the caller's overall deadline ran out, not this request's own timeout */
  abortError(timedOut: boolean, timeoutMs: number | null): AppError {
    if (timedOut) {
      return new AppError(
        this.code('TIMEOUT'),
        timeoutMs === null
          ? `${this.config.service} at ${this.baseText} did not answer in time.`
          : `${this.config.service} at ${this.baseText} did not answer within ${formatSeconds(timeoutMs)}.`,
        `${this.config.service} may be overloaded, or the query too heavy; retry, or narrow the time range.`,
        { timedOut: true },
      );
    }
    return new AppError(
      this.code('TIMEOUT'),
      `The ${this.config.service} request was cancelled.`,
      'Nothing to do.',
      {
        cancelled: true,
      },
    );
  }

  private networkError(err: unknown): AppError {
    const e = err as { code?: string; message?: string };
    const detail = e?.code ?? e?.message ?? String(err);
    const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(detail);
    return new AppError(
      this.code('UNREACHABLE'),
      `Cannot reach ${this.config.service} at ${this.baseText} (${detail}).`,
      tls
        ? 'The server certificate is not trusted: add its CA certificate (PEM) in Settings.'
        : `Check the URL in Settings and that ${this.config.service} is running and reachable (port-forward, VPN, sandbox).`,
      { cause: detail },
    );
  }

  /** Maps 401/403 to an auth error; other statuses are left to the caller. */
  authError(status: number): AppError {
    return new AppError(
      this.code('AUTH_FAILED'),
      `${this.config.service} at ${this.baseText} refused the request (${status}).`,
      this.config.auth.kind === 'sigv4'
        ? 'Check the AWS credentials (profile, SSO session, environment) and that they may query this workspace.'
        : 'Check the token or user name and password in Settings.',
      { status },
    );
  }
}

/** An AbortSignal.timeout's reason (a DOMException named TimeoutError). */
function isTimeoutReason(reason: unknown): boolean {
  return (
    typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError'
  );
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

// ---------------------------------------------------------------------------------------------------------
// AWS Signature V4
// ---------------------------------------------------------------------------------------------------------

interface SignInput {
  method: string;
  host: string;
  path: string;
  query: URLSearchParams | undefined;
  headers: Record<string, string>;
  body: string;
}
interface SigV4Signer {
  sign(input: SignInput): Promise<Record<string, string>>;
}

/** SHA-256 / HMAC-SHA-256 in the shape @smithy/signature-v4 wants (its `sha256` constructor), on node:crypto. */
export class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh() {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : this.secret instanceof ArrayBuffer
          ? new Uint8Array(this.secret)
          : new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength);
    return createHmac('sha256', key);
  }
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    if (typeof data === 'string') this.hash.update(data, 'utf8');
    else if (data instanceof ArrayBuffer) this.hash.update(new Uint8Array(data));
    else this.hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/**
 * Signs with @smithy/signature-v4 (the AWS SDK's own signer). Credentials come from the given provider, else
 * from the AWS SDK's default chain (environment, shared config/profile, SSO, web identity, IMDS/ECS) via
 * @aws-sdk/credential-provider-node; they are never stored by Firebreak.
 */
async function createSigV4Signer(auth: Extract<EndpointAuth, { kind: 'sigv4' }>): Promise<SigV4Signer> {
  let SignatureV4: typeof SignatureV4Class;
  try {
    ({ SignatureV4 } = await import('@smithy/signature-v4'));
  } catch {
    throw new AppError(
      'NOT_CONFIGURED',
      'AWS SigV4 signing is not available in this build (@smithy/signature-v4 is missing).',
      'Use a bearer token or basic auth (e.g. through aws-sigv4-proxy), or install a build with AWS support.',
    );
  }
  const credentials = auth.credentials ?? (await defaultAwsCredentials());
  const signer = new SignatureV4({
    service: auth.service ?? 'aps',
    region: auth.region,
    credentials: async () => {
      try {
        return await credentials();
      } catch (err) {
        throw new AppError(
          'PROMETHEUS_AUTH_FAILED',
          `No AWS credentials for signing (${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}).`,
          'Sign in with the AWS CLI (aws sso login), set AWS_PROFILE, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY before starting Firebreak.',
        );
      }
    },
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  return {
    async sign(input) {
      const query: Record<string, string | string[]> = {};
      input.query?.forEach((v, k) => {
        const prev = query[k];
        query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      });
      const signed = await signer.sign({
        method: input.method,
        protocol: 'https:',
        hostname: input.host,
        path: input.path,
        query,
        headers: { ...stripHopHeaders(input.headers), host: input.host },
        body: input.body,
      });
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(signed.headers)) {
        const lower = k.toLowerCase();
        if (lower === 'authorization' || lower.startsWith('x-amz-')) out[k] = v;
      }
      return out;
    },
  };
}

function stripHopHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (/^(accept-encoding|content-length|connection)$/i.test(k)) continue;
    out[k] = v;
  }
  return out;
}

async function defaultAwsCredentials(): Promise<AwsCredentialProvider> {
  try {
    const mod = (await import('@aws-sdk/credential-provider-node')) as {
      defaultProvider: (init?: object) => AwsCredentialProvider;
    };
    return mod.defaultProvider({});
  } catch {
    throw new AppError(
      'NOT_CONFIGURED',
      'The AWS credential chain is not available in this build (@aws-sdk/credential-provider-node is missing).',
      'Export AWS credentials through a SigV4 proxy (aws-sigv4-proxy) and use it as the Prometheus URL.',
    );
  }
}
