/**
 * Cluster connections: every context of the kubeconfig (an explicit path from Settings, else KUBECONFIG with its
 * files merged, else ~/.kube/config), several connected at once, each with its own inventory and its own status:
 *
 *   connecting  discovery has not answered yet
 *   ready       discovery answered; kinds are being listed or watched (a kind that is forbidden is reported on
 *               that kind, not here)
 *   auth-failed the credentials were refused (401), or the exec plugin failed: log in again
 *   unreachable the API server cannot be reached (refused, DNS, timeout, untrusted certificate)
 *   forbidden   the user may see nothing this inventory follows
 *   error       anything else (the message says what)
 *
 * One context failing never blocks another: each connection retries on its own (back-off up to 30 s), so an
 * expired token or a VPN that was down recovers by itself once fixed. A credential plugin that timed out or is
 * not installed is not run again until the user asks (kube.connect retries); its process group is killed on
 * timeout, disconnect, context switch and quit (execCredential.ts). A connection is replaced when its
 * kubeconfig entry changes (a new token after `aws eks update-kubeconfig`, another server); nothing from the
 * kubeconfig is stored or sent to the renderer except names and the server address.
 */
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeConnection, KubeConnectionList, KubeConnectionStatus } from '../../shared/connections';
import { AppError, toAppErrorData, type AppErrorData } from '../../shared/errors';
import { KubeHttp, kubeHttpError } from './inventory/http';
import { Inventory, inventoryStatusView, type InventoryOptions } from './inventory/inventory';
import { execCredentialsOf, stopAllExecPlugins, type PendingPlugin } from './execCredential';
import { contextProblem, kubeConfigFor, loadKubeConfig, type KubeEnv } from './kubeconfig';

export interface ConnectionsOptions {
  /** read at every call, so a change in Settings applies at once */
  kubeconfig: () => { path: string | null; env: KubeEnv };
  /** the context chosen in Settings (null = the kubeconfig's current-context) */
  preferredContext?: () => string | null;
  /** inventory knobs (tests shorten the back-off and the stale threshold) */
  inventory?: Omit<InventoryOptions, 'http' | 'namespace'>;
  now?: () => number;
  /** one-off checks of contexts that are not connected (default 5 s, plus the credential plugin's own deadline) */
  probeTimeoutMs?: number;
  /** the credential plugin deadline where the context's kubeconfig extension sets none (default 60 s) */
  pluginTimeoutMs?: number;
}

/** The connection status an error means. */
export function statusOfError(error: AppErrorData | null): KubeConnectionStatus {
  switch (error?.code) {
    case undefined:
      return 'ready';
    case 'CLUSTER_AUTH_FAILED':
      return 'auth-failed';
    case 'CLUSTER_UNREACHABLE':
      return 'unreachable';
    case 'CLUSTER_FORBIDDEN':
      return 'forbidden';
    default:
      return 'error';
  }
}

export class Connection {
  readonly inventory: Inventory;
  private last: { status: KubeConnectionStatus; since: number } | undefined;

  constructor(
    readonly context: string,
    readonly fingerprint: string,
    /** the kubeconfig switched to this context: the one the screens read with, and writes use too */
    readonly kubeConfig: KubeConfig,
    opts: ConnectionsOptions,
    private readonly now: () => number,
  ) {
    const namespace = kubeConfig.getContextObject(context)?.namespace ?? 'default';
    this.inventory = new Inventory({ ...opts.inventory, http: new KubeHttp(kubeConfig), namespace, now });
  }

  start(): void {
    this.inventory.start();
  }

  async stop(): Promise<void> {
    // first: a plugin still running would hold the inventory's first request
    execCredentialsOf(this.kubeConfig)?.stop();
    await this.inventory.stop();
    this.inventory.http.close();
  }

  /** The credential plugin this connection is waiting on, if any. */
  pendingPlugin(): PendingPlugin | null {
    return execCredentialsOf(this.kubeConfig)?.pending() ?? null;
  }

