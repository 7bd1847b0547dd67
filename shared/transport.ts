import type { AppErrorData, Result } from './errors';
import type { Channel, ChannelInput, ChannelOutput, Stream, StreamEvent, StreamParams } from './contract';

/**
 * What a subscriber hears: events, then possibly one error. An error ends the stream, in every transport: the
 * Electron bridge and serve mode drop the subscription (and tell main to stop it), the in-memory transport
 * stops it too. A subscriber that wants to go on subscribes again (the Models view does, with back-off). A
 * subscriber ends a stream by unsubscribing.
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

/**
 * In-memory transport: the renderer wired straight to a dispatcher (component tests). Ends a stream on its error.
 * @public the third transport of DESIGN.md section 3, for the renderer's unit tests (issue 8 item 4)
 */
export function createMemoryTransport(dispatcher: Dispatcher): Transport {
  return {
    kind: 'memory',
    invoke: (channel, input) =>
      dispatcher.invoke(channel, input) as Promise<Result<ChannelOutput<typeof channel>>>,
    subscribe: (stream, params, onMessage) => {
      let ended = false;
      const running: { stop?: () => void } = {};
      const end = () => {
        ended = true;
        running.stop?.();
      };
      running.stop = dispatcher.subscribe(stream, params, (message) => {
        if (ended) return;
        if (message.type === 'error') end();
        (onMessage as (m: StreamMessage<Stream>) => void)(message);
      });
      if (ended) running.stop();
      return end;
    },
  };
}
