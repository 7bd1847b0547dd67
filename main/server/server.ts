import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { AppError, type AppErrorData, type Result } from '../../shared/errors';
import type { Dispatcher } from '../../shared/transport';
import {
  WS_PROTOCOL,
  allowedHosts,
  bearerToken,
  contentSecurityPolicy,
  isAllowedHost,
  isAllowedOrigin,
  tokenFromProtocols,
  tokensEqual,
} from './security';

export interface ServeServerOptions {
  dispatcher: Dispatcher;
  token: string;
  host?: string;
  port?: number;
  /** the built renderer (index.html + assets); null = API only */
  rendererDir?: string | null;
}

export interface ServeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
/** past MAX_BODY the rest is read and dropped (so the client can read its 413); past this the socket is cut */
const MAX_DRAIN = 16 * 1024 * 1024;
const MAX_SUBSCRIPTIONS = 64;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const clientMessage = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('subscribe'),
    id: z.string().min(1).max(64),
    stream: z.string().max(128),
    params: z.unknown(),
  }),
  z.object({ op: z.literal('unsubscribe'), id: z.string().min(1).max(64) }),
]);

const unauthorized: AppErrorData = new AppError(
  'UNAUTHORIZED',
  'The access token is missing or wrong.',
  'Open the URL printed by `npm run serve`: it carries the token, and the token changes at every start.',
).toJSON();
const forbiddenOrigin: AppErrorData = new AppError(
  'FORBIDDEN_ORIGIN',
  'This request came from a page that is not the Firebreak console.',
  'Open the console at the URL printed by `npm run serve`.',
).toJSON();

/**
 * The serve transport: the contract's channels as `POST /api/<channel>` and its streams over one
 * WebSocket at `/api/stream`, plus the built renderer. Loopback only unless told otherwise.
 */
export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const { dispatcher, token } = options;
  const host = options.host ?? '127.0.0.1';
  const rendererDir = options.rendererDir ? path.resolve(options.rendererDir) : null;
  let allowed = new Set<string>();

  // Any failure of one request ends that request, never the process (a client can reset at any moment).
  const server = http.createServer((req, res) => {
    try {
      route(req, res);
    } catch {
      internalError(res);
    }
  });

  function route(req: http.IncomingMessage, res: http.ServerResponse) {
    setSecurityHeaders(res);
    if (!isAllowedHost(req.headers.host, allowed)) {
      return sendJson(res, 421, { ok: false, error: forbiddenOrigin });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) {
      handleApi(req, res, url.pathname.slice('/api/'.length)).catch(() => internalError(res));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: 'method not allowed' });
    serveStatic(res, rendererDir, url.pathname);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, channel: string) {
    if (!isAllowedOrigin(req.headers.origin, allowed))
      return sendJson(res, 403, { ok: false, error: forbiddenOrigin });
    if (!tokensEqual(bearerToken(req.headers.authorization), token)) {
      return sendJson(res, 401, { ok: false, error: unauthorized });
    }
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: badRequest('Use POST.') });
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 415, {
        ok: false,
        error: badRequest('The body must be JSON (Content-Type: application/json).'),
      });
    }
    let name: string;
    try {
      name = decodeURIComponent(channel);
    } catch {
      return sendJson(res, 400, {
        ok: false,
        error: badRequest('The channel name is not a valid URL path.'),
      });
    }
    const body = await readBody(req);
    if (body.kind === 'too-large') {
      const error = badRequest('The request is larger than 1 MiB.');
      if (!body.drained) {
        // too much to read and drop: answer, then cut the connection once the answer is out
        res.setHeader('Connection', 'close');
        res.once('finish', () => req.socket.destroySoon());
      }
      return sendJson(res, 413, { ok: false, error });
    }
    if (body.kind === 'failed') return; // the client went away
    let input: unknown;
    try {
      input = body.text.length === 0 ? {} : JSON.parse(body.text);
    } catch {
      return sendJson(res, 400, { ok: false, error: badRequest('The body is not valid JSON.') });
    }
    const result = await dispatcher.invoke(name, input);
    const status = result.ok
      ? 200
      : result.error.code === 'UNKNOWN_CHANNEL'
        ? 404
        : result.error.code === 'INVALID_INPUT'
          ? 400
          : 200;
    sendJson(res, status, result);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  server.on('upgrade', (req, socket, head) => {
    // node hands the raw socket over with no error listener: a reset would otherwise throw from the event loop
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ok =
      url.pathname === '/api/stream' &&
      isAllowedHost(req.headers.host, allowed) &&
      isAllowedOrigin(req.headers.origin, allowed) &&
      tokensEqual(tokenFromProtocols(req.headers['sec-websocket-protocol']), token);
    if (!ok) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      // a client that never closes its side does not keep the socket open
      setTimeout(() => socket.destroy(), 5_000).unref();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => handleSocket(ws));
  });

  function handleSocket(ws: WebSocket) {
    const subscriptions = new Map<string, () => void>();
    const send = (id: string, message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, message }));
    };
    // A protocol violation (message over 64 KiB, invalid UTF-8, unmasked frame, RSV bits set) or a reset:
    // ws has already sent the close code (1009, 1007, 1002) or dropped the socket; 'close' below cleans up.
    ws.on('error', () => {});
    ws.on('message', (data) => {
      let msg: z.infer<typeof clientMessage>;
      try {
        msg = clientMessage.parse(JSON.parse(String(data)));
      } catch {
        send('', { type: 'error', error: badRequest('Malformed stream message.') });
        return;
      }
      if (msg.op === 'unsubscribe') {
        subscriptions.get(msg.id)?.();
        subscriptions.delete(msg.id);
        return;
      }
      if (subscriptions.has(msg.id) || subscriptions.size >= MAX_SUBSCRIPTIONS) {
        send(msg.id, {
          type: 'error',
          error: badRequest('Duplicate subscription id or too many subscriptions.'),
        });
        return;
      }
      const id = msg.id;
      try {
        subscriptions.set(
          id,
          dispatcher.subscribe(msg.stream, msg.params, (m) => send(id, m)),
        );
      } catch {
        send(id, { type: 'error', error: internal });
      }
    });
    ws.on('close', () => {
      for (const stop of subscriptions.values()) stop();
      subscriptions.clear();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(host, port);
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const internal: AppErrorData = new AppError(
  'INTERNAL',
  'The console could not answer this request.',
  'Retry; if it persists, restart `npm run serve` and report it.',
).toJSON();

function internalError(res: http.ServerResponse) {
  if (res.headersSent) return void res.destroy();
  sendJson(res, 500, { ok: false, error: internal });
}

function badRequest(message: string): AppErrorData {
  return new AppError('INVALID_INPUT', message, 'This is a client bug; reload the console.').toJSON();
}

function setSecurityHeaders(res: http.ServerResponse) {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy());
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: http.ServerResponse, status: number, body: Result<unknown> | Record<string, unknown>) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

type Body = { kind: 'ok'; text: string } | { kind: 'too-large'; drained: boolean } | { kind: 'failed' };

/**
 * The request body, at most MAX_BODY. A larger one is read to its end and dropped (up to MAX_DRAIN), so the
 * client, still sending, reads its 413 instead of a reset; beyond that the caller cuts the connection.
 */
function readBody(req: http.IncomingMessage): Promise<Body> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_DRAIN)
      return resolve({ kind: 'too-large', drained: false });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (b: Body) => {
      if (settled) return;
      settled = true;
      resolve(b);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
      else if (size > MAX_DRAIN) {
        req.pause();
        settle({ kind: 'too-large', drained: false });
      }
    });
    req.on('end', () =>
      settle(
        size > MAX_BODY
          ? { kind: 'too-large', drained: true }
          : { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') },
      ),
    );
    req.on('error', () => settle({ kind: 'failed' }));
    req.on('close', () => settle({ kind: 'failed' }));
  });
}

