import type { Result } from '../../shared/errors';
import type { StreamMessage, Transport } from '../../shared/transport';
import type { Stream } from '../../shared/contract';
import type { FirebreakBridge, PreloadBridge } from '../../shared/ipc';
import { clientError, isResult, isStreamMessage } from './result';

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
export function createIpcTransport(bridge: FirebreakBridge): Transport {
  return {
    kind: 'electron',
    async invoke(channel, input) {
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
