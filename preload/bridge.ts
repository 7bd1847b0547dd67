/**
 * What the preload script exposes to the page as `window.firebreak`, and the IPC channel names it
 * uses with main. Types only: the renderer may `import type` from here; nothing here runs.
 */
import type { Stream } from '../shared/contract';
import type { Result } from '../shared/errors';
import type { StreamMessage } from '../shared/transport';

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

/** The name of the bridge on `window`. */
export type PreloadBridgeKey = 'firebreak';

/**
 * The IPC channels between preload and main. Both sides declare their constants with this type, so
 * a rename on one side that the other lacks does not compile.
 * - invoke (renderer -> main, ipcRenderer.invoke): (channel, input) -> Result
 * - subscribe (renderer -> main): (subscriptionId, stream, params)
 * - unsubscribe (renderer -> main): (subscriptionId)
 * - stream (main -> renderer): (subscriptionId, StreamMessage)
 */
export interface BridgeIpcChannels {
  invoke: 'firebreak:invoke';
  subscribe: 'firebreak:subscribe';
  unsubscribe: 'firebreak:unsubscribe';
  stream: 'firebreak:stream';
}