/**
 * Static files of the built renderer; unknown paths without an extension get index.html (client routing).
 * Never a dotfile (.env, .git …) and never a file a symlink leads to outside the renderer folder.
 */
function serveStatic(res: http.ServerResponse, root: string | null, pathname: string) {
  if (!root) return sendJson(res, 404, { error: 'no renderer built: run `npm run build:renderer`' });
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return sendJson(res, 400, { error: 'bad path' });
  }
  if (decoded.includes('\0')) return sendJson(res, 400, { error: 'bad path' });
  const normalized = path.posix.normalize('/' + decoded.replace(/\\/g, '/'));
  if (normalized.split('/').some((segment) => segment.startsWith('.')))
    return sendJson(res, 404, { error: 'not found' });
  let file = path.resolve(root, '.' + normalized);
  if (!within(root, file)) return sendJson(res, 403, { error: 'forbidden' });
  let real = realFileIn(root, file);
  if (real === 'outside') return sendJson(res, 404, { error: 'not found' });
  if (real === null) {
    if (path.extname(decoded)) return sendJson(res, 404, { error: 'not found' });
    file = path.join(root, 'index.html');
    real = realFileIn(root, file);
    if (real === null || real === 'outside')
      return sendJson(res, 404, { error: 'no renderer built: run `npm run build:renderer`' });
  }
  file = real;
  const ext = path.extname(file);
  res.writeHead(200, {
    'Content-Type': MIME[ext] ?? 'application/octet-stream',
    'Cache-Control': ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  const stream = fs.createReadStream(file);
  stream.on('error', () => res.destroy()); // removed or unreadable mid-answer: end this response only
  stream.pipe(res);
}

function within(root: string, file: string): boolean {
  return file === root || file.startsWith(root + path.sep);
}

/** The file's real path if it is a regular file inside the real renderer folder; null if none; 'outside' if a link leaves it. */
function realFileIn(root: string, file: string): string | null | 'outside' {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return null;
  }
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return null;
  }
  // a link to a file outside, or to a dotfile inside, is as if it were not there
  if (
    !within(realRoot, real) ||
    path
      .relative(realRoot, real)
      .split(path.sep)
      .some((s) => s.startsWith('.'))
  )
    return 'outside';
  try {
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}
