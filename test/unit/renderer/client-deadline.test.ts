import { describe, expect, it } from 'vitest';
import { createIpcTransport } from '../../../renderer/client/ipc';
import { createServeTransport, type FetchLike } from '../../../renderer/client/serve';
import type { FirebreakBridge } from '../../../shared/ipc';
import { clientDeadlineMs } from '../../../shared/deadlines';

const services = [{ id: 'llm/Deployment/chat', serverKind: 'vllm' as const, modelName: 'chat' }];

describe("the console's own request never hangs a view", () => {
  it('serve: a server that never answers is a typed DEADLINE_EXCEEDED, and the request is aborted', async () => {
    let aborted = false;
    const fetch: FetchLike = (_url, init) =>
      new Promise((_, reject) => {
        init.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('aborted'));
        });
      });
    const t = createServeTransport({
      baseUrl: 'http://127.0.0.1:9/',
      token: 't',
      fetch,
      deadlineMs: () => 100,
    });
    const t0 = Date.now();
    const r = await t.invoke('metrics.modelOverview', { services });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(aborted).toBe(true);
    expect(r).toMatchObject({ ok: false, error: { code: 'DEADLINE_EXCEEDED' } });
    if (!r.ok) expect(r.error.message).toMatch(/did not answer "metrics.modelOverview" within/);
    t.close();
  });

  it('electron: a main process that never answers is the same typed error', async () => {
    const bridge = {
      invoke: () => new Promise(() => {}),
      subscribe: () => () => {},
    } as unknown as FirebreakBridge;
    const t = createIpcTransport(bridge, () => 100);
    const r = await t.invoke('metrics.modelOverview', { services });
    expect(r).toMatchObject({ ok: false, error: { code: 'DEADLINE_EXCEEDED' } });
  });

  it("the renderer waits longer than main's own deadline, so main's typed answer comes first", () => {
    expect(clientDeadlineMs('metrics.modelHealth')).toBeGreaterThan(30_000);
    expect(clientDeadlineMs('actions.execute')).toBeGreaterThan(10 * 60_000);
  });
});
