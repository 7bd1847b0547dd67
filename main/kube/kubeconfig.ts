import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import type { KubeContextInfo, KubeContextList } from '../../shared/connections';

/** The environment the kubeconfig is resolved from (passed in, so tests and serve mode need not touch process.env). */
export interface KubeEnv {
  KUBECONFIG?: string | undefined;
  HOME?: string | undefined;
}

/**
 * Which files make up the kubeconfig, in kubectl's order: an explicit path chosen in Settings; else every
 * file in KUBECONFIG (merged, first wins); else ~/.kube/config.
 */
export function kubeconfigSources(explicitPath: string | null, env: KubeEnv): string[] {
  if (explicitPath) return [path.resolve(expandHome(explicitPath, env))];
  if (env.KUBECONFIG) {
    return env.KUBECONFIG.split(path.delimiter)
      .filter(Boolean)
      .map((p) => path.resolve(expandHome(p, env)));
  }
  return [path.join(env.HOME || os.homedir(), '.kube', 'config')];
}

function expandHome(p: string, env: KubeEnv): string {
  return p === '~' || p.startsWith('~/') ? path.join(env.HOME || os.homedir(), p.slice(1)) : p;
}

/** Loads and merges the kubeconfig files. Throws KUBECONFIG_MISSING / KUBECONFIG_MALFORMED with the file named. */
export function loadKubeConfig(
  explicitPath: string | null,
  env: KubeEnv,
): { kc: KubeConfig; sources: string[] } {
  const candidates = kubeconfigSources(explicitPath, env);
  // kubectl skips missing files in a KUBECONFIG list; an explicit path must exist.
  const sources = explicitPath || candidates.length === 1 ? candidates : candidates.filter(fileExists);
  const missing = sources.filter((f) => !fileExists(f));
  if (sources.length === 0 || missing.length > 0) {
    const shown = (missing[0] ?? candidates.join(path.delimiter)) || '(none)';
    throw new AppError(
      'KUBECONFIG_MISSING',
      `No kubeconfig found at ${shown}.`,
      'Set the kubeconfig path in Settings, set KUBECONFIG, or create ~/.kube/config. To try Firebreak without a cluster, run `npm run sandbox` and use the kubeconfig path it prints.',
      { sources: candidates },
    );
  }

  const kc = new KubeConfig();
  sources.forEach((file, i) => {
    const one = new KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (err) {
      throw malformed(file, err);
    }
    if (i === 0) kc.loadFromString(one.exportConfig());
    else kc.mergeConfig(one, true);
  });
  if (kc.getContexts().length === 0) {
    throw new AppError(
      'KUBECONFIG_MALFORMED',
      `The kubeconfig ${sources.join(', ')} defines no contexts.`,
      'Add a context (kubectl config set-context) or point Settings at another kubeconfig.',
      { sources },
    );
  }
  return { kc, sources };
}

/** The contexts a user can pick, with cluster server and namespace; credentials never leave this module. */
export function listContexts(explicitPath: string | null, env: KubeEnv): KubeContextList {
  const { kc, sources } = loadKubeConfig(explicitPath, env);
  const contexts: KubeContextInfo[] = kc.getContexts().map((c) => ({
    name: c.name,
    cluster: c.cluster,
    server: kc.getCluster(c.cluster)?.server ?? '',
    namespace: c.namespace ?? null,
    user: c.user,
  }));
  return { sources, current: kc.getCurrentContext() || null, contexts };
}

/** A KubeConfig switched to `context` (or its current one). Throws CONTEXT_NOT_FOUND. */
export function kubeConfigFor(explicitPath: string | null, context: string | null, env: KubeEnv): KubeConfig {
  const { kc } = loadKubeConfig(explicitPath, env);
  const name = context ?? kc.getCurrentContext();
  if (!name || !kc.getContextObject(name)) {
    throw new AppError(
      'CONTEXT_NOT_FOUND',
      name ? `The context "${name}" is not in the kubeconfig.` : 'The kubeconfig has no current context.',
      'Pick a context in Settings.',
      { available: kc.getContexts().map((c) => c.name) },
    );
  }
  kc.setCurrentContext(name);
  return kc;
}

function malformed(file: string, err: unknown): AppError {
  // Parser messages can quote the offending lines, which may hold credentials: keep only the first line.
  const raw = err instanceof Error ? err.message : String(err);
  const firstLine = raw.split('\n')[0]?.slice(0, 200) ?? 'unreadable';
  return new AppError(
    'KUBECONFIG_MALFORMED',
    `The kubeconfig ${file} cannot be read: ${firstLine}`,
    'Check the file with `kubectl config view --kubeconfig <file>`, or point Settings at another kubeconfig.',
    { file },
  );
}

function fileExists(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
