/**
 * The inventory of one cluster connection: discovery (`GET /apis`: which custom resources are served), then one
 * informer per kind, all running at once. It answers what is there now, whether it is complete (`synced`) and
 * whether it may be out of date (`stale`: some kind has had no live watch for longer than `staleAfterMs`), and
 * tells listeners when anything changed. Nothing here polls: after the first list only watch events arrive.
 */
import type { InventoryStatusView } from '../../../shared/connections';
import { toAppErrorData, type AppErrorData } from '../../../shared/errors';
import { Backoff, type BackoffOptions } from './backoff';
import { KubeAbortError, kubeHttpError, statusOf, type KubeHttp } from './http';
import { Informer, type InformerStatus } from './informer';
import {
  chooseVersion,
  INVENTORY_KINDS,
  listPath,
  servedGroupVersions,
  type InventoryKind,
  type InventoryKindName,
  type InventoryObjects,
} from './kinds';

export interface InventoryOptions {
  http: KubeHttp;
  /** the context's namespace: where a kind is listed when listing all namespaces is forbidden */
  namespace?: string | null;
  /** a kind without a live watch for this long makes the inventory stale (default 30 s) */
  staleAfterMs?: number;
  backoff?: BackoffOptions;
  pageSize?: number;
  watchTimeoutS?: [number, number];
  listTimeoutMs?: number;
  /** look for newly installed CRDs this often (default 5 min) */
  rediscoverMs?: number;
  /** only these kinds (default: all) */
  kinds?: readonly InventoryKindName[];
  now?: () => number;
}

export interface DiscoveryStatus {
  state: 'pending' | 'ok' | 'failed';
  error: AppErrorData | null;
  /** HTTP status of the failure, null for a network failure */
  errorStatus: number | null;
  at: number | null;
}

export interface InventoryStatus {
  /** every kind it follows has been listed (kinds that are forbidden or not served do not count) */
  synced: boolean;
  /** some kind has had no live watch for longer than staleAfterMs */
  stale: boolean;
  /** the latest complete list of any kind */
  lastSyncAt: number | null;
  discovery: DiscoveryStatus;
  kinds: InformerStatus[];
}

type AnyInformer = Informer<InventoryObjects[InventoryKindName]>;

export class Inventory {
  private readonly informers = new Map<InventoryKindName, AnyInformer>();
  private readonly listeners = new Set<(kind: InventoryKindName | null) => void>();
  private discovery: DiscoveryStatus = { state: 'pending', error: null, errorStatus: null, at: null };
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private stopped = false;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  /** bumped on every change: a cheap "did anything change since" */
  version = 0;

  constructor(private readonly opts: InventoryOptions) {
    this.backoff = new Backoff(opts.backoff);
    this.now = opts.now ?? Date.now;
  }

  get http(): KubeHttp {
    return this.opts.http;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.discover();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    this.listeners.clear();
  }

  /** Objects of one kind (empty when it is not followed, forbidden, or not listed yet). */
  list<K extends InventoryKindName>(kind: K): InventoryObjects[K][] {
    const inf = this.informers.get(kind) as Informer<InventoryObjects[K]> | undefined;
    return inf ? inf.values() : [];
  }

  /** The live map of one kind, keyed `namespace/name` (read it, never change it). */
  map<K extends InventoryKindName>(kind: K): ReadonlyMap<string, InventoryObjects[K]> {
    const inf = this.informers.get(kind) as Informer<InventoryObjects[K]> | undefined;
    return inf ? inf.items : new Map();
  }

  /** Which kinds are followed (after discovery). */
  kinds(): InventoryKindName[] {
    return [...this.informers.keys()];
  }

