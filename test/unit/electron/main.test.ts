/**
 * main/electron/main.ts under plain Node, with 'electron' replaced by fakes that record what the
 * entry registers: the wiring of every guard, exercised (the Electron binary is not needed).
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy, webPreferences } from '../../../main/electron/policy';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  class Emitter {
    listeners = new Map<string, Listener[]>();
    on(event: string, fn: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
      return this;
    }
    once(event: string, fn: Listener) {
      return this.on(event, fn);
    }
    emit(event: string, ...args: unknown[]) {
      for (const fn of this.listeners.get(event) ?? []) fn(...args);
    }
  }
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((r) => (resolveReady = r));
  const app = Object.assign(new Emitter(), {
    paths: new Map<string, string>([['appData', '/nonexistent/appData']]),
    whenReady: () => ready,
    getPath(name: string) {
      return app.paths.get(name) ?? `/nonexistent/${name}`;
    },
    setPath: vi.fn((name: string, value: string) => app.paths.set(name, value)),
    getVersion: () => '9.9.9',
    isPackaged: false,
    isReady: () => true,
    requestSingleInstanceLock: vi.fn(() => true),
    enableSandbox: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
  });
  const windows: { options: Record<string, unknown>; loadURL: ReturnType<typeof vi.fn>; emitter: Emitter }[] =
    [];
  class BrowserWindow extends Emitter {
    options: Record<string, unknown>;
    loadURL = vi.fn(() => Promise.resolve());
    show = vi.fn();
    constructor(options: Record<string, unknown>) {
      super();
      this.options = options;
      windows.push({ options, loadURL: this.loadURL, emitter: this });
    }
    static getAllWindows = () => windows;
  }
  const ipcHandlers = new Map<string, Listener>();
  const ipcListeners = new Map<string, Listener>();
  const defaultSession = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    webRequest: { onBeforeRequest: vi.fn() },
  };
  const api = {
    dispatcher: {
      invoke: vi.fn(async (channel: string) => ({ ok: true, value: { channel } })),
      subscribe: vi.fn(),
    },
    close: vi.fn(async () => {}),
  };
  return {
    Emitter,
    app,
    resolveReady: () => resolveReady(),
    windows,
    BrowserWindow,
    ipcHandlers,
    ipcListeners,
    defaultSession,
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    ipcMain: {
      handle: vi.fn((channel: string, fn: Listener) => ipcHandlers.set(channel, fn)),
      on: vi.fn((channel: string, fn: Listener) => ipcListeners.set(channel, fn)),
    },
    shell: { openExternal: vi.fn(() => Promise.resolve()) },
    api,
    createAppApi: vi.fn(async (_options: unknown) => api),
  };
});

vi.mock('electron', () => ({
  app: fake.app,
  BrowserWindow: fake.BrowserWindow,
  ipcMain: fake.ipcMain,
  protocol: fake.protocol,
  session: { defaultSession: fake.defaultSession },
  shell: fake.shell,
}));
vi.mock('../../../main/api/index', () => ({ createAppApi: fake.createAppApi }));
vi.mock('../../../main/electron/loginShellPath', () => ({ applyLoginShellPath: async () => false }));

let userData: string;

/** A fake webContents, announced through app's web-contents-created like Electron does. */
function newContents(id: number) {
  const contents = Object.assign(new fake.Emitter(), {
    id,
    windowOpenHandler: null as null | ((details: { url: string }) => { action: string }),
    setWindowOpenHandler(fn: (details: { url: string }) => { action: string }) {
      contents.windowOpenHandler = fn;
    },
    sent: [] as unknown[][],
    destroyed: false,
    isDestroyed: () => contents.destroyed,
    send: (...args: unknown[]) => contents.sent.push(args),
  });
  fake.app.emit('web-contents-created', {}, contents);
  return contents;
}

function navEvent(url: string) {
  return { url, preventDefault: vi.fn() };
}

function ipcEvent(sender: ReturnType<typeof newContents>, frame: { url: string; parent: unknown } | null) {
  return { sender, senderFrame: frame };
}
const mainFrame = { url: 'app://firebreak/', parent: null };

beforeAll(async () => {
  userData = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-electron-main-'));
  process.env.FIREBREAK_USER_DATA_DIR = userData;
  await import('../../../main/electron/main');
  fake.resolveReady();
  await new Promise((r) => setTimeout(r, 20));
});
afterAll(() => {
  delete process.env.FIREBREAK_USER_DATA_DIR;
  fs.rmSync(userData, { recursive: true, force: true });
});
beforeEach(() => {
  fake.api.dispatcher.invoke.mockClear();
  fake.api.dispatcher.subscribe.mockReset();
  fake.shell.openExternal.mockClear();
});

