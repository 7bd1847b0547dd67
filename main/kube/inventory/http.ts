/**
 * Raw HTTP to the Kubernetes API for list and watch, with the KubeConfig's own credentials.
 *
 * Why not the generated client: its ObjectSerializer walks every field of every object with type metadata (and
 * turns timestamps into Date objects); for 20,000 pods that costs several times what `JSON.parse` does, and the
 * inventory keeps plain JSON anyway (see test/bench/inventory.bench.ts, which measures both). Credentials come
 * from `kc.applyToHTTPSOptions` on every request, so exec plugins (aws, gke-gcloud-auth-plugin, kubelogin) and
 * token refreshes work exactly as for the generated client; the TLS material goes into one keep-alive agent per
 * connection. Responses may be gzip-compressed (a remote API server compresses large lists ~10x).
 */
import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../../shared/errors';
import { kubeError } from '../errors';

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  signal?: AbortSignal;
  /** whole request, ms (lists); default 60 s */
  timeoutMs?: number;
  /** called once with the first bytes of the body (a list page's metadata comes first: its continue token) */
  onHead?: (head: string) => void;
}

export interface WatchOptions {
  signal?: AbortSignal;
  /** no byte for this long = the connection is dead, ms */
  idleTimeoutMs: number;
  /** called once the server answered 200 (the watch is established) */
  onOpen?: () => void;
}

/** A non-2xx answer, with the Status the API server sent. */
export class KubeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly body: unknown,
    /** from Retry-After or Status details.retryAfterSeconds */
    readonly retryAfterS: number | null,
  ) {
    super(message);
    this.name = 'KubeHttpError';
  }
}

/** No answer (or no byte of a watch) in time. `code` lets kubeError call it a timeout. */
export class KubeTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(message: string) {
    super(message);
    this.name = 'KubeTimeoutError';
  }
}

/** the connection went away mid-answer (`code` lets kubeError call the cluster unreachable) */
function dropped(message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}

export class KubeAbortError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortError';
  }
}

const MAX_ERROR_BODY = 64 * 1024;
/** one list page of 500 objects is a few MB; anything near this is not an API server's answer */
const MAX_BODY = 256 * 1024 * 1024;

