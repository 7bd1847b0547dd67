/**
 * Serve mode survives any client: each hostile request below once crashed the process (an uncaught socket or
 * WebSocket error, an unhandled rejection). The server runs in a child process so a crash shows as its exit;
 * after each case the test checks it still answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

const token = 'c'.repeat(64);
let child: ChildProcess;
let port = 0;
let stderr = '';
let rendererDir = '';
let outside = '';

/** A renderer folder with the traps a static server must not fall into: dotfiles, links that lead out. */
function makeRendererDir() {
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-hostile-renderer-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-hostile-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'OUTSIDE-SECRET');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Firebreak</title>');
  fs.writeFileSync(path.join(rendererDir, '.env'), 'DOTFILE-SECRET');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(rendererDir, 'assets', '.secret.js'), 'DOTFILE-SECRET');
  fs.mkdirSync(path.join(rendererDir, '.git'));
  fs.writeFileSync(path.join(rendererDir, '.git', 'config'), 'DOTFILE-SECRET');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(rendererDir, 'leak.js'));
  fs.symlinkSync(outside, path.join(rendererDir, 'outdir'));
  fs.symlinkSync(path.join(rendererDir, '.env'), path.join(rendererDir, 'env.js'));
  fs.symlinkSync(path.join(rendererDir, 'assets', 'app.js'), path.join(rendererDir, 'alias.js'));
}

/** Starts the server process, or starts it again if the last case killed it (so every case is tried on its own). */
async function ensureServer(): Promise<void> {
  if (child && (await answers())) return;
  if (child && child.exitCode === null && child.signalCode === null) {
    await new Promise((r) => (child.once('exit', r), child.kill('SIGKILL')));
  }
  stderr = '';
  const tsx = path.resolve('node_modules/.bin/tsx');
  if (!rendererDir) makeRendererDir();
  child = spawn(tsx, [path.resolve('test/fixtures/server/serve-child.ts'), rendererDir], {
    env: { ...process.env, FB_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`serve child exited ${code}: ${stderr}`)));
  });
}
function answers(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(child.exitCode === null)));
    s.once('error', () => resolve(false));
  });
}
beforeEach(ensureServer, 30_000);
afterAll(() => {
  child?.kill('SIGTERM');
  fs.rmSync(rendererDir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

function request(
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const api = (channel: string, body: string | Buffer) =>
  request(
    'POST',
    `/api/${channel}`,
    { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Host: `127.0.0.1:${port}` },
    body,
  );

/** The process is alive and still answers a channel. */
async function stillServing(): Promise<void> {
  await new Promise((r) => setTimeout(r, 150));
  expect(child.exitCode, stderr).toBeNull();
  const r = await api('audit.verify', '{}');
  expect(r.status).toBe(200);
}

/** A raw TCP connection to the server (rejects if the server is gone). */
async function connectRaw(): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  return socket;
}

/** The next bytes on a socket, or a rejection after `ms`. */
function nextData(socket: net.Socket, ms = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms; server stderr: ${stderr}`)), ms);
    socket.once('data', (c: Buffer) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
}

/** A raw socket that has completed the WebSocket handshake with the token. */
async function openWebSocket(): Promise<{ socket: net.Socket; frames: () => Buffer; closed: Promise<void> }> {
  const socket = await connectRaw();
  const key = crypto.randomBytes(16).toString('base64');
  socket.write(
    [
      'GET /api/stream HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Protocol: firebreak.v1, base64url.bearer.firebreak.${Buffer.from(token).toString('base64url')}`,
      '',
      '',
    ].join('\r\n'),
  );
  let got = Buffer.alloc(0);
  socket.on('data', (c: Buffer) => (got = Buffer.concat([got, c])));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    setTimeout(() => reject(new Error(`no handshake; server stderr: ${stderr}`)), 2000);
    const check = () => {
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', check);
      const head = got.subarray(0, end).toString();
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
      got = got.subarray(end + 4);
      resolve();
    };
    socket.on('data', check);
  });
  return { socket, frames: () => got, closed };
}

