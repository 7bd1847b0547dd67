import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig, makeAbsolutePath } from '@kubernetes/client-node';
// client-node's own entry conversion (the one loadFromString uses), fed the object our parser made
import {
  newClusters,
  newContexts,
  newUsers,
  type Cluster,
  type Context,
  type User,
} from '@kubernetes/client-node/dist/config_types.js';
import { AppError } from '../../shared/errors';
import type { KubeContextInfo, KubeContextList } from '../../shared/connections';
import { DEFAULT_PLUGIN_TIMEOUT_MS, installExecCredentials } from './execCredential';
import { readKubeconfigFile, type KubeconfigFile } from './kubeconfigFile';
import { refuseRemovedAuthProviders } from './legacyAuthProviders';

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

/**
 * Loads and merges the kubeconfig files as kubectl does: missing and empty files in a KUBECONFIG list are skipped;
 * for clusters, users and contexts the first file to name one wins; current-context comes from the first file
 * that sets it. Each file is parsed once, with an alias limit (kubeconfigFile.ts). Exec credential plugins run
 * with a deadline and can be killed (execCredential.ts). Throws KUBECONFIG_MISSING / KUBECONFIG_MALFORMED with
 * the file named.
 */
export function loadKubeConfig(
  explicitPath: string | null,
  env: KubeEnv,
  opts: KubeConfigOptions = {},
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

  const files = sources.map(readKubeconfigFile);
  const merged = mergeFiles(files);
  if (merged.contexts.length === 0) {
    const empty = files.every((f) => f.empty);
    throw new AppError(
      'KUBECONFIG_MALFORMED',
      empty
        ? `The kubeconfig ${sources.join(', ')} is empty.`
        : `The kubeconfig ${sources.join(', ')} defines no contexts.`,
      'Add a context (kubectl config set-context) or point Settings at another kubeconfig.',
      { sources },
    );
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: merged.clusters,
    users: merged.users,
    contexts: merged.contexts,
    currentContext: merged.currentContext,
  });
  const timeouts = merged.pluginTimeoutsMs;
  refuseRemovedAuthProviders(kc);
  installExecCredentials(kc, {
    timeoutMs: () =>
      timeouts.get(kc.getCurrentContext()) ?? opts.pluginTimeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_MS,
    cluster: () => clusterInfo(kc.getCurrentCluster()),
  });
  return { kc, sources: files.filter((f) => !f.empty).map((f) => f.file) };
}

export interface KubeConfigOptions {
  /** the credential plugin deadline where the context sets none (default 60 s) */
  pluginTimeoutMs?: number;
}

interface Merged {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string | undefined;
  /** per context, from its `firebreak` extension */
  pluginTimeoutsMs: Map<string, number>;
}

function mergeFiles(files: KubeconfigFile[]): Merged {
  const merged: Merged = {
    clusters: [],
    users: [],
    contexts: [],
    currentContext: undefined,
    pluginTimeoutsMs: new Map(),
  };
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  for (const f of files) {
    if (f.empty) continue;
    const { raw, file } = f;
    let clusters: Cluster[], users: User[], contexts: Context[];
    try {
      clusters = newClusters(raw.clusters);
      users = newUsers(raw.users);
      contexts = newContexts(raw.contexts);
    } catch (err) {
      // client-node's words ("contexts[0].context.cluster is missing"), or a token-file that cannot be read
      throw malformed(file, err);
    }
    // relative certificate paths are relative to the file that names them, as in kubectl
    const dir = path.dirname(file);
    for (const c of clusters) if (c.caFile) c.caFile = makeAbsolutePath(dir, c.caFile);
    for (const u of users) {
      if (u.certFile) u.certFile = makeAbsolutePath(dir, u.certFile);
      if (u.keyFile) u.keyFile = makeAbsolutePath(dir, u.keyFile);
    }
    for (const c of clusters) {
      if (seen.clusters.has(c.name)) continue;
      seen.clusters.add(c.name);
      merged.clusters.push(c);
    }
    for (const u of users) {
      if (seen.users.has(u.name)) continue;
      seen.users.add(u.name);
      merged.users.push(u);
    }
    const timeouts = pluginTimeouts(raw.contexts);
    for (const c of contexts) {
      if (seen.contexts.has(c.name)) continue;
      seen.contexts.add(c.name);
      merged.contexts.push(c);
      const t = timeouts.get(c.name);
      if (t !== undefined) merged.pluginTimeoutsMs.set(c.name, t);
    }
    const current = raw['current-context'];
    if (merged.currentContext === undefined && typeof current === 'string' && current !== '')
      merged.currentContext = current;
  }
  return merged;
}

/**
 * Per-context credential plugin deadlines: a context may carry
 * `extensions: [{name: firebreak, extension: {credentialPluginTimeoutSeconds: 180}}]` (kubectl ignores it).
 */
function pluginTimeouts(rawContexts: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!Array.isArray(rawContexts)) return out;
  for (const c of rawContexts as Array<{ name?: unknown; context?: { extensions?: unknown } }>) {
    const exts = c?.context?.extensions;
    if (typeof c?.name !== 'string' || !Array.isArray(exts)) continue;
    for (const e of exts as Array<{
      name?: unknown;
      extension?: { credentialPluginTimeoutSeconds?: unknown };
    }>) {
      const s = e?.name === 'firebreak' ? e.extension?.credentialPluginTimeoutSeconds : undefined;
      if (typeof s === 'number' && Number.isFinite(s) && s > 0) out.set(c.name, Math.min(s, 3600) * 1000);
    }
  }
  return out;
}