export class KubeHttp {
  /** the cluster's name in the kubeconfig, for messages */
  readonly cluster: string;
  readonly server: URL;
  private agent: http.Agent | undefined;
  private closed = false;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    this.cluster = cluster?.name ?? kc.getCurrentContext();
    let server: URL;
    try {
      server = new URL(cluster?.server ?? '');
    } catch {
      throw new AppError(
        'KUBECONFIG_MALFORMED',
        `The cluster ${this.cluster} has no valid server address.`,
        'Check the `server:` of this cluster in the kubeconfig.',
      );
    }
    this.server = server;
  }

  /** The full URL of an API path with its query (undefined/null values left out). */
  url(path: string, query: Query = {}): URL {
    const base = this.server.pathname.replace(/\/+$/, '');
    const u = new URL(this.server.origin + base + path);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
    return u;
  }

  /** GET and parse JSON. Throws KubeHttpError for non-2xx, KubeTimeoutError, or the socket's error. */
  async getJson(path: string, query: Query = {}, opts: RequestOptions = {}): Promise<unknown> {
    const text = await this.getText(path, query, opts);
    try {
      return JSON.parse(text);
    } catch {
      throw new KubeHttpError(
        502,
        'BadResponse',
        `The API server sent a response that is not JSON (${path}).`,
        null,
        null,
      );
    }
  }

  async getText(path: string, query: Query = {}, opts: RequestOptions = {}): Promise<string> {
    return (await this.getBuffer(path, query, opts)).toString('utf8');
  }

  /** GET and return the body's bytes (decompressed). Non-2xx rejects with KubeHttpError. */
  async getBuffer(path: string, query: Query = {}, opts: RequestOptions = {}): Promise<Buffer> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const res = await this.open(path, query, opts.signal, timeoutMs);
    return await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const body = decoded(res);
      const timer = setTimeout(() => {
        const err = new KubeTimeoutError(`No complete answer to ${path} within ${timeoutMs / 1000} s.`);
        done(err);
        res.destroy(err);
      }, timeoutMs);
      const onAbort = () => res.destroy(new KubeAbortError());
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let settled = false;
      const done = (err: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      };
      let head = opts.onHead;
      let size = 0;
      body.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          res.destroy(
            new KubeHttpError(
              502,
              'TooLarge',
              `The answer to ${path} is over ${MAX_BODY >> 20} MiB.`,
              null,
              null,
            ),
          );
          return;
        }
        chunks.push(c);
        if (head) {
          const h = head;
          head = undefined;
          h(c.toString('utf8', 0, Math.min(c.length, 8192)));
        }
      });
      body.on('end', () => done(null));
      body.on('error', (e: Error) => done(e));
      res.on('error', (e: Error) => done(e));
      res.on('aborted', () => done(dropped('the API server closed the connection mid-answer')));
      res.on('close', () => {
        if (!res.complete) done(dropped('the API server closed the connection mid-answer'));
      });
    });
  }

  /**
   * A watch: calls `onLine` with each newline-delimited JSON event until the server ends the stream (resolves) or
   * something fails (rejects). Aborting resolves quietly.
   */
  async watch(path: string, query: Query, onLine: (line: string) => void, opts: WatchOptions): Promise<void> {
    // the server answers a watch at once (events come later): a slow answer is a dead connection
    const res = await this.open(path, query, opts.signal, Math.min(opts.idleTimeoutMs, 30_000));
    opts.onOpen?.();
    await new Promise<void>((resolve, reject) => {
      const body = decoded(res);
      const decoder = new StringDecoder('utf8');
      let rest = '';
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          const err = new KubeTimeoutError(
            `The watch of ${path} went silent for ${opts.idleTimeoutMs / 1000} s.`,
          );
          settle(err);
          res.destroy(err);
        }, opts.idleTimeoutMs);
      };
      const onAbort = () => {
        settle(null);
        res.destroy();
      };
      const settle = (err: Error | null) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err && !opts.signal?.aborted) reject(err);
        else resolve();
      };
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      arm();
      body.on('data', (c: Buffer) => {
        arm();
        const text = rest + decoder.write(c);
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          const line = text.slice(start, nl);
          start = nl + 1;
          if (line.trim()) {
            try {
              onLine(line);
            } catch (err) {
              settle(err as Error);
              res.destroy();
              return;
            }
          }
        }
        rest = text.slice(start);
      });
      body.on('end', () => {
        const last = rest + decoder.end();
        if (last.trim() && !settled) {
          try {
            onLine(last);
          } catch (err) {
            return settle(err as Error);
          }
        }
        settle(null);
      });
      body.on('error', (e: Error) => settle(e));
      res.on('error', (e: Error) => settle(e));
      res.on('aborted', () => settle(dropped('the API server closed the watch')));
      res.on('close', () => {
        if (!res.complete) settle(dropped('the watch connection dropped'));
      });
    });
  }

  /** Closes idle keep-alive sockets; in-flight requests end with their own signals. */
  close(): void {
    this.closed = true;
    this.agent?.destroy();
    this.agent = undefined;
  }

  /** Sends a GET and resolves with a 2xx response (not yet read); non-2xx rejects with KubeHttpError. */
  private async open(
    path: string,
    query: Query,
    signal: AbortSignal | undefined,
    connectTimeoutMs: number,
  ): Promise<http.IncomingMessage> {
    if (signal?.aborted) throw new KubeAbortError();
    if (this.closed) throw new KubeAbortError();
    const { mod, options } = await this.requestOptions();
    const url = this.url(path, query);
    return await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = mod.request(url, { ...options, method: 'GET' });
      const timer = setTimeout(() => {
        req.destroy(
          new KubeTimeoutError(`The API server did not answer ${path} within ${connectTimeoutMs / 1000} s.`),
        );
      }, connectTimeoutMs);
      const onAbort = () => req.destroy(new KubeAbortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      req.on('error', (err) => {
        cleanup();
        reject(err);
      });
      req.on('response', (res) => {
        cleanup();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve(res);
          return;
        }
        readError(res, status, path).then(reject, reject);
      });
      req.end();
    });
  }

  private async requestOptions(): Promise<{
    mod: typeof http | typeof https;
    options: https.RequestOptions;
  }> {
    const o: https.RequestOptions = { headers: {} };
    // token, exec plugin, client certificate, CA: whatever the kubeconfig says (may spawn the plugin)
    await this.kc.applyToHTTPSOptions(o);
    const isHttps = this.server.protocol === 'https:';
    if (!this.agent) {
      const cluster = this.kc.getCurrentCluster();
      if (cluster?.proxyUrl && o.agent) {
        this.agent = o.agent as http.Agent; // client-node's proxy agent (HTTP CONNECT or SOCKS)
      } else {
        const agentOptions: https.AgentOptions = {
          keepAlive: true,
          ...(o.ca ? { ca: o.ca } : {}),
          ...(o.cert ? { cert: o.cert } : {}),
          ...(o.key ? { key: o.key } : {}),
          ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
          ...(o.servername ? { servername: o.servername } : {}),
        };
        this.agent = isHttps ? new https.Agent(agentOptions) : new http.Agent({ keepAlive: true });
      }
    }
    const headers: http.OutgoingHttpHeaders = {
      ...(o.headers as http.OutgoingHttpHeaders),
      Accept: 'application/json',
      'Accept-Encoding': 'gzip',
      'User-Agent': 'firebreak',
    };
    return {
      mod: isHttps ? https : http,
      options: { agent: this.agent, headers, ...(o.auth ? { auth: o.auth } : {}) },
    };
  }
}

