import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { PrometheusClient } from '../../../main/metrics/prometheus';

type Reply = (req: http.IncomingMessage, body: string) => { status: number; body: string; delayMs?: number };
let reply: Reply = () => ({ status: 200, body: '{}' });
let seen: { auth?: string; body: string } = { body: '' };
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen = { auth: req.headers.authorization, body };
      const r = reply(req, body);
      setTimeout(() => {
        res.writeHead(r.status, { 'Content-Type': 'application/json' });
        res.end(r.body);
      }, r.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const vector = (result: unknown[]) =>
  JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('PrometheusClient', () => {
  it('runs an instant query with bearer auth and parses NaN and ±Inf', async () => {
    reply = () => ({
      status: 200,
      body: vector([
        { metric: { pod: 'a' }, value: [1700000000, '1.5'] },
        { metric: { pod: 'b' }, value: [1700000000, 'NaN'] },
        { metric: { pod: 'c' }, value: [1700000000, '+Inf'] },
        { metric: { pod: 'd' }, value: [1700000000, '-Inf'] },
      ]),
    });
    const client = new PrometheusClient({ url: url + '/', auth: { kind: 'bearer', token: 't0k' } });
    const samples = await client.query('up');
    expect(seen.auth).toBe('Bearer t0k');
    expect(new URLSearchParams(seen.body).get('query')).toBe('up');
    expect(samples.map((s) => s.value)).toEqual([1.5, NaN, Infinity, -Infinity]);
    expect(samples[0]?.labels).toEqual({ pod: 'a' });
  });

  it('sends basic auth', async () => {
    reply = () => ({ status: 200, body: vector([]) });
    await new PrometheusClient({ url, auth: { kind: 'basic', username: 'u', password: 'p:w' } }).query('up');
    expect(seen.auth).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
  });

  it('an unreachable Prometheus is PROMETHEUS_UNREACHABLE with the URL', async () => {
    const err = await failure(
      new PrometheusClient({ url: 'http://127.0.0.1:1', auth: { kind: 'none' } }).query('up'),
    );
    expect(err.code).toBe('PROMETHEUS_UNREACHABLE');
    expect(err.message).toContain('http://127.0.0.1:1');
  });

  it('a slow Prometheus times out with PROMETHEUS_TIMEOUT', async () => {
    reply = () => ({ status: 200, body: vector([]), delayMs: 500 });
    const err = await failure(
      new PrometheusClient({ url, auth: { kind: 'none' }, timeoutMs: 100 }).query('up'),
    );
    expect(err.code).toBe('PROMETHEUS_TIMEOUT');
  });

  it('401 is PROMETHEUS_AUTH_FAILED', async () => {
    reply = () => ({ status: 401, body: 'Unauthorized' });
    expect((await failure(new PrometheusClient({ url, auth: { kind: 'none' } }).query('up'))).code).toBe(
      'PROMETHEUS_AUTH_FAILED',
    );
  });

  it('a 400 with an error body carries Prometheus’s own message', async () => {
    reply = () => ({
      status: 400,
      body: JSON.stringify({
        status: 'error',
        errorType: 'bad_data',
        error: 'parse error at char 4: unexpected',
      }),
    });
    const err = await failure(new PrometheusClient({ url, auth: { kind: 'none' } }).query('sum('));
    expect(err.code).toBe('PROMETHEUS_BAD_QUERY');
    expect(err.message).toContain('parse error at char 4');
  });

  it('a 500 is PROMETHEUS_ERROR with the status', async () => {
    reply = () => ({ status: 500, body: 'oops' });
    const err = await failure(new PrometheusClient({ url, auth: { kind: 'none' } }).query('up'));
    expect(err.code).toBe('PROMETHEUS_ERROR');
    expect(err.details?.status).toBe(500);
  });

  it('something that is not Prometheus says so', async () => {
    reply = () => ({ status: 200, body: '<html>login</html>' });
    const err = await failure(new PrometheusClient({ url, auth: { kind: 'none' } }).query('up'));
    expect(err.code).toBe('PROMETHEUS_ERROR');
    expect(err.hint).toMatch(/URL/);
  });

  it('can be cancelled', async () => {
    reply = () => ({ status: 200, body: vector([]), delayMs: 1000 });
    const ac = new AbortController();
    const p = new PrometheusClient({ url, auth: { kind: 'none' } }).query('up', { signal: ac.signal });
    ac.abort();
    expect((await failure(p)).code).toBe('PROMETHEUS_TIMEOUT');
  });
});
