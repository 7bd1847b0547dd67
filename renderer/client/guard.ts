import type { AppErrorData } from '../../shared/errors';
import type { StreamMessage, Transport } from '../../shared/transport';
import type { Stream } from '../../shared/contract';

const refusedCodes = new Set(['UNAUTHORIZED', 'FORBIDDEN_ORIGIN']);

export function isRefusal(error: AppErrorData): boolean {
  return refusedCodes.has(error.code);
}

/**
 * Wraps a transport so that a refused access token (or origin) is noticed once, app-wide: the app
 * then shows one clear screen instead of an error in every panel.
 */
export function watchRefusals(transport: Transport, onRefused: (error: AppErrorData) => void): Transport {
  return {
    kind: transport.kind,
    async invoke(channel, input) {
      const result = await transport.invoke(channel, input);
      if (!result.ok && isRefusal(result.error)) onRefused(result.error);
      return result;
    },
    subscribe<S extends Stream>(
      stream: S,
      params: Parameters<Transport['subscribe']>[1],
      onMessage: (m: StreamMessage<S>) => void,
    ) {
      return transport.subscribe(stream, params as never, (message: StreamMessage<S>) => {
        if (message.type === 'error' && isRefusal(message.error)) onRefused(message.error);
        onMessage(message);
      });
    },
  };
}
