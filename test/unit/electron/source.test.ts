/**
 * Static checks on the Electron adapter's source and packaging config: the guards the security
 * checklist asks for are wired in main/electron/main.ts, nothing weakens them anywhere in the
 * adapter or the preload, and electron-builder.yml sets the fuses and unpacks the native module.
 * (Behaviour is tested in electron-policy/-main/-preload tests; this catches a guard being removed.)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import ts from 'typescript';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  metaContentSecurityPolicy,
  webPreferences,
} from '../../../main/electron/policy';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
const mainSource = read('main/electron/main.ts');

function filesUnder(rel: string): string[] {
  const dir = path.join(root, rel);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(f))
    .map((f) => path.join(rel, f));
}

/**
 * Source without comments and without whitespace (`webSecurity:false`), so a comment that mentions a
 * pattern neither hides nor fakes it, and formatting does not matter.
 */
function code(source: string, file = 'file.ts'): string {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return ts.createPrinter({ removeComments: true }).printFile(sf).replace(/\s+/g, '');
}
const mainCode = code(mainSource);

function calls(source: string, file: string, callee: string): ts.CallExpression[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ts.CallExpression[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.getText(sf) === callee) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('main/electron/main.ts wires every guard', () => {
  it.each([
    ['protocol.registerSchemesAsPrivileged(', 'the app scheme is privileged before ready'],
    ['protocol.handle(APP_SCHEME', 'the renderer is served from app://'],
    ['contents.on("will-navigate"', 'navigation is guarded'],
    ['contents.on("will-redirect"', 'redirects are guarded'],
    ['contents.on("will-attach-webview"', 'webviews are refused'],
    ['app.on("web-contents-created"', 'every webContents is guarded'],
    ['.setWindowOpenHandler(', 'new windows are handled'],
    ['.setPermissionRequestHandler(', 'permission requests are handled'],
    ['.setPermissionCheckHandler(', 'permission checks are handled'],
    ['permissionDecision(', 'permissions follow the policy (deny)'],
    ['requestSingleInstanceLock(', 'one instance per profile'],
    ['contents.once("destroyed"', "a page's subscriptions end with it"],
    ['"ready-to-show"', 'the window shows when ready'],
  ])('%s (%s)', (needle, what) => {
    expect(mainCode.includes(needle.replace(/\s/g, '')), `main.ts lacks ${needle}: ${what}`).toBe(true);
  });

  it("writes the window's webPreferences as an object literal at the BrowserWindow call, equal to the policy", () => {
    // Electronegativity reads options only where they are written; a function's result is invisible to it
    const sf = ts.createSourceFile('main.ts', mainSource, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const windows: ts.NewExpression[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && node.expression.getText(sf) === 'BrowserWindow') windows.push(node);
      ts.forEachChild(node, visit);
    };
    visit(sf);
    expect(windows).toHaveLength(1);
    const options = windows[0]!.arguments?.[0];
    expect(options && ts.isObjectLiteralExpression(options)).toBe(true);
    const prefsProp = (options as ts.ObjectLiteralExpression).properties.find(
      (p): p is ts.PropertyAssignment =>
        ts.isPropertyAssignment(p) && p.name.getText(sf) === 'webPreferences',
    );
    expect(prefsProp && ts.isObjectLiteralExpression(prefsProp.initializer)).toBe(true);
    const written: Record<string, unknown> = {};
    for (const p of (prefsProp!.initializer as ts.ObjectLiteralExpression).properties) {
      expect(ts.isPropertyAssignment(p), p.getText(sf)).toBe(true);
      const a = p as ts.PropertyAssignment;
      const v = a.initializer;
      written[a.name.getText(sf)] =
        v.kind === ts.SyntaxKind.TrueKeyword
          ? true
          : v.kind === ts.SyntaxKind.FalseKeyword
            ? false
            : ts.isStringLiteral(v)
              ? v.text
              : { expression: v.getText(sf) };
    }
    const policy = webPreferences('PRELOAD', { devTools: true });
    expect(Object.keys(written).sort()).toEqual(Object.keys(policy).sort());
    for (const [key, value] of Object.entries(policy)) {
      if (key === 'preload') expect(written[key]).toEqual({ expression: 'preloadPath' });
      else if (key === 'devTools') expect(written[key]).toEqual({ expression: '!app.isPackaged' });
      else expect(written[key], key).toBe(value);
    }
  });

  it('registers the scheme privileges before app ready', () => {
    expect(mainCode.indexOf('protocol.registerSchemesAsPrivileged(')).toBeLessThan(
      mainCode.indexOf('.whenReady()'),
    );
  });

  it('new-window requests are always denied, links open only after the external-URL check', () => {
    expect(mainCode.includes('action:"allow"'), 'a window open handler allows a window').toBe(false);
    expect(mainCode.includes('return{action:"deny"}'), 'the window open handler denies').toBe(true);
    const opens = mainCode.split('shell.openExternal(').length - 1;
    expect(opens).toBe(1);
    const [handler] = calls(mainSource, 'main.ts', 'contents.setWindowOpenHandler');
    expect(handler, 'setWindowOpenHandler call').toBeDefined();
    const body = handler!.getText();
    expect(body).toContain('externalUrl(');
    expect(body.indexOf('externalUrl(')).toBeLessThan(body.indexOf('shell.openExternal('));
  });

  it('every IPC handler checks the sender frame before anything else', () => {
    const handlers = [
      ...calls(mainSource, 'main.ts', 'ipcMain.handle'),
      ...calls(mainSource, 'main.ts', 'ipcMain.on'),
      ...calls(mainSource, 'main.ts', 'ipcMain.once'),
      ...calls(mainSource, 'main.ts', 'ipcMain.handleOnce'),
    ];
    expect(handlers.length).toBeGreaterThanOrEqual(3);
    for (const call of handlers) {
      const [channel, listener] = call.arguments;
      const name = channel?.getText() ?? '?';
      expect(listener, name).toBeDefined();
      const text = listener!.getText();
      expect(text, `${name}: checks isTrustedSender`).toMatch(/isTrustedSender\(senderFrame\(event\)\)/);
      const check = text.indexOf('isTrustedSender(');
      for (const use of ['dispatcher', 'appApi(', 'subscriptions.']) {
        const at = text.indexOf(use);
        if (at >= 0) expect(check, `${name}: isTrustedSender before ${use}`).toBeLessThan(at);
      }
    }
  });

  it('uses no raw ipcMain listeners other than the bridge channels', () => {
    const channels = [...mainCode.matchAll(/ipcMain\.(?:handle|on|once|handleOnce)\(([^,]+),/g)].map(
      (m) => m[1],
    );
    expect(channels.sort()).toEqual(['ipc.invoke', 'ipc.subscribe', 'ipc.unsubscribe']);
  });

  it('loads the app from app://, never from file://', () => {
    expect(mainCode).toContain('loadURL(APP_ENTRY_URL)');
    expect(mainCode).not.toMatch(/loadFile\(/);
    expect(mainCode).not.toMatch(/loadURL\([^)]*file:/);
    expect(mainCode).not.toMatch(/registerFileProtocol|interceptFileProtocol|registerBufferProtocol/);
  });
});

describe('nothing in the adapter or the preload weakens a default', () => {
  const files = [...filesUnder('main/electron'), ...filesUnder('preload')];

  it('finds the adapter files', () => {
    expect(files).toEqual(
      expect.arrayContaining(['main/electron/main.ts', 'main/electron/policy.ts', 'preload/index.ts']),
    );
  });

  it.each([
    [/webSecurity:false/, 'webSecurity: false'],
    [/nodeIntegration(?:InWorker|InSubFrames)?:true/, 'nodeIntegration: true'],
    [/contextIsolation:false/, 'contextIsolation: false'],
    [/sandbox:false/, 'sandbox: false'],
    [/allowRunningInsecureContent:true/, 'allowRunningInsecureContent: true'],
    [/experimentalFeatures:true/, 'experimentalFeatures: true'],
    [/webviewTag:true/, 'webviewTag: true'],
    [/enableBlinkFeatures/, 'enableBlinkFeatures'],
    [/bypassCSP:true/, 'bypassCSP: true'],
    [/unsafe-eval/, "'unsafe-eval'"],
    [/enableRemoteModule|@electron\/remote/, 'the remote module'],
    [
      /disableWebSecurity|ignore-certificate-errors|setCertificateVerifyProc/,
      'certificate or web-security switches',
    ],
    [/allowRendererProcessReuse|appendSwitch\(/, 'command-line switches'],
  ])('no %s', (pattern, what) => {
    for (const file of files) {
      expect(code(read(file)), `${file}: ${what}`).not.toMatch(pattern);
    }
  });

  it('the preload never hands the page ipcRenderer or electron objects', () => {
    const source = read('preload/index.ts');
    const preload = code(source);
    const exposes = calls(source, 'preload.ts', 'contextBridge.exposeInMainWorld');
    expect(exposes).toHaveLength(1);
    expect(exposes[0]?.arguments[1]?.getText()).toBe('bridge');
    // inside the exposed object, ipcRenderer is only ever called, never handed out
    const bridgeObject = preload.slice(
      preload.indexOf('constbridge:PreloadBridge='),
      preload.indexOf('contextBridge.exposeInMainWorld'),
    );
    expect(bridgeObject.length).toBeGreaterThan(0);
    const uses = [...bridgeObject.matchAll(/ipcRenderer(.{0,8})/g)].map((m) => m[1]);
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses)
      expect(use, 'ipcRenderer used other than by a call').toMatch(/^\.(invoke|send)\(/);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(preload).toMatch(/knownChannels\.has\(channel\)/);
    expect(preload).toMatch(/knownStreams\.has\(stream\)/);
    expect(preload).toMatch(/channelNames/);
    expect(preload).toMatch(/streamNames/);
  });

  it('preload/bridge.ts holds types only', () => {
    const sf = ts.createSourceFile('bridge.ts', read('preload/bridge.ts'), ts.ScriptTarget.Latest, true);
    for (const statement of sf.statements) {
      const typeOnly =
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true);
      expect(typeOnly, statement.getText().slice(0, 80)).toBe(true);
    }
  });

  it('main and preload use the same IPC channel names', () => {
    const names = (source: string) => [...source.matchAll(/'firebreak:[a-z]+'/g)].map((m) => m[0]).sort();
    expect(names(read('main/electron/main.ts'))).toEqual(names(read('preload/index.ts')));
  });

  it('only main.ts imports electron at run time inside main/electron', () => {
    for (const file of filesUnder('main/electron')) {
      if (file.endsWith('main.ts')) continue;
      expect(read(file), file).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+'electron'/m);
    }
  });
});

describe('electron-builder.yml', () => {
  const config = YAML.parse(read('electron-builder.yml')) as Record<string, unknown> & {
    electronFuses: Record<string, unknown>;
    asarUnpack: string[];
    files: string[];
    directories: Record<string, string>;
    linux: { target: string[]; maintainer?: string; category?: string };
    mac: { target: string[] };
    win: { target: string[] };
    extraResources: { from: string }[];
  };

  it('names the app', () => {
    expect(config.appId).toBe('dev.firebreak.console');
    expect(config.productName).toBe('Firebreak');
  });

  it('sets the fuses for a release build', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('ASAR integrity on every target: fuses and asar set for all, no platform section turns them off', () => {
    // electron-builder applies the top-level fuses to every platform's binary and embeds app.asar's header
    // hash (Info.plist on macOS, a resource of the Windows executable); Electron validates it on macOS and
    // Windows, and OnlyLoadAppFromAsar keeps every platform, Linux included, from loading anything else
    expect(config.asar).toBe(true);
    expect(config.electronFuses.enableEmbeddedAsarIntegrityValidation).toBe(true);
    expect(config.electronFuses.onlyLoadAppFromAsar).toBe(true);
    for (const platform of ['mac', 'win', 'linux', 'dmg', 'nsis', 'deb', 'appImage', 'AppImage'] as const) {
      const section = (config as Record<string, Record<string, unknown> | undefined>)[platform];
      if (!section) continue;
      expect(section.asar, `${platform}.asar`).toBeUndefined();
      expect(section.electronFuses, `${platform}.electronFuses`).toBeUndefined();
    }
  });

  it('documents how the Electron e2e build keeps the inspector fuse on', () => {
    expect(read('electron-builder.yml')).toContain('-c.electronFuses.enableNodeCliInspectArguments=true');
  });

  it('packs the bundles and unpacks better-sqlite3, rebuilt for Electron at packaging time', () => {
    expect(config.asar).not.toBe(false);
    expect(config.files).toEqual(
      expect.arrayContaining(['build/electron/**/*', 'build/renderer/**/*', 'package.json']),
    );
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**');
    expect(config.npmRebuild).toBe(true);
    // electron-builder leaves buildResources out of the app: it must not be our build/ output
    expect(config.directories.buildResources).not.toBe('build');
    expect(config.extraResources.map((r) => r.from)).toContain('resources/sample-incident');
  });

  it('targets AppImage + deb, dmg and nsis', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.linux.maintainer).toBeTruthy();
    expect(config.linux.category).toBe('Development');
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toContain('nsis');
  });

  it("matches electron-builder's schema", async () => {
    const require = createRequire(import.meta.url);
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration: (config: unknown, logger: { isEnabled: boolean; add(): void }) => Promise<void>;
    };
    await expect(validateConfiguration(config, { isEnabled: false, add() {} })).resolves.toBeUndefined();
  });

  it('the package entry is the bundled main', () => {
    const pkg = JSON.parse(read('package.json')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('build/electron/main.cjs');
    expect(pkg.scripts['build:electron']).toBe('node scripts/build-electron.mjs');
    expect(fs.existsSync(path.join(root, 'resources/icons/icon.png'))).toBe(true);
  });
});

describe('scripts/build-electron.mjs', () => {
  const script = read('scripts/build-electron.mjs');
  it('bundles main and preload to CommonJS for Electron 45 (Node 24), electron and native modules external', () => {
    expect(script).toContain("'main/electron/main.ts'");
    expect(script).toContain("'preload/index.ts'");
    expect(script).toMatch(/format:\s*'cjs'/);
    expect(script).toMatch(/target:\s*'node24'/);
    expect(script).toMatch(/external:\s*\['electron',\s*\.\.\.nativeModules/);
    expect(script).toMatch(/'better-sqlite3'/);
  });
});

describe('Electronegativity', () => {
  const pkg = JSON.parse(read('package.json')) as {
    devDependencies: Record<string, string>;
    scripts: Record<string, string>;
  };

  it('a supported Electron, pinned, and the checker beside it', () => {
    // 39.5.0 left support in May 2026; 45 is the newest major npm has
    expect(pkg.devDependencies.electron).toBe('45.5.0');
    expect(pkg.devDependencies['@doyensec/electronegativity']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('npm test runs it on the tree with zero findings allowed, offline check only left out', () => {
    expect(read('scripts/test.mjs')).toContain(
      "check('electronegativity', 'node', ['scripts/electronegativity.mjs'])",
    );
    const script = read('scripts/electronegativity.mjs');
    expect(script).toContain("'-x', 'AvailableSecurityFixesGlobalCheck'");
    expect(script).toContain("'-e', version");
    expect(script).toMatch(/process\.exit\(findings\.length === 0 \? 0 : 1\)/);
  });

  it('only the reviewed findings are marked as such, each with its reason on the line before', () => {
    const reviewed = new Map<string, string>();
    for (const file of [
      ...filesUnder('main'),
      ...filesUnder('preload'),
      ...filesUnder('renderer'),
      'renderer/index.html',
    ]) {
      const lines = read(file).split('\n');
      lines.forEach((line, i) => {
        const m = /eng-disable[ \t]+([\w \t]+)/.exec(line);
        if (!m) return;
        for (const id of m[1]!.trim().split(/\s+/)) reviewed.set(id, `${file}:${i + 1}`);
        expect(lines[i - 1] ?? '', `${file}:${i + 1} says why`).toMatch(/reviewed|Reviewed|-->/);
      });
    }
    expect([...reviewed.keys()].sort()).toEqual([
      'CSP_GLOBAL_CHECK',
      'OPEN_EXTERNAL_JS_CHECK',
      'PRELOAD_JS_CHECK',
    ]);
  });

  it('the CSP meta tag of index.html is the header policy (frame-ancestors is header-only)', () => {
    const html = read('renderer/index.html');
    const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/g)];
    expect(metas).toHaveLength(1);
    expect(metas[0]![1]).toBe(metaContentSecurityPolicy);
    expect(metaContentSecurityPolicy).toBe(
      contentSecurityPolicy
        .split('; ')
        .filter((d) => !d.startsWith('frame-ancestors'))
        .join('; '),
    );
  });
});

describe('scripts/electronegativity.mjs', () => {
  it('fails on an app that weakens a default, naming the finding', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-insecure-app-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'main.js'),
        "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { contextIsolation: false, nodeIntegration: true } });\n",
      );
      const r = spawnSync(process.execPath, [path.join(root, 'scripts/electronegativity.mjs'), dir], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/CONTEXT_ISOLATION_JS_CHECK HIGH/);
      expect(r.stdout).toMatch(/[1-9]\d* findings? \(/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
