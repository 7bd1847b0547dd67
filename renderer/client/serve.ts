import type { Channel, Stream } from '../../shared/contract';
import { clientDeadlineMs } from '../../shared/deadlines';
import type { AppErrorData, Result } from '../../shared/errors';
import type { StreamMessage, Transport } from '../../shared/transport';
import { answerWithin, clientError, isResult, isStreamMessage, lateAnswer } from './result';

/** The part of the browser's WebSocket this transport uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketFactory = new (url: string, protocols: string[]) => SocketLike;

export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string;
    cache?: 'no-store';
    credentials?: 'omit';
    signal?: AbortSignal;
  },
) => Promise<{ status: number; json(): Promise<unknown> }>;

/** `open`: streams flow; `connecting`/`reconnecting`: they will resume by themselves; `idle`: none wanted. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting';

export interface ServeTransportOptions {
  /** where the serve server answers, e.g. `http://127.0.0.1:4173/` */
  baseUrl: string;
  token: string;
  fetch?: FetchLike;
  WebSocket?: SocketFactory;
  /** reconnect backoff: first delay, doubled on each failure up to `maxDelayMs` */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** close the shared socket after this long without subscriptions */
  idleCloseMs?: number;
  /** how long a call may take before it is answered with a typed error (default: shared/deadlines.ts) */
  deadlineMs?: (channel: Channel) => number;
}

export interface ServeTransport extends Transport {
  readonly kind: 'serve';
  connectionState(): ConnectionState;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** closes the socket and forgets every subscription (page teardown, tests) */
  close(): void;
}

export const SOCKET_PROTOCOL = 'firebreak.v1';
export const TOKEN_PROTOCOL_PREFIX = 'base64url.bearer.firebreak.';
const OPEN = 1;

export function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function serverUnreachable(): AppErrorData {
  return clientError(
    'INTERNAL',
    'Cannot reach the Firebreak server',
    'Check that `npm run serve` is still running, then reload this page. If it was restarted, open the new URL it printed: the access token changes on every start.',
    { reason: 'network' },
  );
}

function badAnswer(channel: string, status: number): AppErrorData {
  return clientError(
    'INTERNAL',
    `The Firebreak server answered "${channel}" with HTTP ${status} and no result`,
    'The page and the server may be from different versions: reload the page; if it persists, restart `npm run serve`.',
    { status },
  );
}

interface Subscription {
  stream: Stream;
  params: unknown;
  onMessage: (message: StreamMessage<Stream>) => void;
}

/**
 * Serve mode: `POST /api/<channel>` for calls, one shared WebSocket on `/api/stream` for every
 * stream. The token travels in the Authorization header and, for the socket (browsers cannot set
 * headers on it), in a subprotocol. A dropped socket reconnects with backoff and resubscribes.
 */
