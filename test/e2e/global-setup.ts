import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { startServe } from '../../main/server';
import { startSandbox } from '../harness';
import { envFile, repoRoot, resultsDir, type E2eEnv } from './env';

/** Handles for global-teardown (same process as this setup). */
export interface RunningE2e {
  stop(): Promise<void>;
}
const handleKey = Symbol.for('firebreak.e2e.running');
type WithHandle = typeof globalThis & { [handleKey]?: RunningE2e };

/**
 * Starts the sandbox and three serve servers on free ports, and hands their URLs and tokens to the specs
 * in test-results/e2e-env.json. Builds nothing: `npm run build:renderer` has run before.
 */
export default async function globalSetup(_config: FullConfig): Promise<void> {
  const rendererDir = path.join(repoRoot, 'build/renderer');
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(
      'build/renderer/index.html is missing: run `npm run build:renderer` before the e2e suite',
    );
  }
  fs.mkdirSync(resultsDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-e2e-'));
  const emptyHome = path.join(work, 'home');
  fs.mkdirSync(emptyHome);
  const noKubeconfig = { KUBECONFIG: '/nonexistent/path', HOME: emptyHome };

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => console.error('e2e teardown:', err));
    fs.rmSync(work, { recursive: true, force: true });
  };

  try {
    const sandbox = await startSandbox();
    stops.push(() => sandbox.stop());

    const serve = async (name: string, env: { KUBECONFIG: string; HOME: string }) => {
      const s = await startServe({
        storePath: path.join(work, name, 'firebreak.db'),
        port: 0,
        rendererDir,
        env,
      });
      stops.push(() => s.stop());
      return { url: s.url, token: s.token, openUrl: s.openUrl };
    };

    const env: E2eEnv = {
      fresh: await serve('fresh', noKubeconfig),
      setup: await serve('setup', noKubeconfig),
      main: await serve('main', noKubeconfig),
      sandbox: {
        kubeconfigPath: sandbox.kubeconfigPath,
        prometheusUrl: sandbox.prometheusUrl,
        alertmanagerUrl: sandbox.alertmanagerUrl,
        context: 'firebreak-sandbox',
      },
    };
    fs.writeFileSync(envFile, JSON.stringify(env, null, 2));
  } catch (err) {
    await stopAll();
    throw err;
  }

  (globalThis as WithHandle)[handleKey] = { stop: stopAll };
}
