/**
 * Timeouts are kept, and stale data says so: the console's channels against the sandbox, then against a
 * Prometheus that accepts connections and never answers (hung), then one that answers HTTP 500. Each answer
 * comes within the Prometheus timeout (10 s) plus slack, with the last values seen (the copy saved, marked with
 * its time), the Models list in the same worst-first order, and the list saying since when Prometheus is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMETHEUS_TIMEOUT_MS } from '../../main/api/context';
import type { Channel, ChannelInput } from '../../shared/contract';
import type { ModelList } from '../../shared/models';
import { startSandbox, type Sandbox } from '../harness';
import { sandboxConsole, type SandboxConsole } from '../fixtures/sandboxConsole';
import { prometheusDoor, type PrometheusDoor } from '../fixtures/metrics/prometheusDoor';

const SLACK_MS = 3_000;
let sandbox: Sandbox;
let fb: SandboxConsole;
/** the sandbox's Prometheus behind a door: the outages happen behind the URL the console was set to */
let door: PrometheusDoor;

const call = <C extends Channel>(channel: C, input: ChannelInput<C>) => fb.call(channel, input);
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await run();
  return { value, ms: Date.now() - t0 };
}
/** the Models view's default order: error ratio, worst first (unknown last) */
const worstFirst = (list: ModelList) =>
  [...list.models]
    .sort((a, b) => (b.errorRatio ?? -1) - (a.errorRatio ?? -1) || a.id.localeCompare(b.id))
    .map((m) => m.id);

beforeAll(async () => {
  sandbox = await startSandbox({ historyHours: 3 });
  door = await prometheusDoor(sandbox.prometheusUrl);
  fb = await sandboxConsole(sandbox, { folderPrefix: 'fb-hung-', prometheusUrl: door.url });
}, 180_000);

afterAll(async () => {
  await door?.close();
  await fb?.close();
  await sandbox?.stop();
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

    for (const [label, mode, code] of [
      ['hung', 'hung', 'PROMETHEUS_TIMEOUT'],
      ['HTTP 500', 'failing', 'PROMETHEUS_ERROR'],
    ] as const) {
      await door.set(mode);
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

    await door.set('open');
    const back = await call('models.list', {});
    expect(back.metrics.status).toBe('ok');
  }, 240_000);
});