/** A client frame: FIN + opcode (and RSV bits), masked unless told otherwise. */
function frame(
  payload: Buffer,
  opts: { opcode?: number; rsv1?: boolean; masked?: boolean; length?: number } = {},
) {
  const first = 0x80 | (opts.rsv1 ? 0x40 : 0) | (opts.opcode ?? 0x1);
  const masked = opts.masked ?? true;
  const len = opts.length ?? payload.length;
  const header =
    len < 126
      ? Buffer.from([first, (masked ? 0x80 : 0) | len])
      : len < 65536
        ? Buffer.from([first, (masked ? 0x80 : 0) | 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([first, (masked ? 0x80 : 0) | 127]), u64(len)]);
  if (!masked) return Buffer.concat([header, payload]);
  const mask = crypto.randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** The close code in the server's close frame (first frame it sent with opcode 8). */
function closeCode(frames: Buffer): number | null {
  let i = 0;
  while (i + 2 <= frames.length) {
    const opcode = frames[i]! & 0x0f;
    let len = frames[i + 1]! & 0x7f;
    let at = i + 2;
    if (len === 126) {
      len = frames.readUInt16BE(at);
      at += 2;
    } else if (len === 127) {
      len = Number(frames.readBigUInt64BE(at));
      at += 8;
    }
    if (opcode === 0x8) return len >= 2 ? frames.readUInt16BE(at) : 1005;
    i = at + len;
  }
  return null;
}

async function closedWith(payload: Buffer): Promise<number | null> {
  const ws = await openWebSocket();
  ws.socket.write(payload);
  await Promise.race([ws.closed, new Promise((r) => setTimeout(r, 2000))]);
  ws.socket.destroy();
  return closeCode(ws.frames());
}

describe('serve mode survives hostile clients', () => {
  it('an upgrade request without the token followed by a connection reset', async () => {
    for (let i = 0; i < 5; i++) {
      const socket = await connectRaw();
      socket.write(
        `GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      await nextData(socket);
      socket.resetAndDestroy();
    }
    await stillServing();
  });

  it('an upgrade reset before the server answers', async () => {
    for (let i = 0; i < 5; i++) {
      const socket = await connectRaw();
      socket.write(
        `GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      );
      socket.resetAndDestroy();
    }
    await stillServing();
  });

  it('a malformed percent-escape in the channel path is a 400', async () => {
    const r = await api('audit.%E0%A4%A', '{}');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.code).toBe('INVALID_INPUT');
    const r2 = await api('%', '{}');
    expect(r2.status).toBe(400);
    await stillServing();
  });

  it('a WebSocket message over 64 KiB is closed with 1009', async () => {
    expect(await closedWith(frame(Buffer.alloc(70_000, 0x61)))).toBe(1009);
    await stillServing();
  });

  it('invalid UTF-8 in a text message is closed with 1007', async () => {
    expect(await closedWith(frame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))).toBe(1007);
    await stillServing();
  });

  it('an unmasked client frame is closed with 1002', async () => {
    expect(await closedWith(frame(Buffer.from('{}'), { masked: false }))).toBe(1002);
    await stillServing();
  });

  it('a frame with RSV1 set (no extension negotiated) is closed with 1002', async () => {
    expect(await closedWith(frame(Buffer.from('{}'), { rsv1: true }))).toBe(1002);
    await stillServing();
  });

  it('a WebSocket reset mid-frame', async () => {
    const ws = await openWebSocket();
    ws.socket.write(frame(Buffer.alloc(1000, 0x61)).subarray(0, 300));
    ws.socket.resetAndDestroy();
    await stillServing();
  });

  it('an oversized body gets its 413, not a reset', async () => {
    const r = await api('audit.verify', Buffer.alloc(3 * 1024 * 1024, 0x20));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.message).toContain('1 MiB');
    await stillServing();
  });

  it('an oversized body sent in chunks without a length gets its 413 too', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/audit.verify',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 24; i++) req.write(Buffer.alloc(128 * 1024, 0x20));
      req.end();
    });
    expect(r).toBe(413);
    await stillServing();
  });

  it('a request reset mid-body', async () => {
    const socket = await connectRaw();
    socket.write(
      `POST /api/audit.verify HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
    );
    await new Promise((r) => setTimeout(r, 50));
    socket.resetAndDestroy();
    await stillServing();
  });
});

describe('serve mode static files', () => {
  const get = (p: string) => request('GET', p, { Host: `127.0.0.1:${port}` });

  it('serves no dotfile, however the path spells it', async () => {
    for (const p of [
      '/.env',
      '/%2eenv',
      '/assets/.secret.js',
      '/.git/config',
      '/assets/../.env',
      '/x/..%2f.env',
    ]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain('SECRET');
    }
  });

  it('follows no symlink out of the renderer folder, nor to a dotfile in it', async () => {
    for (const p of ['/leak.js', '/outdir/secret.txt', '/env.js']) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain('SECRET');
    }
    // a link that stays inside is an ordinary file
    const inside = await get('/alias.js');
    expect(inside.status).toBe(200);
    expect(inside.body).toBe('console.log(1)');
    expect((await get('/models')).body).toContain('<title>Firebreak</title>');
  });
});