describe('before ready', () => {
  it('registers the app scheme as privileged, sandboxes every renderer, takes the single-instance lock', () => {
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(fake.app.enableSandbox).toHaveBeenCalled();
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(fake.app.setPath).toHaveBeenCalledWith('userData', userData);
  });
});

describe('when ready', () => {
  it('serves the app scheme with the CSP', async () => {
    expect(fake.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    const handler = fake.protocol.handle.mock.calls[0]?.[1] as (r: {
      url: string;
      method: string;
    }) => Promise<Response>;
    const res = await handler({ url: 'app://firebreak/../../../../etc/passwd.txt', method: 'GET' });
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(await res.text()).not.toMatch(/root:/);
  });

  it('opens one hidden window with the policy webPreferences on app://firebreak/', () => {
    expect(fake.windows).toHaveLength(1);
    const win = fake.windows[0]!;
    expect(win.options).toMatchObject({ show: false, backgroundColor: expect.stringMatching(/^#/) });
    expect(win.options.minWidth).toBeGreaterThan(0);
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toEqual(webPreferences(prefs.preload as string, { devTools: true }));
    expect(prefs.preload).toMatch(/preload\.cjs$/);
    expect(win.loadURL).toHaveBeenCalledWith('app://firebreak/');
  });

  it('denies every permission request and check, and device access', () => {
    const request = fake.defaultSession.setPermissionRequestHandler.mock.calls[0]?.[0] as Listener;
    const callback = vi.fn();
    request({}, 'media', callback, {});
    expect(callback).toHaveBeenCalledWith(false);
    const check = fake.defaultSession.setPermissionCheckHandler.mock.calls[0]?.[0] as Listener;
    expect(check({}, 'clipboard-read', 'app://firebreak', {})).toBe(false);
    const device = fake.defaultSession.setDevicePermissionHandler.mock.calls[0]?.[0] as Listener;
    expect(device({})).toBe(false);
  });

  it('cancels any network or file request made by a page, and nothing of its own', () => {
    const listener = fake.defaultSession.webRequest.onBeforeRequest.mock.calls[0]?.[0] as Listener;
    expect(typeof listener).toBe('function');
    for (const [url, cancel] of [
      ['https://example.com/', true],
      ['http://127.0.0.1:9090/api/v1/query', true],
      ['file:///etc/passwd', true],
      ['wss://example.com/socket', true],
      ['app://firebreak/assets/index.js', false],
      ['data:image/png;base64,AAAA', false],
      ['blob:app://firebreak/0b6c', false],
      ['devtools://devtools/bundled/inspector.html', false],
    ] as const) {
      const callback = vi.fn();
      listener({ url }, callback);
      expect(callback, url).toHaveBeenCalledWith({ cancel });
    }
  });

  it('starts the app API with the profile store and the electron transport', () => {
    expect(fake.createAppApi).toHaveBeenCalledWith({
      storePath: path.join(userData, 'profiles', 'default', 'firebreak.sqlite'),
      transport: 'electron',
      version: '9.9.9',
    });
    expect(fs.existsSync(path.join(userData, 'profiles', 'default'))).toBe(true);
  });
});

describe('every webContents', () => {
  it('may not navigate, redirect or frame-navigate away from the app', () => {
    const contents = newContents(100);
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      const away = navEvent('https://evil.example/');
      contents.emit(event, away);
      expect(away.preventDefault, event).toHaveBeenCalled();
      const within = navEvent('app://firebreak/incidents/1');
      contents.emit(event, within);
      expect(within.preventDefault, event).not.toHaveBeenCalled();
    }
  });

  it('may not attach a webview', () => {
    const contents = newContents(101);
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('never opens a window; safe links go to the browser', () => {
    const contents = newContents(102);
    const open = contents.windowOpenHandler!;
    expect(open({ url: 'https://github.com/firebreak' })).toEqual({ action: 'deny' });
    expect(fake.shell.openExternal).toHaveBeenCalledWith('https://github.com/firebreak');
    for (const url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://u:p@x.example/',
      'app://firebreak/',
    ]) {
      expect(open({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.shell.openExternal).toHaveBeenCalledTimes(1);
  });
});

describe('IPC', () => {
  const invoke = (...args: unknown[]) => fake.ipcHandlers.get('firebreak:invoke')!(...args);
  const subscribe = (...args: unknown[]) => fake.ipcListeners.get('firebreak:subscribe')!(...args);
  const unsubscribe = (...args: unknown[]) => fake.ipcListeners.get('firebreak:unsubscribe')!(...args);

  it('answers the main frame of the app through the dispatcher', async () => {
    const contents = newContents(200);
    await expect(invoke(ipcEvent(contents, mainFrame), 'app.info', {})).resolves.toEqual({
      ok: true,
      value: { channel: 'app.info' },
    });
    expect(fake.api.dispatcher.invoke).toHaveBeenCalledWith('app.info', {});
  });

  it.each([
    ['a subframe', { url: 'app://firebreak/', parent: {} }],
    ['another origin', { url: 'https://evil.example/', parent: null }],
    ['a file:// page', { url: 'file:///tmp/x.html', parent: null }],
    ['a vanished frame', null],
  ])('refuses %s without calling the dispatcher', async (_what, frame) => {
    const contents = newContents(201);
    const result = await invoke(ipcEvent(contents, frame), 'app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ORIGIN' } });
    expect(fake.api.dispatcher.invoke).not.toHaveBeenCalled();
  });

  it('turns a dispatcher failure into a typed error', async () => {
    fake.api.dispatcher.invoke.mockRejectedValueOnce(new Error('boom'));
    const result = await invoke(ipcEvent(newContents(202), mainFrame), 'app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const text = JSON.stringify(result);
    expect(text).not.toContain('stack');
    expect(text).not.toMatch(/\\n\s+at /);
  });

  it('forwards stream messages by subscription id and stops them on unsubscribe', async () => {
    const stop = vi.fn();
    let emit: Listener = () => {};
    fake.api.dispatcher.subscribe.mockImplementation((_s: string, _p: unknown, onMessage: Listener) => {
      emit = onMessage;
      return stop;
    });
    const contents = newContents(300);
    subscribe(ipcEvent(contents, mainFrame), 'abc-1', 'models.live', { intervalS: 5 });
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.api.dispatcher.subscribe).toHaveBeenCalledWith(
      'models.live',
      { intervalS: 5 },
      expect.any(Function),
    );
    emit({ type: 'event', event: { models: [] } });
    expect(contents.sent).toEqual([['firebreak:stream', 'abc-1', { type: 'event', event: { models: [] } }]]);
    unsubscribe(ipcEvent(contents, mainFrame), 'abc-1');
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('ignores subscriptions from untrusted frames and malformed ids', async () => {
    const contents = newContents(301);
    subscribe(ipcEvent(contents, { url: 'https://evil.example/', parent: null }), 'abc-1', 'models.live', {});
    subscribe(ipcEvent(contents, mainFrame), '../../x', 'models.live', {});
    subscribe(ipcEvent(contents, mainFrame), { id: 1 }, 'models.live', {});
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.api.dispatcher.subscribe).not.toHaveBeenCalled();
  });

  it("closes a page's streams when it navigates or is destroyed", async () => {
    const stops: ReturnType<typeof vi.fn>[] = [];
    fake.api.dispatcher.subscribe.mockImplementation(() => {
      const stop = vi.fn();
      stops.push(stop);
      return stop;
    });
    const contents = newContents(302);
    subscribe(ipcEvent(contents, mainFrame), 's-1', 'models.live', {});
    subscribe(ipcEvent(contents, mainFrame), 's-2', 'models.live', {});
    await new Promise((r) => setTimeout(r, 0));
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    expect(stops.every((s) => s.mock.calls.length === 0)).toBe(true);
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    expect(stops.map((s) => s.mock.calls.length)).toEqual([1, 1]);

    subscribe(ipcEvent(contents, mainFrame), 's-3', 'models.live', {});
    await new Promise((r) => setTimeout(r, 0));
    contents.destroyed = true;
    contents.emit('destroyed');
    expect(stops.map((s) => s.mock.calls.length)).toEqual([1, 1, 1]);
  });
});

describe('quitting', () => {
  it('closes the app API before the process ends', async () => {
    const event = { preventDefault: vi.fn() };
    fake.app.emit('will-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.api.close).toHaveBeenCalledTimes(1);
    expect(fake.app.quit).toHaveBeenCalled();
    const again = { preventDefault: vi.fn() };
    fake.app.emit('will-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });
});
