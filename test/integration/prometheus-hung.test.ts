/**
 * Timeouts are kept, and stale data says so: the console's channels against the sandbox, then against a
 * Prometheus that accepts connections and never answers (hung), then one that answers HTTP 500. Each answer
 * comes within the Prometheus timeout (10 s) plus slack, with the last values seen (the copy saved, marked with
 * its time), the Models list in the same worst-first order, and the list saying since when Prometheus is down.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi } from '../../main/api';
import { PROMETHEUS_TIMEOUT_MS } from '../../main/api/context';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/contract';
import type { ModelList } from '../../shared/models';
import { startSandbox, SANDBOX_CONTEXT, type Sandbox } from '../harness';

const SLACK_MS = 3_000;
let sandbox: Sandbox;
let api: Awaited<ReturnType<typeof createAppApi>>;
let work: string;
let hung: net.Server;
let failing: http.Server;
const sockets = new Set<net.Socket>();
const urlOf = (s: net.Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

async function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const r = await api.dispatcher.invoke(channel, input);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as ChannelOutput<C>;
}
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await run();
  return { value, ms: Date.now() - t0 };
}
const usePrometheus = (url: string) =>
  call('settings.update', { prometheus: { url, auth: { kind: 'none' } } });
/** the Models view's default order: error ratio, worst first (unknown last) */
const worstFirst = (list: ModelList) =>
  [...list.models]
    .sort((a, b) => (b.errorRatio ?? -1) - (a.errorRatio ?? -1) || a.id.localeCompare(b.id))
    .map((m) => m.id);

beforeAll(async () => {
  sandbox = await startSandbox({ historyHours: 3 });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-hung-'));
  api = await createAppApi({
    storePath: path.join(work, 'firebreak.db'),
    transport: 'memory',
    version: 'test',
    env: { KUBECONFIG: sandbox.kubeconfigPath, HOME: work },
    checkOutputs: true,
  });
  await call('settings.update', {
    kube: { kubeconfigPath: sandbox.kubeconfigPath, context: SANDBOX_CONTEXT },
    prometheus: { url: sandbox.prometheusUrl, auth: { kind: 'none' } },
  });
  hung = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  failing = http.createServer((_req, res) => {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('internal error');
  });
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => hung?.close(() => r()));
  await new Promise<void>((r) => failing?.close(() => r()));
  await api?.close();
  await sandbox?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('a hung Prometheus, then one answering 500', () => {
  it('every channel answers within the timeout, with the last values greyed "as of" and the order kept', async () => {
    // seen once while Prometheus answers: these are the copies saved
    const before = await call('models.list', {});
    expect(before.metrics.status).toBe('ok');
    const llama = before.models.find((m) => m.name === 'llama-70b-chat')!;
    const service = { id: llama.id, serverKind: llama.serverKind, modelName: llama.modelName };
    const services = before.models.map((m) => ({
      id: m.id,
      serverKind: m.serverKind,
      modelName: m.modelName,
    }));
    const health = await call('metrics.modelHealth', { service, rangeS: 3600, widthPx: 600 });
    expect(health.stale ?? null).toBeNull();
    const overview = await call('metrics.modelOverview', { services });
    expect(overview.stale ?? null).toBeNull();
    await new Promise((r) => setTimeout(r, 200)); // copies are written after each answer
    const rates = new Map(before.models.map((m) => [m.id, [m.requestRate, m.errorRatio]]));
    expect(llama.errorRatio).toBeGreaterThan(0.05); // the scenario's incident: this one is worst

    for (const [label, url, code] of [
      ['hung', urlOf(hung), 'PROMETHEUS_TIMEOUT'],
      ['HTTP 500', urlOf(failing), 'PROMETHEUS_ERROR'],
    ] as const) {
      await usePrometheus(url);
      const list = await timed(() => call('models.list', {}));
      expect(list.ms, `${label}: models.list`).toBeLessThanOrEqual(PROMETHEUS_TIMEOUT_MS + SLACK_MS);
      const m = list.value.metrics;
      expect(m.status, label).toBe('error');
      if (m.status !== 'error') continue;
      expect(m.error.code, label).toBe(code);
      expect(m.asOf, label).toBeDefined();
      expect(Date.parse(m.asOf!)).toBeLessThanOrEqual(Date.now());
      expect(m.since, label).toBeDefined();
      // the last values, not dashes, so the worst stays on top
      for (const row of list.value.models)
        expect([row.requestRate, row.errorRatio]).toEqual(rates.get(row.id));
      expect(worstFirst(list.value)).toEqual(worstFirst(before));

      const h = await timed(() => call('metrics.modelHealth', { service, rangeS: 3600, widthPx: 600 }));
      expect(h.ms, `${label}: metrics.modelHealth`).toBeLessThanOrEqual(PROMETHEUS_TIMEOUT_MS + SLACK_MS);
      expect(h.value.stale?.error.code, label).toBe(code);
      expect(h.value.now.errorRatio).toBe(health.now.errorRatio);
      expect(h.value.charts.every((c) => c.cache !== null)).toBe(true);

      const o = await timed(() => call('metrics.modelOverview', { services }));
      expect(o.ms, `${label}: metrics.modelOverview`).toBeLessThanOrEqual(PROMETHEUS_TIMEOUT_MS + SLACK_MS);
      expect(o.value.stale?.asOf, label).toBeDefined();
      expect(o.value.tiles.find((t) => t.service.id === llama.id)?.now.errorRatio).toBe(llama.errorRatio);
    }
    // "since" is the first failure, kept over later rounds
    const first = (await call('models.list', {})).metrics;
    const again = (await call('models.list', {})).metrics;
    expect(first.status === 'error' && again.status === 'error' && first.since === again.since).toBe(true);

    await usePrometheus(sandbox.prometheusUrl);
    const back = await call('models.list', {});
    expect(back.metrics.status).toBe('ok');
  }, 240_000);
});