/** What a plugin with provideClusterInfo is told about the cluster (client-go's ExecCredential spec.cluster). */
function clusterInfo(cluster: Cluster | null): Record<string, unknown> | null {
  if (!cluster) return null;
  return {
    server: cluster.server,
    ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
    ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
    ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
    ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
  };
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

/**
 * A KubeConfig switched to `context` (or its current one), checked as kubectl checks it before connecting.
 * Throws NOT_CONFIGURED (no current-context and none chosen), CONTEXT_NOT_FOUND, or KUBECONFIG_MALFORMED naming
 * the missing cluster or user, or the invalid certificate-authority-data.
 */
export function kubeConfigFor(
  explicitPath: string | null,
  context: string | null,
  env: KubeEnv,
  opts: KubeConfigOptions = {},
): KubeConfig {
  const { kc, sources } = loadKubeConfig(explicitPath, env, opts);
  const name = context ?? kc.getCurrentContext();
  const available = kc.getContexts().map((c) => c.name);
  if (!name) {
    throw new AppError(
      'NOT_CONFIGURED',
      `The kubeconfig ${sources.join(', ')} sets no current-context (kubectl: "current-context is not set"), and no context is chosen in Settings.`,
      'Pick a context in Settings, or run `kubectl config use-context <name>`.',
      { available },
    );
  }
  if (!kc.getContextObject(name)) {
    throw new AppError(
      'CONTEXT_NOT_FOUND',
      `The context "${name}" is not in the kubeconfig ${sources.join(', ')}.`,
      'Pick a context in Settings.',
      { available },
    );
  }
  const problem = contextProblem(kc, name, sources);
  if (problem) throw problem;
  kc.setCurrentContext(name);
  return kc;
}

/**
 * What kubectl would refuse about a context before any connection: a cluster or user it names that no file
 * defines, a cluster with no server, certificate-authority-data that is not base64 of a PEM certificate.
 */
export function contextProblem(kc: KubeConfig, name: string, sources: string[]): AppError | null {
  const ctx = kc.getContextObject(name);
  if (!ctx) return null;
  const where = sources.join(', ');
  const hint = 'Fix the context in the kubeconfig (`kubectl config view` shows it), or pick another context.';
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster) {
    return new AppError(
      'KUBECONFIG_MALFORMED',
      `The context "${name}" uses the cluster "${ctx.cluster}", which is not in the kubeconfig ${where} (kubectl: cluster "${ctx.cluster}" was not found for context "${name}").`,
      hint,
      { context: name, cluster: ctx.cluster },
    );
  }
  if (ctx.user && !kc.getUser(ctx.user)) {
    return new AppError(
      'KUBECONFIG_MALFORMED',
      `The context "${name}" uses the user "${ctx.user}", which is not in the kubeconfig ${where} (kubectl: user "${ctx.user}" was not found for context "${name}").`,
      hint,
      { context: name, user: ctx.user },
    );
  }
  // kubectl: "unable to read certificate-authority <file> for <cluster> due to …"; client-node would throw ENOENT
  // from inside a request, which reads like a failed credential plugin
  const files: Array<[string | undefined, string]> = [
    [cluster.caFile, `certificate-authority of the cluster "${cluster.name}"`],
    [ctx.user ? kc.getUser(ctx.user)?.certFile : undefined, `client-certificate of the user "${ctx.user}"`],
    [ctx.user ? kc.getUser(ctx.user)?.keyFile : undefined, `client-key of the user "${ctx.user}"`],
  ];
  for (const [file, what] of files) {
    if (file && !readable(file)) {
      return new AppError(
        'KUBECONFIG_MALFORMED',
        `The ${what} is ${file}, which cannot be read.`,
        'Check that the file exists and that you may read it (relative paths are relative to the kubeconfig file), or pick another context.',
        { context: name, file },
      );
    }
  }
  if (cluster.caData !== undefined && cluster.caData !== null) {
    const why = certificateProblem(String(cluster.caData));
    if (why) {
      return new AppError(
        'KUBECONFIG_MALFORMED',
        `The certificate-authority-data of the cluster "${cluster.name}" is invalid: ${why}.`,
        'It must be the base64 of the cluster CA in PEM. Copy it again from the cluster (for example `aws eks update-kubeconfig`), or run `kubectl config view --raw` to check it.',
        { context: name, cluster: cluster.name },
      );
    }
  }
  return null;
}

/** Why some base64 text is not a PEM certificate (null when it is one). */
function certificateProblem(data: string): string | null {
  const compact = data.replace(/\s+/g, '');
  if (compact === '') return 'it is empty';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) return 'it is not base64';
  const pem = Buffer.from(compact, 'base64').toString('latin1');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return 'it does not hold a PEM certificate (unable to parse bytes as PEM block)';
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      return 'a certificate in it cannot be parsed';
    }
  }
  return null;
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

function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function fileExists(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
