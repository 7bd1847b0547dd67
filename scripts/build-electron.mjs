// Bundles the Electron main process and the preload script (npm run build:electron).
//
//   main/electron/main.ts -> build/electron/main.cjs     (Electron's Node: CommonJS, node24)
//   preload/index.ts      -> build/electron/preload.cjs  (sandboxed preload: one self-contained file)
//
// Needs no Electron binary. The renderer is built separately (npm run build:renderer -> build/renderer).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'build', 'electron');

// Loaded at run time from node_modules instead of bundled: Electron itself, and native addons (a
// `.node` binary cannot be bundled; electron-builder rebuilds them for Electron's ABI and unpacks
// them from the asar). bufferutil / utf-8-validate are ws's optional native speed-ups.
const nativeModules = ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'fsevents', 'cpu-features'];

/** `import.meta.url` in ESM-only dependencies (e.g. createRequire(import.meta.url)) inside a CJS bundle. */
const importMetaUrlShim = "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;";

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24', // Electron 45 runs Node 24
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
};

const mainOptions = {
  ...common,
  entryPoints: { main: 'main/electron/main.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  external: ['electron', ...nativeModules, '*.node'],
  banner: { js: importMetaUrlShim },
  define: { 'import.meta.url': '__importMetaUrl' },
};

/**
 * The preload needs only the contract's channel and stream names, but shared/contract.ts builds every
 * zod schema when it loads (about 750 KiB bundled). Evaluate it here once and hand the preload a
 * module holding just the two name lists: a few hundred bytes, and no zod in the sandboxed preload.
 */
async function contractNamesPlugin() {
  const bundled = await build({
    ...common,
    entryPoints: ['shared/contract.ts'],
    format: 'esm',
    sourcemap: false,
    metafile: false,
    write: false,
    logLevel: 'silent',
  });
  const source = bundled.outputFiles[0].text;
  const { channelNames, streamNames } = await import(
    `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`
  );
  if (!Array.isArray(channelNames) || !Array.isArray(streamNames) || channelNames.length === 0) {
    throw new Error('build-electron: shared/contract.ts did not export channelNames/streamNames');
  }
  const contents =
    `export const channelNames = ${JSON.stringify(channelNames)};\n` +
    `export const streamNames = ${JSON.stringify(streamNames)};\n`;
  return {
    name: 'contract-names',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /(^|\/)shared\/contract$/ }, () => ({
        path: 'shared/contract (names only)',
        namespace: 'contract-names',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'contract-names' }, () => ({ contents, loader: 'js' }));
    },
  };
}

const preloadOptions = {
  ...common,
  entryPoints: { preload: 'preload/index.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  // a sandboxed preload can require('electron') and nothing else of ours: everything else is bundled
  external: ['electron'],
  plugins: [await contractNamesPlugin()],
};

await rm(outdir, { recursive: true, force: true });
const [mainResult, preloadResult] = await Promise.all([build(mainOptions), build(preloadOptions)]);

// The preload must not require anything but 'electron' at run time (platform 'node' leaves Node
// built-ins external, and a sandboxed preload has no `require('fs')`).
const preloadOutput = preloadResult.metafile.outputs[path.posix.join('build', 'electron', 'preload.cjs')];
const preloadExternals = (preloadOutput?.imports ?? []).filter((i) => i.external && i.path !== 'electron');
if (!preloadOutput || preloadExternals.length > 0) {
  console.error(
    `build-electron: the preload would require ${preloadExternals.map((i) => i.path).join(', ') || '(no output)'} at run time;` +
      ' a sandboxed preload can only require electron. Remove the import from preload/.',
  );
  process.exit(1);
}

for (const result of [mainResult, preloadResult]) {
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    console.log(`${file}  ${(output.bytes / 1024).toFixed(0)} KiB`);
  }
}
