/**
 * One kind, kept current by list+watch (client-go's reflector, in plain Node):
 *  1. list in pages (`limit` + `continue`), projecting each object on arrival;
 *  2. watch from the list's resourceVersion with `allowWatchBookmarks=true` and a randomised `timeoutSeconds`;
 *     ADDED/MODIFIED/DELETED update the map, BOOKMARK only moves the resourceVersion;
 *  3. when the server ends the watch, watch again from the last resourceVersion;
 *  4. a 410 Expired (HTTP 410, or an ERROR event with code 410, or an expired `continue`) relists;
 *  5. anything else (429, 5xx, timeouts, dropped connections) backs off exponentially with jitter (cap 30 s),
 *     then resumes the watch from the last resourceVersion (relisting if that is too old);
 *  6. 403 on the cluster-wide list tries the context's namespace; still 403 = `forbidden` (reported, retried slowly).
 * It reports `synced`, `lastSyncAt`, `lastError` and since when it has not had a live watch (`downSince`).
 */
import { toAppErrorData, type AppErrorData } from '../../../shared/errors';
import { Backoff, type BackoffOptions } from './backoff';
import { KubeAbortError, KubeHttpError, kubeHttpError, statusOf, type KubeHttp } from './http';
import type { InventoryKindName } from './kinds';
import { BadListPage, parseListPage } from './listPage';
import { isRecord, objectKey } from './objects';

export type InformerState =
  'starting' | 'listing' | 'watching' | 'backoff' | 'forbidden' | 'absent' | 'stopped';

export interface InformerStatus {
  kind: string;
  state: InformerState;
  synced: boolean;
  lastSyncAt: number | null;
  lastError: AppErrorData | null;
  /** HTTP status of the last failure; null for network failures */
  lastErrorStatus: number | null;
  /** since when this informer has had no live watch (null = live) */
  downSince: number | null;
  /** null = all namespaces, else the one namespace it could list */
  namespace: string | null;
  count: number;
  relists: number;
  resourceVersion: string;
}

export type InformerChange<T> =
  { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T } | { type: 'RESYNC' } | { type: 'STATUS' };

export interface InformerOptions<T> {
  kind: InventoryKindName;
  http: KubeHttp;
  /** list path for a namespace (null = all namespaces) */
  path: (namespace: string | null) => string;
  project: (raw: unknown) => T | null;
  /** server-side filter, on the list and the watch */
  fieldSelector?: string;
  /** where to fall back when listing all namespaces is forbidden (the context's namespace) */
  fallbackNamespace?: string | null;
  pageSize?: number;
  backoff?: BackoffOptions;
  /** random watch timeout in [min, max] seconds, spread so watches do not all restart together */
  watchTimeoutS?: [number, number];
  /** list request timeout, ms */
  listTimeoutMs?: number;
  now?: () => number;
  onChange?: (change: InformerChange<T>) => void;
}

/** thrown from the line handler to stop reading a watch that said 410 */
class Expired extends Error {}

