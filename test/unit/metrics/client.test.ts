import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { AlertmanagerClient } from '../../../main/metrics/alertmanager';
import { PrometheusClient } from '../../../main/metrics/prometheus';
import { CachedRange } from '../../../main/metrics/rangeCache';
import { openStore, type Store } from '../../../main/store';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Reply = (req: Seen) => { status: number; body: string; delayMs?: number };
let reply: Reply = () => ({ status: 200, body: '{}' });
const seen: Seen[] = [];

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    seen.push(s);
    const r = reply(s);
    const t = setTimeout(() => {
      res.writeHead(r.status, { 'Content-Type': 'application/json' });
      res.end(r.body);
    }, r.delayMs ?? 0);
    res.on('close', () => clearTimeout(t));
  });
}

let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const ok = (data: unknown) => JSON.stringify({ status: 'success', data });
const matrix = (result: unknown[]) => ok({ resultType: 'matrix', result });

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

const client = (extra: Partial<ConstructorParameters<typeof PrometheusClient>[0]> = {}) =>
  new PrometheusClient({ url, auth: { kind: 'none' }, ...extra });

describe('range queries', () => {
  it('asks for the aligned grid and puts the answer on it, NaN and ±Inf counted', async () => {
    reply = () => ({
      status: 200,
      body: matrix([
        {
          metric: { gpu: '0' },
          values: [
            [600, '0.5'],
            [900, 'NaN'],
            [1200, '0.75'],
          ],
        },
        {
          metric: { gpu: '1' },
          values: [
            [600, '+Inf'],
            [1500, '1'],
          ],
        },
      ]),
    });
    seen.length = 0;
    const r = await client().queryRange('up', { start: 600, end: 1500, step: 300 });
    const params = new URLSearchParams(seen[0]!.body);
    expect(seen[0]!.url).toBe('/api/v1/query_range');
    expect([params.get('start'), params.get('end'), params.get('step'), params.get('query')]).toEqual([
      '600',
      '1500',
      '300',
      'up',
    ]);
    expect(params.get('timeout')).toBe('10s');
    expect(r.points).toBe(4);
    expect(Array.from(r.series[0]!.values)).toEqual([0.5, NaN, 0.75, NaN]);
    expect(r.series[0]!.nonFinite.nan).toBe(1);
    expect(r.series[1]!.nonFinite.posInf).toBe(1);
    expect(Array.from(r.series[1]!.values)).toEqual([NaN, NaN, NaN, 1]);
  });

  it('caps the number of series and says how many were left out', async () => {
    reply = () => ({
      status: 200,
      body: matrix(Array.from({ length: 30 }, (_, i) => ({ metric: { i: String(i) }, values: [[0, '1']] }))),
    });
    const r = await client().queryRange('up', { start: 0, end: 0, step: 15 }, { maxSeries: 10 });
    expect(r.series).toHaveLength(10);
    expect(r.droppedSeries).toBe(20);
  });

  it('an empty result is an empty list, not an error', async () => {
    reply = () => ({ status: 200, body: matrix([]) });
    expect((await client().queryRange('nothing', { start: 0, end: 60, step: 15 })).series).toEqual([]);
  });

  it('4xx with an error body: PROMETHEUS_BAD_QUERY carrying Prometheus’s message', async () => {
    reply = () => ({
      status: 400,
      body: JSON.stringify({
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis',
      }),
    });
    const err = await failure(client().queryRange('sum(', { start: 0, end: 60, step: 15 }));
    expect(err.code).toBe('PROMETHEUS_BAD_QUERY');
    expect(err.message).toContain('unclosed left parenthesis');
  });

  it('422 execution errors and 503 query timeouts are told apart', async () => {
    reply = () => ({
      status: 422,
      body: JSON.stringify({
        status: 'error',
        errorType: 'execution',
        error: 'query processing would load too many samples into memory',
      }),
    });
    const e422 = await failure(client().queryRange('x', { start: 0, end: 60, step: 15 }));
    expect(e422.code).toBe('PROMETHEUS_BAD_QUERY');
    expect(e422.message).toContain('too many samples');
    reply = () => ({
      status: 503,
      body: JSON.stringify({
        status: 'error',
        errorType: 'timeout',
        error: 'query timed out in expression evaluation',
      }),
    });
    expect((await failure(client().queryRange('x', { start: 0, end: 60, step: 15 }))).code).toBe(
      'PROMETHEUS_TIMEOUT',
    );
  });

  it('a 404 from a proxy says what came back, as text', async () => {
    reply = () => ({ status: 404, body: '<html><body><h1>Not <b>found</b></h1></body></html>' });
    const err = await failure(client().queryRange('x', { start: 0, end: 60, step: 15 }));
    expect(err.code).toBe('PROMETHEUS_ERROR');
    expect(err.message).toContain('HTTP 404: Not found');
    expect(err.message).not.toContain('<');
  });

  it('a slow query does not hold up another one, and times out on its own', async () => {
    reply = (req) => ({
      status: 200,
      body: matrix([]),
      delayMs: new URLSearchParams(req.body).get('query') === 'slow' ? 1500 : 0,
    });
    const c = client({ timeoutMs: 800 });
    const started = Date.now();
    const slow = failure(c.queryRange('slow', { start: 0, end: 60, step: 15 }));
    await c.queryRange('fast', { start: 0, end: 60, step: 15 });
    expect(Date.now() - started).toBeLessThan(400);
    const err = await slow;
    expect(err.code).toBe('PROMETHEUS_TIMEOUT');
    expect(err.details?.timedOut).toBe(true);
  });

  it('can be cancelled', async () => {
    reply = () => ({ status: 200, body: matrix([]), delayMs: 2000 });
    const ac = new AbortController();
    const p = failure(client().queryRange('x', { start: 0, end: 60, step: 15 }, { signal: ac.signal }));
    setTimeout(() => ac.abort(), 20);
    const err = await p;
    expect(err.code).toBe('PROMETHEUS_TIMEOUT');
    expect(err.details?.cancelled).toBe(true);
  });

  it('lists metric names with a match[] selector', async () => {
    reply = () => ({ status: 200, body: ok(['a', 'vllm:x']) });
    seen.length = 0;
    expect(await client().metricNames({ match: '{namespace="llm"}', start: 10, end: 20 })).toEqual([
      'a',
      'vllm:x',
    ]);
    const u = new URL(seen[0]!.url, 'http://x');
    expect(u.pathname).toBe('/api/v1/label/__name__/values');
    expect(u.searchParams.getAll('match[]')).toEqual(['{namespace="llm"}']);
    expect(seen[0]!.method).toBe('GET');
  });

  it('reads pending and firing alerts from Prometheus', async () => {
    reply = () => ({
      status: 200,
      body: ok({
        alerts: [
          {
            labels: { alertname: 'A' },
            annotations: { summary: 's' },
            state: 'pending',
            activeAt: '2026-01-01T00:00:00Z',
            value: '1e+00',
          },
        ],
      }),
    });
    const alerts = await client().alerts();
    expect(alerts[0]).toMatchObject({ state: 'pending', annotations: { summary: 's' } });
  });
});