export function createServeTransport(options: ServeTransportOptions): ServeTransport {
  const fetchImpl: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const Socket: SocketFactory = options.WebSocket ?? (globalThis.WebSocket as unknown as SocketFactory);
  const initialDelay = options.reconnect?.initialDelayMs ?? 500;
  const maxDelay = options.reconnect?.maxDelayMs ?? 15_000;
  const idleCloseMs = options.idleCloseMs ?? 10_000;
  const deadlineMs = options.deadlineMs ?? clientDeadlineMs;

  const base = new URL(options.baseUrl);
  const streamUrl = new URL('api/stream', base);
  streamUrl.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  const protocols = [SOCKET_PROTOCOL, TOKEN_PROTOCOL_PREFIX + base64url(options.token)];

  const subscriptions = new Map<string, Subscription>();
  const listeners = new Set<(state: ConnectionState) => void>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let state: ConnectionState = 'idle';
  let failures = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const setState = (next: ConnectionState) => {
    if (state === next) return;
    state = next;
    for (const listener of listeners) listener(next);
  };

  const send = (payload: unknown) => {
    if (socket && socket.readyState === OPEN) socket.send(JSON.stringify(payload));
  };

  const sendSubscribe = (id: string, sub: Subscription) =>
    send({ op: 'subscribe', id, stream: sub.stream, params: sub.params });

  const connect = () => {
    if (closed || socket) return;
    const ws = new Socket(streamUrl.toString(), protocols);
    socket = ws;
    setState(failures === 0 ? 'connecting' : 'reconnecting');
    ws.onopen = () => {
      if (socket !== ws) return;
      failures = 0;
      setState('open');
      for (const [id, sub] of subscriptions) sendSubscribe(id, sub);
    };
    ws.onmessage = (event) => {
      if (socket !== ws || typeof event.data !== 'string') return;
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (typeof frame !== 'object' || frame === null) return;
      const { id, message } = frame as { id?: unknown; message?: unknown };
      if (typeof id !== 'string' || !isStreamMessage(message)) return;
      const sub = subscriptions.get(id);
      if (!sub) return;
      // an error ends the stream: it must not be resubscribed after a reconnect, and a server that
      // would keep it going anyway is told to stop
      if (message.type === 'error') {
        subscriptions.delete(id);
        send({ op: 'unsubscribe', id });
        if (subscriptions.size === 0) scheduleIdleClose();
      }
      sub.onMessage(message as StreamMessage<Stream>);
    };
    ws.onerror = () => {
      // a close event always follows; reconnecting is handled there
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (closed || subscriptions.size === 0) {
        setState('idle');
        return;
      }
      failures += 1;
      setState('reconnecting');
      const delay = Math.min(maxDelay, initialDelay * 2 ** (failures - 1));
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        connect();
      }, delay);
    };
  };

  const cancelIdleClose = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
  };

  const scheduleIdleClose = () => {
    cancelIdleClose();
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (subscriptions.size > 0) return;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const ws = socket;
      socket = null;
      failures = 0;
      ws?.close(1000, 'idle');
      setState('idle');
    }, idleCloseMs);
  };

  return {
    kind: 'serve',

    invoke(channel, input) {
      const ms = deadlineMs(channel);
      return answerWithin(
        ms,
        async (signal) => {
          let response: { status: number; json(): Promise<unknown> };
          try {
            response = await fetchImpl(new URL(`api/${channel}`, base).toString(), {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${options.token}` },
              body: JSON.stringify(input ?? {}),
              cache: 'no-store',
              credentials: 'omit',
              signal,
            });
          } catch {
            return { ok: false, error: serverUnreachable() };
          }
          let body: unknown;
          try {
            body = await response.json();
          } catch {
            return { ok: false, error: badAnswer(channel, response.status) };
          }
          if (!isResult(body)) return { ok: false, error: badAnswer(channel, response.status) };
          return body as Result<never>;
        },
        () => lateAnswer('The Firebreak server', channel, ms),
      );
    },

    subscribe<S extends Stream>(stream: S, params: unknown, onMessage: (message: StreamMessage<S>) => void) {
      if (closed) {
        onMessage({ type: 'error', error: serverUnreachable() });
        return () => {};
      }
      const id = `s${nextId++}`;
      const sub: Subscription = {
        stream,
        params: params ?? {},
        onMessage: onMessage as (message: StreamMessage<Stream>) => void,
      };
      subscriptions.set(id, sub);
      cancelIdleClose();
      if (socket?.readyState === OPEN) sendSubscribe(id, sub);
      else if (!socket && !reconnectTimer) connect();
      return () => {
        if (!subscriptions.delete(id)) return;
        send({ op: 'unsubscribe', id });
        if (subscriptions.size === 0) scheduleIdleClose();
      };
    },

    connectionState: () => state,

    onConnectionChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    close() {
      closed = true;
      subscriptions.clear();
      cancelIdleClose();
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const ws = socket;
      socket = null;
      ws?.close(1000, 'closed');
      setState('idle');
    },
  };
}
