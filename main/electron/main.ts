/**
 * The Electron entry (bundled to build/electron/main.cjs by scripts/build-electron.mjs).
 *
 * It only wires: the decisions (which URLs, senders, files and permissions are allowed) live in
 * policy.ts and are unit-tested; test/unit/electron/source.test.ts checks that every guard below is
 * in place. The app itself (store, cluster, metrics, cost) is `createAppApi` from main/api, reached
 * through its Dispatcher exactly as the serve and in-memory transports reach it.
 */
import {
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session,
  shell,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type Session,
  type WebContents,
} from 'electron';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AppError, toAppErrorData, type AppErrorData, type Result } from '../../shared/errors';
import { ipc } from '../../shared/ipc';
import { createAppApi } from '../api/index';
import { createAppProtocolHandler } from './appProtocol';
import { applyLoginShellPath } from './loginShellPath';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  appScheme,
  externalUrl,
  isAllowedNavigation,
  isBlockedRendererRequest,
  isTrustedSender,
  permissionDecision,
  type SenderFrame,
} from './policy';
import { isSubscriptionId, StreamSubscriptions } from './subscriptions';

type AppApi = Awaited<ReturnType<typeof createAppApi>>;

/** build/electron/main.cjs -> build/electron/preload.cjs and build/renderer/ (inside app.asar when packaged). */
const preloadPath = path.join(__dirname, 'preload.cjs');
const rendererRoot = path.join(__dirname, '..', 'renderer');

// Before `ready`: the app scheme's privileges, the sandbox for every renderer, and a stable
// user-data folder ("Firebreak" both packaged and from a checkout; FIREBREAK_USER_DATA_DIR for tests).
protocol.registerSchemesAsPrivileged([appScheme]);
app.enableSandbox();
app.setPath(
  'userData',
  process.env.FIREBREAK_USER_DATA_DIR
    ? path.resolve(process.env.FIREBREAK_USER_DATA_DIR)
    : path.join(app.getPath('appData'), 'Firebreak'),
);

if (!app.requestSingleInstanceLock()) {
  // another Firebreak is running with this profile: it gets focus (second-instance), we leave
  app.quit();
} else {
  start();
}

