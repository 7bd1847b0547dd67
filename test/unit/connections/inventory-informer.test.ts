/**
 * The informer's list+watch logic against a scripted API (no sockets): paging, ADDED/MODIFIED/DELETED/BOOKMARK,
 * 410 Expired (as an ERROR event and as an HTTP status) relisting, back-off and resuming from the last
 * resourceVersion, 403 falling back to the context's namespace, and the back-off schedule itself.
 */
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../main/kube/inventory/backoff';
import {
  KubeHttpError,
  type KubeHttp,
  type Query,
  type RequestOptions,
  type WatchOptions,
} from '../../../main/kube/inventory/http';
import { continueTokenIn, Informer } from '../../../main/kube/inventory/informer';
import { projectPod, type Pod } from '../../../main/kube/inventory/objects';

const pod = (name: string, rv: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'ml',
    uid: `uid-${name}`,
    resourceVersion: rv,
    managedFields: [{ manager: 'kubelet' }],
  },
  spec: {
    nodeName: 'gpu-1',
    containers: [{ name: 'server', resources: { limits: { 'nvidia.com/gpu': '2' } } }],
  },
  status: { phase: 'Running' },
  ...extra,
});

type WatchScript = (onLine: (line: string) => void, query: Query) => Promise<void>;

/** A scripted API server: list pages by (path, continue), and one script per watch request, in order. */
class FakeApi {
  cluster = 'fake';
  readonly calls: Array<{ kind: 'list' | 'watch'; path: string; query: Query }> = [];
  lists: (path: string, query: Query) => unknown;
  watches: WatchScript[] = [];
  constructor(lists: (path: string, query: Query) => unknown) {
    this.lists = lists;
  }
  async getBuffer(path: string, query: Query = {}, opts: RequestOptions = {}): Promise<Buffer> {
    this.calls.push({ kind: 'list', path, query });
    const page = this.lists(path, query);
    if (page instanceof Error) throw page;
    const text = JSON.stringify(page);
    opts.onHead?.(text.slice(0, 8192));
    return Buffer.from(text);
  }
  async watch(path: string, query: Query, onLine: (line: string) => void, opts: WatchOptions): Promise<void> {
    this.calls.push({ kind: 'watch', path, query });
    const script = this.watches.shift();
    if (!script)
      return new Promise<void>((resolve) => opts.signal?.addEventListener('abort', () => resolve()));
    opts.onOpen?.();
    await script(onLine, query);
  }
}

const line = (type: string, object: unknown) => JSON.stringify({ type, object });
const expired = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code: 410,
  reason: 'Expired',
  message: 'too old resource version',
};
const until = async (cond: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
};

function informer(api: FakeApi, extra: Partial<ConstructorParameters<typeof Informer<Pod>>[0]> = {}) {
  return new Informer<Pod>({
    kind: 'Pod',
    http: api as unknown as KubeHttp,
    path: (ns) => (ns ? `/api/v1/namespaces/${ns}/pods` : '/api/v1/pods'),
    project: projectPod,
    pageSize: 2,
    backoff: { baseMs: 1, capMs: 4 },
    ...extra,
  });
}

