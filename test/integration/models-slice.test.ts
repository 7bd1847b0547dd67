/**
 * The first slice end to end under plain Node: the console's own API (createAppApi) pointed at the
 * sandbox's Kubernetes API and real Prometheus lists the model services with live rates that match the
 * scenario; a broken or missing Prometheus never hides the list.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi } from '../../main/api';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/contract';
import { AppError, type AppErrorData } from '../../shared/errors';
import type { StreamMessage } from '../../shared/transport';
import { startSandbox, type Sandbox } from '../harness';

let sandbox: Sandbox;
let api: Awaited<ReturnType<typeof createAppApi>>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slice-'));

async function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const r = await api.dispatcher.invoke(channel, input);
  if (!r.ok) throw AppError.from(r.error as AppErrorData);
  return r.value as ChannelOutput<C>;
}

beforeAll(async () => {
  sandbox = await startSandbox({ historyHours: 2 });
  api = await createAppApi({
    storePath: path.join(dir, 'store.sqlite'),
    transport: 'memory',
    version: 'test',
    env: { KUBECONFIG: sandbox.kubeconfigPath, HOME: dir },
    checkOutputs: true,
  });
}, 120_000);
afterAll(async () => {
  await api?.close();
  await sandbox?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Models: model services with live rates', () => {
  it('lists every model service of the scenario with replicas and image', async () => {
    const list = await call('models.list', {});
    expect(list.context).toBe('firebreak-sandbox');
    expect(list.metrics).toEqual({ status: 'not_configured' });
    const byName = new Map(list.models.map((m) => [m.name, m]));
    for (const w of sandbox.scenario.models) expect(byName.has(w.name), w.name).toBe(true);
    expect(byName.get('llama-70b-chat')).toMatchObject({
      namespace: 'llm',
      serverKind: 'vllm',
      workloadKind: 'Deployment',
      image: sandbox.scenario.incident.badImage,
      replicas: { ready: 4, desired: 4 },
    });
    expect(byName.get('resnet50-images')?.serverKind).toBe('triton');
    expect(byName.get('bert-sentiment')).toMatchObject({
      workloadKind: 'InferenceService',
      serverKind: 'kserve',
    });
    expect(byName.get('fraud-detector')?.serverKind).toBe('mlserver');
  });

  it('joins request rates and error ratios from Prometheus that match the scenario', async () => {
    await call('settings.update', { prometheus: { url: sandbox.prometheusUrl, auth: { kind: 'none' } } });
    // rate()[5m] averages the last five minutes of a noisy diurnal series: compare to the mean of that window
    const expected = (name: string, at: number) =>
      [0, 60, 120, 180, 240].reduce(
        (sum, back) => sum + sandbox.scenario.expectedRequestRate(name, at - 30 - back),
        0,
      ) / 5;
    const scenarioModels = new Set(sandbox.scenario.models.map((w) => w.name));
    const offBy = (list: ChannelOutput<'models.list'>) =>
      list.models
        .filter((m) => scenarioModels.has(m.name))
        .map((m) => {
          const want = expected(m.name, Date.parse(list.fetchedAt) / 1000);
          return {
            name: m.name,
            got: m.requestRate,
            want,
            off: m.requestRate === null ? 1 : Math.abs(m.requestRate - want) / want,
          };
        });
    // Right after start, the seam between the backfilled history and the first live scrapes dips rate() for
    // about a minute; wait that out (at most 90 s after the scenario's "now") instead of widening the tolerance.
    let list = await call('models.list', {});
    while (offBy(list).some((r) => r.off >= 0.1) && Date.now() < sandbox.scenario.now.getTime() + 90_000) {
      await new Promise((r) => setTimeout(r, 5000));
      list = await call('models.list', {});
    }
    expect(list.metrics).toEqual({ status: 'ok' });
    for (const r of offBy(list))
      expect(r.off, `${r.name}: ${r.got} req/s vs ${r.want} expected`).toBeLessThan(0.1);
    const llama = list.models.find((m) => m.name === 'llama-70b-chat');
    expect(llama?.errorRatio).toBeGreaterThan(0.15);
    expect(llama?.errorRatio).toBeLessThan(0.35);
    for (const m of list.models.filter((x) => x.name !== 'llama-70b-chat' && x.errorRatio !== null)) {
      expect(m.errorRatio, m.name).toBeLessThan(0.02);
    }
  }, 150_000);

  it('streams the list live', async () => {
    const got: StreamMessage<'models.live'>[] = [];
    const stop = api.dispatcher.subscribe('models.live', { intervalS: 2 }, (m) =>
      got.push(m as StreamMessage<'models.live'>),
    );
    await new Promise((r) => setTimeout(r, 5000));
    stop();
    expect(got.filter((m) => m.type === 'event').length).toBeGreaterThanOrEqual(2);
  });

  it('an unreachable Prometheus is a typed metrics error and the list still shows', async () => {
    await call('settings.update', { prometheus: { url: 'http://127.0.0.1:1', auth: { kind: 'none' } } });
    const list = await call('models.list', {});
    expect(list.models.length).toBeGreaterThanOrEqual(5);
    expect(list.metrics.status).toBe('error');
    if (list.metrics.status === 'error') expect(list.metrics.error.code).toBe('PROMETHEUS_UNREACHABLE');
    // the rates shown are the copy saved from the last answer, said to be so ("as of"), or none at all
    const shown = list.models.filter((m) => m.requestRate !== null);
    if (list.metrics.status === 'error' && list.metrics.asOf) {
      expect(shown.length).toBeGreaterThan(0);
      expect(Date.parse(list.metrics.asOf)).toBeLessThanOrEqual(Date.now());
    } else expect(shown).toEqual([]);
    const check = await api.dispatcher.invoke('prometheus.check', {});
    expect(check.ok).toBe(false);
  });

  it('a malformed kubeconfig is a clear error and loses nothing saved', async () => {
    const bad = path.join(dir, 'bad-kubeconfig');
    fs.writeFileSync(bad, 'clusters: [\n');
    await call('settings.update', { kube: { kubeconfigPath: bad } });
    const r = await api.dispatcher.invoke('models.list', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('KUBECONFIG_MALFORMED');
    const settings = await call('settings.get', {});
    expect(settings.prometheus.url).toBe('http://127.0.0.1:1');
    await call('settings.update', { kube: { kubeconfigPath: null } });
    expect((await call('models.list', {})).models.length).toBeGreaterThanOrEqual(5);
  });
});
