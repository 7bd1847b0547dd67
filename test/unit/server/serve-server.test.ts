import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatcher, type Handlers, type StreamHandlers } from '../../../main/api/dispatch';
import { startServeServer, type ServeServer } from '../../../main/server/server';
import { tokensEqual } from '../../../main/server/security';

const token = 'a'.repeat(64);
let server: ServeServer;
let rendererDir: string;
let stopped = 0;

const handlers = {
  'audit.verify': () => ({ ok: true, entries: 3, brokenAt: null }),
  'audit.list': (input: { limit: number }) => Array.from({ length: Math.min(input.limit, 1) }, () => ({})),
} as unknown as Handlers;
const streams = {
  'models.live': (params: { intervalS: number }, emit: (e: unknown) => void) => {
    let n = 0;
    const t = setInterval(() => emit({ n: n++, intervalS: params.intervalS }), 20);
    return () => {
      stopped++;
      clearInterval(t);
    };
  },
} as unknown as StreamHandlers;

beforeAll(async () => {
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Firebreak</title>');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  server = await startServeServer({ dispatcher: createDispatcher(handlers, streams), token, rendererDir });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(rendererDir, { recursive: true, force: true });
});

function request(
  method: string,
  pathname: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method, path: pathname, headers: opts.headers },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
const api = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  request('POST', `/api/${channel}`, {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('serve transport', () => {
  it('serves the renderer with a strict CSP and falls back to index.html for client routes', async () => {
    const index = await request('GET', '/models');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Firebreak</title>');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await request('GET', '/assets/app.js')).headers['content-type']).toMatch(/javascript/);
    expect((await request('GET', '/assets/missing.js')).status).toBe(404);
  });

  it('refuses path traversal', async () => {
    for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc/passwd']) {
      const r = await request('GET', p);
      expect(r.body).not.toContain('root:');
    }
  });

  it('answers a channel with its Result', async () => {
    const r = await api('audit.verify', {});
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, value: { ok: true, entries: 3, brokenAt: null } });
  });

  it('a missing or wrong token is 401 with a typed error that says what to do', async () => {
    const none = await request('POST', '/api/audit.verify', {
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    const wrong = await api('audit.verify', {}, { Authorization: `Bearer ${'b'.repeat(64)}` });
    expect(wrong.status).toBe(401);
    const body = JSON.parse(wrong.body);
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(body.error.hint).toContain('npm run serve');
  });

  it('compares tokens in constant time and correctly', () => {
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual(token.slice(1), token)).toBe(false);
    expect(tokensEqual(undefined, token)).toBe(false);
  });

  it('refuses another page’s Origin and a foreign Host (DNS rebinding)', async () => {
    expect((await api('audit.verify', {}, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await api('audit.verify', {}, { Origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await api('audit.verify', {}, { Host: `evil.example:${server.port}` })).status).toBe(421);
  });

  it('input failing its schema is INVALID_INPUT naming the field; unknown channels are 404', async () => {
    const bad = await api('audit.list', { limit: 'lots' });
    expect(bad.status).toBe(400);
    const body = JSON.parse(bad.body);
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(body.error.message).toContain('limit');
    const unknown = await api('rm.rf', {});
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('UNKNOWN_CHANNEL');
  });

  it('rejects non-JSON bodies and content types', async () => {
    expect((await api('audit.verify', {}, { 'Content-Type': 'text/plain' })).status).toBe(415);
    const r = await request('POST', '/api/audit.verify', {
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(r.status).toBe(400);
  });

  it('streams over a WebSocket authenticated by subprotocol, and stops on unsubscribe and close', async () => {
    const b64 = Buffer.from(token).toString('base64url');
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/stream`, [
      'firebreak.v1',
      `base64url.bearer.firebreak.${b64}`,
    ]);
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const got: Array<{ id: string; message: { type: string; event?: { n: number; intervalS: number } } }> =
      [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    ws.send(JSON.stringify({ op: 'subscribe', id: 's1', stream: 'models.live', params: { intervalS: 5 } }));
    await new Promise((r) => setTimeout(r, 120));
    expect(got.length).toBeGreaterThan(1);
    expect(got[0]).toEqual({ id: 's1', message: { type: 'event', event: { n: 0, intervalS: 5 } } });
    ws.send(JSON.stringify({ op: 'subscribe', id: 's2', stream: 'models.live', params: { intervalS: 1 } }));
    await new Promise((r) => setTimeout(r, 50));
    const s2 = got.find((g) => g.id === 's2');
    expect(s2?.message.type).toBe('error'); // intervalS below the contract's minimum
    const before = stopped;
    ws.send(JSON.stringify({ op: 'unsubscribe', id: 's1' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(before + 1);
    ws.close();
  });

  it('refuses a WebSocket without the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/stream`, ['firebreak.v1']);
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('refused'));
      ws.once('unexpected-response', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});
