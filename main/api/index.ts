import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dispatcher } from '../../shared/transport';
import { Connections, type ConnectionsOptions } from '../kube/connections';
import type { KubeEnv } from '../kube/kubeconfig';
import { memoryVault } from '../settings/secretVault';
import { Settings } from '../settings/settings';
import { openStore } from '../store';
import { actionPipeline, actionsHandlers } from './actions';
import { alertsHandlers } from './alerts';
import { auditHandlers } from './audit';
import { connectionsHandlers } from './connections';
import type { ApiContext } from './context';
import { costHandlers } from './cost';
import { createDispatcher, type Handlers, type StreamHandlers } from './dispatch';
import { gpuHandlers } from './gpu';
import { healthHandlers } from './health';
import { incidentApi, incidentHandlers, incidentStreamHandlers } from './incident';
import { modelsHandlers, modelsStreamHandlers } from './models';
import { settingsHandlers } from './settings';
import { trafficHandlers } from './traffic';

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
  /** the bundled sample incident (tests point it elsewhere) */
  sampleFile?: string;
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

  const actionOptions = options.effectTimeoutMs ? { effectTimeoutMs: options.effectTimeoutMs } : {};
  const pipeline = actionPipeline(ctx, actionOptions);

  const incident = incidentApi(ctx, options.sampleFile ? { sampleFile: options.sampleFile } : {});

  // one slice per capability (main/api/<capability>.ts); the type says every channel of the contract is here
  const handlers: Handlers = {
    ...settingsHandlers(ctx),
    ...connectionsHandlers(ctx),
    ...modelsHandlers(ctx),
    ...trafficHandlers(ctx),
    ...actionsHandlers(ctx, pipeline, actionOptions),
    ...auditHandlers(ctx),
    ...healthHandlers(ctx),
    ...gpuHandlers(ctx),
    ...alertsHandlers(ctx),
    ...costHandlers(ctx),
    ...incidentHandlers(incident),
  };
  const streams: StreamHandlers = {
    ...modelsStreamHandlers(ctx),
    ...incidentStreamHandlers(incident),
  };

  return {
    dispatcher: createDispatcher(handlers, streams, { checkOutputs: options.checkOutputs ?? false }),
    close: async () => {
      await incident.close();
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
