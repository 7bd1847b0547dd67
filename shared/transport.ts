import type { AppErrorData, Result } from './errors';
import type { Channel, ChannelInput, ChannelOutput, Stream, StreamEvent, StreamParams } from './contract';

/**
 * What a subscriber hears: an event, or an error. A stream is not ended by an error: a live stream reports a
 * failed round (cluster unreachable, say) and keeps trying; the next event supersedes the error. A subscriber
 * ends it by unsubscribing.
 */
export type StreamMessage<S extends Stream> =
  { type: 'event'; event: StreamEvent<S> } | { type: 'error'; error: AppErrorData };

/**
 * The one interface the renderer talks through. Electron IPC, serve mode (HTTP + WebSocket) and the
 * in-memory transport all implement it; the renderer does not know which one it has.
 */
export interface Transport {
  readonly kind: 'electron' | 'serve' | 'memory';
  invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  subscribe<S extends Stream>(
    stream: S,
    params: StreamParams<S>,
    onMessage: (message: StreamMessage<S>) => void,
  ): () => void;
}

/** What main offers every adapter: parse, run, and answer in the contract's shapes. */
export interface Dispatcher {
  invoke(channel: string, input: unknown): Promise<Result<unknown>>;
  subscribe(stream: string, params: unknown, onMessage: (message: StreamMessage<Stream>) => void): () => void;
}

/** In-memory transport: the renderer wired straight to a dispatcher (component tests). */
export function createMemoryTransport(dispatcher: Dispatcher): Transport {
  return {
    kind: 'memory',
    invoke: (channel, input) =>
      dispatcher.invoke(channel, input) as Promise<Result<ChannelOutput<typeof channel>>>,
    subscribe: (stream, params, onMessage) =>
      dispatcher.subscribe(stream, params, onMessage as (m: StreamMessage<Stream>) => void),
  };
}
