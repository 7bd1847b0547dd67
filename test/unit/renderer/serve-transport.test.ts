import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  base64url,
  createServeTransport,
  SOCKET_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
  type FetchLike,
  type SocketLike,
} from '../../../renderer/client/serve';
import type { ModelList } from '../../../shared/models';

class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  closedWith: number | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason?: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  // ---- driven by the test ----
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop() {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code: 1006 });
  }
}

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const BASE = 'http://127.0.0.1:4173/';

const list: ModelList = {
  context: 'firebreak-sandbox',
  fetchedAt: '2025-01-01T00:00:00.000Z',
  models: [],
  metrics: { status: 'not_configured' },
};

function jsonResponse(status: number, body: unknown) {
  return { status, json: async () => body };
}

function transportWith(fetchImpl: FetchLike) {
  return createServeTransport({
    baseUrl: BASE,
    token: TOKEN,
    fetch: fetchImpl,
    WebSocket: FakeSocket,
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    idleCloseMs: 5000,
  });
}

beforeEach(() => {
  FakeSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('serve transport: invoke', () => {
  it('POSTs JSON to /api/<channel> with the bearer token and returns the value', async () => {
    const fetchImpl = vi.fn<FetchLike>(async () => jsonResponse(200, { ok: true, value: list }));
    const t = transportWith(fetchImpl);
    const result = await t.invoke('models.list', {});
    expect(result).toEqual({ ok: true, value: list });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('http://127.0.0.1:4173/api/models.list');
    expect(init.method).toBe('POST');
    expect(init.headers.Authorization).toBe(`Bearer ${TOKEN}`);
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({});
  });

  it('sends the input as the body', async () => {
    const fetchImpl = vi.fn<FetchLike>(async () => jsonResponse(200, { ok: true, value: [] }));
    await transportWith(fetchImpl).invoke('audit.list', { limit: 50 });
    expect(JSON.parse(fetchImpl.mock.calls[0]![1].body)).toEqual({ limit: 50 });
  });

  it('returns the typed error carried by a 401 (and 400) answer', async () => {
    const error = {
      code: 'UNAUTHORIZED',
      message: 'The access token is missing or wrong.',
      hint: 'Open the URL.',
    };
    const t = transportWith(async () => jsonResponse(401, { ok: false, error }));
    expect(await t.invoke('app.info', {})).toEqual({ ok: false, error });

    const invalid = {
      code: 'INVALID_INPUT',
      message: 'Invalid input: prometheus.url: must be an http:// or https:// URL',
      hint: 'Check the highlighted values and try again.',
      details: { issues: [{ path: 'prometheus.url', message: 'must be an http:// or https:// URL' }] },
    };
    const t2 = transportWith(async () => jsonResponse(400, { ok: false, error: invalid }));
    expect(await t2.invoke('settings.update', { prometheus: { url: 'x', auth: { kind: 'none' } } })).toEqual({
      ok: false,
      error: invalid,
    });
  });

  it('turns a network failure into a typed "Cannot reach the Firebreak server" error', async () => {
    const t = transportWith(async () => {
      throw new TypeError('Failed to fetch');
    });
    const result = await t.invoke('settings.get', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INTERNAL');
    expect(result.error.message).toBe('Cannot reach the Firebreak server');
    expect(result.error.hint).toMatch(/npm run serve/);
    expect(JSON.stringify(result.error)).not.toMatch(/Failed to fetch/);
  });

  it('turns an answer that is not a Result (an HTML error page, a bare object) into a typed error', async () => {
    const notJson = transportWith(async () => ({
      status: 502,
      json: async () => {
        throw new SyntaxError('Unexpected token <');
      },
    }));
    const r1 = await notJson.invoke('app.info', {});
    expect(r1).toMatchObject({ ok: false, error: { code: 'INTERNAL', details: { status: 502 } } });

    const bare = transportWith(async () => jsonResponse(404, { error: 'not found' }));
    const r2 = await bare.invoke('app.info', {});
    expect(r2).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    if (!r2.ok) expect(r2.error.message).toMatch(/HTTP 404/);
  });
});

describe('serve transport: streams', () => {
  it('opens one socket with the token in a base64url subprotocol and subscribes once open', () => {
    const t = transportWith(async () => jsonResponse(200, {}));
    const events: unknown[] = [];
    t.subscribe('models.live', { intervalS: 10 }, (m) => events.push(m));
    t.subscribe('models.live', { intervalS: 30 }, () => {});
    expect(FakeSocket.instances).toHaveLength(1);
    const ws = FakeSocket.instances[0]!;
    expect(ws.url).toBe('ws://127.0.0.1:4173/api/stream');
    expect(ws.protocols).toEqual([SOCKET_PROTOCOL, TOKEN_PROTOCOL_PREFIX + base64url(TOKEN)]);
    expect(Buffer.from(base64url(TOKEN), 'base64url').toString('utf8')).toBe(TOKEN);
    expect(ws.sent).toEqual([]);
    expect(t.connectionState()).toBe('connecting');

    ws.open();
    expect(t.connectionState()).toBe('open');
    expect(ws.sent).toEqual([
      { op: 'subscribe', id: 's1', stream: 'models.live', params: { intervalS: 10 } },
      { op: 'subscribe', id: 's2', stream: 'models.live', params: { intervalS: 30 } },
    ]);

    ws.receive({ id: 's1', message: { type: 'event', event: list } });
    ws.receive({ id: 'unknown', message: { type: 'event', event: list } });
    ws.receive({ id: 's1', message: 'garbage' });
    expect(events).toEqual([{ type: 'event', event: list }]);
  });

  it('subscribes at once on an open socket and unsubscribes by id', () => {
    const t = transportWith(async () => jsonResponse(200, {}));
    const stop1 = t.subscribe('models.live', {}, () => {});
    const ws = FakeSocket.instances[0]!;
    ws.open();
    t.subscribe('models.live', { intervalS: 5 }, () => {});
    expect(ws.sent.at(-1)).toEqual({
      op: 'subscribe',
      id: 's2',
      stream: 'models.live',
      params: { intervalS: 5 },
    });
    stop1();
    stop1();
    expect(ws.sent.filter((m) => (m as { op: string }).op === 'unsubscribe')).toEqual([
      { op: 'unsubscribe', id: 's1' },
    ]);
  });

  it('reconnects with backoff after a drop and resubscribes what is still wanted', () => {
    vi.useFakeTimers();
    const t = transportWith(async () => jsonResponse(200, {}));
    const states: string[] = [];
    t.onConnectionChange((s) => states.push(s));
    const got: unknown[] = [];
    t.subscribe('models.live', { intervalS: 10 }, (m) => got.push(m));
    const stop2 = t.subscribe('models.live', { intervalS: 20 }, () => {});
    FakeSocket.instances[0]!.open();
    stop2();

    FakeSocket.instances[0]!.drop();
    expect(t.connectionState()).toBe('reconnecting');
    vi.advanceTimersByTime(99);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);

    // the second attempt fails too: the next delay doubles
    FakeSocket.instances[1]!.drop();
    vi.advanceTimersByTime(199);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);

    const ws = FakeSocket.instances[2]!;
    ws.open();
    expect(ws.sent).toEqual([
      { op: 'subscribe', id: 's1', stream: 'models.live', params: { intervalS: 10 } },
    ]);
    ws.receive({ id: 's1', message: { type: 'event', event: list } });
    expect(got).toHaveLength(1);
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('an error message ends that stream: delivered, unsubscribed, not resubscribed after a reconnect', () => {
    vi.useFakeTimers();
    const t = transportWith(async () => jsonResponse(200, {}));
    const got: Array<{ type: string }> = [];
    t.subscribe('models.live', {}, (m) => got.push(m));
    t.subscribe('models.live', { intervalS: 30 }, () => {});
    const ws = FakeSocket.instances[0]!;
    ws.open();
    const error = { code: 'KUBECONFIG_MISSING', message: 'No kubeconfig', hint: 'Set one in Settings.' };
    ws.receive({ id: 's1', message: { type: 'error', error } });
    ws.receive({ id: 's1', message: { type: 'event', event: list } });
    expect(got).toEqual([{ type: 'error', error }]);
    expect(ws.sent.at(-1)).toEqual({ op: 'unsubscribe', id: 's1' });

    ws.drop();
    vi.advanceTimersByTime(100);
    const again = FakeSocket.instances[1]!;
    again.open();
    expect(again.sent).toEqual([
      { op: 'subscribe', id: 's2', stream: 'models.live', params: { intervalS: 30 } },
    ]);
  });

  it('does not reconnect when nothing is subscribed, and closes an idle socket', () => {
    vi.useFakeTimers();
    const t = transportWith(async () => jsonResponse(200, {}));
    const stop = t.subscribe('models.live', {}, () => {});
    const ws = FakeSocket.instances[0]!;
    ws.open();
    stop();
    vi.advanceTimersByTime(4999);
    expect(ws.closedWith).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(ws.closedWith).toBe(1000);
    expect(t.connectionState()).toBe('idle');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);

    // a new subscription opens a new socket
    t.subscribe('models.live', {}, () => {});
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('uses wss:// under https://', () => {
    const t = createServeTransport({
      baseUrl: 'https://console.example:8443/',
      token: 'x',
      WebSocket: FakeSocket,
    });
    t.subscribe('models.live', {}, () => {});
    expect(FakeSocket.instances[0]!.url).toBe('wss://console.example:8443/api/stream');
    t.close();
    expect(FakeSocket.instances[0]!.closedWith).toBe(1000);
  });
});
