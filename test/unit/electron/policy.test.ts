import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_SCHEME,
  appScheme,
  contentSecurityPolicy,
  contentTypeFor,
  cspDirectives,
  externalUrl,
  isAllowedNavigation,
  isBlockedRendererRequest,
  isSafeExternalUrl,
  isTrustedSender,
  permissionDecision,
  resolveAppAsset,
  responseHeaders,
  webPreferences,
} from '../../../main/electron/policy';
import { createAppProtocolHandler } from '../../../main/electron/appProtocol';

describe('app origin', () => {
  it('is app://firebreak, served from a standard, secure scheme that does not bypass the CSP', () => {
    expect(APP_SCHEME).toBe('app');
    expect(APP_ORIGIN).toBe('app://firebreak');
    expect(APP_ENTRY_URL).toBe('app://firebreak/');
    expect(appScheme.scheme).toBe('app');
    expect(appScheme.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true });
    expect(appScheme.privileges?.bypassCSP).toBeFalsy();
    expect(appScheme.privileges?.corsEnabled).toBeFalsy();
    expect(appScheme.privileges?.allowServiceWorkers).toBeFalsy();
  });
});

describe('webPreferences', () => {
  const prefs = webPreferences('/app/build/electron/preload.cjs');

  it('isolates and sandboxes the page with no Node', () => {
    expect(prefs).toMatchObject({
      preload: '/app/build/electron/preload.cjs',
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
    });
  });

  it('turns DevTools on only when asked (unpackaged runs)', () => {
    expect(prefs.devTools).toBe(false);
    expect(webPreferences('/p.cjs', { devTools: true }).devTools).toBe(true);
  });

  it('never enables Blink features or extra sessions; a middle click opens nothing (Auxclick off)', () => {
    expect(prefs.enableBlinkFeatures).toBeUndefined();
    expect(prefs.disableBlinkFeatures).toBe('Auxclick');
    expect(prefs.additionalArguments).toBeUndefined();
    expect(prefs.partition).toBeUndefined();
  });
});

describe('Content-Security-Policy', () => {
  const directives = new Map(
    contentSecurityPolicy.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );

  it('is the serialisation of cspDirectives', () => {
    expect([...directives.keys()]).toEqual(Object.keys(cspDirectives));
  });

  it('denies by default and allows scripts from our own origin only', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.has('script-src-elem')).toBe(false);
    expect(directives.has('script-src-attr')).toBe(false);
  });

  it('has no unsafe-eval, no wasm-unsafe-eval, and unsafe-inline only for style attributes', () => {
    expect(contentSecurityPolicy).not.toContain('unsafe-eval');
    for (const [name, sources] of directives) {
      if (name === 'style-src-attr') continue;
      expect(sources, name).not.toContain("'unsafe-inline'");
    }
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('style-src-attr')).toEqual(["'unsafe-inline'"]);
  });

  it('locks down everything else', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('font-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
  });

  it('names no remote host and no wildcard', () => {
    expect(contentSecurityPolicy).not.toMatch(/https?:|\*|ws:|wss:/);
  });
});

describe('isAllowedNavigation', () => {
  it.each([
    'app://firebreak/',
    'app://firebreak/index.html',
    'app://firebreak/incidents/42?tab=timeline#top',
    'APP://FIREBREAK/',
  ])('allows %s', (url) => {
    expect(isAllowedNavigation(url)).toBe(true);
  });

  it.each([
    'https://example.com/',
    'http://localhost:5173/',
    'app://evil/',
    'app://firebreak.evil.com/',
    'app://evil.com/firebreak',
    'app://firebreak@evil/',
    'app://user:pass@firebreak/',
    'app://firebreak:8080/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'about:blank',
    'devtools://devtools/bundled/inspector.html',
    'chrome://settings',
    '',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isAllowedNavigation(url)).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(isAllowedNavigation(undefined)).toBe(false);
    expect(isAllowedNavigation(null)).toBe(false);
    expect(isAllowedNavigation({ href: 'app://firebreak/' })).toBe(false);
  });
});