function start(): void {
  let mainWindow: BrowserWindow | null = null;
  let api: Promise<AppApi> | null = null;
  const subscriptions = new StreamSubscriptions();

  // Kubeconfig exec plugins (aws eks get-token, gke-gcloud-auth-plugin…) need the login shell's PATH
  // when started from a desktop launcher. Read it while the window opens; the API waits for it.
  const pathReady = applyLoginShellPath(process.env).catch(() => false);

  function appApi(): Promise<AppApi> {
    api ??= (async () => {
      await pathReady;
      const storePath = path.join(app.getPath('userData'), 'profiles', 'default', 'firebreak.sqlite');
      await mkdir(path.dirname(storePath), { recursive: true });
      try {
        // packaged, the sample incident is an extra resource (electron-builder.yml); else main/api finds resources/
        const sample = app.isPackaged
          ? { sampleFile: path.join(process.resourcesPath, 'sample-incident', 'sample-incident.fbi') }
          : {};
        return await createAppApi({ storePath, transport: 'electron', version: app.getVersion(), ...sample });
      } catch (err) {
        throw explainNativeModuleMismatch(err);
      }
    })();
    return api;
  }

  function createWindow(): BrowserWindow {
    const win = new BrowserWindow({
      title: 'Firebreak',
      width: 1440,
      height: 900,
      minWidth: 1024,
      minHeight: 640,
      backgroundColor: '#0b0f14',
      show: false,
      autoHideMenuBar: true,
      // written out here, not built by a function, so static checkers (Electronegativity) see each
      // option; test/unit/electron/source.test.ts holds it equal to policy.ts's webPreferences()
      webPreferences: {
        // reviewed: the preload hands the page one narrow bridge (source.test.ts checks it)
        preload: preloadPath, // eng-disable PRELOAD_JS_CHECK
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
        // a middle click opens no window (setWindowOpenHandler denies them anyway)
        disableBlinkFeatures: 'Auxclick',
        devTools: !app.isPackaged,
      },
    });
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null;
    });
    win.loadURL(APP_ENTRY_URL).catch((err: unknown) => {
      console.error(`[firebreak] could not load ${APP_ENTRY_URL}:`, err);
    });
    return win;
  }

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every webContents, ours and any other (a devtools page, a future window): no webviews, no
  // navigation away from the app, no new windows; http(s) links open in the user's browser.
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents));

  function guardWebContents(contents: WebContents): void {
    const owner = contents.id;
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('will-navigate', (event) => {
      if (!isAllowedNavigation(event.url)) event.preventDefault();
    });
    contents.on('will-frame-navigate', (event) => {
      if (!isAllowedNavigation(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!isAllowedNavigation(event.url)) event.preventDefault();
    });
    // A new-window request comes from a click on a link (target=_blank / middle click) or from
    // window.open in our own scripts (script-src 'self'): never a window; a safe http(s) link goes
    // to the user's browser, anything else is dropped.
    contents.setWindowOpenHandler(({ url }) => {
      const external = externalUrl(url);
      if (external !== null) {
        // reviewed: `external` is externalUrl()'s output (http(s) only, a host, no credentials, normalised)
        const opened = shell.openExternal(external); // eng-disable OPEN_EXTERNAL_JS_CHECK
        opened.catch((err: unknown) => {
          console.warn('[firebreak] could not open a link in the browser:', err);
        });
      }
      return { action: 'deny' };
    });
    // A page's streams end with it: on navigation (reload included), crash and destruction.
    contents.on('did-start-navigation', (event) => {
      if (event.isMainFrame && !event.isSameDocument) subscriptions.closeOwner(owner);
    });
    contents.on('render-process-gone', () => subscriptions.closeOwner(owner));
    contents.once('destroyed', () => subscriptions.closeOwner(owner));
  }

  function guardSession(ses: Session): void {
    ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(permissionDecision()));
    ses.setPermissionCheckHandler(() => permissionDecision());
    ses.setDevicePermissionHandler(() => permissionDecision());
    // The page talks to main over IPC only: it never reaches the network or the disk itself
    // (the CSP says so too; this holds even for a page loaded without it).
    ses.webRequest.onBeforeRequest((details, callback) =>
      callback({ cancel: isBlockedRendererRequest(details.url) }),
    );
  }

  function senderFrame(event: IpcMainEvent | IpcMainInvokeEvent): SenderFrame | null {
    const frame = event.senderFrame;
    if (!frame) return null; // the frame navigated away or was destroyed
    return { url: frame.url, isMainFrame: frame.parent === null };
  }

  const untrustedSender = (): AppErrorData =>
    new AppError(
      'FORBIDDEN_ORIGIN',
      'This page may not talk to Firebreak.',
      'Only the Firebreak console itself can use its API.',
    ).toJSON();

  function bindIpc(): void {
    ipcMain.handle(ipc.invoke, async (event, channel: unknown, input: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(senderFrame(event))) return { ok: false, error: untrustedSender() };
      try {
        const { dispatcher } = await appApi();
        // the dispatcher refuses anything that is not a contract channel (strings or not)
        return await dispatcher.invoke(channel as string, input);
      } catch (err) {
        return { ok: false, error: toAppErrorData(err) };
      }
    });

    ipcMain.on(ipc.subscribe, (event, id: unknown, stream: unknown, params: unknown) => {
      if (!isTrustedSender(senderFrame(event)) || !isSubscriptionId(id)) return;
      const sender = event.sender;
      subscriptions.open(
        sender.id,
        id,
        (onMessage) =>
          appApi().then(({ dispatcher }) => dispatcher.subscribe(stream as string, params, onMessage)),
        (message) => {
          if (!sender.isDestroyed()) sender.send(ipc.stream, id, message);
        },
      );
    });

    ipcMain.on(ipc.unsubscribe, (event, id: unknown) => {
      if (!isTrustedSender(senderFrame(event)) || !isSubscriptionId(id)) return;
      subscriptions.close(event.sender.id, id);
    });
  }

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });

  // Close the store cleanly (WAL checkpoint, watches stopped) before the process ends; 5 s at most.
  let closing = false;
  app.on('will-quit', (event) => {
    if (closing || api === null) return;
    closing = true;
    event.preventDefault();
    subscriptions.closeAll();
    const closed = api.then((a) => a.close());
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    Promise.race([closed, timeout])
      .catch((err: unknown) => console.error('[firebreak] closing the store failed:', err))
      .finally(() => app.quit());
  });

  app
    .whenReady()
    .then(() => {
      guardSession(session.defaultSession);
      protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererRoot));
      bindIpc();
      appApi().catch((err: unknown) => {
        // the page shows it: every invoke answers with this error
        console.error('[firebreak] the app API did not start:', err);
      });
      mainWindow = createWindow();
    })
    .catch((err: unknown) => {
      console.error('[firebreak] start failed:', err);
      app.exit(1);
    });
}

/**
 * better-sqlite3 built for Node (what `npm ci` and the tests use) cannot load in Electron: say so in
 * words, instead of an "Unexpected error" about NODE_MODULE_VERSION.
 */
function explainNativeModuleMismatch(err: unknown): unknown {
  const message = err instanceof Error ? err.message : '';
  if (!/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message)) return err;
  return new AppError(
    'STORE_ERROR',
    'The SQLite module was built for Node.js, not for this Electron.',
    'Rebuild it for Electron (`npx @electron/rebuild -f -w better-sqlite3`, needs network), or run the console with `npm run serve`.',
    { cause: message.slice(0, 300) },
  );
}
