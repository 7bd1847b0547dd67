import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The renderer bundle. Built once and served by both adapters: Electron's custom protocol and
 * `npm run serve`. No inline scripts or styles end up in index.html (the CSP is `script-src 'self'`).
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
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
