import type { Transport } from '../../shared/transport';
import { createIpcTransport } from './ipc';
import { createServeTransport } from './serve';
import { forgetServeToken, readServeToken } from './token';

export type PickedTransport =
  { kind: 'ready'; transport: Transport; forgetToken: () => void } | { kind: 'no-token' };

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Inside Electron the preload has put `window.firebreak` there: use IPC. Otherwise this page was
 * served by `npm run serve`: talk HTTP + WebSocket to where it came from, with the access token.
 */
export function pickTransport(): PickedTransport {
  if (window.firebreak) {
    return { kind: 'ready', transport: createIpcTransport(window.firebreak), forgetToken: () => {} };
  }
  const storage = safeSessionStorage();
  const token = readServeToken({ location: window.location, storage, history: window.history });
  if (!token) return { kind: 'no-token' };
  const transport = createServeTransport({ baseUrl: `${window.location.origin}/`, token });
  return { kind: 'ready', transport, forgetToken: () => forgetServeToken(storage) };
}
