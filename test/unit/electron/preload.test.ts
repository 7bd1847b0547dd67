/**
 * The preload script under plain Node, with 'electron' replaced by a fake contextBridge and
 * ipcRenderer: what it exposes, what it refuses, and how it routes stream messages.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelNames, streamNames } from '../../../shared/contract';
import type { PreloadBridge } from '../../../shared/ipc';

const fake = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  const ipcRenderer = {
    invoke: vi.fn((..._args: unknown[]) => Promise.resolve({ ok: true, value: 'from main' })),
    send: vi.fn(),
    on: vi.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      listeners.set(channel, listener);
    }),
  };
  const contextBridge = {
    exposeInMainWorld: vi.fn((key: string, api: unknown) => exposed.set(key, api)),
  };
  return { exposed, listeners, ipcRenderer, contextBridge };
});

vi.mock('electron', () => ({ contextBridge: fake.contextBridge, ipcRenderer: fake.ipcRenderer }));

let bridge: PreloadBridge;
const fromMain = (id: unknown, message: unknown) => fake.listeners.get('firebreak:stream')?.({}, id, message);

beforeAll(async () => {
  await import('../../../preload/index');
  bridge = fake.exposed.get('firebreak') as PreloadBridge;
});

beforeEach(() => {
  fake.ipcRenderer.invoke.mockClear();
  fake.ipcRenderer.send.mockClear();
});

describe('preload bridge', () => {
  it('exposes exactly window.firebreak with invoke and subscribe, and no ipcRenderer', () => {
    expect(fake.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect([...fake.exposed.keys()]).toEqual(['firebreak']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
    for (const value of Object.values(bridge)) {
      expect(value).not.toBe(fake.ipcRenderer);
      expect(typeof value).toBe('function');
    }
  });

  it('forwards every contract channel to main', async () => {
    for (const channel of channelNames) {
      await expect(bridge.invoke(channel, { a: 1 })).resolves.toEqual({ ok: true, value: 'from main' });
      expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith('firebreak:invoke', channel, { a: 1 });
    }
  });

  it('sends {} when there is no input', async () => {
    await bridge.invoke('app.info', undefined);
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith('firebreak:invoke', 'app.info', {});
  });

  it.each(['kube.deleteEverything', 'constructor', '__proto__', 'toString', '', 'firebreak:invoke'])(
    'refuses %j without reaching main',
    async (channel) => {
      const result = await bridge.invoke(channel, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
      expect(fake.ipcRenderer.invoke).not.toHaveBeenCalled();
    },
  );

  it('refuses a channel that is not a string', async () => {
    const result = await bridge.invoke(42 as unknown as string, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(fake.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('subscribes, routes messages by subscription id and unsubscribes', () => {
    const stream = streamNames[0]!;
    const a = vi.fn();
    const b = vi.fn();
    const stopA = bridge.subscribe(stream, { intervalS: 5 }, a);
    const stopB = bridge.subscribe(stream, {}, b);
    const idA = fake.ipcRenderer.send.mock.calls[0]?.[1] as string;
    const idB = fake.ipcRenderer.send.mock.calls[1]?.[1] as string;
    expect(fake.ipcRenderer.send.mock.calls[0]).toEqual([
      'firebreak:subscribe',
      idA,
      stream,
      { intervalS: 5 },
    ]);
    expect(idA).not.toBe(idB);
    expect(idA).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

    fromMain(idA, { type: 'event', event: { n: 1 } });
    fromMain(idB, { type: 'event', event: { n: 2 } });
    fromMain('someone-else', { type: 'event', event: { n: 3 } });
    fromMain(idA, { nonsense: true });
    expect(a.mock.calls).toEqual([[{ type: 'event', event: { n: 1 } }]]);
    expect(b.mock.calls).toEqual([[{ type: 'event', event: { n: 2 } }]]);

    stopA();
    expect(fake.ipcRenderer.send).toHaveBeenLastCalledWith('firebreak:unsubscribe', idA);
    fromMain(idA, { type: 'event', event: { n: 4 } });
    expect(a).toHaveBeenCalledTimes(1);
    stopA();
    expect(fake.ipcRenderer.send.mock.calls.filter((c) => c[0] === 'firebreak:unsubscribe')).toHaveLength(1);

    // an error ends the stream: nothing after it, and unsubscribing sends nothing more
    fromMain(idB, { type: 'error', error: { code: 'INTERNAL', message: 'x', hint: 'y' } });
    fromMain(idB, { type: 'event', event: { n: 5 } });
    expect(b).toHaveBeenCalledTimes(2);
    stopB();
    expect(fake.ipcRenderer.send.mock.calls.filter((c) => c[0] === 'firebreak:unsubscribe')).toHaveLength(1);
  });

  it('refuses an unknown stream with one error message and never asks main', async () => {
    const onMessage = vi.fn();
    const stop = bridge.subscribe('kube.secrets', {}, onMessage);
    await Promise.resolve();
    expect(onMessage).toHaveBeenCalledWith({
      type: 'error',
      error: expect.objectContaining({ code: 'UNKNOWN_CHANNEL' }),
    });
    expect(fake.ipcRenderer.send).not.toHaveBeenCalled();
    expect(() => stop()).not.toThrow();
  });

  it('throws on a missing callback', () => {
    expect(() => bridge.subscribe(streamNames[0]!, {}, undefined as never)).toThrow(TypeError);
  });
});
