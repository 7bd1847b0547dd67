import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** JSX goes through renderer/visibleJsx.ts: bidi controls and invisible characters in data are shown as markers. */
const JSX_SOURCE = 'firebreak-visible-jsx';

/**
 * The renderer bundle. Built once and served by both adapters: Electron's custom protocol and
 * `npm run serve`. No inline scripts or styles end up in index.html (the CSP is `script-src 'self'`).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react({ jsxImportSource: JSX_SOURCE })],
  resolve: {
    alias: [
      {
        find: new RegExp(`^${JSX_SOURCE}/jsx-(dev-)?runtime$`),
        replacement: `${import.meta.dirname}/visibleJsx.ts`,
      },
    ],
  },
  build: {
    outDir: '../build/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // the polyfill would be harmless inside the entry chunk, but Chromium/Electron do not need it
    modulePreload: { polyfill: false },
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { strictPort: true },
});