describe('informer: list and watch', () => {
  it('lists every page (limit + continue), then watches from the list resourceVersion with bookmarks', async () => {
    const api = new FakeApi((_p, q) =>
      q.continue === 'page2'
        ? { kind: 'PodList', metadata: { resourceVersion: '10' }, items: [pod('c', '9')] }
        : {
            kind: 'PodList',
            metadata: { resourceVersion: '10', continue: 'page2' },
            items: [pod('a', '5'), pod('b', '6')],
          },
    );
    const inf = informer(api);
    inf.start();
    await until(() => api.calls.some((c) => c.kind === 'watch'));
    expect(api.calls.filter((c) => c.kind === 'list').map((c) => [c.query.limit, c.query.continue])).toEqual([
      [2, undefined],
      [2, 'page2'],
    ]);
    const watch = api.calls.find((c) => c.kind === 'watch')!;
    expect(watch.query).toMatchObject({ watch: 1, resourceVersion: '10', allowWatchBookmarks: true });
    expect(Number(watch.query.timeoutSeconds)).toBeGreaterThanOrEqual(300);
    expect([...inf.items.keys()].sort()).toEqual(['ml/a', 'ml/b', 'ml/c']);
    const st = inf.status();
    expect(st).toMatchObject({ synced: true, count: 3, resourceVersion: '10', lastError: null });
    // what is kept: no managedFields, GPUs counted
    expect(inf.items.get('ml/a')!.metadata).not.toHaveProperty('managedFields');
    expect(inf.items.get('ml/a')!.spec.gpus).toBe(2);
    await inf.stop();
  });

  it('follows ADDED, MODIFIED, DELETED and BOOKMARK; a 410 ERROR event relists', async () => {
    let listRv = '10';
    const api = new FakeApi(() => ({ metadata: { resourceVersion: listRv }, items: [pod('a', '5')] }));
    let resumeRv: unknown;
    api.watches.push(async (onLine) => {
      onLine(line('ADDED', pod('b', '11')));
      onLine(line('MODIFIED', pod('a', '12', { status: { phase: 'Failed', reason: 'Evicted' } })));
      onLine(line('DELETED', pod('b', '13')));
      onLine(line('BOOKMARK', { kind: 'Pod', metadata: { resourceVersion: '20' } }));
      listRv = '30';
      onLine(line('ERROR', expired));
    });
    api.watches.push(async (_onLine, q) => {
      resumeRv = q.resourceVersion;
      await new Promise(() => undefined); // stays open
    });
    const seen: string[] = [];
    const inf = informer(api, { onChange: (c) => c.type !== 'STATUS' && seen.push(c.type) });
    inf.start();
    await until(() => resumeRv !== undefined);
    expect(seen).toEqual(['RESYNC', 'ADDED', 'MODIFIED', 'DELETED', 'RESYNC']);
    expect(inf.items.get('ml/a')!.status).toMatchObject({ phase: 'Running' }); // from the relist
    expect(resumeRv).toBe('30');
    expect(inf.status().relists).toBe(1);
    expect(api.calls.filter((c) => c.kind === 'list')).toHaveLength(2);
    void inf.stop();
  });

  it('an HTTP 410 for an expired continue token starts the list again', async () => {
    let failed = false;
    const api = new FakeApi((_p, q) => {
      if (q.continue === 'old' && !failed) {
        failed = true;
        return new KubeHttpError(410, 'Expired', 'The provided continue parameter is too old', expired, null);
      }
      return q.continue
        ? { metadata: { resourceVersion: '10' }, items: [pod('c', '9')] }
        : { metadata: { resourceVersion: '10', continue: 'old' }, items: [pod('a', '5')] };
    });
    const inf = informer(api);
    inf.start();
    await until(() => api.calls.some((c) => c.kind === 'watch'));
    expect(api.calls.filter((c) => c.kind === 'list').map((c) => c.query.continue ?? null)).toEqual([
      null,
      'old',
      null,
      'old',
    ]);
    expect(inf.status()).toMatchObject({ synced: true, count: 2, relists: 1 });
    await inf.stop();
  });

  it('after a 500 or a dropped watch it backs off, then resumes the watch from the last resourceVersion (no relist)', async () => {
    const api = new FakeApi(() => ({ metadata: { resourceVersion: '10' }, items: [pod('a', '5')] }));
    api.watches.push(async (onLine) => {
      onLine(line('ADDED', pod('b', '11')));
      throw new Error('ECONNRESET: the watch connection dropped');
    });
    api.watches.push(async (onLine) => {
      onLine(line('ERROR', { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd is sad' }));
    });
    const resumed: unknown[] = [];
    api.watches.push(async (_l, q) => {
      resumed.push(q.resourceVersion);
      await new Promise(() => undefined);
    });
    const inf = informer(api);
    inf.start();
    await until(() => resumed.length === 1);
    const watches = api.calls.filter((c) => c.kind === 'watch').map((c) => c.query.resourceVersion);
    expect(watches).toEqual(['10', '11', '11']);
    expect(api.calls.filter((c) => c.kind === 'list')).toHaveLength(1);
    expect(inf.items.size).toBe(2);
    const st = inf.status();
    expect(st.state).toBe('watching');
    expect(st.downSince).toBeNull();
    void inf.stop();
  });

  it('reports an API failure while it lasts, and recovers', async () => {
    let failures = 3;
    const api = new FakeApi(() =>
      failures-- > 0
        ? new KubeHttpError(
            503,
            'ServiceUnavailable',
            'the server is currently unable to handle the request',
            {},
            1,
          )
        : { metadata: { resourceVersion: '10' }, items: [pod('a', '5')] },
    );
    const statuses: Array<{ state: string; code: string | null }> = [];
    const inf: Informer<Pod> = informer(api, {
      backoff: { baseMs: 1, capMs: 2 },
      onChange: () => {
        const s = inf.status();
        statuses.push({ state: s.state, code: s.lastError?.code ?? null });
      },
    });
    // Retry-After (1 s) is honoured but capped by the back-off cap (2 ms here)
    inf.start();
    await until(() => inf.status().synced);
    expect(statuses.some((s) => s.state === 'backoff' && s.code === 'CLUSTER_ERROR')).toBe(true);
    expect(api.calls.filter((c) => c.kind === 'list')).toHaveLength(4);
    expect(inf.status().lastError).toBeNull();
    await inf.stop();
  });

  it('403 on all namespaces lists the context namespace; 403 there too = forbidden (and keeps trying)', async () => {
    let allowNamespace = true;
    const forbidden = (path: string) =>
      new KubeHttpError(
        403,
        'Forbidden',
        `pods is forbidden: User "dev" cannot list resource "pods" (${path})`,
        {},
        null,
      );
    const api = new FakeApi((path) =>
      path === '/api/v1/pods' || !allowNamespace
        ? forbidden(path)
        : { metadata: { resourceVersion: '4' }, items: [pod('a', '3')] },
    );
    const inf = informer(api, { fallbackNamespace: 'ml' });
    inf.start();
    await until(() => inf.status().synced);
    expect(inf.status()).toMatchObject({ namespace: 'ml', count: 1 });
    expect(api.calls.find((c) => c.kind === 'watch')!.path).toBe('/api/v1/namespaces/ml/pods');
    await inf.stop();

    allowNamespace = false;
    const api2 = new FakeApi((path) => forbidden(path));
    const inf2 = informer(api2, { fallbackNamespace: 'ml' });
    inf2.start();
    await until(() => inf2.status().state === 'forbidden');
    const st = inf2.status();
    expect(st.synced).toBe(false);
    expect(st.lastError?.code).toBe('CLUSTER_FORBIDDEN');
    expect(st.lastErrorStatus).toBe(403);
    await until(() => api2.calls.length >= 4); // it looks again
    await inf2.stop();
  });

  it('reads the continue token from the head of a page, so the next page can be asked for early', () => {
    expect(
      continueTokenIn(
        '{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"abc="},"items":[{"metadata"',
      ),
    ).toBe('abc=');
    expect(
      continueTokenIn('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":['),
    ).toBeUndefined();
    expect(continueTokenIn('{"items":[{"metadata":{"continue":"x"}}],"metadata":{}}')).toBeNull();
    expect(continueTokenIn('{"kind":"PodList","apiVersion":"v1","meta')).toBeNull();
  });
});

describe('back-off schedule', () => {
  it('doubles from the base up to the cap, each delay jittered within [d/2, d]', () => {
    const low = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0 });
    const high = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0.999999 });
    const lows = Array.from({ length: 9 }, () => low.next());
    const highs = Array.from({ length: 9 }, () => high.next());
    expect(lows).toEqual([250, 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(highs).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    const r = new Backoff({ random: Math.random });
    for (let i = 0; i < 50; i++) {
      const ceiling = r.ceiling();
      const d = r.next();
      expect(d).toBeGreaterThanOrEqual(ceiling / 2);
      expect(d).toBeLessThanOrEqual(ceiling);
      expect(d).toBeLessThanOrEqual(30_000);
    }
  });

  it('starts over after a success, and honours Retry-After within the cap', () => {
    const b = new Backoff({ baseMs: 100, capMs: 5000, random: () => 0 });
    b.next();
    b.next();
    expect(b.failures).toBe(2);
    b.reset();
    expect(b.next()).toBe(50);
    expect(b.nextWithRetryAfter(2)).toBe(2000);
    expect(b.nextWithRetryAfter(60)).toBe(5000);
    expect(b.nextWithRetryAfter(null)).toBe(400);
  });
});
