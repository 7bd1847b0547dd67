/**
 * Every answer within its deadline: a Prometheus that accepts connections and never answers (hung) costs one
 * deadline per answer, not one timeout per query in sequence, and what ran out is served from the copy saved,
 * marked with its age.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type Handlers, type StreamHandlers } from '../../../main/api/dispatch';
import { modelHealth, type MetricsEnv } from '../../../main/metrics/modelHealth';
import { PrometheusClient } from '../../../main/metrics/prometheus';
import { cachedInstant } from '../../../main/metrics/rangeCache';
import { Staleness } from '../../../main/metrics/staleness';
import { openStore, type Store } from '../../../main/store';
import { AppError } from '../../../shared/errors';

let hung: net.Server;
let hungUrl: string;
const sockets = new Set<net.Socket>();
let good: http.Server;
let goodUrl: string;
let store: Store;

/** answers every query with one value, and the metric names of a vLLM server with its HTTP counter */
function goodPrometheus(req: http.IncomingMessage, res: http.ServerResponse) {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const form = new URLSearchParams(body);
    let data: unknown;
    if (url.pathname.startsWith('/api/v1/label/')) {
      data = ['vllm:request_success_total', 'http_requests_total', 'vllm:e2e_request_latency_seconds_bucket'];
    } else if (url.pathname === '/api/v1/query_range') {
      const start = Number(form.get('start'));
      const end = Number(form.get('end'));
      const step = Number(form.get('step'));
      const values: Array<[number, string]> = [];
      for (let t = start; t <= end; t += step) values.push([t, '0.25']);
      data = { resultType: 'matrix', result: [{ metric: {}, values }] };
    } else {
      data = { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, '0.25'] }] };
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data }));
  });
}

beforeAll(async () => {
  // accepts, reads, never answers
  hung = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
  good = http.createServer(goodPrometheus);
  await new Promise<void>((r) => good.listen(0, '127.0.0.1', r));
  goodUrl = `http://127.0.0.1:${(good.address() as AddressInfo).port}`;
  store = openStore(':memory:');
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => hung.close(() => r()));
  await new Promise<void>((r) => good.close(() => r()));
  store.close();
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('a hung Prometheus', () => {
  it('a caller deadline ends a query as a timeout (not a cancel), long before the per-request timeout', async () => {
    const client = new PrometheusClient({ url: hungUrl, auth: { kind: 'none' }, timeoutMs: 30_000 });
    const t0 = Date.now();
    const err = await failure(client.query('up', { signal: AbortSignal.timeout(300) }));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(err.code).toBe('PROMETHEUS_TIMEOUT');
    expect(err.details?.timedOut).toBe(true);
    expect(err.message).toMatch(/did not answer in time/);
  });

  it('an instant query past its deadline is answered from the copy saved, and says how old it is', async () => {
    const fetchedAt = new Date('2026-12-03T18:45:00Z');
    store.seriesCache.put(
      { query: 'instant\u0000sum(rate(x[5m]))', step: 1, start: 0, end: 0 },
      { time: fetchedAt.getTime() / 1000, samples: [{ labels: {}, value: '0.17' }] },
      fetchedAt,
    );
    const client = new PrometheusClient({ url: hungUrl, auth: { kind: 'none' }, timeoutMs: 30_000 });
    const stale = new Staleness();
    const t0 = Date.now();
    const r = await cachedInstant(client, store.seriesCache, 'sum(rate(x[5m]))', {
      signal: AbortSignal.timeout(300),
      stale,
    });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(r.samples[0]?.value).toBe(0.17);
    expect(stale.view()).toMatchObject({
      asOf: fetchedAt.toISOString(),
      error: { code: 'PROMETHEUS_TIMEOUT' },
    });
  });

  it('model health answers within one deadline with the last copy, marked stale (was: one timeout per stage)', async () => {
    const service = { id: 'llm/Deployment/chat', serverKind: 'vllm', modelName: 'chat' } as const;
    const input = { service, rangeS: 3600, widthPx: 400 };
    const now = Date.now();
    const seen: MetricsEnv = {
      client: new PrometheusClient({ url: goodUrl, auth: { kind: 'none' } }),
      cache: store.seriesCache,
      now: () => now,
    };
    const before = await modelHealth(seen, input, null, null);
    expect(before.now.errorRatio).toBe(0.25);
    expect(before.stale ?? null).toBeNull();
    await new Promise((r) => setTimeout(r, 50)); // the copies are written after the answer

    const deadlineMs = 1_000;
    const stale = new Staleness();
    const env: MetricsEnv = {
      // each request alone would wait 1 s; five stages in sequence used to take 5 s and more
      client: new PrometheusClient({ url: hungUrl, auth: { kind: 'none' }, timeoutMs: deadlineMs }),
      cache: store.seriesCache,
      now: () => now + 60_000,
      signal: AbortSignal.timeout(deadlineMs),
      stale,
    };
    const t0 = Date.now();
    const after = await modelHealth(env, input, null, null);
    expect(Date.now() - t0).toBeLessThan(deadlineMs + 1_000);
    expect(after.now.errorRatio).toBe(0.25);
    expect(after.stale?.error.code).toBe('PROMETHEUS_TIMEOUT');
    expect(Date.parse(after.stale!.asOf)).toBeLessThanOrEqual(Date.now());
    expect(after.charts.some((c) => c.cache?.offline)).toBe(true);
  });
});

describe('the dispatcher', () => {
  it('answers a handler that never returns with DEADLINE_EXCEEDED within the channel deadline', async () => {
    const handlers = { 'metrics.modelOverview': () => new Promise(() => {}) } as unknown as Handlers;
    const d = createDispatcher(handlers, {} as StreamHandlers, { deadlineMs: () => 200 });
    const t0 = Date.now();
    const r = await d.invoke('metrics.modelOverview', {
      services: [{ id: 'llm/Deployment/chat', serverKind: 'vllm', modelName: 'chat' }],
    });
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('DEADLINE_EXCEEDED');
      expect(r.error.hint).toMatch(/Retry/);
    }
  });
});
