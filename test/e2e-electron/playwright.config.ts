import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The Electron end-to-end suite: the real app window, driven by Playwright's `_electron`.
 *   npm run build && npx playwright test -c test/e2e-electron/playwright.config.ts
 * On Linux without a display, wrap it: `xvfb-run -a npx playwright test -c …`.
 * Where the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1) every test skips and says so.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  // one Electron app at a time: they share nothing, but a 2-core machine has no room for two
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['json', { outputFile: path.join(root, 'test-results/e2e-electron-report.json') }]],
  outputDir: '../../test-results/e2e-electron',
});
