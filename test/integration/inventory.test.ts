/**
 * The inventory (list+watch) against the Kubernetes API test server seeded with the sandbox scenario: it syncs,
 * follows ADDED/MODIFIED/DELETED, relists after the watches expire (410), backs off and recovers from 500s, says
 * it is stale while the server is down, reports a forbidden kind without losing the others; and through the
 * console's channels: several contexts at once (one fine, one with a wrong token, one unreachable), model
 * services with health and routes, and `models.live` following the cluster.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi } from '../../main/api';
import { loadKubeConfig } from '../../main/kube/kubeconfig';
import { KubeHttp } from '../../main/kube/inventory/http';
import { Inventory } from '../../main/kube/inventory/inventory';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/contract';
import type { ModelList } from '../../shared/models';
import { AppError, type AppErrorData } from '../../shared/errors';
import { seedKube } from '../harness';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../harness/kube';
import { createScenario } from '../harness/scenario';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-inventory-'));
const scenario = createScenario({ historyHours: 1 });
const FAST = { backoff: { baseMs: 50, capMs: 800 }, staleAfterMs: 1500 } as const;

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function seeded(): Promise<KubeApiServer> {
  const kube = await startKubeApiServer({ readyDelayMs: 30 });
  await seedKube(kube, scenario);
  return kube;
}

function inventoryFor(kube: KubeApiServer, name: string): Inventory {
  const file = kube.writeKubeconfig(path.join(dir, `${name}.kubeconfig`), { contextName: name });
  const { kc } = loadKubeConfig(file, {});
  return new Inventory({ http: new KubeHttp(kc), namespace: 'default', ...FAST });
}

const names = (inv: Inventory, kind: 'Deployment' | 'Pod' | 'ReplicaSet') =>
  inv
    .list(kind)
    .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
    .sort();
const storeNames = (kube: KubeApiServer, apiVersion: string, kind: string) =>
  kube.store
    .list(apiVersion, kind)
    .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
    .sort();
const allWatching = (inv: Inventory) => inv.status().kinds.every((k) => k.state === 'watching');

describe('inventory by list+watch', () => {
  let kube: KubeApiServer;
  let inv: Inventory;
  beforeAll(async () => {
    kube = await seeded();
    inv = inventoryFor(kube, 'sandbox');
    inv.start();
    expect(await inv.whenReady(30_000)).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await inv?.stop();
    inv?.http.close();
    await kube?.stop();
  });

  it('syncs every kind a model service is made of, with paginated lists', async () => {
    const st = inv.status();
    expect(st).toMatchObject({ synced: true, stale: false });
    expect(st.kinds.map((k) => k.kind).sort()).toEqual(
      [
        'ControllerRevision',
        'Deployment',
        'Event',
        'EventV1',
        'HTTPRoute',
        'InferenceService',
        'KnativeService',
        'Node',
        'Pod',
        'ReplicaSet',
        'Rollout',
        'Service',
        'StatefulSet',
        'VirtualService',
      ].sort(),
    );
    expect(names(inv, 'Deployment')).toEqual(storeNames(kube, 'apps/v1', 'Deployment'));
    expect(names(inv, 'ReplicaSet')).toEqual(storeNames(kube, 'apps/v1', 'ReplicaSet'));
    expect(names(inv, 'Pod')).toEqual(storeNames(kube, 'v1', 'Pod'));
    expect(inv.list('InferenceService').map((o) => o.metadata.name)).toEqual(['bert-sentiment']);
    expect(inv.list('HTTPRoute').map((o) => o.metadata.name)).toEqual(['chat']);
    const lists = kube.requests.filter(
      (r) => r.method === 'GET' && r.path === '/api/v1/pods' && !r.query.watch,
    );
    expect(lists[0]?.query.limit).toBe('500');
    const watches = kube.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch);
    expect(watches[0]?.query).toMatchObject({ allowWatchBookmarks: 'true' });
    expect(Number(watches[0]?.query.resourceVersion)).toBeGreaterThan(0);
    // Warning events only, chosen by the server
    expect(kube.requests.find((r) => r.path === '/api/v1/events')?.query.fieldSelector).toBe('type=Warning');
  });

  it('follows Nodes (trimmed) and Events through events.k8s.io/v1 as well, stamped with the story’s times', async () => {
    const nodes = inv.list('Node');
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(scenario.nodes.map((n) => n.name).sort());
    const h100 = nodes.find((n) => n.metadata.name === 'gpu-h100-a')!;
    expect(h100.metadata.labels?.['node.kubernetes.io/instance-type']).toBe('p5.48xlarge');
    expect(h100.status.allocatableGpus).toBe(8);
    expect(h100.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    expect(JSON.stringify(nodes)).not.toMatch(/InternalIP|providerID|aws:\/\//);
    // the revision-2 ReplicaSet was made when the scenario's rollout happened, not when the test began
    const R = scenario.incident.startsAt.getTime();
    const rs2 = inv
      .list('ReplicaSet')
      .find(
        (r) =>
          r.metadata.name.startsWith(`${scenario.incident.model}-`) &&
          r.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2',
      )!;
    const created = Date.parse(rs2.metadata.creationTimestamp!);
    expect(created).toBeGreaterThanOrEqual(R);
    expect(created).toBeLessThan(R + 60_000);
    // the deployment controller's Normal ScalingReplicaSet events come through events.k8s.io/v1, at that time
    const scaled = inv
      .list('EventV1')
      .filter(
        (e) =>
          e.reason === 'ScalingReplicaSet' &&
          e.involvedObject.name === scenario.incident.model &&
          e.message.includes(rs2.metadata.name),
      );
    expect(scaled.length).toBeGreaterThan(0);
    expect(Date.parse(scaled[0]!.firstSeen!)).toBeLessThan(R + 60_000);
    // a Warning is one stored object, seen through both APIs with the same uid
    const pod = inv.list('Pod').find((p) => p.metadata.namespace === 'llm')!;
    kube.store.apply({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod.metadata.name}.both`, namespace: 'llm' },
      involvedObject: { kind: 'Pod', namespace: 'llm', name: pod.metadata.name, uid: pod.metadata.uid },
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      type: 'Warning',
      count: 3,
      firstTimestamp: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    const [a, b] = await eventually('the Warning through both APIs', async () => {
      const x = inv.map('Event').get(`llm/${pod.metadata.name}.both`);
      const y = inv.map('EventV1').get(`llm/${pod.metadata.name}.both`);
      return x && y ? [x, y] : undefined;
    });
    expect(b).toEqual(a);
    expect(b.count).toBe(3);
  });

  it('follows ADDED, MODIFIED and DELETED', async () => {
    await until('watches', () => allWatching(inv));
    const base = kube.store.get('apps/v1', 'Deployment', 'llm', 'llama-8b-chat')!;
    const copy: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'llama-8b-canary',
        namespace: 'llm',
        labels: { ...base.metadata.labels, 'app.kubernetes.io/name': 'llama-8b-canary' },
      },
      spec: { ...(base.spec as object), replicas: 1 },
    };
    kube.store.apply(copy);
    await until('the new Deployment', () => names(inv, 'Deployment').includes('llm/llama-8b-canary'));
    await until('its pod', () => inv.list('Pod').some((p) => p.metadata.name.startsWith('llama-8b-canary-')));

    kube.store.apply({
      ...copy,
      metadata: { ...copy.metadata, labels: { ...copy.metadata.labels, stage: 'canary' } },
    });
    await until(
      'the label change',
      () =>
        inv.list('Deployment').find((d) => d.metadata.name === 'llama-8b-canary')?.metadata.labels?.stage ===
        'canary',
    );

    kube.store.delete('apps/v1', 'Deployment', 'llm', 'llama-8b-canary');
    await until('the deletion', () => !names(inv, 'Deployment').includes('llm/llama-8b-canary'));
    await until(
      'its pods going',
      () =>
        !inv
          .list('Pod')
          .some((p) => p.metadata.name.startsWith('llama-8b-canary-') && !p.metadata.deletionTimestamp),
    );
  });

  it('relists when the watches expire (ERROR 410), then follows changes again', async () => {
    await until('watches', () => allWatching(inv));
    const relists = () => inv.status().kinds.reduce((n, k) => n + k.relists, 0);
    const before = relists();
    const listsBefore = kube.requests.filter(
      (r) => r.path === '/apis/apps/v1/deployments' && !r.query.watch,
    ).length;
    const deploymentLists = () =>
      kube.requests.filter((r) => r.path === '/apis/apps/v1/deployments' && !r.query.watch).length;
    kube.expireWatches();
    await until(
      'a relist of every kind',
      () => relists() >= before + 12 && deploymentLists() > listsBefore && allWatching(inv),
    );
    expect(inv.status()).toMatchObject({ synced: true, stale: false });
    const d = kube.store.get('apps/v1', 'Deployment', 'vision', 'resnet50-images')!;
    kube.store.apply({
      ...d,
      metadata: { ...d.metadata, labels: { ...d.metadata.labels, after410: 'yes' } },
    });
    await until(
      'a change after the relist',
      () =>
        inv.list('Deployment').find((x) => x.metadata.name === 'resnet50-images')?.metadata.labels
          ?.after410 === 'yes',
    );
  });

  it('backs off through API server 500s and recovers', async () => {
    await until('watches', () => allWatching(inv));
    const seen = new Set<string>();
    const off = inv.onChange(() => {
      for (const k of inv.status().kinds) if (k.lastError) seen.add(`${k.state}:${k.lastError.code}`);
    });
    kube.injectFailures({ status: 500, count: 8 });
    kube.expireWatches();
    await until('the failures', () => seen.has('backoff:CLUSTER_ERROR'), 10_000);
    await until('recovery', () => allWatching(inv) && inv.status().synced, 30_000);
    off();
    expect(seen.has('backoff:CLUSTER_ERROR')).toBe(true);
    expect(inv.status().kinds.every((k) => k.lastError === null)).toBe(true);
    expect(names(inv, 'Pod')).toEqual(storeNames(kube, 'v1', 'Pod'));
  });

  it('says the data is stale while the API server is down, keeps what it had, and recovers', async () => {
    await until('watches', () => allWatching(inv));
    const pods = names(inv, 'Pod');
    let down = true;
    kube.injectFailures({ status: 503, count: 1_000_000, match: () => down });
    kube.expireWatches();
    const t0 = Date.now();
    await until('stale', () => inv.status().stale, 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000); // 1.5 s without a watch (a little timer slack)
    expect(names(inv, 'Pod')).toEqual(pods);
    expect(
      inv.status().kinds.some((k) => k.state === 'backoff' && k.lastError?.code === 'CLUSTER_ERROR'),
    ).toBe(true);
    down = false;
    await until('recovery', () => !inv.status().stale && allWatching(inv), 20_000);
  });
});

describe('a kind the user may not list', () => {
  let kube: KubeApiServer;
  beforeAll(async () => {
    kube = await seeded();
    kube.setAccessRules([
      { allow: false, verbs: '*', apiGroups: [''], resources: ['pods'] },
      { allow: true, verbs: '*', apiGroups: '*', resources: '*' },
    ]);
  }, 120_000);
  afterAll(async () => kube?.stop());

  it('is reported on that kind; the others sync and the models list still works', async () => {
    const inv = inventoryFor(kube, 'nopods');
    inv.start();
    expect(await inv.whenReady(30_000)).toBe(true);
    const st = inv.status();
    const pods = st.kinds.find((k) => k.kind === 'Pod')!;
    expect(pods).toMatchObject({ state: 'forbidden', synced: false, count: 0, lastErrorStatus: 403 });
    expect(pods.lastError?.code).toBe('CLUSTER_FORBIDDEN');
    expect(pods.lastError?.message).toMatch(/pods/);
    expect(st.kinds.filter((k) => k.kind !== 'Pod').every((k) => k.synced)).toBe(true);
    expect(st.synced).toBe(true);
    expect(inv.list('Deployment').length).toBeGreaterThan(0);
    await inv.stop();
    inv.http.close();
  });
});

describe('connections and model services through the console’s channels', () => {
  let good: KubeApiServer;
  let api: Awaited<ReturnType<typeof createAppApi>>;
  const call = async <C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> => {
    const r = await api.dispatcher.invoke(channel, input);
    if (!r.ok) throw AppError.from(r.error as AppErrorData);
    return r.value as ChannelOutput<C>;
  };
  const failure = async (p: Promise<unknown>): Promise<AppError> => {
    try {
      await p;
    } catch (e) {
      if (e instanceof AppError) return e;
      throw e;
    }
    throw new Error('expected a typed failure');
  };

  beforeAll(async () => {
    good = await seeded();
    const goodFile = good.writeKubeconfig(path.join(dir, 'multi', 'good'), { contextName: 'good' });
    const expiredFile = good.writeKubeconfig(path.join(dir, 'multi', 'expired'), {
      contextName: 'expired',
      token: 'not-the-token',
    });
    const gone = await startKubeApiServer({ controllers: false });
    const goneFile = gone.writeKubeconfig(path.join(dir, 'multi', 'gone'), { contextName: 'gone' });
    await gone.stop();
    api = await createAppApi({
      storePath: path.join(dir, 'multi', 'store.sqlite'),
      transport: 'memory',
      version: 'test',
      env: { KUBECONFIG: [goodFile, expiredFile, goneFile].join(path.delimiter) },
      checkOutputs: true,
      inventory: FAST,
    });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await good?.stop();
  });

  it('lists every context of the merged kubeconfig; a probe says which work', async () => {
    const list = await call('kube.connections', { probe: true });
    expect(list.current).toBe('good');
    expect(list.sources).toHaveLength(3);
    const byName = Object.fromEntries(list.connections.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['expired', 'gone', 'good']);
    expect(byName.good).toMatchObject({ connected: false, status: 'ready', error: null });
    expect(byName.expired).toMatchObject({ connected: false, status: 'auth-failed' });
    expect(byName.expired!.error?.code).toBe('CLUSTER_AUTH_FAILED');
    expect(byName.gone).toMatchObject({ connected: false, status: 'unreachable' });
    expect(byName.gone!.error?.code).toBe('CLUSTER_UNREACHABLE');
    expect(JSON.stringify(list)).not.toContain('not-the-token');
    expect(JSON.stringify(list)).not.toContain(good.token);
  });

  it('connects several contexts at once: each has its own status, a failing one blocks nobody', async () => {
    const [g, e, x] = await Promise.all([
      call('kube.connect', { context: 'good' }),
      call('kube.connect', { context: 'expired' }),
      call('kube.connect', { context: 'gone' }),
    ]);
    expect(g).toMatchObject({ connected: true, status: 'ready' });
    expect(e).toMatchObject({ connected: true, status: 'auth-failed' });
    expect(e.error?.hint).toMatch(/log in again/i);
    expect(x).toMatchObject({ connected: true, status: 'unreachable' });

    const list = await call('models.list', { context: 'good' });
    expect(list.context).toBe('good');
    expect(list.models.map((m) => m.id)).toContain('llm/Deployment/llama-70b-chat');
    expect(list.inventory).toMatchObject({ synced: true, stale: false });

    expect((await failure(call('models.list', { context: 'expired' }))).code).toBe('CLUSTER_AUTH_FAILED');
    expect((await failure(call('models.list', { context: 'gone' }))).code).toBe('CLUSTER_UNREACHABLE');
    expect((await failure(call('models.list', { context: 'nope' }))).code).toBe('CONTEXT_NOT_FOUND');

    // switching the current context (saved in Settings): views that name none follow it
    await call('kube.connect', { context: 'expired', makeCurrent: true });
    expect((await call('kube.connections', {})).current).toBe('expired');
    expect((await failure(call('models.list', {}))).code).toBe('CLUSTER_AUTH_FAILED');
    await call('kube.connect', { context: 'good', makeCurrent: true });
    expect((await call('models.list', {})).context).toBe('good');

    const after = await call('kube.disconnect', { context: 'gone' });
    expect(after.connections.find((c) => c.name === 'gone')).toMatchObject({
      connected: false,
      inventory: null,
    });
    expect(after.connections.find((c) => c.name === 'good')).toMatchObject({
      connected: true,
      status: 'ready',
    });
  });

  it('model services carry health (failing pods, restarts, warning events) and their route', async () => {
    const pod = good.store
      .list('v1', 'Pod', 'llm')
      .find(
        (p) =>
          p.metadata.labels?.['app.kubernetes.io/name'] === 'llama-70b-chat' && !p.metadata.deletionTimestamp,
      )!;
    const status = pod.status as {
      containerStatuses: Array<Record<string, unknown>>;
      conditions: Array<Record<string, unknown>>;
    };
    good.store.apply({
      ...pod,
      status: {
        ...status,
        conditions: status.conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c)),
        containerStatuses: status.containerStatuses.map((c) => ({
          ...c,
          ready: false,
          restartCount: 6,
          state: {
            waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' },
          },
          lastState: { terminated: { reason: 'Error', exitCode: 1 } },
        })),
      },
    });
    good.store.apply({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod.metadata.name}.backoff`, namespace: 'llm' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container vllm',
      count: 6,
      lastTimestamp: new Date().toISOString(),
      involvedObject: { kind: 'Pod', name: pod.metadata.name, namespace: 'llm', uid: pod.metadata.uid },
    });
    const llama = await eventually('the failing pod in models.list', async () => {
      const list = await call('models.list', { context: 'good' });
      const m = list.models.find((x) => x.id === 'llm/Deployment/llama-70b-chat');
      return m?.health?.failingPods.length ? m : undefined;
    });
    expect(llama.health!.failingPods).toEqual([
      {
        name: pod.metadata.name,
        reason: 'CrashLoopBackOff',
        message: expect.stringContaining('back-off 2m40s'),
        since: null,
      },
    ]);
    expect(llama.health!.restarts).toBeGreaterThanOrEqual(6);
    expect(llama.health!.warningEvents[0]).toMatchObject({
      object: `Pod/${pod.metadata.name}`,
      reason: 'BackOff',
      count: 6,
    });
    // the chat HTTPRoute sends it its traffic; the fallback backend is the 8b model
    expect(llama.route).toMatchObject({
      kind: 'HTTPRoute',
      namespace: 'llm',
      name: 'chat',
      rule: 0,
      backend: 'llama-70b-chat',
    });
    expect(llama.route!.backends.map((b) => b.name)).toContain('llama-8b-chat');
    const list = await call('models.list', { context: 'good' });
    const bert = list.models.find((m) => m.workloadKind === 'InferenceService')!;
    expect(bert.route).toMatchObject({ kind: 'InferenceService', rule: null, share: 1 });
  });

  it('models.live sends the list, then again when the cluster changes (debounced)', async () => {
    const events: ModelList[] = [];
    const errors: unknown[] = [];
    const stop = api.dispatcher.subscribe('models.live', { context: 'good', intervalS: 300 }, (m) => {
      if (m.type === 'event') events.push(m.event as ModelList);
      else errors.push(m.error);
    });
    try {
      await until('the first list', () => events.length >= 1, 20_000);
      const d = good.store.get('apps/v1', 'Deployment', 'vision', 'resnet50-images')!;
      const replicas = (d.spec as { replicas: number }).replicas;
      const t0 = Date.now();
      good.store.apply({ ...d, spec: { ...(d.spec as object), replicas: replicas + 1 } });
      const changed = await until(
        'a list with the new replica count',
        () =>
          events.find(
            (e) => e.models.find((m) => m.name === 'resnet50-images')?.replicas.desired === replicas + 1,
          ),
        15_000,
      );
      expect(changed.inventory?.synced).toBe(true);
      expect(Date.now() - t0).toBeLessThan(10_000);
      // debounced: the scale-up changes several objects (Deployment, ReplicaSet, pods) but sends few lists
      await new Promise((r) => setTimeout(r, 2500));
      expect(events.length).toBeLessThanOrEqual(5);
      expect(errors).toEqual([]);
    } finally {
      stop();
    }
  });

  it('mapping rules are read, saved (audited) and used', async () => {
    const view = await call('models.mappingRules', {});
    expect(view.saved).toBe(false);
    expect(view.rules).toEqual(view.defaults);
    const saved = await call('models.saveMappingRules', {
      rules: { ...view.rules, ignoreNamespaces: ['llm'] },
    });
    expect(saved).toMatchObject({ saved: true, rules: { ignoreNamespaces: ['llm'] } });
    const list = await call('models.list', { context: 'good' });
    expect(list.models.some((m) => m.namespace === 'llm')).toBe(false);
    expect((await call('audit.list', { limit: 5 })).some((a) => a.action === 'models.saveMappingRules')).toBe(
      true,
    );
    const reset = await call('models.saveMappingRules', { rules: null });
    expect(reset.saved).toBe(false);
    expect((await call('models.list', { context: 'good' })).models.some((m) => m.namespace === 'llm')).toBe(
      true,
    );
  });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
