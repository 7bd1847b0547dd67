/**
 * First paint, in Debian's Chromium through serve mode, each figure the median of 5 cold navigations (a fresh
 * browser context each: no cache), after one that warms the server:
 * - firstpaint.models_ms (DESIGN.md section 8: < 1.5 s): from `page.goto` to the Models view showing its model
 *   rows, with the cluster and Prometheus answering (the sandbox).
 * - warroom.firstpaint_ms (issue 9: < 1.5 s): from `page.goto` of an open incident's war room (declared against the
 *   sandbox, recording) to its health tiles and its timeline on screen.
 * - sample.firstpaint_ms (issue 10: < 3 s): with no kubeconfig (no cluster), from `page.goto` of the printed URL
 *   to the sample incident's war room (banner, tiles, timeline) on screen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { startServe } from '../../main/server';
import { startSandbox } from '../harness';
import { TOKEN_STORAGE_KEY } from '../../renderer/client/token';
import { figure, median, type BenchFigure } from './run';

const RUNS = 5;

/** The median time of cold navigations, each in a new context: `go` navigates, `ready` waits for the paint. */
async function coldPaint(
  browser: Browser,
  go: (page: Page) => Promise<unknown>,
  ready: (page: Page) => Promise<unknown>,
  /** a token the tab already holds (sessionStorage, as after a reload) */
  token?: string,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    if (token)
      await context.addInitScript(([key, value]) => sessionStorage.setItem(key, value), [
        TOKEN_STORAGE_KEY,
        token,
      ] as const);
    const page = await context.newPage();
    const t0 = performance.now();
    await go(page);
    await ready(page);
    const ms = performance.now() - t0;
    if (i > 0) times.push(ms); // the first navigation warms the server's connections and caches
    await context.close();
  }
  return median(times);
}

/** The war room's first paint: its title, the involved model's tile and the first timeline row. */
const warRoomPainted = (model: string) => async (page: Page) => {
  await page.getByTestId('wr-title').waitFor({ state: 'visible', timeout: 15_000 });
  await page
    .locator(`[data-testid="inc-tile"][data-model="${model}"]`)
    .waitFor({ state: 'visible', timeout: 15_000 });
  await page.getByTestId('tl-row').first().waitFor({ state: 'visible', timeout: 15_000 });
};

async function call<T>(serve: { url: string; token: string }, channel: string, input: unknown): Promise<T> {
  const res = await fetch(`${serve.url}api/${channel}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
  return body.value as T;
}

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
  const noClusterHome = path.join(dir, 'empty-home');
  fs.mkdirSync(noClusterHome);
  const noCluster = await startServe({
    storePath: path.join(dir, 'no-cluster', 'store.sqlite'),
    rendererDir,
    env: { KUBECONFIG: '/nonexistent/path', HOME: noClusterHome },
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
    const models = await coldPaint(
      browser,
      (page) => page.goto(serve.openUrl),
      (page) => page.getByText('llama-70b-chat').first().waitFor({ state: 'visible', timeout: 15_000 }),
    );

    // an open incident, recording, as the commander would have declared it from the alert
    const inc = await call<{ id: string }>(serve, 'incident.declare', {
      title: 'llama-70b-chat errors',
      severity: 'SEV2',
      models: [
        {
          serviceId: 'llm/Deployment/llama-70b-chat',
          name: 'llama-70b-chat',
          serverKind: 'vllm',
          modelName: 'llama-70b-chat',
          fallbackId: 'llm/Deployment/llama-8b-chat',
        },
      ],
      alertNames: ['ModelHighErrorRate'],
    });
    for (let waited = 0; ; waited += 500) {
      const room = await call<{ capture: { captures: number } }>(serve, 'incident.warRoom', { id: inc.id });
      if (room.capture.captures > 0) break;
      if (waited > 60_000) throw new Error('the recorder made no capture of the incident in 60 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const warroom = await coldPaint(
      browser,
      (page) => page.goto(`${serve.url}#/incident/${inc.id}`),
      warRoomPainted('llama-70b-chat'),
      serve.token, // a war room opened from its link in a tab that already holds the token
    );

    const sample = await coldPaint(
      browser,
      (page) => page.goto(noCluster.openUrl),
      async (page) => {
        await page.getByTestId('sample-banner').waitFor({ state: 'visible', timeout: 15_000 });
        await warRoomPainted('llama-70b-chat')(page);
      },
    );
    return [
      figure('firstpaint.models_ms', models, 'ms', '<', 1500),
      figure('warroom.firstpaint_ms', warroom, 'ms', '<', 1500),
      figure('sample.firstpaint_ms', sample, 'ms', '<', 3000),
    ];
  } finally {
    await browser.close();
    await noCluster.stop();
    await serve.stop();
    await sandbox.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
