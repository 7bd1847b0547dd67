import crypto from 'node:crypto';

/** A fresh random token per start: 32 bytes, hex. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('hex');
}

/** Constant-time comparison (hashing first makes the lengths equal, so length is not leaked either). */
export function tokensEqual(provided: string | undefined, expected: string): boolean {
  if (typeof provided !== 'string') return false;
  const a = crypto.createHash('sha256').update(provided).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization ?? '');
  return m?.[1];
}

/** WebSocket clients cannot set headers: the token rides in a subprotocol, as Kubernetes does it. */
export const WS_PROTOCOL = 'firebreak.v1';
const WS_TOKEN_PREFIX = 'base64url.bearer.firebreak.';

export function tokenFromProtocols(header: string | undefined): string | undefined {
  for (const p of (header ?? '').split(',').map((s) => s.trim())) {
    if (p.startsWith(WS_TOKEN_PREFIX)) {
      try {
        return Buffer.from(p.slice(WS_TOKEN_PREFIX.length), 'base64url').toString('utf8');
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Names this server answers to. Checking Host defeats DNS rebinding (a web page that makes its own
 * hostname resolve to 127.0.0.1); checking Origin defeats other pages calling the API from a browser.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([host, '127.0.0.1', 'localhost', '[::1]']);
  return new Set([...names].map((n) => `${n.includes(':') && !n.startsWith('[') ? `[${n}]` : n}:${port}`));
}

export function isAllowedHost(hostHeader: string | undefined, allowed: Set<string>): boolean {
  return hostHeader !== undefined && allowed.has(hostHeader.toLowerCase());
}

/** No Origin (a non-browser client) is fine: the token still guards it. A browser Origin must be ours. */
export function isAllowedOrigin(origin: string | undefined, allowed: Set<string>): boolean {
  if (origin === undefined) return true;
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' && allowed.has(u.host.toLowerCase());
  } catch {
    return false;
  }
}

export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // ECharts and React set inline style attributes; no inline <style>/<script> from data is possible.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
