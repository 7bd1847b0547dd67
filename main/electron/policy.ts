/**
 * The Electron window's security policy, as plain data and pure functions.
 *
 * Nothing here imports 'electron' at run time (only `import type`), so every decision the app makes
 * about navigation, external links, IPC senders, served files and permissions is unit-tested under
 * plain Node (test/unit/electron/policy.test.ts). main.ts only wires these into Electron's hooks.
 */
import path from 'node:path';
import type { CustomScheme, WebPreferences } from 'electron';

/** The renderer is served from `app://firebreak/…`, never from file:// (see appProtocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'firebreak';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/`;

/**
 * Privileges of the `app` scheme. `standard` gives it a real origin (relative URLs, storage),
 * `secure` makes it a secure context, `supportFetchAPI` lets the page fetch its own assets.
 * Deliberately not set: `bypassCSP` (our CSP must apply), `corsEnabled` (no other origin may read
 * our files), `allowServiceWorkers`, `stream`.
 */
export const appScheme: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

export interface WebPreferencesOptions {
  /** DevTools for unpackaged (development) runs only; off in a packaged app. */
  devTools?: boolean;
}

/**
 * The webPreferences of every Firebreak window. main.ts writes the same options out as an object
 * literal at its BrowserWindow call (so Electronegativity can read them); the tests hold the two equal.
 */
export function webPreferences(preload: string, options: WebPreferencesOptions = {}): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    enableWebSQL: false,
    disableBlinkFeatures: 'Auxclick',
    devTools: options.devTools ?? false,
  };
}

/**
 * The Content-Security-Policy sent with every response of the `app` scheme.
 * Exceptions to "everything 'self' or 'none'", each needed by the renderer build:
 * - `img-src data: blob:`: ECharts' "save as image" and icons inlined by Vite as data: URLs.
 * - `style-src-attr 'unsafe-inline'`: ECharts' HTML tooltips build their markup as a string with
 *   `style="…"` attributes (echarts/lib/util/format.js getTooltipMarker, tooltipMarkup.js) and set it
 *   with innerHTML; without this the tooltip markers lose their colours and layout. It allows style
 *   *attributes* only: `<style>` elements and style sheets stay `'self'` (style-src), and no script
 *   source is relaxed. (React's `style` prop writes through the CSSOM, which CSP does not restrict.)
 * There is no `'unsafe-eval'` and no `'unsafe-inline'` for scripts: ECharts and React need neither.
 */
export const cspDirectives: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'style-src-attr': ["'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
};

export const contentSecurityPolicy = Object.entries(cspDirectives)
  .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
  .join('; ');

/**
 * The same policy as a `<meta http-equiv>` in renderer/index.html, where it holds even if a header is
 * lost (and where static checkers look). A meta tag cannot carry `frame-ancestors` (browsers ignore it
 * there and warn), so that one stays header-only.
 */
export const metaContentSecurityPolicy = Object.entries(cspDirectives)
  .filter(([directive]) => directive !== 'frame-ancestors')
  .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
  .join('; ');

function parseUrl(url: unknown): URL | null {
  if (typeof url !== 'string' || url.length > 8192) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** `app://firebreak/…` exactly: no other host, no port, no credentials. */
function isAppUrl(url: URL): boolean {
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.host.toLowerCase() === APP_HOST &&
    url.port === '' &&
    url.username === '' &&
    url.password === ''
  );
}

/** May a Firebreak window navigate to `url`? Only within the app's own origin. */
export function isAllowedNavigation(url: unknown): boolean {
  const parsed = parseUrl(url);
  return parsed !== null && isAppUrl(parsed);
}

// C0 controls, DEL and whitespace never belong in a link we hand to the operating system.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u0020\u007f]/;

/**
 * The URL to give `shell.openExternal`, or null when it must not be opened: http(s) only, a host,
 * no credentials. Returns the parser's normalised form, so what is opened is what was checked.
 */
export function externalUrl(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 4096 || UNSAFE_CHARS.test(url)) return null;
  const parsed = parseUrl(url);
  if (!parsed) return null;
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  if (parsed.hostname === '') return null;
  return parsed.href;
}

/** Is `url` a link that may be opened in the user's browser? */
export function isSafeExternalUrl(url: unknown): boolean {
  return externalUrl(url) !== null;
}

/** The part of an IPC event's `senderFrame` that decides whether to trust it. */
export interface SenderFrame {
  url: string;
  isMainFrame: boolean;
}

/** Only the main frame of a page from our own origin may call into main. */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (!frame || frame.isMainFrame !== true) return false;
  return isAllowedNavigation(frame.url);
}

/**
 * Maps `app://firebreak/<path>` to a file under `root` (the built renderer, build/renderer).
 * - `/` and any path whose last segment has no extension (a client-side route) -> index.html;
 * - a path with `..`, `.`-prefixed (hidden) segments, backslashes, colons (Windows drive letters)
 *   or NUL, a malformed escape, or any other origin -> null (refused);
 * - the resolved file must lie inside `root`.
 * It does not touch the file system: a missing file is the caller's 404.
 */
export function resolveAppAsset(root: string, requestUrl: unknown): string | null {
  const url = parseUrl(requestUrl);
  if (!url || !isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (/[\\:\0]/.test(pathname)) return null;
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment.startsWith('.'))) return null;

  const base = path.resolve(root);
  const last = segments.at(-1);
  if (last === undefined || path.posix.extname(last) === '') return path.join(base, 'index.html');

  const file = path.resolve(base, ...segments);
  if (!file.startsWith(base + path.sep)) return null;
  return file;
}

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** The Content-Type of a served file (module scripts need a JavaScript type: strict MIME checking). */
export function contentTypeFor(file: string): string {
  return contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Headers on every response of the `app` scheme, errors included. */
export function responseHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

/**
 * Requests a page may not make itself, whatever its CSP says: the network and the disk. The page
 * talks to main over IPC; its own assets come from app://, data: and blob:. (Checked per request
 * rather than with URL-pattern filters, so no pattern syntax can fail at start.)
 */
const BLOCKED_REQUEST_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'file:', 'ftp:']);

export function isBlockedRendererRequest(url: unknown): boolean {
  if (typeof url !== 'string') return true;
  const colon = url.indexOf(':');
  if (colon < 0) return true;
  return BLOCKED_REQUEST_SCHEMES.has(url.slice(0, colon + 1).toLowerCase());
}

/**
 * Every permission a page can ask for (camera, microphone, geolocation, notifications, clipboard
 * read, HID/USB/serial, …) is denied: the console needs none of them.
 */
export function permissionDecision(..._request: unknown[]): false {
  return false;
}
