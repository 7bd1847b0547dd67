import type { Result } from '../../shared/errors';
import type { StreamMessage, Transport } from '../../shared/transport';
import type { Stream } from '../../shared/contract';
import type { PreloadBridge } from '../../preload/bridge';
import { clientError, isResult, isStreamMessage } from './result';

/** What the preload script exposes on `window.firebreak` (contextBridge). */
export interface FirebreakBridge {
  invoke(channel: string, input: unknown): Promise<unknown>;
  subscribe(stream: string, params: unknown, onMessage: (message: unknown) => void): () => void;
}

declare global {
  interface Window {
    firebreak?: PreloadBridge;
  }
}

/** The preload's bridge must stay usable here (checked when either side changes). */
export type BridgeFits = PreloadBridge extends FirebreakBridge ? true : never;
const _bridgeFits: BridgeFits = true;

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
