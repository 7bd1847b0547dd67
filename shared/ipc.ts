/**
 * The Electron bridge, in one place for its three sides: what the preload script exposes to the page as
 * `window.firebreak`, its name there, and the IPC channels between preload and main. preload/index.ts,
 * main/electron/main.ts and renderer/client/ipc.ts all take them from here.
 */
import type { Stream } from './contract';
import type { Result } from './errors';
import type { StreamMessage } from './transport';

/**
 * `window.firebreak`. The page may pass any string, so the parameters are typed as what arrives at
 * run time; the renderer's Transport (renderer/client) gives it the contract's types.
 * - `invoke` answers a channel of the contract with its Result; a name outside the contract is
 *   answered `{ ok: false, error: { code: 'UNKNOWN_CHANNEL' } }` without reaching main.
 * - `subscribe` delivers a stream's messages to `onMessage` until the returned function is called
 *   or an error message arrives (after which the stream has ended); a name outside the contract gets
 *   one UNKNOWN_CHANNEL error message.
 */
export interface PreloadBridge {
  invoke(channel: string, input: unknown): Promise<Result<unknown>>;
  subscribe(stream: string, params: unknown, onMessage: (message: StreamMessage<Stream>) => void): () => void;
}

/**
 * The bridge as the renderer takes it: whatever arrives is checked at run time (renderer/client/ipc.ts), so
 * nothing is assumed of its answers. The preload's bridge must stay usable as one (checked below).
 */
export interface FirebreakBridge {
  invoke(channel: string, input: unknown): Promise<unknown>;
  subscribe(stream: string, params: unknown, onMessage: (message: unknown) => void): () => void;
}
export type BridgeFits = PreloadBridge extends FirebreakBridge ? true : never;
const _bridgeFits: BridgeFits = true;

/** The name of the bridge on `window`. */
export const BRIDGE_KEY = 'firebreak';

/**
 * The IPC channels between preload and main:
 * - invoke (renderer -> main, ipcRenderer.invoke): (channel, input) -> Result
 * - subscribe (renderer -> main): (subscriptionId, stream, params)
 * - unsubscribe (renderer -> main): (subscriptionId)
 * - stream (main -> renderer): (subscriptionId, StreamMessage)
 */
export const ipc = {
  invoke: 'firebreak:invoke',
  subscribe: 'firebreak:subscribe',
  unsubscribe: 'firebreak:unsubscribe',
  stream: 'firebreak:stream',
} as const;