describe('isSafeExternalUrl / externalUrl', () => {
  it.each([
    'https://github.com/firebreak/firebreak/issues',
    'http://grafana.internal:3000/d/abc?orgId=1',
    'https://console.aws.amazon.com/cost-management/home#/anomaly-detection',
  ])('allows %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true);
  });

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'https://user:pass@example.com/',
    'https://user@example.com/',
    'https://:pass@example.com/',
    'file:///etc/passwd',
    'file://host/share',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'smb://attacker/share',
    'ms-msdt:/id PCWDiagnostic',
    'mailto:someone@example.com',
    'app://firebreak/',
    'ftp://example.com/file',
    'https://example.com/\u0000',
    'https://exa\nmple.com/',
    'https://example.com/ --flag',
    'https://',
    'http://[::1',
    '//example.com/',
    '/relative/path',
    '',
    `https://example.com/${'a'.repeat(5000)}`,
  ])('refuses %j', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(isSafeExternalUrl(undefined)).toBe(false);
    expect(isSafeExternalUrl(42)).toBe(false);
  });

  it('hands back the normalised URL that was checked', () => {
    expect(externalUrl('HTTPS://Example.COM:443/a/../b?q=1')).toBe('https://example.com/b?q=1');
    expect(externalUrl('javascript:alert(1)')).toBeNull();
  });
});

describe('isTrustedSender', () => {
  it('trusts the main frame of our own origin', () => {
    expect(isTrustedSender({ url: 'app://firebreak/', isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: 'app://firebreak/incidents/1', isMainFrame: true })).toBe(true);
  });

  it('refuses subframes, even of our own origin', () => {
    expect(isTrustedSender({ url: 'app://firebreak/', isMainFrame: false })).toBe(false);
  });

  it.each([
    'https://evil.example/',
    'app://evil/',
    'app://firebreak.evil/',
    'file:///home/user/index.html',
    'about:blank',
    'data:text/html,hi',
    '',
  ])('refuses a main frame at %s', (url) => {
    expect(isTrustedSender({ url, isMainFrame: true })).toBe(false);
  });

  it('refuses a missing frame (navigated away or destroyed)', () => {
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });

  it('refuses a frame whose isMainFrame is not literally true', () => {
    expect(isTrustedSender({ url: 'app://firebreak/', isMainFrame: 1 as unknown as boolean })).toBe(false);
  });
});

describe('isBlockedRendererRequest', () => {
  it.each([
    'https://example.com/',
    'HTTP://example.com/',
    'http://localhost:9090/',
    'ws://127.0.0.1:8080/',
    'wss://example.com/',
    'file:///etc/passwd',
    'ftp://example.com/',
    'not-a-url',
  ])('blocks %s', (url) => {
    expect(isBlockedRendererRequest(url)).toBe(true);
  });
  it.each([
    'app://firebreak/index.html',
    'data:image/png;base64,AA',
    'blob:app://firebreak/1',
    'devtools://devtools/x',
  ])('lets %s through', (url) => {
    expect(isBlockedRendererRequest(url)).toBe(false);
  });
  it('blocks what it cannot read', () => {
    expect(isBlockedRendererRequest(undefined)).toBe(true);
  });
});

describe('permissionDecision', () => {
  it.each([
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'openExternal',
    'hid',
    'usb',
    'serial',
  ])('denies %s', (permission) => {
    expect(permissionDecision(null, permission, 'app://firebreak')).toBe(false);
  });
  it('denies with no arguments too', () => {
    expect(permissionDecision()).toBe(false);
  });
});