function decoded(res: http.IncomingMessage): NodeJS.ReadableStream {
  const enc = String(res.headers['content-encoding'] ?? '').toLowerCase();
  if (enc === 'gzip') {
    const gunzip = zlib.createGunzip();
    res.pipe(gunzip);
    return gunzip;
  }
  return res;
}

async function readError(res: http.IncomingMessage, status: number, path: string): Promise<KubeHttpError> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const body = decoded(res);
      body.on('data', (c: Buffer) => {
        if (size < MAX_ERROR_BODY) chunks.push(c);
        size += c.length;
      });
      body.on('end', () => resolve());
      body.on('error', reject);
      res.on('error', reject);
    });
  } catch {
    // the status alone says enough
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not a Status object
  }
  const st = (parsed && typeof parsed === 'object' ? parsed : {}) as {
    message?: unknown;
    reason?: unknown;
    details?: { retryAfterSeconds?: unknown };
  };
  const header = Number(res.headers['retry-after']);
  const detail = typeof st.details?.retryAfterSeconds === 'number' ? st.details.retryAfterSeconds : NaN;
  const retryAfterS =
    Number.isFinite(header) && header > 0 ? header : Number.isFinite(detail) && detail > 0 ? detail : null;
  const message =
    typeof st.message === 'string' && st.message ? st.message.slice(0, 500) : `HTTP ${status} from ${path}`;
  return new KubeHttpError(
    status,
    typeof st.reason === 'string' ? st.reason : '',
    message,
    parsed,
    retryAfterS,
  );
}

/** Any failure of this module as the typed error a person reads (the same mapping as the generated client's). */
export function kubeHttpError(err: unknown, cluster: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof KubeHttpError) {
    const body = err.body && typeof err.body === 'object' ? err.body : { message: err.message };
    return kubeError(new ApiException(err.status, err.message, body, {}), cluster);
  }
  return kubeError(err, cluster);
}

/** The HTTP status of a failure, or null for a network failure / timeout. */
export function statusOf(err: unknown): number | null {
  return err instanceof KubeHttpError ? err.status : null;
}
