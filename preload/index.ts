/**
 * The preload script (sandboxed, context-isolated): the page's only door to main.
 *
 * It exposes `window.firebreak` with one `invoke` and one `subscribe`, limited to the channels and
 * streams of the contract (shared/contract.ts). It never hands the page `ipcRenderer`, an IPC event
 * or any Electron object: only plain data and the unsubscribe function cross the bridge.
 * Bundled into a single file by scripts/build-electron.mjs (a sandboxed preload cannot require
 * anything but a few Electron modules).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { channelNames, streamNames, type Stream } from '../shared/contract';
import type { AppErrorData, Result } from '../shared/errors';
import type { StreamMessage } from '../shared/transport';
import { BRIDGE_KEY, ipc } from '../shared/ipc';
import type { PreloadBridge } from './bridge';

const knownChannels = new Set<string>(channelNames);
const knownStreams = new Set<string>(streamNames);

type Listener = (message: StreamMessage<Stream>) => void;
const listeners = new Map<string, Listener>();

/** Subscription ids: unique per page load (a reload starts a new prefix), printable, <= 64 chars. */
const pagePrefix = randomPrefix();
let nextId = 0;

function randomPrefix(): string {
  const bytes = new Uint8Array(8);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function unknownName(what: 'channel' | 'stream', name: unknown): AppErrorData {
  const shown = typeof name === 'string' ? name.slice(0, 80) : typeof name;
  return {
    code: 'UNKNOWN_CHANNEL',
    message: `Unknown ${what} "${shown}".`,
    hint: 'The console and its main process are from different versions; restart Firebreak.',
  };
}

function isMessage(message: unknown): message is StreamMessage<Stream> {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  return type === 'event' || type === 'error';
}

ipcRenderer.on(ipc.stream, (_event, id: unknown, message: unknown) => {
  if (typeof id !== 'string' || !isMessage(message)) return;
  const listener = listeners.get(id);
  if (!listener) return;
  // an error ends the stream (main has already dropped it)
  if (message.type === 'error') listeners.delete(id);
  listener(message);
});

const bridge: PreloadBridge = {
  invoke(channel: string, input: unknown): Promise<Result<unknown>> {
    if (typeof channel !== 'string' || !knownChannels.has(channel)) {
      return Promise.resolve({ ok: false, error: unknownName('channel', channel) });
    }
    return ipcRenderer.invoke(ipc.invoke, channel, input ?? {}) as Promise<Result<unknown>>;
  },

  subscribe(stream: string, params: unknown, onMessage: Listener): () => void {
    if (typeof onMessage !== 'function')
      throw new TypeError('subscribe(stream, params, onMessage): onMessage must be a function');
    if (typeof stream !== 'string' || !knownStreams.has(stream)) {
      const error = unknownName('stream', stream);
      queueMicrotask(() => onMessage({ type: 'error', error }));
      return () => {};
    }
    const id = `${pagePrefix}-${++nextId}`;
    listeners.set(id, onMessage);
    ipcRenderer.send(ipc.subscribe, id, stream, params ?? {});
    return () => {
      if (!listeners.delete(id)) return;
      ipcRenderer.send(ipc.unsubscribe, id);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