describe('resolveAppAsset', () => {
  const root = path.resolve('/srv/firebreak/build/renderer');
  const inRoot = (p: string | null) => p !== null && p.startsWith(root + path.sep);

  it('maps files under the renderer root', () => {
    expect(resolveAppAsset(root, 'app://firebreak/assets/index-abc123.js')).toBe(
      path.join(root, 'assets', 'index-abc123.js'),
    );
    expect(resolveAppAsset(root, 'app://firebreak/favicon.svg?v=2#x')).toBe(path.join(root, 'favicon.svg'));
    expect(resolveAppAsset(root, 'app://firebreak/assets/Inter%20Var.woff2')).toBe(
      path.join(root, 'assets', 'Inter Var.woff2'),
    );
  });

  it('serves index.html for the root and for client-side routes (no extension)', () => {
    const index = path.join(root, 'index.html');
    expect(resolveAppAsset(root, 'app://firebreak')).toBe(index);
    expect(resolveAppAsset(root, 'app://firebreak/')).toBe(index);
    expect(resolveAppAsset(root, 'app://firebreak/incidents/42')).toBe(index);
    expect(resolveAppAsset(root, 'app://firebreak/cost/2025-06')).toBe(index);
    expect(resolveAppAsset(root, 'app://firebreak/index.html')).toBe(index);
  });

  it('never leaves the root: dot segments are resolved by the URL parser, encoded ones are refused', () => {
    // the WHATWG parser removes `..` (and `%2e%2e`) before we see the path: this stays inside the root
    const dotted = resolveAppAsset(root, 'app://firebreak/../../etc/passwd');
    expect(inRoot(dotted)).toBe(true);
    expect(dotted).not.toContain(`${path.sep}etc${path.sep}passwd`);
    expect(inRoot(resolveAppAsset(root, 'app://firebreak/%2e%2e/%2e%2e/etc/passwd.txt'))).toBe(true);

    for (const url of [
      'app://firebreak/..%2f..%2fetc%2fpasswd',
      'app://firebreak/..%2F..%2F..%2Fetc%2Fpasswd.txt',
      'app://firebreak/assets/..%2f..%2f..%2fsecret.js',
      'app://firebreak/%2e%2e%2f%2e%2e%2fsecret.js',
      'app://firebreak/..%5c..%5cwindows%5cwin.ini',
      'app://firebreak/C:%5cWindows%5cwin.ini',
      'app://firebreak/C:/Windows/win.ini',
      'app://firebreak/%00.js',
      'app://firebreak/.env',
      'app://firebreak/.vite/manifest.json',
      'app://firebreak/%E0%A4%A.js',
    ]) {
      expect(resolveAppAsset(root, url), url).toBeNull();
    }
  });

  it('refuses other origins and schemes', () => {
    for (const url of [
      'app://evil/index.html',
      'app://firebreak.evil/index.html',
      'app://x@firebreak/index.html',
      'app://firebreak:1/index.html',
      'file:///etc/passwd',
      'https://firebreak/index.html',
      'not a url',
    ]) {
      expect(resolveAppAsset(root, url), url).toBeNull();
    }
    expect(resolveAppAsset(root, 42)).toBeNull();
  });
});

describe('response headers', () => {
  it('types module scripts as JavaScript and never sniffs', () => {
    expect(contentTypeFor('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/x/a.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/x/a.MJS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/x/a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('/x/a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('/x/a.unknown')).toBe('application/octet-stream');
    const headers = responseHeaders('text/html');
    expect(headers['content-security-policy']).toBe(contentSecurityPolicy);
    expect(headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('the app:// protocol handler', () => {
  let root: string;
  let outside: string;

  beforeAll(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-protocol-'));
    root = path.join(base, 'renderer');
    outside = path.join(base, 'secret.txt');
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Firebreak</title>');
    fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(outside, 'top secret');
  });
  afterAll(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  const get = (url: string, method = 'GET') => createAppProtocolHandler(root)({ url, method });

  it('serves index.html with the CSP', async () => {
    const res = await get('app://firebreak/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(await res.text()).toContain('<title>Firebreak</title>');
  });

  it('serves assets with their type, and routes to index.html', async () => {
    const js = await get('app://firebreak/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await (await get('app://firebreak/incidents/7')).text()).toContain('Firebreak');
  });

  it('answers 404 (with the CSP) for missing files and traversal attempts', async () => {
    for (const url of [
      'app://firebreak/assets/missing.js',
      'app://firebreak/..%2fsecret.txt',
      'app://evil/index.html',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
      expect(await res.text()).not.toContain('top secret');
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get('app://firebreak/', 'POST')).status).toBe(405);
    const head = await get('app://firebreak/', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('says the console is not built when index.html is missing', async () => {
    const res = await createAppProtocolHandler(path.join(root, 'nope'))({
      url: 'app://firebreak/',
      method: 'GET',
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('npm run build');
  });
});
