import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppApi } from '../api';
import type { KubeEnv } from '../kube/kubeconfig';
import { newToken } from './security';
import { startServeServer } from './server';

export interface ServeOptions {
  storePath: string;
  host?: string;
  port?: number;
  /** defaults to build/renderer in the repository */
  rendererDir?: string;
  env?: KubeEnv;
  version?: string;
  checkOutputs?: boolean;
}

export interface RunningServe {
  url: string;
  token: string;
  /** the URL to open: it carries the token in its fragment, which browsers never send to a server */
  openUrl: string;
  stop(): Promise<void>;
}

export const defaultRendererDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../build/renderer',
);

/** `firebreak serve`: the whole console over loopback HTTP + WebSocket. */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const api = await createAppApi({
    storePath: options.storePath,
    transport: 'serve',
    version: options.version ?? packageVersion(),
    ...(options.env ? { env: options.env } : {}),
    checkOutputs: options.checkOutputs ?? false,
  });
  const token = newToken();
  try {
    const server = await startServeServer({
      dispatcher: api.dispatcher,
      token,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      rendererDir: options.rendererDir ?? defaultRendererDir,
    });
    return {
      url: server.url,
      token,
      openUrl: `${server.url}#token=${token}`,
      stop: async () => {
        await server.close();
        await api.close();
      },
    };
  } catch (err) {
    await api.close();
    throw err;
  }
}

function packageVersion(): string {
  try {
    const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
