import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dispatcher } from '../../shared/transport';
import { Connections, type ConnectionsOptions } from '../kube/connections';
import { listContexts, type KubeEnv } from '../kube/kubeconfig';
import { memoryVault } from '../settings/secretVault';
import { Settings } from '../settings/settings';
import { openStore } from '../store';
import { actionHandlers } from './actions';
import { connectionHandlers } from './connections';
import type { ApiContext } from './context';
import { createDispatcher, type Handlers, type StreamHandlers } from './dispatch';
import { metricsHandlers } from './metricsHandlers';
import { costHandlers } from './cost';
import { listModels, watchModels } from './models';
import { checkPrometheus } from './prometheus';
import { appInfo, updateSettings } from './settings';

export interface AppApiOptions {
  storePath: string;
  transport: 'electron' | 'serve' | 'memory';
  version: string;
  /** where the kubeconfig is looked for; defaults to this process's KUBECONFIG and HOME */
  env?: KubeEnv;
  /** check every handler's output against the contract (tests, development) */
  checkOutputs?: boolean;
  /** how long an action is watched for its effect (tests shorten it) */
  effectTimeoutMs?: number;
  /** cluster inventory knobs: back-off, stale threshold (tests shorten them) */
  inventory?: ConnectionsOptions['inventory'];
}

/** Opens the profile's store and returns the dispatcher every adapter binds to. */
export async function createAppApi(
  options: AppApiOptions,
): Promise<{ dispatcher: Dispatcher; close(): Promise<void> }> {
  if (options.storePath !== ':memory:') fs.mkdirSync(path.dirname(options.storePath), { recursive: true });
  const store = openStore(options.storePath);
  const settings = new Settings(store, memoryVault());
  const env = options.env ?? { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
  const connections = new Connections({
    kubeconfig: () => ({ path: settings.kube().kubeconfigPath, env }),
    preferredContext: () => settings.kube().context,
    ...(options.inventory ? { inventory: options.inventory } : {}),
  });
  const ctx: ApiContext = {
    store,
    settings,
    env,
    version: options.version,
    transport: options.transport,
    actor: safeUserName(),
    connections,
  };

  const handlers: Handlers = {
    'app.info': () => appInfo(ctx),
    'settings.get': () => ctx.settings.view(),
    'settings.update': (input) => updateSettings(ctx, input),
    'kube.contexts': (input) =>
      listContexts(input.kubeconfigPath ?? ctx.settings.kube().kubeconfigPath, ctx.env),
    'models.list': (input) => listModels(ctx, input, connections),
    ...connectionHandlers(ctx, connections),
    ...actionHandlers(ctx, options.effectTimeoutMs ? { effectTimeoutMs: options.effectTimeoutMs } : {}),
    'prometheus.check': (input) => checkPrometheus(ctx, input),
    'audit.list': (input) => store.audit.list({ limit: input.limit }),
    'audit.verify': () => store.audit.verify(),
    ...metricsHandlers(ctx),
    ...costHandlers(ctx),
  };
  const streams: StreamHandlers = {
    'models.live': (params, emit, fail) => watchModels(ctx, params, emit, fail, connections),
  };

  return {
    dispatcher: createDispatcher(handlers, streams, { checkOutputs: options.checkOutputs ?? false }),
    close: async () => {
      await connections.close();
      store.close();
    },
  };
}

function safeUserName(): string {
  try {
    return `${os.userInfo().username}@${os.hostname()}`;
  } catch {
    return 'unknown';
  }
}