export class Informer<T extends { metadata: { namespace: string; name: string; resourceVersion: string } }> {
  items = new Map<string, T>();
  private state: InformerState = 'starting';
  private synced = false;
  private lastSyncAt: number | null = null;
  private lastError: AppErrorData | null = null;
  private lastErrorStatus: number | null = null;
  private downSince: number | null = null;
  private namespace: string | null = null;
  private relists = 0;
  private last410 = 0;
  private resourceVersion = '';
  private stopped = false;
  private abort = new AbortController();
  private sleepTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: InformerOptions<T>) {
    this.backoff = new Backoff(opts.backoff);
    this.now = opts.now ?? Date.now;
  }

  get kind(): InventoryKindName {
    return this.opts.kind;
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
    this.setState('stopped');
    await this.running?.catch(() => undefined);
  }

  status(): InformerStatus {
    return {
      kind: this.opts.kind,
      state: this.state,
      synced: this.synced,
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError,
      lastErrorStatus: this.lastErrorStatus,
      downSince: this.downSince,
      namespace: this.namespace,
      count: this.items.size,
      relists: this.relists,
      resourceVersion: this.resourceVersion,
    };
  }

  values(): T[] {
    return [...this.items.values()];
  }

  private async run(): Promise<void> {
    let needList = true;
    let triedFallback = false;
    while (!this.stopped) {
      try {
        if (needList) {
          this.setState('listing');
          await this.list();
          needList = false;
          triedFallback = false;
        }
        const started = this.now();
        const outcome = await this.watchOnce();
        if (this.stopped) return;
        const quick = this.now() - started < 1000;
        if (outcome === 'expired') {
          needList = true;
          this.relists++;
          this.setState('listing');
          this.markDown(null, 410);
        } else this.setState('starting'); // the server ended the watch: a new one is being opened
        // a server that ends (or expires) every watch at once must not be hammered
        if (quick) await this.sleep(this.backoff.next());
        else this.backoff.reset();
      } catch (err) {
        if (this.stopped || err instanceof KubeAbortError) return;
        const status = statusOf(err);
        this.markDown(kubeHttpError(err, this.opts.http.cluster).toJSON(), status);
        if (status === 410) {
          // an expired `continue` token or resourceVersion: start again from a fresh list (at once, unless the
          // server keeps saying so)
          needList = true;
          this.relists++;
          const now = this.now();
          if (now - this.last410 < 1000) await this.sleep(this.backoff.next());
          this.last410 = now;
          continue;
        }
        if (status === 403) {
          if (this.namespace === null && this.opts.fallbackNamespace && !triedFallback) {
            triedFallback = true;
            this.namespace = this.opts.fallbackNamespace;
            needList = true;
            continue;
          }
          // forbidden everywhere: say so, and look again now and then (a permission may be granted)
          this.namespace = null;
          triedFallback = false;
          needList = true;
          this.setState('forbidden');
          await this.sleep(this.backoff.next());
          continue;
        }
        if (status === 404) {
          needList = true;
          this.setState('absent');
          await this.sleep(this.backoff.next());
          continue;
        }
        if (status === 401) needList = true; // credentials changed: what we hold may be for another identity
        this.setState('backoff');
        await this.sleep(
          this.backoff.nextWithRetryAfter(err instanceof KubeHttpError ? err.retryAfterS : null),
        );
        // with a resourceVersion the watch resumes where it stopped; a list that failed is retried whole
        if (!this.resourceVersion) needList = true;
      }
    }
  }

  /**
   * All pages, then the map is replaced at once (a relist drops what was deleted meanwhile). The next page is
   * asked for as soon as this page's first bytes show its `continue` token, so the server prepares page n+1
   * while page n is still arriving and being parsed.
   */
  private async list(): Promise<void> {
    const fresh = new Map<string, T>();
    const path = this.opts.path(this.namespace);
    const limit = this.opts.pageSize ?? 500;
    type PageFetch = { bytes: Promise<Buffer>; token: Promise<string | undefined | null>; abort: () => void };
    const fetchPage = (cont: string | undefined): PageFetch => {
      const ctl = new AbortController();
      const onAbort = () => ctl.abort();
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      let early: (token: string | undefined | null) => void = () => undefined;
      const token = new Promise<string | undefined | null>((resolve) => (early = resolve));
      const bytes = this.opts.http.getBuffer(
        path,
        { limit, continue: cont, fieldSelector: this.opts.fieldSelector },
        {
          signal: ctl.signal,
          timeoutMs: this.opts.listTimeoutMs ?? 60_000,
          onHead: (head) => early(continueTokenIn(head)),
        },
      );
      const settled = () => {
        early(null); // a page that failed before its first byte: unknown (the failure is seen through `bytes`)
        this.abort.signal.removeEventListener('abort', onAbort);
      };
      bytes.then(settled, settled);
      bytes.catch(() => undefined); // seen when awaited; never an unhandled rejection
      return { bytes, token, abort: () => ctl.abort() };
    };
    let rv = '';
    let page: PageFetch | null = fetchPage(undefined);
    let next: PageFetch | null = null;
    try {
      while (page && !this.stopped) {
        const headToken: string | undefined | null = await page.token;
        next = typeof headToken === 'string' ? fetchPage(headToken) : null;
        const body: Buffer = await page.bytes;
        let parsed;
        try {
          parsed = parseListPage(this.opts.kind, body);
        } catch (err) {
          if (err instanceof BadListPage)
            throw new KubeHttpError(502, 'BadResponse', err.message, null, null);
          throw err;
        }
        if (this.stopped) break;
        if (parsed.resourceVersion) rv = parsed.resourceVersion;
        if (headToken !== parsed.continue) {
          // the head did not show the token (or showed another one): follow what the page says
          next?.abort();
          next = parsed.continue ? fetchPage(parsed.continue) : null;
        }
        for (const obj of parsed.items as unknown as T[])
          fresh.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
        page = next;
        next = null;
      }
    } finally {
      page?.abort();
      next?.abort();
    }
    if (this.stopped) return;
    this.items = fresh;
    this.resourceVersion = rv;
    this.synced = true;
    this.lastSyncAt = this.now();
    this.lastError = null;
    this.lastErrorStatus = null;
    this.backoff.reset();
    this.emit({ type: 'RESYNC' });
  }

  private async watchOnce(): Promise<'expired' | 'ended'> {
    const [min, max] = this.opts.watchTimeoutS ?? [300, 600];
    const timeoutSeconds = Math.round(min + Math.random() * Math.max(0, max - min));
    try {
      await this.opts.http.watch(
        this.opts.path(this.namespace),
        {
          watch: 1,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          fieldSelector: this.opts.fieldSelector,
        },
        (line) => this.onLine(line),
        {
          signal: this.abort.signal,
          idleTimeoutMs: (timeoutSeconds + 30) * 1000,
          onOpen: () => {
            this.downSince = null;
            this.lastError = null;
            this.lastErrorStatus = null;
            this.setState('watching');
          },
        },
      );
    } catch (err) {
      if (err instanceof Expired) return 'expired';
      throw err;
    }
    return 'ended';
  }

  private onLine(line: string): void {
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      throw new KubeHttpError(
        502,
        'BadResponse',
        `The watch of ${this.opts.kind} sent a line that is not JSON.`,
        null,
        null,
      );
    }
    if (!isRecord(ev)) return;
    const type = ev.type;
    const raw = ev.object;
    if (type === 'ERROR') {
      const st = isRecord(raw) ? raw : {};
      const code = typeof st.code === 'number' ? st.code : 500;
      if (code === 410) throw new Expired();
      const details = isRecord(st.details) ? st.details : {};
      throw new KubeHttpError(
        code,
        typeof st.reason === 'string' ? st.reason : '',
        typeof st.message === 'string'
          ? st.message.slice(0, 500)
          : `The watch of ${this.opts.kind} failed (${code}).`,
        st,
        typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : null,
      );
    }
    const rv = isRecord(raw) && isRecord(raw.metadata) ? raw.metadata.resourceVersion : undefined;
    if (type === 'BOOKMARK') {
      if (typeof rv === 'string' && rv) this.resourceVersion = rv;
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
    if (typeof rv === 'string' && rv) this.resourceVersion = rv;
    const key = objectKey(raw);
    if (!key) return;
    if (type === 'DELETED') {
      const gone = this.items.get(key);
      if (gone) {
        this.items.delete(key);
        this.emit({ type: 'DELETED', object: gone });
      }
      return;
    }
    const obj = this.opts.project(raw);
    if (!obj) {
      // no longer something we keep (an invalid update, or e.g. an event that is not a Warning)
      const gone = this.items.get(key);
      if (gone) {
        this.items.delete(key);
        this.emit({ type: 'DELETED', object: gone });
      }
      return;
    }
    const existed = this.items.has(key);
    this.items.set(key, obj);
    this.emit({ type: existed ? 'MODIFIED' : 'ADDED', object: obj });
  }

  private markDown(error: AppErrorData | null, status: number | null): void {
    if (this.downSince === null) this.downSince = this.now();
    if (error) {
      this.lastError = error;
      this.lastErrorStatus = status;
    }
    this.emit({ type: 'STATUS' });
  }

  private setState(state: InformerState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit({ type: 'STATUS' });
  }

  private emit(change: InformerChange<T>): void {
    try {
      this.opts.onChange?.(change);
    } catch (err) {
      // a listener's bug must not stop the informer
      this.lastError = toAppErrorData(err);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
      this.sleepTimer.unref?.();
    });
  }
}

/**
 * The `continue` token of a list page from its first bytes: the list's metadata comes before its items
 * (`{"kind":…,"apiVersion":…,"metadata":{"resourceVersion":…,"continue":…},"items":[`). A string = the token,
 * undefined = the last page, null = not visible in the head (wait for the whole page).
 */
export function continueTokenIn(head: string): string | undefined | null {
  const m = /^\s*\{(?:\s*"(?:kind|apiVersion)"\s*:\s*"[^"\\]*"\s*,)*\s*"metadata"\s*:\s*(\{[^{}]*\})/.exec(
    head,
  );
  if (!m?.[1]) return null;
  try {
    const meta = JSON.parse(m[1]) as { continue?: unknown };
    return typeof meta.continue === 'string' && meta.continue ? meta.continue : undefined;
  } catch {
    return null;
  }
}
