/**
 * The house rules of DESIGN.md section 2, checked on the source tree (plain Node, TypeScript's parser):
 * - only main/electron/ (and preload/) import 'electron';
 * - renderer/ imports neither main/ nor Node built-ins (and preload/ for types only);
 * - shared/ imports neither main/, renderer/, preload/, electron nor Node built-ins;
 * - main/ never imports renderer/; preload/ never imports main/ or renderer/;
 * - the domain folders (kube, metrics, cost, store, incident, actions) never import an adapter (main/electron,
 *   main/server) nor the layers over them (main/api, main/settings);
 * - no file outside main/actions/ performs a cluster or Alertmanager write;
 * - every capability has its file on each floor it uses (shared/, main/api/, renderer/state/, renderer/views/);
 * - SQL lives only in main/store/ (and tests);
 * - no HTML sinks (innerHTML, outerHTML, insertAdjacentHTML, dangerouslySetInnerHTML, document.write) in renderer/.
 * Imports are read from the syntax tree (import/export…from, import(), require(), import types), so
 * comments and strings never count; every violation is reported with file, line and the rule.
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const SOURCE_ROOTS = ['main', 'preload', 'renderer', 'shared', 'scripts'];
const SKIP_DIRS = new Set(['node_modules', 'build', 'dist', 'coverage', 'test-results', '.vite']);
const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const DOMAIN_FOLDERS = [
  'main/kube',
  'main/metrics',
  'main/cost',
  'main/store',
  'main/incident',
  'main/actions',
];
/** what the domain folders never import: the adapters, and the api and settings layers the adapters sit on */
const ADAPTER_FOLDERS = ['main/electron', 'main/server', 'main/api', 'main/settings'];
/** the write methods of the cluster and Alertmanager clients (ResourceClient.patch, AlertmanagerClient.createSilence) */
const WRITE_METHODS = new Set(['patch', 'createSilence']);
/** @kubernetes/client-node calls that change the cluster; only the client (main/kube/resources.ts) makes them */
const CLIENT_WRITE = /^(create|replace|patch|delete)(Namespaced|Cluster|CollectionNamespaced)/;

interface Violation {
  rule: string;
  file: string;
  line: number;
  detail: string;
}

interface ImportRef {
  spec: string;
  line: number;
  typeOnly: boolean;
}

const under = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);
const isTestFile = (file: string) => under(file, 'test') || /\.(test|spec)\.[cm]?[jt]sx?$/.test(file);
/** Build-tool configuration inside renderer/ (vite.config.ts) runs under Node, not in the page. */
const isToolConfig = (file: string) => /(^|\/)[^/]+\.config\.[cm]?[jt]s$/.test(file);

