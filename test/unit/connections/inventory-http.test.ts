/**
 * The raw HTTP client of the inventory against a local server: credentials from the KubeConfig, gzip, Status
 * errors with Retry-After as typed errors, watch lines split anywhere (even inside a UTF-8 character), a silent
 * watch timing out, and a dropped connection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeHttp, KubeHttpError, kubeHttpError } from '../../../main/kube/inventory/http';

let server: http.Server;
let kc: KubeConfig;
const seen: Array<{ url: string; auth: string | undefined }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/gz') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(zlib.gzipSync(JSON.stringify({ kind: 'PodList', items: [{ name: 'ä' }] })));
    } else if (url.pathname === '/busy') {
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '3' });
      res.end(JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' }));
    } else if (url.pathname === '/denied') {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          code: 403,
          reason: 'Forbidden',
          message: 'pods is forbidden: User "dev" cannot list resource "pods"',
        }),
      );
    } else if (url.pathname === '/watch') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const text = `${JSON.stringify({ type: 'ADDED', object: { name: 'größe' } })}\n${JSON.stringify({ type: 'DELETED', object: { name: 'b' } })}\n`;
      const bytes = Buffer.from(text);
      // split inside the two-byte 'ö' and inside the first line
      const cut = bytes.indexOf(Buffer.from('ö')) + 1;
      res.write(bytes.subarray(0, cut));
      setTimeout(() => {
        res.write(bytes.subarray(cut, cut + 7));
        setTimeout(() => res.end(bytes.subarray(cut + 7)), 5);
      }, 5);
    } else if (url.pathname === '/silent') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
    } else if (url.pathname === '/drop') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"type":"ADDED","object":{}}\n');
      setTimeout(() => res.socket?.destroy(), 5);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'local', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'me', token: 'secret-token' }],
    contexts: [{ name: 'local', cluster: 'local', user: 'me' }],
    currentContext: 'local',
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('inventory HTTP client', () => {
  it('sends the kubeconfig’s credentials and reads gzip', async () => {
    const c = new KubeHttp(kc);
    expect(await c.getJson('/gz', { limit: 500, continue: undefined })).toEqual({
      kind: 'PodList',
      items: [{ name: 'ä' }],
    });
    expect(seen.at(-1)).toEqual({ url: '/gz?limit=500', auth: 'Bearer secret-token' });
    c.close();
  });

  it('turns a Status answer into a typed error, with Retry-After', async () => {
    const c = new KubeHttp(kc);
    const busy = await c.getJson('/busy').catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(KubeHttpError);
    expect(busy).toMatchObject({
      status: 429,
      reason: 'TooManyRequests',
      retryAfterS: 3,
      message: 'slow down',
    });
    expect(kubeHttpError(busy, 'local').code).toBe('CLUSTER_ERROR');
    const denied = await c.getJson('/denied').catch((e: unknown) => e);
    expect(kubeHttpError(denied, 'local')).toMatchObject({
      code: 'CLUSTER_FORBIDDEN',
      message: expect.stringContaining('cannot list resource "pods"'),
    });
    c.close();
  });

  it('a watch yields whole lines however the bytes are split', async () => {
    const c = new KubeHttp(kc);
    const lines: string[] = [];
    let opened = false;
    await c.watch('/watch', { watch: 1 }, (l) => lines.push(l), {
      idleTimeoutMs: 5000,
      onOpen: () => (opened = true),
    });
    expect(opened).toBe(true);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { type: 'ADDED', object: { name: 'größe' } },
      { type: 'DELETED', object: { name: 'b' } },
    ]);
    c.close();
  });

  it('a silent watch times out; a dropped one fails; an aborted one ends quietly', async () => {
    const c = new KubeHttp(kc);
    const silent = await c
      .watch('/silent', {}, () => undefined, { idleTimeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(kubeHttpError(silent, 'local').code).toBe('CLUSTER_UNREACHABLE');
    const dropped = await c
      .watch('/drop', {}, () => undefined, { idleTimeoutMs: 5000 })
      .catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(Error);
    const ctl = new AbortController();
    const p = c.watch('/silent', {}, () => undefined, { idleTimeoutMs: 5000, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    await expect(p).resolves.toBeUndefined();
    c.close();
  });
});
