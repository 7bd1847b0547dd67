import type { z } from 'zod';
import {
  channels,
  isChannel,
  isStream,
  streams,
  type Channel,
  type ChannelOutput,
  type ChannelParsedInput,
  type Stream,
  type StreamEvent,
  type StreamParsedParams,
} from '../../shared/contract';
import { channelDeadlineMs, deadlineError } from '../../shared/deadlines';
import { AppError, toAppErrorData, type Result } from '../../shared/errors';
import type { Dispatcher, StreamMessage } from '../../shared/transport';

/** The handlers of some channels, typed from the contract: `HandlersOf<typeof healthChannels>` is health's slice. */
export type HandlersOf<Slice> = {
  [C in keyof Slice & Channel]: (
    input: ChannelParsedInput<C>,
  ) => Promise<ChannelOutput<C>> | ChannelOutput<C>;
};

/** Every channel's handler: each capability's slice (main/api/<capability>.ts), merged in main/api/index.ts. */
export type Handlers = HandlersOf<Record<Channel, unknown>>;

/** A stream handler starts producing events and returns the function that stops it. */
export type StreamHandlersOf<Slice> = {
  [S in keyof Slice & Stream]: (
    params: StreamParsedParams<S>,
    emit: (event: StreamEvent<S>) => void,
    fail: (err: unknown) => void,
  ) => () => void;
};

export type StreamHandlers = StreamHandlersOf<Record<Stream, unknown>>;

export interface DispatcherOptions {
  /** Parse every output against its schema too (on in tests and dev: catches a handler breaking the contract). */
  checkOutputs?: boolean;
  onError?: (channel: string, err: unknown) => void;
  /** each channel's time budget (default: shared/deadlines.ts; tests shorten it) */
  deadlineMs?: (channel: Channel) => number;
}

/**
 * The single entry point every adapter (Electron IPC, serve, in-memory) uses: it refuses unknown
 * channels, parses the input with the channel's schema, runs the handler and turns any failure into a
 * typed error. Nothing untyped reaches a handler; no stack trace leaves main.
 */
export function createDispatcher(
  handlers: Handlers,
  streamHandlers: StreamHandlers,
  options: DispatcherOptions = {},
): Dispatcher {
  const { checkOutputs = false, onError, deadlineMs = channelDeadlineMs } = options;

  return {
    async invoke(channel: string, rawInput: unknown): Promise<Result<unknown>> {
      if (!isChannel(channel)) {
        return { ok: false, error: unknownName('channel', channel) };
      }
      try {
        const spec = channels[channel];
        const input = parseInput(spec.input, rawInput ?? {});
        const handler = handlers[channel] as (i: unknown) => unknown;
        const value = await withinDeadline(channel, deadlineMs(channel), () => handler(input));
        return { ok: true, value: checkOutputs ? spec.output.parse(value) : value };
      } catch (err) {
        onError?.(channel, err);
        return { ok: false, error: toAppErrorData(err) };
      }
    },

    subscribe(stream: string, rawParams: unknown, onMessage: (m: StreamMessage<Stream>) => void) {
      let stopped = false;
      const fail = (err: unknown) => {
        if (stopped) return;
        onError?.(stream, err);
        onMessage({ type: 'error', error: toAppErrorData(err) });
      };
      if (!isStream(stream)) {
        onMessage({ type: 'error', error: unknownName('stream', stream) });
        return () => {};
      }
      const spec = streams[stream];
      let stop: () => void = () => {};
      try {
        const params = parseInput(spec.params, rawParams ?? {});
        const start = streamHandlers[stream] as (
          p: unknown,
          emit: (e: unknown) => void,
          fail: (e: unknown) => void,
        ) => () => void;
        stop = start(
          params,
          (event) => {
            if (stopped) return;
            try {
              const checked = checkOutputs ? spec.event.parse(event) : event;
              onMessage({ type: 'event', event: checked as StreamEvent<Stream> });
            } catch (err) {
              fail(err);
            }
          },
          fail,
        );
      } catch (err) {
        fail(err);
      }
      return () => {
        stopped = true;
        stop();
      };
    },
  };
}

/**
 * The handler's answer, or a typed error once the channel's budget is spent: a handler stuck on a source that
 * never answers must not hold its caller (the handler's own work ends on its own timeouts).
 */
async function withinDeadline<T>(channel: Channel, ms: number, run: () => T | Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deadlineError(`"${channel}"`, ms, { channel })), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(run), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function parseInput(schema: z.ZodType, raw: unknown): unknown {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw parsed.error;
  return parsed.data;
}

function unknownName(what: 'channel' | 'stream', name: unknown) {
  const shown = typeof name === 'string' ? name.slice(0, 80) : typeof name;
  return new AppError(
    'UNKNOWN_CHANNEL',
    `Unknown ${what} "${shown}".`,
    'The console and its main process are from different versions; restart Firebreak.',
  ).toJSON();
}