  /** Where this connection stands, derived from what discovery and the informers last saw. */
  status(): { status: KubeConnectionStatus; error: AppErrorData | null; since: number } {
    const st = this.inventory.status();
    let status: KubeConnectionStatus;
    let error: AppErrorData | null = null;
    if (st.discovery.state === 'pending') status = 'connecting';
    else if (st.discovery.state === 'failed') {
      error = st.discovery.error;
      status = statusOfError(error);
    } else {
      const kinds = st.kinds.filter((k) => k.state !== 'absent');
      const down = kinds.filter((k) => k.state !== 'watching' && k.lastError);
      const auth = down.find((k) => k.lastErrorStatus === 401 || k.lastError?.code === 'CLUSTER_AUTH_FAILED');
      if (auth) {
        status = 'auth-failed';
        error = auth.lastError;
      } else if (kinds.length > 0 && kinds.every((k) => k.state === 'forbidden')) {
        status = 'forbidden';
        error = kinds[0]!.lastError;
      } else if (
        kinds.length > 0 &&
        kinds.every((k) => k.state !== 'watching' && k.lastError?.code === 'CLUSTER_UNREACHABLE')
      ) {
        status = 'unreachable';
        error = kinds[0]!.lastError;
      } else if (
        kinds.length > 0 &&
        kinds.every((k) => k.state !== 'watching' && k.state !== 'forbidden' && k.lastError)
      ) {
        status = 'error';
        error = kinds[0]!.lastError;
      } else status = 'ready';
    }
    if (!this.last || this.last.status !== status) this.last = { status, since: this.now() };
    return { status, error, since: this.last.since };
  }
}

interface Probe {
  status: KubeConnectionStatus;
  error: AppErrorData | null;
  at: number;
}

export class Connections {
  private readonly conns = new Map<string, Connection>();
  private readonly probes = new Map<string, Probe>();
  private readonly now: () => number;
  private closed = false;
  /** the context views used last, to notice a switch */
  private lastCurrent: string | null = null;

