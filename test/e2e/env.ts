import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What global-setup started, for the specs (they run in a worker process: this file is the hand-over). */
export interface ServeInfo {
  url: string;
  token: string;
  openUrl: string;
}

export interface E2eEnv {
  /** a serve whose kubeconfig does not exist (KUBECONFIG=/nonexistent/path, empty HOME): first run */
  fresh: ServeInfo;
  /** same start as `fresh`, configured through the Settings screen by settings.spec */
  setup: ServeInfo;
  /** the sandbox's cluster; specs set Prometheus as they need through the API */
  main: ServeInfo;
  sandbox: { kubeconfigPath: string; prometheusUrl: string; context: string; alertmanagerUrl?: string };
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const resultsDir = path.join(repoRoot, 'test-results');
export const envFile = path.join(resultsDir, 'e2e-env.json');
export const screenshotDir = path.join(resultsDir, 'screenshots');

let cached: E2eEnv | null = null;

export function e2eEnv(): E2eEnv {
  if (!cached) {
    if (!fs.existsSync(envFile)) throw new Error(`${envFile} is missing: global-setup did not run`);
    cached = JSON.parse(fs.readFileSync(envFile, 'utf8')) as E2eEnv;
  }
  return cached;
}

/** Calls a channel of the contract on a serve server, as the console would (used to arrange state). */
export async function api<T = unknown>(server: ServeInfo, channel: string, input: unknown = {}): Promise<T> {
  const res = await fetch(new URL(`api/${channel}`, server.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${channel} failed: ${body.error?.code} ${body.error?.message}`);
  return body.value as T;
}

/** The five model services of the sandbox's story (it may hold more, e.g. one without metrics). */
export const sandboxModels = [
  'llama-70b-chat',
  'llama-8b-chat',
  'resnet50-images',
  'bert-sentiment',
  'fraud-detector',
];

/** The names `models.list` gives now: what the Models view must show. */
export async function listedModelNames(server: ServeInfo): Promise<string[]> {
  const list = await api<{ models: Array<{ name: string }> }>(server, 'models.list', {});
  return list.models.map((m) => m.name).sort();
}

/** Points a serve server at the sandbox cluster, with the given Prometheus URL (null = none). */
export async function configure(
  server: ServeInfo,
  prometheusUrl: string | null,
  opts: { alertmanager?: boolean } = {},
): Promise<void> {
  const { sandbox } = e2eEnv();
  await api(server, 'settings.update', {
    kube: { kubeconfigPath: sandbox.kubeconfigPath, context: sandbox.context },
    prometheus: {
      url: prometheusUrl,
      auth: { kind: 'none' },
      ...(opts.alertmanager ? { alertmanagerUrl: sandbox.alertmanagerUrl ?? null } : {}),
    },
  });
}