  /** Called after every change of data (with its kind) or of status (kind null). Returns the unsubscribe. */
  onChange(cb: (kind: InventoryKindName | null) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  status(): InventoryStatus {
    const now = this.now();
    const staleAfter = this.opts.staleAfterMs ?? 30_000;
    const kinds = [...this.informers.values()].map((i) => i.status());
    const counted = kinds.filter((k) => k.state !== 'forbidden' && k.state !== 'absent');
    const synced =
      this.discovery.state === 'ok' && counted.every((k) => k.synced) && kinds.some((k) => k.synced);
    const downFor = (since: number | null) => (since === null ? 0 : now - since);
    const stale =
      (this.discovery.state === 'failed' &&
        this.discovery.at !== null &&
        now - this.discovery.at > staleAfter) ||
      counted.some((k) => downFor(k.downSince) > staleAfter);
    const syncs = kinds.map((k) => k.lastSyncAt).filter((t): t is number => t !== null);
    return {
      synced,
      stale,
      lastSyncAt: syncs.length ? Math.max(...syncs) : null,
      discovery: { ...this.discovery },
      kinds,
    };
  }

  /**
   * Resolves true once every kind is listed, or false when `timeoutMs` passes first, or as soon as it is clear that
   * waiting does not help: discovery failed for a reason a retry in a few seconds will not fix (401, 403,
   * unreachable), or every kind has failed that way.
   */
  whenReady(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const check = () => {
        if (done) return;
        const st = this.status();
        if (st.synced) return finish(true);
        if (this.stopped) return finish(false);
        if (
          this.discovery.state === 'failed' &&
          isHardFailure(this.discovery.errorStatus, this.discovery.error)
        )
          return finish(false);
        const kinds = st.kinds.filter((k) => k.state !== 'absent');
        if (
          this.discovery.state === 'ok' &&
          kinds.length > 0 &&
          kinds.every(
            (k) =>
              k.synced ||
              k.state === 'forbidden' ||
              (k.lastError && isHardFailure(k.lastErrorStatus, k.lastError)),
          )
        )
          return finish(st.synced);
      };
      const unsubscribe = this.onChange(() => check());
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unsubscribe();
        resolve(ok);
      };
      check();
    });
  }

  private async discover(): Promise<void> {
    while (!this.stopped) {
      try {
        const doc = await this.opts.http.getJson(
          '/apis',
          {},
          { signal: this.abort.signal, timeoutMs: 15_000 },
        );
        if (this.stopped) return;
        const served = servedGroupVersions(doc);
        this.discovery = { state: 'ok', error: null, errorStatus: null, at: this.now() };
        this.backoff.reset();
        this.follow(served);
        this.notify(null);
        this.timer = setTimeout(() => void this.discover(), this.opts.rediscoverMs ?? 5 * 60_000);
        this.timer.unref?.();
        return;
      } catch (err) {
        if (this.stopped || err instanceof KubeAbortError) return;
        const status = statusOf(err);
        const error = toAppErrorData(kubeHttpError(err, this.opts.http.cluster));
        if (this.discovery.state === 'ok') {
          // a later re-discovery failed: the informers carry on with what they follow
          this.timer = setTimeout(() => void this.discover(), this.backoff.next());
          this.timer.unref?.();
          return;
        }
        this.discovery = {
          state: 'failed',
          error,
          errorStatus: status,
          at:
            this.discovery.state === 'failed' && this.discovery.at !== null ? this.discovery.at : this.now(),
        };
        this.notify(null);
        await new Promise<void>((resolve) => {
          this.timer = setTimeout(resolve, this.backoff.next());
          this.timer.unref?.();
          this.abort.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
    }
  }

  /** starts an informer for each kind that is served and not yet followed */
  private follow(served: Set<string>): void {
    const wanted = this.opts.kinds;
    for (const k of INVENTORY_KINDS as readonly InventoryKind[]) {
      if (wanted && !wanted.includes(k.name)) continue;
      if (this.informers.has(k.name)) continue;
      const version = chooseVersion(k, served);
      if (!version) continue;
      const name = k.name;
      const inf = new Informer({
        kind: name,
        http: this.opts.http,
        path: (ns) => listPath(k, version, ns),
        project: k.project,
        fieldSelector: k.fieldSelector,
        fallbackNamespace: k.clusterScoped ? null : (this.opts.namespace ?? null),
        pageSize: this.opts.pageSize,
        backoff: this.opts.backoff,
        watchTimeoutS: this.opts.watchTimeoutS,
        listTimeoutMs: this.opts.listTimeoutMs,
        now: this.now,
        onChange: (change) => this.notify(change.type === 'STATUS' ? null : name),
      }) as AnyInformer;
      this.informers.set(name, inf);
      inf.start();
    }
  }

  private notify(kind: InventoryKindName | null): void {
    this.version++;
    for (const l of [...this.listeners]) {
      try {
        l(kind);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}

/** 401, 403 and network failures: a retry in a few seconds will not change them, so nobody should wait on it. */
export function isHardFailure(status: number | null, error: AppErrorData | null): boolean {
  if (status === 401 || status === 403) return true;
  if (status === null && error)
    return error.code === 'CLUSTER_UNREACHABLE' || error.code === 'CLUSTER_AUTH_FAILED';
  return false;
}

/** The status as the console shows it (times as ISO strings). */
export function inventoryStatusView(st: InventoryStatus): InventoryStatusView {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    synced: st.synced,
    stale: st.stale,
    lastSyncAt: iso(st.lastSyncAt),
    kinds: st.kinds.map((k) => ({
      kind: k.kind,
      state: k.state,
      synced: k.synced,
      lastSyncAt: iso(k.lastSyncAt),
      count: k.count,
      namespace: k.namespace,
      error: k.state === 'watching' ? null : k.lastError,
    })),
  };
}
