/**
 * First paint of the console (DESIGN.md section 8: < 1.5 s from navigation), in Debian's Chromium through serve
 * mode: from `page.goto` to the Models view showing its model rows, with the cluster and Prometheus answering
 * (the sandbox). Median of 5 cold navigations, each in a fresh browser context (no cache).
 * Until the bundled sample incident exists, the Models view of the sandbox is the first screen measured.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { startServe } from '../../main/server';
import { startSandbox } from '../harness';
import { figure, median, type BenchFigure } from './run';

const RUNS = 5;

export async function bench(): Promise<BenchFigure[]> {
  const rendererDir = path.resolve('build/renderer');
  if (!fs.existsSync(path.join(rendererDir, 'index.html')))
    throw new Error('run `npm run build:renderer` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-firstpaint-'));
  const sandbox = await startSandbox({ historyHours: 2 });
  const serve = await startServe({
    storePath: path.join(dir, 'store.sqlite'),
    rendererDir,
    env: { KUBECONFIG: sandbox.kubeconfigPath, HOME: dir },
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    // configure Prometheus once, as a user would in Settings
    await fetch(`${serve.url}api/settings.update`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ prometheus: { url: sandbox.prometheusUrl, auth: { kind: 'none' } } }),
    });
    const times: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(serve.openUrl);
      await page.getByText('llama-70b-chat').first().waitFor({ state: 'visible', timeout: 15_000 });
      const ms = performance.now() - t0;
      if (i > 0) times.push(ms); // the first navigation warms the server's connections
      await context.close();
    }
    return [figure('firstpaint.models_ms', median(times), 'ms', '<', 1500)];
  } finally {
    await browser.close();
    await serve.stop();
    await sandbox.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
