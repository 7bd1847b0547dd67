import type { Result } from '../../shared/errors';
import type { StreamMessage, Transport } from '../../shared/transport';
import type { Channel, Stream } from '../../shared/contract';
import type { FirebreakBridge, PreloadBridge } from '../../shared/ipc';
import { clientDeadlineMs } from '../../shared/deadlines';
import { answerWithin, clientError, isResult, isStreamMessage, lateAnswer } from './result';

declare global {
  interface Window {
    /** what the preload script exposes (shared/ipc.ts) */
    firebreak?: PreloadBridge;
  }
}

const mainProcessGone = () =>
  clientError(
    'INTERNAL',
    'The Firebreak main process did not answer',
    'Restart Firebreak. If it keeps happening, report it with the steps that led here.',
  );

/** The Electron transport: the preload bridge, with the same typed results as every other transport. */
export function createIpcTransport(
  bridge: FirebreakBridge,
  deadlineMs: (channel: Channel) => number = clientDeadlineMs,
): Transport {
  const ask = async (channel: Channel, input: unknown): Promise<Result<never>> => {
    let answer: unknown;
    try {
      answer = await bridge.invoke(channel, input ?? {});
    } catch {
      return { ok: false, error: mainProcessGone() };
    }
    if (!isResult(answer)) {
      return {
        ok: false,
        error: clientError(
          'INTERNAL',
          `The main process answered "${channel}" with something that is not a result`,
          'The console and its main process are from different versions; restart Firebreak.',
        ),
      };
    }
    return answer as Result<never>;
  };
  return {
    kind: 'electron',
    invoke(channel, input) {
      const ms = deadlineMs(channel);
      // IPC cannot be cancelled: a late answer is dropped, the view gets the typed error and its Retry
      return answerWithin(
        ms,
        () => ask(channel, input),
        () => lateAnswer('The Firebreak main process', channel, ms),
      );
    },
    subscribe<S extends Stream>(stream: S, params: unknown, onMessage: (message: StreamMessage<S>) => void) {
      try {
        return bridge.subscribe(stream, params ?? {}, (message) => {
          if (isStreamMessage(message)) onMessage(message as StreamMessage<S>);
        });
      } catch {
        onMessage({ type: 'error', error: mainProcessGone() });
        return () => {};
      }
    },
  };
}