  constructor(private readonly opts: ConnectionsOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The context views use when none is named. */
  current(kc?: KubeConfig): string | null {
    const preferred = this.opts.preferredContext?.() ?? null;
    if (preferred) return preferred;
    const k = kc ?? this.load().kc;
    return k.getCurrentContext() || null;
  }

  /**
   * The connection to `context` (default: the current one), started if it was not. Throws KUBECONFIG_MISSING,
   * KUBECONFIG_MALFORMED or CONTEXT_NOT_FOUND; a cluster that fails shows in the connection's status instead.
   */
  connect(context?: string | null, opts: { retry?: boolean } = {}): Connection {
    if (this.closed) throw new AppError('INTERNAL', 'Firebreak is shutting down.', 'Restart Firebreak.');
    // the one resolution of a context (kubeconfig.ts): screens and writes both use the connection it makes
    const { path, env } = this.opts.kubeconfig();
    const kc = kubeConfigFor(
      path,
      context ?? (this.opts.preferredContext?.() || null),
      env,
      this.opts.pluginTimeoutMs !== undefined ? { pluginTimeoutMs: this.opts.pluginTimeoutMs } : {},
    );
    const name = kc.getCurrentContext();
    if (!context) this.switchedTo(name);
    const fingerprint = fingerprintOf(kc, name);
    const existing = this.conns.get(name);
    // "Retry" on a failed connection starts it afresh (and runs a plugin that timed out again); nothing else does
    const failed = existing && !['ready', 'connecting'].includes(existing.status().status);
    if (existing?.fingerprint === fingerprint && !(opts.retry && failed)) return existing;
    if (existing) void existing.stop();
    const conn = new Connection(name, fingerprint, kc, this.opts, this.now);
    this.conns.set(name, conn);
    this.probes.delete(name);
    conn.start();
    return conn;
  }

  /**
   * The current context changed (Settings, kube.connect with makeCurrent): the one left behind stops waiting on a
   * credential plugin (a login nobody will finish); a connection that is up stays up.
   */
  private switchedTo(name: string): void {
    const previous = this.lastCurrent;
    this.lastCurrent = name;
    if (!previous || previous === name) return;
    const old = this.conns.get(previous);
    if (old && old.pendingPlugin() && old.status().status === 'connecting') void this.disconnect(previous);
  }

  /** The connection if it is open (never starts one). */
  get(context: string): Connection | undefined {
    return this.conns.get(context);
  }

  async disconnect(context: string): Promise<void> {
    const conn = this.conns.get(context);
    if (!conn) return;
    this.conns.delete(context);
    await conn.stop();
  }

  /**
   * Every context with its status. With `probe`, contexts that are not connected are checked once (discovery with
   * the context's credentials, in parallel, each within probeTimeoutMs) so the list says which would work.
   */
  async list(opts: { probe?: boolean } = {}): Promise<KubeConnectionList> {
    const { kc, sources } = this.load();
    const contexts = kc.getContexts();
    if (opts.probe) {
      await Promise.all(contexts.filter((c) => !this.conns.has(c.name)).map((c) => this.probe(c.name)));
    }
    const connections: KubeConnection[] = contexts.map((c) => {
      const info = {
        name: c.name,
        cluster: c.cluster,
        server: kc.getCluster(c.cluster)?.server ?? '',
        namespace: c.namespace ?? null,
        user: c.user,
      };
      const conn = this.conns.get(c.name);
      if (conn) {
        const s = conn.status();
        return {
          ...info,
          connected: true,
          status: s.status,
          error: s.error,
          since: new Date(s.since).toISOString(),
          inventory: inventoryStatusView(conn.inventory.status()),
        };
      }
      const p = this.probes.get(c.name);
      // a context kubectl would refuse (missing cluster or user, bad CA) says so without being tried
      const problem = p ? null : contextProblem(kc, c.name, sources);
      return {
        ...info,
        connected: false,
        status: p?.status ?? (problem ? 'error' : 'disconnected'),
        error: p?.error ?? (problem ? problem.toJSON() : null),
        since: p ? new Date(p.at).toISOString() : null,
        inventory: null,
      };
    });
    return { sources, current: this.current(kc), connections };
  }

  /** Stops every connection (the app is closing). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(all.map((c) => c.stop()));
    stopAllExecPlugins(); // probes' plugins too
  }

  private async probe(context: string): Promise<void> {
    let http: KubeHttp | undefined;
    let kc: KubeConfig | undefined;
    let result: Probe;
    try {
      const { path, env } = this.opts.kubeconfig();
      // checked as a connection would be (missing cluster or user, bad CA) before anything is sent
      kc = kubeConfigFor(
        path,
        context,
        env,
        this.opts.pluginTimeoutMs !== undefined ? { pluginTimeoutMs: this.opts.pluginTimeoutMs } : {},
      );
      http = new KubeHttp(kc);
      await http.getJson('/apis', {}, { timeoutMs: this.opts.probeTimeoutMs ?? 5_000 });
      result = { status: 'ready', error: null, at: this.now() };
    } catch (err) {
      const error = toAppErrorData(kubeHttpError(err, http?.cluster ?? context));
      result = { status: statusOfError(error), error, at: this.now() };
    } finally {
      if (kc) execCredentialsOf(kc)?.stop();
      http?.close();
    }
    if (!this.conns.has(context)) this.probes.set(context, result);
  }

  private load(): { kc: KubeConfig; sources: string[] } {
    const { path, env } = this.opts.kubeconfig();
    return loadKubeConfig(path, env);
  }
}

/** A hash of everything the kubeconfig says about a context (server, CA, credentials): changes when any does. */
function fingerprintOf(kc: KubeConfig, context: string): string {
  const ctx = kc.getContextObject(context);
  const cluster = ctx ? kc.getCluster(ctx.cluster) : null;
  const user = ctx ? kc.getUser(ctx.user) : null;
  return createHash('sha256').update(JSON.stringify({ ctx, cluster, user })).digest('hex');
}
