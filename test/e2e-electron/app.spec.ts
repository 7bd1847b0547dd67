/**
 * The packaged-to-be app, end to end: build/electron/main.cjs started by Electron (through the
 * package.json "main" of the repository root, so the app has its name and version), its window,
 * the preload bridge and the guards around it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import type { PreloadBridge } from '../../shared/ipc';

const root = path.resolve(import.meta.dirname, '..', '..');

/** The Electron executable, or null where `npm ci` ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1. */
function electronBinary(): string | null {
  try {
    const executable: unknown = createRequire(import.meta.url)('electron');
    return typeof executable === 'string' && fs.existsSync(executable) ? executable : null;
  } catch {
    // the electron package throws when its binary was never downloaded
    return null;
  }
}

const binary = electronBinary();
const notInstalled =
  'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD): run `npx electron --version` after a normal install to enable';
if (binary === null) console.log(notInstalled);
test.skip(binary === null, notInstalled);

type BridgeWindow = Window & { firebreak: PreloadBridge };

let app: ElectronApplication;
let page: Page;
let userData: string;

test.beforeAll(async () => {
  for (const built of [
    'build/electron/main.cjs',
    'build/electron/preload.cjs',
    'build/renderer/index.html',
  ]) {
    if (!fs.existsSync(path.join(root, built)))
      throw new Error(`${built} is missing: run \`npm run build\` first`);
  }
  userData = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-e2e-electron-'));
  const args = [root];
  // Chromium refuses to start as root with its OS sandbox (CI containers); the page stays sandboxed by webPreferences
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  app = await electron.launch({
    executablePath: binary!,
    args,
    cwd: root,
    env: { ...process.env, FIREBREAK_USER_DATA_DIR: userData } as Record<string, string>,
  });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

test.afterAll(async () => {
  await app?.close();
  if (userData) fs.rmSync(userData, { recursive: true, force: true });
});

test('opens one window titled Firebreak from app://firebreak/', async () => {
  await expect(page).toHaveTitle(/Firebreak/);
  expect(page.url()).toMatch(/^app:\/\/firebreak\//);
  expect(app.windows()).toHaveLength(1);
});

test('app.info answers over the Electron transport', async () => {
  const result = await page.evaluate(() =>
    (window as unknown as BridgeWindow).firebreak.invoke('app.info', {}),
  );
  expect(result).toMatchObject({ ok: true, value: { transport: 'electron' } });
});

test('a channel outside the contract is refused', async () => {
  const result = await page.evaluate(() =>
    (window as unknown as BridgeWindow).firebreak.invoke('kube.deleteEverything', {}),
  );
  expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
});

test('the page has the bridge and nothing else: no Node, no ipcRenderer', async () => {
  const seen = await page.evaluate(() => ({
    bridge: Object.keys((window as unknown as BridgeWindow).firebreak).sort(),
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
    ipcRenderer: typeof (window as unknown as { ipcRenderer?: unknown }).ipcRenderer,
  }));
  expect(seen).toEqual({
    bridge: ['invoke', 'subscribe'],
    require: 'undefined',
    process: 'undefined',
    ipcRenderer: 'undefined',
  });
});

test('every response carries the CSP, and the page cannot reach the network', async () => {
  const csp = await page.evaluate(() => fetch('/').then((r) => r.headers.get('content-security-policy')));
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  const outside = await page.evaluate(() =>
    fetch('https://example.com/').then(
      () => 'reached',
      () => 'blocked',
    ),
  );
  expect(outside).toBe('blocked');
});

test('navigation away and new windows are refused', async () => {
  const opened = await page.evaluate(() => window.open('https://example.com/') === null);
  expect(opened).toBe(true);
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toMatch(/^app:\/\/firebreak\//);
  expect(app.windows()).toHaveLength(1);
});
