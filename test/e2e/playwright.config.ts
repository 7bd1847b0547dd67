import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

/**
 * Browser end-to-end: the built renderer in serve mode against the sandbox, in Debian's Chromium.
 * `npm run test:e2e` expects `npm run build:renderer` to have run (the test script does it first).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default defineConfig({
  testDir: path.join(root, 'test/e2e'),
  testMatch: '**/*.spec.ts',
  // Playwright empties its output folder at start: keep it apart from the report and screenshots
  outputDir: path.join(root, 'test-results/e2e-artifacts'),
  globalSetup: path.join(root, 'test/e2e/global-setup.ts'),
  globalTeardown: path.join(root, 'test/e2e/global-teardown.ts'),
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['json', { outputFile: path.join(root, 'test-results/e2e-report.json') }]],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
    viewport: { width: 1440, height: 900 },
    colorScheme: 'dark',
    locale: 'en-US',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
});