describe('the series cache', () => {
  let store: Store;
  beforeAll(() => {
    store = openStore(':memory:');
  });
  afterAll(() => store.close());
  const grid = { start: 1_700_000_100, end: 1_700_000_400, step: 100 };

  it('answers a reopened view from the cache without asking Prometheus', async () => {
    reply = () => ({
      status: 200,
      body: matrix([
        {
          metric: { a: '1' },
          values: [
            [grid.start, '1'],
            [grid.end, '4'],
          ],
        },
      ]),
    });
    seen.length = 0;
    const range = new CachedRange(client(), store.seriesCache);
    const first = await range.get({ query: 'cached_q', ...grid }, { now: () => grid.end * 1000 + 1000 });
    expect(first.cache).toBeNull();
    await new Promise((r) => setImmediate(r));
    const second = await range.get({ query: 'cached_q', ...grid }, { now: () => grid.end * 1000 + 2000 });
    expect(seen).toHaveLength(1);
    expect(second.cache?.offline).toBe(false);
    expect(Array.from(second.series[0]!.values)).toEqual([1, NaN, NaN, 4]);
  });

  it('serves the latest cached answer, marked offline, when Prometheus is down', async () => {
    const range = new CachedRange(
      new PrometheusClient({ url: 'http://127.0.0.1:1', auth: { kind: 'none' } }),
      store.seriesCache,
    );
    const later = { start: grid.start + 200, end: grid.end + 200, step: 100 };
    const r = await range.get({ query: 'cached_q', ...later }, { now: () => Date.now() });
    expect(r.cache?.offline).toBe(true);
    expect(Array.from(r.series[0]!.values)).toEqual([NaN, 4, NaN, NaN]);
    // nothing cached for this query: the real failure
    const err = await failure(range.get({ query: 'never_seen', ...grid }));
    expect(err.code).toBe('PROMETHEUS_UNREACHABLE');
  });

  it('a bad query is not hidden behind an old answer', async () => {
    reply = () => ({
      status: 400,
      body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }),
    });
    const range = new CachedRange(client(), store.seriesCache);
    const err = await failure(range.get({ query: 'cached_q', ...grid }, { refresh: true }));
    expect(err.code).toBe('PROMETHEUS_BAD_QUERY');
  });
});

