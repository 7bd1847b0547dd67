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

  const server = http.createServer((req, res) => {
    setSecurityHeaders(res);
    if (!isAllowedHost(req.headers.host, allowed)) {
      return sendJson(res, 421, { ok: false, error: forbiddenOrigin });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) {
      void handleApi(req, res, url.pathname.slice('/api/'.length));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: 'method not allowed' });
    serveStatic(res, rendererDir, url.pathname);
  });

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
    let input: unknown;
    try {
      const text = await readBody(req);
      input = text.length === 0 ? {} : JSON.parse(text);
    } catch (err) {
      const tooLarge = err instanceof Error && err.message === 'too large';
      return sendJson(res, tooLarge ? 413 : 400, {
        ok: false,
        error: badRequest(tooLarge ? 'The request is larger than 1 MiB.' : 'The body is not valid JSON.'),
      });
    }
    const result = await dispatcher.invoke(decodeURIComponent(channel), input);
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
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ok =
      url.pathname === '/api/stream' &&
      isAllowedHost(req.headers.host, allowed) &&
      isAllowedOrigin(req.headers.origin, allowed) &&
      tokensEqual(tokenFromProtocols(req.headers['sec-websocket-protocol']), token);
    if (!ok) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => handleSocket(ws));
  });

  function handleSocket(ws: WebSocket) {
    const subscriptions = new Map<string, () => void>();
    const send = (id: string, message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, message }));
    };
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
      subscriptions.set(
        id,
        dispatcher.subscribe(msg.stream, msg.params, (m) => send(id, m)),
      );
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
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Static files of the built renderer; unknown paths without an extension get index.html (client routing). */
function serveStatic(res: http.ServerResponse, root: string | null, pathname: string) {
  if (!root) return sendJson(res, 404, { error: 'no renderer built: run `npm run build:renderer`' });
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return sendJson(res, 400, { error: 'bad path' });
  }
  let file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (!file.startsWith(root + path.sep) && file !== root) return sendJson(res, 403, { error: 'forbidden' });
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    if (path.extname(decoded)) return sendJson(res, 404, { error: 'not found' });
    file = path.join(root, 'index.html');
    if (!fs.existsSync(file))
      return sendJson(res, 404, { error: 'no renderer built: run `npm run build:renderer`' });
  }
  const ext = path.extname(file);
  res.writeHead(200, {
    'Content-Type': MIME[ext] ?? 'application/octet-stream',
    'Cache-Control': ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  fs.createReadStream(file).pipe(res);
}
