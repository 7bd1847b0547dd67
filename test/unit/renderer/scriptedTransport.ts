import type { Channel, Stream } from '../../../shared/contract';
import type { AppErrorData, Result } from '../../../shared/errors';
import { createMemoryTransport, type Dispatcher, type StreamMessage } from '../../../shared/transport';

export type Handler = (input: unknown) => Result<unknown> | Promise<Result<unknown>>;

/** A stream the renderer opened: the test pushes its events and sees whether it was stopped. */
export interface ScriptedStream {
  stream: Stream;
  params: unknown;
  push: (message: StreamMessage<Stream>) => void;
  stopped: boolean;
}

/**
 * The renderer's in-memory transport (shared/transport.ts) over a dispatcher whose answers the test scripts:
 * every call is recorded, a channel with no handler answers `missing(channel)`, and every stream opened is
 * handed to the test to drive.
 */
export function scriptedTransport(
  handlers: Partial<Record<Channel, Handler>>,
  missing: (channel: string) => AppErrorData = (channel) => ({
    code: 'UNKNOWN_CHANNEL',
    message: `no handler for ${channel}`,
    hint: '',
  }),
) {
  const calls: Array<{ channel: Channel; input: unknown }> = [];
  const subs: ScriptedStream[] = [];
  const dispatcher: Dispatcher = {
    async invoke(channel, input) {
      calls.push({ channel: channel as Channel, input });
      const h = handlers[channel as Channel];
      return h ? h(input) : { ok: false, error: missing(channel) };
    },
    subscribe(stream, params, onMessage) {
      const sub: ScriptedStream = { stream: stream as Stream, params, push: onMessage, stopped: false };
      subs.push(sub);
      return () => {
        sub.stopped = true;
      };
    },
  };
  return { transport: createMemoryTransport(dispatcher), calls, subs };
}