function scriptKind(file: string): ts.ScriptKind {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (file.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
}

const lineOf = (sf: ts.SourceFile, node: ts.Node) =>
  sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;

function importsOf(sf: ts.SourceFile): ImportRef[] {
  const refs: ImportRef[] = [];
  const add = (specifier: ts.Node | undefined, typeOnly: boolean, at: ts.Node) => {
    if (specifier && ts.isStringLiteralLike(specifier))
      refs.push({ spec: specifier.text, line: lineOf(sf, at), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const allNamedAreTypes =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause?.isTypeOnly === true || allNamedAreTypes, node);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly, node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly, node);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal, true, node);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isDynamicImport || isRequire) add(node.arguments[0], false, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return refs;
}

/** The repository path an import points at (relative specifiers only), e.g. 'main/store/index'. */
function target(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
}

const isElectron = (spec: string) => spec === 'electron' || spec.startsWith('electron/');
function isNodeBuiltin(spec: string): boolean {
  if (spec.startsWith('node:')) return true;
  return builtinModules.includes(spec) || builtinModules.includes(spec.split('/')[0] ?? '');
}

/** Uppercase SQL, as written in this project's queries; English prose and PromQL do not match. */
const SQL =
  /\b(CREATE\s+(TEMP\s+|TEMPORARY\s+|UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)|INSERT\s+(OR\s+[A-Z]+\s+)?INTO|SELECT\b[\s\S]*?\bFROM|UPDATE\s+[\w"]+\s+SET|DELETE\s+FROM|DROP\s+(TABLE|INDEX)|ALTER\s+TABLE|PRAGMA\s+\w+)\b/;
const DB_RECEIVER = /(^|\.)(db|database|sqlite|conn|connection)$/i;

const HTML_SINKS = new Set(['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'dangerouslySetInnerHTML']);

/** All violations in one file (repository-relative POSIX path). */
function checkFile(file: string, text: string): Violation[] {
  const sf = parse(file, text);
  const out: Violation[] = [];
  const flag = (rule: string, line: number, detail: string) => out.push({ rule, file, line, detail });
  const inRenderer = under(file, 'renderer') && !isToolConfig(file);

  for (const { spec, line, typeOnly } of importsOf(sf)) {
    const to = target(file, spec);
    const imports = (folder: string) => to !== null && under(to, folder);

    if (isElectron(spec) && !under(file, 'main/electron') && !under(file, 'preload')) {
      flag(
        'electron-only-in-adapter',
        line,
        `imports '${spec}': only main/electron/ and preload/ may import electron`,
      );
    }
    if (inRenderer) {
      if (imports('main'))
        flag(
          'renderer-imports-main',
          line,
          `imports '${spec}': the renderer talks to main only through shared/ and its transport`,
        );
      if (isNodeBuiltin(spec))
        flag(
          'renderer-imports-node',
          line,
          `imports the Node built-in '${spec}': the renderer runs in a sandboxed page`,
        );
      if (imports('preload') && !typeOnly)
        flag(
          'renderer-imports-preload',
          line,
          `imports '${spec}' as a value: the renderer may take types only from preload/`,
        );
    }
    if (under(file, 'shared')) {
      for (const folder of ['main', 'renderer', 'preload']) {
        if (imports(folder))
          flag(
            'shared-imports-side',
            line,
            `imports '${spec}': shared/ is imported by both sides and imports neither`,
          );
      }
      if (isElectron(spec))
        flag(
          'shared-imports-electron',
          line,
          `imports '${spec}': shared/ must run in the page and under plain Node`,
        );
      if (isNodeBuiltin(spec))
        flag(
          'shared-imports-node',
          line,
          `imports the Node built-in '${spec}': shared/ runs in the page too`,
        );
    }
    if (under(file, 'main') && imports('renderer')) {
      flag('main-imports-renderer', line, `imports '${spec}': dependencies point renderer -> shared <- main`);
    }
    if (under(file, 'preload') && (imports('main') || imports('renderer'))) {
      flag(
        'preload-imports-main-or-renderer',
        line,
        `imports '${spec}': the preload knows only shared/ and electron`,
      );
    }
    const domain = DOMAIN_FOLDERS.find((folder) => under(file, folder));
    if (domain && ADAPTER_FOLDERS.some((folder) => imports(folder))) {
      flag(
        'domain-imports-adapter',
        line,
        `${domain}/ imports the adapter '${spec}': adapters call the domain, never the reverse`,
      );
    }
    if (spec === 'better-sqlite3' && !typeOnly && !under(file, 'main/store') && !isTestFile(file)) {
      flag('sql-outside-store', line, `imports better-sqlite3: only main/store/ opens the database`);
    }
  }

  const sqlAllowed = under(file, 'main/store') || isTestFile(file);
  const writes = under(file, 'main') && !under(file, 'main/actions') && !isTestFile(file);
  const visit = (node: ts.Node) => {
    if (writes && ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      if (WRITE_METHODS.has(method))
        flag(
          'write-outside-actions',
          lineOf(sf, node),
          `calls .${method}(…): every cluster and Alertmanager write goes through main/actions/`,
        );
      if (CLIENT_WRITE.test(method) && file !== 'main/kube/resources.ts')
        flag(
          'write-outside-actions',
          lineOf(sf, node),
          `calls .${method}(…): only ResourceClient (main/kube/resources.ts) talks to the API, for main/actions/`,
        );
    }
    if (!sqlAllowed) {
      if (
        ts.isStringLiteralLike(node) ||
        ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) ||
        ts.isTemplateTail(node)
      ) {
        const match = SQL.exec(node.text);
        if (match)
          flag(
            'sql-outside-store',
            lineOf(sf, node),
            `SQL "${match[0].slice(0, 40)}": SQL lives in main/store/ only`,
          );
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const receiver = node.expression.expression.getText(sf);
        const first = node.arguments[0];
        const literalSql =
          first !== undefined &&
          (ts.isStringLiteralLike(first) || ts.isTemplateExpression(first)) &&
          SQL.test(first.getText(sf));
        if ((method === 'prepare' || method === 'exec') && (DB_RECEIVER.test(receiver) || literalSql)) {
          flag(
            'sql-outside-store',
            lineOf(sf, node),
            `${receiver}.${method}(…): statements run in main/store/ only`,
          );
        }
      }
    }
    if (inRenderer) {
      const sinkName = (n: ts.Node): string | null => {
        if (ts.isPropertyAccessExpression(n)) return n.name.text;
        if (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression))
          return n.argumentExpression.text;
        if (ts.isJsxAttribute(n)) return n.name.getText(sf);
        if (ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) return n.name.getText(sf);
        return null;
      };
      const name = sinkName(node);
      if (name !== null && HTML_SINKS.has(name)) {
        flag(
          'renderer-html-sink',
          lineOf(sf, node),
          `uses ${name}: render text through React, never HTML strings`,
        );
      }
      if (
        ts.isPropertyAccessExpression(node) &&
        (node.name.text === 'write' || node.name.text === 'writeln') &&
        /(^|\.)document$/.test(node.expression.getText(sf))
      ) {
        flag(
          'renderer-html-sink',
          lineOf(sf, node),
          `uses document.${node.name.text}: render text through React, never HTML strings`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(child);
      } else if (entry.isFile() && SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(child);
      }
    }
  };
  for (const dir of SOURCE_ROOTS) walk(dir);
  return files.sort();
}

const files = sourceFiles();
const violations = files.flatMap((file) => checkFile(file, fs.readFileSync(path.join(root, file), 'utf8')));

function report(rule: string): string {
  const found = violations.filter((v) => v.rule === rule);
  return `${found.length} violation(s) of ${rule}:\n${found.map((v) => `  ${v.file}:${v.line} ${v.detail}`).join('\n')}`;
}

describe('house rules on the source tree', () => {
  it('walks the source tree', () => {
    expect(files).toEqual(
      expect.arrayContaining(['shared/contract.ts', 'main/api/dispatch.ts', 'main/electron/main.ts']),
    );
  });

  it.each([
    ['electron-only-in-adapter', "only main/electron/ and preload/ import 'electron'"],
    ['renderer-imports-main', 'renderer/ never imports main/'],
    ['renderer-imports-node', 'renderer/ never imports Node built-ins'],
    ['renderer-imports-preload', 'renderer/ takes only types from preload/'],
    ['shared-imports-side', 'shared/ never imports main/, renderer/ or preload/'],
    ['shared-imports-electron', 'shared/ never imports electron'],
    ['shared-imports-node', 'shared/ never imports Node built-ins'],
    ['main-imports-renderer', 'main/ never imports renderer/'],
    ['preload-imports-main-or-renderer', 'preload/ never imports main/ or renderer/'],
    [
      'domain-imports-adapter',
      'main/{kube,metrics,cost,store,incident,actions} never import main/{electron,server,api,settings}',
    ],
    ['write-outside-actions', 'no file outside main/actions/ writes to a cluster or to Alertmanager'],
    ['sql-outside-store', 'SQL only in main/store/ (and tests)'],
    [
      'renderer-html-sink',
      'no innerHTML / dangerouslySetInnerHTML / insertAdjacentHTML / document.write in renderer/',
    ],
  ])('%s: %s', (rule) => {
    expect(violations.filter((v) => v.rule === rule).length, report(rule)).toBe(0);
  });
});

describe('the checks themselves', () => {
  const rules = (file: string, text: string) => checkFile(file, text).map((v) => v.rule);

  it('finds electron imports outside the adapter, in every import form', () => {
    expect(rules('main/kube/a.ts', "import { app } from 'electron';")).toEqual(['electron-only-in-adapter']);
    expect(rules('main/api/a.ts', "import type { App } from 'electron';")).toEqual([
      'electron-only-in-adapter',
    ]);
    expect(rules('main/api/a.ts', "const e = require('electron');")).toEqual(['electron-only-in-adapter']);
    expect(rules('main/api/a.ts', "const e = await import('electron');")).toEqual([
      'electron-only-in-adapter',
    ]);
    expect(rules('main/api/a.ts', "export { app } from 'electron';")).toEqual(['electron-only-in-adapter']);
    expect(rules('main/api/a.ts', "let x: import('electron').App;")).toEqual(['electron-only-in-adapter']);
    expect(rules('main/electron/main.ts', "import { app } from 'electron';")).toEqual([]);
    expect(rules('preload/index.ts', "import { ipcRenderer } from 'electron';")).toEqual([]);
    expect(
      rules('main/api/a.ts', "// import { app } from 'electron'\nconst s = \"from 'electron'\";"),
    ).toEqual([]);
  });

  it('keeps the renderer off main, Node and preload values', () => {
    expect(rules('renderer/views/A.tsx', "import { x } from '../../main/api/index';")).toEqual([
      'renderer-imports-main',
    ]);
    expect(rules('renderer/views/A.tsx', "import fs from 'node:fs';")).toEqual(['renderer-imports-node']);
    expect(rules('renderer/views/A.tsx', "import path from 'path';")).toEqual(['renderer-imports-node']);
    expect(rules('renderer/views/A.tsx', "import { x } from '../../preload/bridge';")).toEqual([
      'renderer-imports-preload',
    ]);
    expect(
      rules('renderer/views/A.tsx', "import type { PreloadBridge } from '../../preload/bridge';"),
    ).toEqual([]);
    expect(
      rules('renderer/views/A.tsx', "import { type PreloadBridge } from '../../preload/bridge';"),
    ).toEqual([]);
    expect(rules('renderer/views/A.tsx', "import { channels } from '../../shared/contract';")).toEqual([]);
    expect(rules('renderer/vite.config.ts', "import path from 'node:path';")).toEqual([]);
  });

  it('keeps shared/ free of both sides, electron and Node', () => {
    expect(rules('shared/a.ts', "import { x } from '../main/api/dispatch';")).toEqual([
      'shared-imports-side',
    ]);
    expect(rules('shared/a.ts', "import { x } from '../renderer/state/store';")).toEqual([
      'shared-imports-side',
    ]);
    expect(rules('shared/a.ts', "import crypto from 'node:crypto';")).toEqual(['shared-imports-node']);
    expect(rules('shared/a.ts', "import { z } from 'zod';")).toEqual([]);
  });

  it('keeps main off renderer, preload off main, and the domain off the adapters', () => {
    expect(rules('main/api/a.ts', "import { x } from '../../renderer/client/ipc';")).toEqual([
      'main-imports-renderer',
    ]);
    expect(rules('preload/index.ts', "import { x } from '../main/api/dispatch';")).toEqual([
      'preload-imports-main-or-renderer',
    ]);
    expect(rules('main/kube/a.ts', "import { x } from '../electron/policy';")).toEqual([
      'domain-imports-adapter',
    ]);
    expect(rules('main/store/a.ts', "import { x } from '../server/server';")).toEqual([
      'domain-imports-adapter',
    ]);
    expect(rules('main/api/a.ts', "import { x } from '../electron/policy';")).toEqual([]);
    expect(rules('main/kube/a.ts', "import { x } from '../store/index';")).toEqual([]);
  });

  it('finds SQL outside main/store/, and not PromQL, prose or RegExp.exec', () => {
    expect(rules('main/kube/a.ts', "db.prepare('SELECT id FROM snapshots WHERE x = ?');")).toEqual([
      'sql-outside-store',
      'sql-outside-store',
    ]);
    expect(rules('main/api/a.ts', 'const q = `INSERT INTO audit (a) VALUES (${1})`;')).toEqual([
      'sql-outside-store',
    ]);
    expect(rules('main/api/a.ts', 'this.db.exec(schema);')).toEqual(['sql-outside-store']);
    expect(rules('main/api/a.ts', "const s = 'CREATE TABLE t (x)';")).toEqual(['sql-outside-store']);
    expect(rules('main/api/a.ts', "import Database from 'better-sqlite3';")).toEqual(['sql-outside-store']);
    expect(rules('main/api/a.ts', "import type { Database } from 'better-sqlite3';")).toEqual([]);
    expect(
      rules('main/store/a.ts', "import Database from 'better-sqlite3'; db.prepare('SELECT 1 FROM t');"),
    ).toEqual([]);
    expect(rules('main/metrics/a.ts', 'const m = /^(\\d+)s$/.exec(step); const r = re.exec(line);')).toEqual(
      [],
    );
    expect(
      rules('main/metrics/a.ts', "const q = 'sum(rate(vllm:request_success_total[5m])) by (model_name)';"),
    ).toEqual([]);
    expect(rules('main/kube/a.ts', "const hint = 'Select a context from the list';")).toEqual([]);
    expect(rules('main/kube/a.ts', '// SELECT x FROM y in a comment')).toEqual([]);
  });

  it('finds cluster and Alertmanager writes outside main/actions/', () => {
    expect(rules('main/api/a.ts', 'await client.patch(kind, ns, name, body, "merge");')).toEqual([
      'write-outside-actions',
    ]);
    expect(rules('main/metrics/a.ts', 'await am.createSilence(silence);')).toEqual(['write-outside-actions']);
    expect(rules('main/kube/a.ts', 'await api.deleteNamespacedPod({ name, namespace });')).toEqual([
      'write-outside-actions',
    ]);
    expect(rules('main/actions/a.ts', 'await client.patch(kind, ns, name, body, "merge");')).toEqual([]);
    expect(rules('main/kube/resources.ts', 'return this.api.patchNamespacedCustomObject(params);')).toEqual(
      [],
    );
    expect(rules('main/kube/a.ts', 'jsonpatch.compare(a, b); map.delete(k); text.replace(a, b);')).toEqual(
      [],
    );
  });

  it('keeps the domain off main/api and main/settings too', () => {
    expect(rules('main/actions/a.ts', "import { x } from '../api/context';")).toEqual([
      'domain-imports-adapter',
    ]);
    expect(rules('main/metrics/a.ts', "import { x } from '../settings/settings';")).toEqual([
      'domain-imports-adapter',
    ]);
    expect(rules('main/api/a.ts', "import { x } from '../settings/settings';")).toEqual([]);
  });

  it('finds HTML sinks in the renderer only', () => {
    expect(rules('renderer/a.ts', 'el.innerHTML = label;')).toEqual(['renderer-html-sink']);
    expect(rules('renderer/a.ts', "el['outerHTML'] = label;")).toEqual(['renderer-html-sink']);
    expect(rules('renderer/a.ts', "el.insertAdjacentHTML('beforeend', label);")).toEqual([
      'renderer-html-sink',
    ]);
    expect(rules('renderer/a.ts', 'document.write(label);')).toEqual(['renderer-html-sink']);
    expect(rules('renderer/a.ts', 'window.document.writeln(label);')).toEqual(['renderer-html-sink']);
    expect(rules('renderer/A.tsx', 'const a = <div dangerouslySetInnerHTML={{ __html: label }} />;')).toEqual(
      ['renderer-html-sink'],
    );
    expect(rules('renderer/a.ts', 'const props = { dangerouslySetInnerHTML: { __html: x } };')).toEqual([
      'renderer-html-sink',
    ]);
    expect(rules('renderer/a.ts', '// never use innerHTML here\nel.textContent = label;')).toEqual([]);
    expect(rules('main/api/a.ts', 'el.innerHTML = label;')).toEqual([]);
  });
});

/**
 * The capability seam (DESIGN.md section 2): the same name on every floor a capability uses, so a nav item leads
 * to all of its code in one folder hop. `shared/<capability>.ts` holds its types and its slice of the channel
 * table (`<capability>Channels`), `main/api/<capability>.ts` its handlers (`<capability>Handlers`),
 * `renderer/state/<capability>.ts` its store, `renderer/views/<capability>/` its screens.
 */
type Floor = 'shared' | 'api' | 'state' | 'views';
const FLOOR_PATH: Record<Floor, (capability: string) => string> = {
  shared: (c) => `shared/${c}.ts`,
  api: (c) => `main/api/${c}.ts`,
  state: (c) => `renderer/state/${c}.ts`,
  views: (c) => `renderer/views/${c}`,
};
/**
 * The floors each capability has today. This table is where a floor joins: `views` as the screens move into
 * renderer/views/<capability>/ folders, `state` as renderer/state/metrics.ts splits into health, gpu and alerts,
 * and `incident` with its files (shared/incident.ts, main/api/incident.ts, renderer/…/incident).
 */
const CAPABILITIES: Record<string, Floor[]> = {
  models: ['shared', 'api', 'state', 'views'],
  actions: ['shared', 'api', 'state', 'views'],
  traffic: ['shared', 'api', 'state', 'views'],
  health: ['shared', 'api', 'state', 'views'],
  gpu: ['shared', 'api', 'state', 'views'],
  alerts: ['shared', 'api', 'state', 'views'],
  cost: ['shared', 'api', 'state', 'views'],
  incident: ['shared', 'api', 'state', 'views'],
  audit: ['shared', 'api', 'state', 'views'],
  settings: ['shared', 'api', 'state', 'views'],
  connections: ['shared', 'api', 'state', 'views'],
};

describe('the capability seam', () => {
  it.each(Object.entries(CAPABILITIES))('%s has its file on each floor it uses', (capability, floors) => {
    const missing = floors
      .map((floor) => FLOOR_PATH[floor](capability))
      .filter((rel) => !fs.existsSync(path.join(root, rel)));
    expect(missing, `${capability}: missing ${missing.join(', ')}`).toEqual([]);
  });

  it.each(Object.entries(CAPABILITIES))(
    '%s: shared/ exports its channel slice and main/api/ its handlers',
    (capability, floors) => {
      if (floors.includes('shared'))
        expect(read(FLOOR_PATH.shared(capability))).toMatch(
          new RegExp(`export const ${capability}Channels\\b`),
        );
      if (floors.includes('api'))
        expect(read(FLOOR_PATH.api(capability))).toMatch(
          new RegExp(`export function ${capability}Handlers\\b`),
        );
    },
  );

  it('contract.ts only merges the slices, and main/api/index.ts only merges the handlers', () => {
    const contract = read('shared/contract.ts');
    const api = read('main/api/index.ts');
    for (const [capability, floors] of Object.entries(CAPABILITIES)) {
      if (floors.includes('shared'))
        expect(contract, capability).toMatch(new RegExp(`\\.\\.\\.${capability}Channels\\b`));
      if (floors.includes('api'))
        expect(api, capability).toMatch(new RegExp(`\\.\\.\\.${capability}Handlers\\(`));
    }
    // no channel is defined in contract.ts itself: each lives in its capability's slice
    expect(contract).not.toMatch(/'[a-z]+\.[a-zA-Z]+':\s*\{/);
  });
});

function read(rel: string): string {
  return fs.readFileSync(path.join(root, rel), 'utf8');
}