describe('custom CA', () => {
  let dir: string;
  let tlsServer: https.Server;
  let tlsUrl: string;
  let cert: string;
  const hasOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  beforeAll(async () => {
    if (!hasOpenssl) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ca-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    tlsServer = https.createServer({ cert, key: fs.readFileSync(path.join(dir, 'key.pem')) }, handler);
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    tlsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (!hasOpenssl) return;
    await new Promise<void>((r) => tlsServer.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasOpenssl)(
    'refuses an untrusted certificate with a hint, and trusts it with the CA',
    async () => {
      reply = () => ({ status: 200, body: ok({ resultType: 'vector', result: [] }) });
      const err = await failure(new PrometheusClient({ url: tlsUrl, auth: { kind: 'none' } }).query('up'));
      expect(err.code).toBe('PROMETHEUS_UNREACHABLE');
      expect(err.hint).toMatch(/CA certificate/);
      expect(
        await new PrometheusClient({ url: tlsUrl, auth: { kind: 'none' }, caCert: cert }).query('up'),
      ).toEqual([]);
    },
  );
});

describe('AWS SigV4 (Amazon Managed Prometheus)', () => {
  const hmac = (key: Buffer | string, data: string) =>
    crypto.createHmac('sha256', key).update(data, 'utf8').digest();
  const sha = (data: string) => crypto.createHash('sha256').update(data, 'utf8').digest('hex');

  /** The signature recomputed from the request as received, per the SigV4 spec (independent of the SDK). */
  function verify(req: Seen, secret: string): boolean {
    const auth = String(req.headers.authorization);
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return false;
    const [, , date, region, service, signedHeaders, signature] = m;
    const u = new URL(req.url, 'http://x');
    const query = [...u.searchParams.entries()]
      .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
      .sort(([a, x], [b, y]) => (a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const names = signedHeaders!.split(';');
    const canonicalHeaders = names
      .map((n) => `${n}:${String(req.headers[n]).trim().replace(/\s+/g, ' ')}\n`)
      .join('');
    const canonical = [req.method, u.pathname, query, canonicalHeaders, signedHeaders, sha(req.body)].join(
      '\n',
    );
    const amzDate = String(req.headers['x-amz-date']);
    const scope = `${date}/${region}/${service}/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonical)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
    return crypto.createHmac('sha256', key).update(toSign).digest('hex') === signature;
  }

  it('signs queries for service aps in the configured region with the given credentials', async () => {
    reply = (req) => ({
      status: 200,
      body: req.url.includes('/label/') ? ok(['up']) : ok({ resultType: 'vector', result: [] }),
    });
    seen.length = 0;
    const c = new PrometheusClient({
      url: `${url}/workspaces/ws-123`,
      tenant: 'team-a',
      auth: {
        kind: 'sigv4',
        region: 'eu-west-1',
        credentials: async () => ({
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
          sessionToken: 'session-token',
        }),
      },
    });
    await c.query('sum(rate(x[5m]))');
    await c.metricNames({ match: '{job="a b"}' });
    expect(seen).toHaveLength(2);
    for (const req of seen) {
      expect(String(req.headers.authorization)).toMatch(
        /Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/aps\/aws4_request/,
      );
      expect(req.headers['x-amz-security-token']).toBe('session-token');
      // the tenant header is among the signed ones (a proxy cannot swap it)
      expect(req.headers['x-scope-orgid']).toBe('team-a');
      expect(String(req.headers.authorization)).toMatch(/SignedHeaders=[^,]*x-scope-orgid/);
      expect(req.url.startsWith('/workspaces/ws-123/api/v1/')).toBe(true);
      expect(verify(req, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY')).toBe(true);
      expect(verify(req, 'another-secret')).toBe(false);
    }
  });

  it('a Mimir tenant goes in X-Scope-OrgID to Prometheus and Alertmanager; none, no header', async () => {
    reply = () => ({ status: 200, body: ok({ resultType: 'vector', result: [] }) });
    seen.length = 0;
    await new PrometheusClient({ url, auth: { kind: 'bearer', token: 't' }, tenant: 'team-a|team-b' }).query(
      'up',
    );
    await new PrometheusClient({ url, auth: { kind: 'none' } }).query('up');
    reply = () => ({ status: 200, body: '[]' });
    await new AlertmanagerClient({ url, auth: { kind: 'none' }, tenant: 'team-a' }).alerts();
    expect(seen.map((r) => r.headers['x-scope-orgid'])).toEqual(['team-a|team-b', undefined, 'team-a']);
  });

  it('no credentials is an auth error that says where credentials come from', async () => {
    const c = new PrometheusClient({
      url,
      auth: {
        kind: 'sigv4',
        region: 'us-east-1',
        credentials: async () => Promise.reject(new Error('Could not load credentials from any providers')),
      },
    });
    const err = await failure(c.query('up'));
    expect(err.code).toBe('PROMETHEUS_AUTH_FAILED');
    expect(err.hint).toMatch(/aws sso login|AWS_PROFILE/);
  });
});

describe('Alertmanager client', () => {
  it('creates a silence with JSON and returns its id', async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ silenceID: 'abc-123' }) });
    seen.length = 0;
    const am = new AlertmanagerClient({ url, auth: { kind: 'bearer', token: 't' } });
    const id = await am.createSilence({
      matchers: [{ name: 'alertname', value: 'GPUIdle', isRegex: false, isEqual: true }],
      startsAt: new Date('2026-01-01T00:00:00Z'),
      endsAt: new Date('2026-01-01T01:00:00Z'),
      createdBy: 'me',
      comment: 'batch job',
    });
    expect(id).toBe('abc-123');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.headers.authorization).toBe('Bearer t');
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ createdBy: 'me', endsAt: '2026-01-01T01:00:00.000Z' });
  });
  it('an Alertmanager that refuses says so with its message; one that is down is ALERTMANAGER_UNREACHABLE', async () => {
    reply = () => ({ status: 400, body: '"start time must be before end time"' });
    const err = await failure(new AlertmanagerClient({ url, auth: { kind: 'none' } }).alerts());
    expect(err.code).toBe('ALERTMANAGER_ERROR');
    expect(err.message).toContain('start time must be before end time');
    const down = await failure(
      new AlertmanagerClient({ url: 'http://127.0.0.1:1', auth: { kind: 'none' } }).alerts(),
    );
    expect(down.code).toBe('ALERTMANAGER_UNREACHABLE');
  });
  it('refuses an answer that is not the v2 API', async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ data: [] }) });
    expect((await failure(new AlertmanagerClient({ url, auth: { kind: 'none' } }).alerts())).code).toBe(
      'ALERTMANAGER_ERROR',
    );
  });
});
