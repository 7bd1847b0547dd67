// The Kubernetes API test server (test/harness/kube) against @kubernetes/client-node and plain HTTP.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../harness/kube';

const NS = 'llm';

function deployment(
  name: string,
  image: string,
  replicas = 2,
  extra: { annotations?: Record<string, string>; paused?: boolean } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: NS,
      labels: { app: name, tier: 'serving' },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec: {
      replicas,
      ...(extra.paused ? { paused: true } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'server',
              image,
              env: [{ name: 'MODEL', value: name }],
              ports: [{ containerPort: 8000 }],
            },
          ],
        },
      },
    },
  };
}

function pod(name: string, labels: Record<string, string>, ns = NS): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    status: { phase: 'Running' },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Reply {
  status: number;
  body: Json;
}

async function call(
  server: KubeApiServer,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(server.url + path, {
    method,
    headers: {
      authorization: `Bearer ${server.token}`,
      ...(body !== undefined ? { 'content-type': contentType } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: res.status, body: parsed };
}

const DEPLOY_PATH = `/apis/apps/v1/namespaces/${NS}/deployments`;

async function until<T>(what: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Kubernetes API test server', () => {
  let server: KubeApiServer;
  let kc: k8s.KubeConfig;
  let apps: k8s.AppsV1Api;
  let core: k8s.CoreV1Api;

  beforeAll(async () => {
    server = await startKubeApiServer({
      readyDelayMs: 0,
      objects: [
        deployment('llama', 'vllm/vllm-openai:v0.6.0'),
        deployment('mistral', 'vllm/vllm-openai:v0.6.0', 1),
        pod('worker-a', { app: 'batch', tier: 'gpu' }),
        pod('worker-b', { app: 'batch', tier: 'cpu' }),
        pod('worker-c', { app: 'etl' }),
        pod('elsewhere', { app: 'batch' }, 'other'),
      ],
    });
    kc = new k8s.KubeConfig();
    kc.loadFromString(server.kubeconfig({ namespace: NS }));
    apps = kc.makeApiClient(k8s.AppsV1Api);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers /version and discovery, and refuses a wrong or missing token with a Status', async () => {
    const v = await call(server, 'GET', '/version');
    expect(v.body.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    const groups = await call(server, 'GET', '/apis', undefined, undefined, {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    expect(groups.body.kind).toBe('APIGroupList');
    const appsList = await call(server, 'GET', '/apis/apps/v1');
    const deploy = appsList.body.resources.find((r: { name: string }) => r.name === 'deployments');
    expect(deploy).toMatchObject({ namespaced: true, kind: 'Deployment', shortNames: ['deploy'] });
    expect(appsList.body.resources.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining([
        'deployments/status',
        'deployments/scale',
        'replicasets',
        'statefulsets',
        'controllerrevisions',
      ]),
    );
    const coreList = await call(server, 'GET', '/api/v1');
    expect(coreList.body.resources.map((r: { name: string }) => r.name)).not.toContain('secrets');

    const res = await fetch(`${server.url}${DEPLOY_PATH}`, { headers: { authorization: 'Bearer wrong' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await fetch(`${server.url}${DEPLOY_PATH}`)).status).toBe(401);
    const recorded = server.requests.filter((r) => r.path === DEPLOY_PATH && r.status === 401);
    expect(recorded.length).toBe(2);
  });

  it('lists with client-node, namespaced and cluster-wide, with label and field selectors', async () => {
    const list = await apps.listNamespacedDeployment({ namespace: NS });
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['llama', 'mistral']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);
    const all = await apps.listDeploymentForAllNamespaces();
    expect(all.items.length).toBe(2);
    const rs = await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: 'app=llama' });
    expect(rs.items).toHaveLength(1);

    const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> =>
      (await core.listPodForAllNamespaces({ labelSelector, fieldSelector })).items
        .map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)
        .filter((n) => /worker|elsewhere/.test(n));
    expect(await names('app=batch')).toEqual(['llm/worker-a', 'llm/worker-b', 'other/elsewhere']);
    expect(await names('app==batch,tier!=cpu')).toEqual(['llm/worker-a', 'other/elsewhere']);
    expect(await names('app in (batch,etl),tier')).toEqual(['llm/worker-a', 'llm/worker-b']);
    expect(await names('app notin (batch),!tier')).toEqual(['llm/worker-c']);
    expect(await names(undefined, 'metadata.name=worker-b')).toEqual(['llm/worker-b']);
    expect(await names('app=batch', 'metadata.namespace=other')).toEqual(['other/elsewhere']);
    const bad = await call(server, 'GET', '/api/v1/pods?fieldSelector=spec.bogus%3Dx');
    expect(bad.status).toBe(400);
  });

  it('pages with limit and continue, as kubectl and informers do', async () => {
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedPod({ namespace: NS, limit: 2, _continue: cont });
      pages++;
      seen.push(...page.items.map((p) => p.metadata!.name!));
      cont = page.metadata?._continue;
      if (cont) expect(page.metadata?.remainingItemCount).toBeGreaterThan(0);
    } while (cont);
    const full = (await core.listNamespacedPod({ namespace: NS })).items.map((p) => p.metadata!.name!);
    expect(seen).toEqual(full);
    expect(pages).toBe(Math.ceil(full.length / 2));
    const bad = await call(server, 'GET', `/api/v1/pods?limit=1&continue=garbage`);
    expect(bad.status).toBe(400);
  });

  it('watches from a resourceVersion with client-node and replays only what followed', async () => {
    const list = await apps.listNamespacedDeployment({ namespace: NS });
    const rv = list.metadata!.resourceVersion!;
    const events: string[] = [];
    const watch = new k8s.Watch(kc);
    const ctl = await watch.watch(
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      { resourceVersion: rv, allowWatchBookmarks: true, fieldSelector: 'metadata.name=mistral' },
      (type, obj) =>
        events.push(`${type} ${obj.metadata?.name} ${obj.metadata?.annotations?.note ?? ''}`.trim()),
      () => undefined,
    );
    await apps.patchNamespacedDeployment(
      { name: 'mistral', namespace: NS, body: { metadata: { annotations: { note: 'hello' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await apps.patchNamespacedDeployment(
      { name: 'llama', namespace: NS, body: { metadata: { annotations: { note: 'not watched' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await until(() => events.includes('MODIFIED mistral hello'));
    expect(events.every((e) => e.includes('mistral'))).toBe(true);
    ctl.abort();

    // a second watch from the same resourceVersion replays the change from history
    const replay: string[] = [];
    const raw = await fetch(
      `${server.url}${DEPLOY_PATH}?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Dmistral&timeoutSeconds=1`,
      {
        headers: { authorization: `Bearer ${server.token}` },
      },
    );
    for (const line of (await raw.text()).split('\n').filter(Boolean)) replay.push(JSON.parse(line).type);
    expect(replay[0]).toBe('MODIFIED');

    // no resourceVersion: synthetic ADDED for what exists, then live events
    const initial = await fetch(`${server.url}/api/v1/namespaces/other/pods?watch=true&timeoutSeconds=1`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const lines = (await initial.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.type} ${l.object.metadata.name}`)).toEqual(['ADDED elsewhere']);
  });

  it('applies JSON, merge and strategic merge patches, and rejects strategic merge on custom resources', async () => {
    const before = (await apps.readNamespacedDeployment({ name: 'llama', namespace: NS }))!;
    // strategic merge: containers merge by name, env by name, ports by containerPort
    const smp = await call(
      server,
      'PATCH',
      `${DEPLOY_PATH}/llama?fieldManager=test-smp`,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'server' }, { name: 'sidecar' }],
              containers: [
                {
                  name: 'server',
                  env: [{ name: 'HF_HOME', value: '/cache' }],
                  ports: [{ containerPort: 9000 }],
                },
                { name: 'sidecar', image: 'envoy:1.30' },
              ],
            },
          },
        },
      },
      'application/strategic-merge-patch+json',
    );
    expect(smp.status).toBe(200);
    const cs = smp.body.spec.template.spec.containers;
    expect(cs.map((c: { name: string }) => c.name)).toEqual(['server', 'sidecar']);
    expect(cs[0].image).toBe('vllm/vllm-openai:v0.6.0');
    expect(cs[0].env.map((e: { name: string }) => e.name)).toEqual(['MODEL', 'HF_HOME']);
    expect(cs[0].ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([8000, 9000]);
    expect(smp.body.metadata.generation).toBe((before.metadata!.generation ?? 1) + 1);
    expect(smp.body.metadata.managedFields.map((m: { manager: string }) => m.manager)).toContain('test-smp');

    // $patch: delete removes a list element by its merge key
    const del = await call(
      server,
      'PATCH',
      `${DEPLOY_PATH}/llama`,
      { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
      'application/strategic-merge-patch+json',
    );
    expect(del.body.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['server']);

    // merge patch (RFC 7386): lists are replaced, null deletes
    const merge = await call(
      server,
      'PATCH',
      `${DEPLOY_PATH}/llama`,
      {
        metadata: { labels: { tier: null, team: 'ml' } },
        spec: { template: { spec: { containers: [{ name: 'server', image: 'vllm/vllm-openai:v0.6.1' }] } } },
      },
      'application/merge-patch+json',
    );
    expect(merge.status).toBe(200);
    expect(merge.body.metadata.labels).toEqual({ app: 'llama', team: 'ml' });
    expect(merge.body.spec.template.spec.containers).toHaveLength(1);
    expect(merge.body.spec.template.spec.containers[0].env).toBeUndefined();

    // JSON patch with a passing test op on resourceVersion, through client-node
    const cur = await apps.readNamespacedDeployment({ name: 'llama', namespace: NS });
    const jp = await apps.patchNamespacedDeployment(
      {
        name: 'llama',
        namespace: NS,
        fieldManager: 'firebreak',
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: cur.metadata!.resourceVersion },
          { op: 'replace', path: '/spec/replicas', value: 3 },
        ],
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    expect(jp.spec?.replicas).toBe(3);
    expect(
      jp.metadata?.managedFields?.some((m) => m.manager === 'firebreak' && m.operation === 'Update'),
    ).toBe(true);

    // custom resources take merge and JSON patches, not strategic merge (415 as on a real cluster)
    server.store.apply({
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'llama', namespace: NS },
      spec: { predictor: { model: { modelFormat: { name: 'huggingface' } } } },
    });
    const isvcPath = `/apis/serving.kserve.io/v1beta1/namespaces/${NS}/inferenceservices/llama`;
    expect(
      (
        await call(
          server,
          'PATCH',
          isvcPath,
          { spec: { predictor: { canaryTrafficPercent: 10 } } },
          'application/strategic-merge-patch+json',
        )
      ).status,
    ).toBe(415);
    const isvc = await call(
      server,
      'PATCH',
      isvcPath,
      { spec: { predictor: { canaryTrafficPercent: 10 } } },
      'application/merge-patch+json',
    );
    expect(isvc.body.spec.predictor.canaryTrafficPercent).toBe(10);
    expect(isvc.body.metadata.generation).toBe(2);
    expect(
      (
        await call(
          server,
          'PATCH',
          isvcPath,
          { spec: { predictor: { canaryTrafficPercent: 120 } } },
          'application/merge-patch+json',
        )
      ).status,
    ).toBe(422);
  });

  it('dry run validates and answers as if written, but stores nothing and notifies nobody', async () => {
    const changes: string[] = [];
    const off = server.store.onChange((type, obj) =>
      changes.push(`${type} ${obj.kind} ${obj.metadata.name}`),
    );
    const rvBefore = (await apps.readNamespacedDeployment({ name: 'mistral', namespace: NS })).metadata!
      .resourceVersion;

    const created = await call(server, 'POST', `${DEPLOY_PATH}?dryRun=All`, deployment('dry', 'img:1'));
    expect(created.status).toBe(201);
    expect(created.body.metadata.uid).toBeTruthy();
    expect(created.body.spec.strategy.type).toBe('RollingUpdate'); // defaulted
    expect((await call(server, 'GET', `${DEPLOY_PATH}/dry`)).status).toBe(404);

    const patched = await call(
      server,
      'PATCH',
      `${DEPLOY_PATH}/mistral?dryRun=All`,
      [{ op: 'replace', path: '/spec/replicas', value: 9 }],
      'application/json-patch+json',
    );
    expect(patched.status).toBe(200);
    expect(patched.body.spec.replicas).toBe(9);
    const after = await apps.readNamespacedDeployment({ name: 'mistral', namespace: NS });
    expect(after.spec?.replicas).toBe(1);
    expect(after.metadata?.resourceVersion).toBe(rvBefore);

    const invalid = await call(
      server,
      'PATCH',
      `${DEPLOY_PATH}/mistral?dryRun=All`,
      { spec: { replicas: -1 } },
      'application/merge-patch+json',
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      details: { name: 'mistral', group: 'apps', kind: 'Deployment' },
    });
    expect(invalid.body.message).toBe(
      'Deployment.apps "mistral" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );

    const deleted = await call(server, 'DELETE', `${DEPLOY_PATH}/mistral?dryRun=All`);
    expect(deleted.status).toBe(200);
    expect((await call(server, 'GET', `${DEPLOY_PATH}/mistral`)).status).toBe(200);
    off();
    expect(changes).toEqual([]);
  });

  it('answers 409 on a stale resourceVersion and on a failing test of /metadata/resourceVersion', async () => {
    const cur = await call(server, 'GET', `${DEPLOY_PATH}/mistral`);
    const stale = { ...cur.body, metadata: { ...cur.body.metadata, resourceVersion: '1' } };
    const put = await call(server, 'PUT', `${DEPLOY_PATH}/mistral`, stale);
    expect(put.status).toBe(409);
    expect(put.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      details: { name: 'mistral', group: 'apps', kind: 'deployments' },
    });
    expect(put.body.message).toBe(
      'Operation cannot be fulfilled on deployments.apps "mistral": the object has been modified; please apply your changes to the latest version and try again',
    );

    const test = await call(
      server,
      'PATCH',
      `${DEPLOY_PATH}/mistral`,
      [
        { op: 'test', path: '/metadata/resourceVersion', value: '1' },
        { op: 'replace', path: '/spec/replicas', value: 5 },
      ],
      'application/json-patch+json',
    );
    expect(test.status).toBe(409);
    expect(test.body.reason).toBe('Conflict');
    const other = await call(
      server,
      'PATCH',
      `${DEPLOY_PATH}/mistral`,
      [{ op: 'test', path: '/spec/replicas', value: 42 }],
      'application/json-patch+json',
    );
    expect(other.status).toBe(422);
    expect(other.body.message).toBe('the server rejected our request due to an error in our request');
    expect((await call(server, 'GET', `${DEPLOY_PATH}/mistral`)).body.spec.replicas).toBe(1);

    // a merge patch that carries a stale resourceVersion is a precondition too
    const mp = await call(
      server,
      'PATCH',
      `${DEPLOY_PATH}/mistral`,
      { metadata: { resourceVersion: '1' }, spec: { replicas: 4 } },
      'application/merge-patch+json',
    );
    expect(mp.status).toBe(409);

    // client-node surfaces the code
    await expect(
      apps.replaceNamespacedDeployment({ name: 'mistral', namespace: NS, body: stale as k8s.V1Deployment }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('can answer a failed resourceVersion test with 422 as a real apiserver does', async () => {
    const s = await startKubeApiServer({
      objects: [deployment('x', 'img:1', 1)],
      jsonPatchTestFailureStatus: 422,
      controllers: false,
    });
    try {
      const r = await call(
        s,
        'PATCH',
        `${DEPLOY_PATH}/x`,
        [{ op: 'test', path: '/metadata/resourceVersion', value: '1' }],
        'application/json-patch+json',
      );
      expect(r.status).toBe(422);
      expect(r.body.reason).toBe('Invalid');
    } finally {
      await s.stop();
    }
  });

  it('ends every watch with a 410 Expired after expireWatches, and refuses compacted resourceVersions', async () => {
    const list = await apps.listNamespacedDeployment({ namespace: NS });
    const oldRv = list.metadata!.resourceVersion!;
    const got: { type: string; code?: number }[] = [];
    let done = false;
    await new k8s.Watch(kc).watch(
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      { resourceVersion: oldRv },
      (type, obj) => got.push({ type, code: obj?.code }),
      () => {
        done = true;
      },
    );
    await new Promise((r) => setTimeout(r, 50));
    await apps.patchNamespacedDeployment(
      { name: 'mistral', namespace: NS, body: { metadata: { labels: { bump: '1' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    server.expireWatches();
    await until(() => done);
    expect(got.at(-1)).toEqual({ type: 'ERROR', code: 410 });

    // a watch from before the compaction gets an ERROR 410 event, as from the watch cache
    const stale = await fetch(`${server.url}${DEPLOY_PATH}?watch=1&resourceVersion=${oldRv}`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const ev = JSON.parse((await stale.text()).trim());
    expect(ev).toMatchObject({ type: 'ERROR', object: { kind: 'Status', reason: 'Expired', code: 410 } });
    // ... and so does a list
    const staleList = await call(server, 'GET', `${DEPLOY_PATH}?resourceVersion=${oldRv}`);
    expect(staleList.status).toBe(410);
    expect(staleList.body.reason).toBe('Expired');
    // a fresh list and a watch from it work again
    const fresh = await apps.listNamespacedDeployment({ namespace: NS });
    const w = await fetch(
      `${server.url}${DEPLOY_PATH}?watch=1&resourceVersion=${fresh.metadata!.resourceVersion}&timeoutSeconds=1`,
      { headers: { authorization: `Bearer ${server.token}` } },
    );
    expect(w.status).toBe(200);
    expect((await w.text()).trim()).toBe('');
  });

  it('answers SelfSubjectAccessReviews from the access rules and forbids the real request with the real wording', async () => {
    server.setAccessRules([
      {
        allow: false,
        verbs: ['patch', 'update'],
        apiGroups: ['apps'],
        resources: ['deployments'],
        namespaces: [NS],
        names: ['llama'],
      },
      {
        allow: true,
        verbs: ['get', 'list', 'watch', 'patch'],
        apiGroups: ['apps'],
        resources: ['deployments', 'replicasets'],
        namespaces: [NS],
      },
      {
        allow: true,
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews'],
      },
    ]);
    try {
      const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
      const review = async (verb: string, name?: string, namespace = NS): Promise<boolean> =>
        (
          await authz.createSelfSubjectAccessReview({
            body: {
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'SelfSubjectAccessReview',
              spec: { resourceAttributes: { namespace, verb, group: 'apps', resource: 'deployments', name } },
            },
          })
        ).status!.allowed;
      expect(await review('patch', 'mistral')).toBe(true);
      expect(await review('patch', 'llama')).toBe(false);
      expect(await review('delete', 'mistral')).toBe(false);
      expect(await review('list', undefined, 'other')).toBe(false);

      const denied = await call(
        server,
        'PATCH',
        `${DEPLOY_PATH}/llama`,
        { spec: { replicas: 1 } },
        'application/merge-patch+json',
      );
      expect(denied.status).toBe(403);
      expect(denied.body).toMatchObject({
        kind: 'Status',
        reason: 'Forbidden',
        code: 403,
        details: { name: 'llama', group: 'apps', kind: 'deployments' },
      });
      expect(denied.body.message).toBe(
        'deployments.apps "llama" is forbidden: User "sandbox-admin" cannot patch resource "deployments" in API group "apps" in the namespace "llm"',
      );
      const list = await call(server, 'GET', '/api/v1/namespaces/llm/pods');
      expect(list.body.message).toBe(
        'pods is forbidden: User "sandbox-admin" cannot list resource "pods" in API group "" in the namespace "llm"',
      );
      const scale = await call(server, 'GET', `${DEPLOY_PATH}/mistral/scale`);
      expect(scale.status).toBe(403);
      expect(scale.body.message).toContain('cannot get resource "deployments/scale"');
      expect(
        (
          await call(
            server,
            'PATCH',
            `${DEPLOY_PATH}/mistral`,
            { metadata: { labels: { ok: 'yes' } } },
            'application/merge-patch+json',
          )
        ).status,
      ).toBe(200);
    } finally {
      server.setAccessRules([]);
    }
  });

  it('answers injected failures, then recovers', async () => {
    server.injectFailures({
      status: 500,
      count: 2,
      match: (method, path) => method === 'GET' && path.endsWith('/deployments'),
    });
    expect((await call(server, 'GET', `${DEPLOY_PATH}/mistral`)).status).toBe(200); // not matched
    const first = await call(server, 'GET', DEPLOY_PATH);
    expect(first.status).toBe(500);
    expect(first.body).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    await expect(apps.listNamespacedDeployment({ namespace: NS })).rejects.toMatchObject({ code: 500 });
    expect((await apps.listNamespacedDeployment({ namespace: NS })).items.length).toBeGreaterThan(0);
    server.injectFailures({ status: 429, count: 1 });
    const busy = await fetch(`${server.url}${DEPLOY_PATH}`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('1');
  });

  it('keeps Deployment revision history in ReplicaSets exactly as the deployment controller does', async () => {
    const s = await startKubeApiServer({
      readyDelayMs: 0,
      objects: [
        deployment('web', 'nginx:1.25', 2, { annotations: { 'kubernetes.io/change-cause': 'first' } }),
      ],
    });
    try {
      const rsOf = (): KubeObject[] => s.store.list('apps/v1', 'ReplicaSet', NS);
      const rev = (o: KubeObject | undefined): string | undefined =>
        o?.metadata.annotations?.['deployment.kubernetes.io/revision'];
      const [rs1] = rsOf();
      expect(rs1!.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
      const hash = rs1!.metadata.labels!['pod-template-hash'];
      expect(rs1!.metadata.name).toBe(`web-${hash}`);
      expect((rs1 as Json).spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
      expect(rs1!.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'Deployment',
        name: 'web',
        controller: true,
        uid: s.store.get('apps/v1', 'Deployment', NS, 'web')!.metadata.uid,
      });
      expect(rs1!.metadata.annotations).toMatchObject({
        'deployment.kubernetes.io/revision': '1',
        'deployment.kubernetes.io/desired-replicas': '2',
        'deployment.kubernetes.io/max-replicas': '3',
        'kubernetes.io/change-cause': 'first',
      });
      const pods = s.store.list('v1', 'Pod', NS);
      expect(pods.map((p) => p.metadata.name)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`)),
        ]),
      );
      expect(pods).toHaveLength(2);
      const d1 = s.store.get('apps/v1', 'Deployment', NS, 'web') as Json;
      expect(d1.status).toMatchObject({
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
      });
      expect(d1.status.conditions).toEqual([
        expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }),
        expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }),
      ]);
      expect(rev(d1)).toBe('1');

      // a template change: revision 2, old ReplicaSet scaled to 0, events on the Deployment
      const c2 = await call(
        s,
        'PATCH',
        `${DEPLOY_PATH}/web`,
        {
          metadata: { annotations: { 'kubernetes.io/change-cause': 'second' } },
          spec: { template: { spec: { containers: [{ name: 'server', image: 'nginx:1.26' }] } } },
        },
        'application/strategic-merge-patch+json',
      );
      expect(c2.status).toBe(200);
      const rs2 = rsOf().find((r) => r.metadata.name !== rs1!.metadata.name)!;
      expect(rev(rs2)).toBe('2');
      expect(rs2.metadata.annotations?.['kubernetes.io/change-cause']).toBe('second');
      expect(rsOf().find((r) => r.metadata.name === rs1!.metadata.name)).toMatchObject({
        spec: { replicas: 0 },
      });
      expect(rev(s.store.get('apps/v1', 'Deployment', NS, 'web'))).toBe('2');
      const events = s.store
        .list('v1', 'Event', NS)
        .filter((e) => (e as Json).involvedObject.kind === 'Deployment');
      expect(events.map((e) => (e as Json).message)).toEqual(
        expect.arrayContaining([
          `Scaled up replica set ${rs2.metadata.name} to 2 from 0`,
          `Scaled down replica set ${rs1!.metadata.name} to 0 from 2`,
        ]),
      );
      expect(events.every((e) => (e as Json).reason === 'ScalingReplicaSet')).toBe(true);

      // what kubectl rollout undo sends: the old template back: the old ReplicaSet is reused and becomes revision 3
      const d = (await call(s, 'GET', `${DEPLOY_PATH}/web`)).body;
      const tpl = JSON.parse(JSON.stringify((rs1 as Json).spec.template));
      delete tpl.metadata.labels['pod-template-hash'];
      const undo = await call(
        s,
        'PATCH',
        `${DEPLOY_PATH}/web`,
        [
          { op: 'test', path: '/metadata/resourceVersion', value: d.metadata.resourceVersion },
          { op: 'replace', path: '/spec/template', value: tpl },
          {
            op: 'replace',
            path: '/metadata/annotations',
            value: { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'first' },
          },
        ],
        'application/json-patch+json',
      );
      expect(undo.status).toBe(200);
      expect(rsOf()).toHaveLength(2);
      const restored = rsOf().find((r) => r.metadata.uid === rs1!.metadata.uid)!;
      expect(restored.metadata.annotations).toMatchObject({
        'deployment.kubernetes.io/revision': '3',
        'deployment.kubernetes.io/revision-history': '1',
        'kubernetes.io/change-cause': 'first',
      });
      expect(restored).toMatchObject({ spec: { replicas: 2 } });
      expect(rev(s.store.get('apps/v1', 'Deployment', NS, 'web'))).toBe('3');

      // paused: a template change makes no ReplicaSet
      await call(
        s,
        'PATCH',
        `${DEPLOY_PATH}/web`,
        { spec: { paused: true } },
        'application/merge-patch+json',
      );
      await call(
        s,
        'PATCH',
        `${DEPLOY_PATH}/web`,
        { spec: { template: { spec: { containers: [{ name: 'server', image: 'nginx:1.27' }] } } } },
        'application/strategic-merge-patch+json',
      );
      expect(rsOf()).toHaveLength(2);
      const paused = s.store.get('apps/v1', 'Deployment', NS, 'web') as Json;
      expect(paused.status.conditions.find((c: Json) => c.type === 'Progressing')?.reason).toBe(
        'DeploymentPaused',
      );
      await call(
        s,
        'PATCH',
        `${DEPLOY_PATH}/web`,
        { spec: { paused: false } },
        'application/merge-patch+json',
      );
      expect(rsOf()).toHaveLength(3);
      expect(rev(s.store.get('apps/v1', 'Deployment', NS, 'web'))).toBe('4');

      // deleting the Deployment collects its ReplicaSets and Pods
      await call(s, 'DELETE', `${DEPLOY_PATH}/web`);
      expect(rsOf()).toHaveLength(0);
      expect(s.store.list('v1', 'Pod', NS)).toHaveLength(0);
    } finally {
      await s.stop();
    }
  });

  it('makes new pods ready after readyDelayMs, so rollouts take visible time', async () => {
    const s = await startKubeApiServer({ readyDelayMs: 150, objects: [deployment('slow', 'img:1', 2)] });
    try {
      const d0 = s.store.get('apps/v1', 'Deployment', NS, 'slow') as Json;
      expect(d0.status.updatedReplicas).toBe(2);
      expect(d0.status.availableReplicas).toBeUndefined();
      const p = s.store.list('v1', 'Pod', NS)[0] as Json;
      expect(p.status.phase).toBe('Running');
      expect(p.status.conditions.find((c: Json) => c.type === 'Ready')?.status).toBe('False');
      await until(
        () => (s.store.get('apps/v1', 'Deployment', NS, 'slow') as Json).status.availableReplicas === 2,
        3000,
      );
      const ready = s.store.list('v1', 'Pod', NS)[0] as Json;
      expect(ready.status.conditions.find((c: Json) => c.type === 'Ready')?.status).toBe('True');
      expect(ready.status.containerStatuses[0]).toMatchObject({ ready: true, restartCount: 0 });
    } finally {
      await s.stop();
    }
  });

  it('serves status and scale subresources, keeps generation for status writes, records managedFields', async () => {
    const path = `${DEPLOY_PATH}/mistral`;
    const before = (await call(server, 'GET', path)).body;
    const st = await call(
      server,
      'PATCH',
      `${path}/status?fieldManager=probe`,
      { status: { observedGeneration: 99 }, spec: { replicas: 7 } },
      'application/merge-patch+json',
    );
    expect(st.status).toBe(200);
    expect(st.body.spec.replicas).toBe(before.spec.replicas); // status writes only status
    expect(st.body.metadata.generation).toBe(before.metadata.generation);
    expect(
      st.body.metadata.managedFields.find((m: { manager: string }) => m.manager === 'probe'),
    ).toMatchObject({ operation: 'Update', subresource: 'status' });
    // a main-resource write ignores status
    const main = await call(
      server,
      'PATCH',
      path,
      { status: { replicas: 100 } },
      'application/merge-patch+json',
    );
    expect(main.body.status.replicas).not.toBe(100);

    const scale = await call(server, 'GET', `${path}/scale`);
    expect(scale.body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 1 },
      status: { selector: 'app=mistral' },
    });
    const scaled = await call(
      server,
      'PATCH',
      `${path}/scale`,
      { spec: { replicas: 3 } },
      'application/merge-patch+json',
    );
    expect(scaled.body.spec.replicas).toBe(3);
    const after = (await call(server, 'GET', path)).body;
    expect(after.spec.replicas).toBe(3);
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    // the controller has written since (status, annotations): the Scale from before is stale now
    expect(
      (await call(server, 'PUT', `${path}/scale`, { ...scaled.body, spec: { replicas: 1 } })).status,
    ).toBe(409);
    const fresh = await call(server, 'GET', `${path}/scale`);
    const put = await call(server, 'PUT', `${path}/scale`, { ...fresh.body, spec: { replicas: 1 } });
    expect(put.status).toBe(200);
    expect(
      server.store.list('v1', 'Pod', NS).filter((p) => p.metadata.labels?.app === 'mistral'),
    ).toHaveLength(1);
  });

  it('keeps StatefulSet history in ControllerRevisions', async () => {
    const s = await startKubeApiServer({
      readyDelayMs: 0,
      objects: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'vec', namespace: NS },
          spec: {
            replicas: 2,
            serviceName: 'vec',
            selector: { matchLabels: { app: 'vec' } },
            template: {
              metadata: { labels: { app: 'vec' } },
              spec: { containers: [{ name: 'db', image: 'qdrant:1.9' }] },
            },
          },
        },
      ],
    });
    try {
      const crs = (): Json[] => s.store.list('apps/v1', 'ControllerRevision', NS);
      expect(crs()).toHaveLength(1);
      expect(crs()[0]).toMatchObject({
        revision: 1,
        metadata: { labels: { app: 'vec' } },
        data: { spec: { template: { $patch: 'replace' } } },
      });
      expect(s.store.list('v1', 'Pod', NS).map((p) => p.metadata.name)).toEqual(['vec-0', 'vec-1']);
      const first = crs()[0]!;
      await call(
        s,
        'PATCH',
        `/apis/apps/v1/namespaces/${NS}/statefulsets/vec`,
        { spec: { template: { spec: { containers: [{ name: 'db', image: 'qdrant:1.10' }] } } } },
        'application/strategic-merge-patch+json',
      );
      expect(
        crs()
          .map((c) => c.revision)
          .sort(),
      ).toEqual([1, 2]);
      const sts = s.store.get('apps/v1', 'StatefulSet', NS, 'vec') as Json;
      expect(sts.status.updateRevision).toBe(crs().find((c) => c.revision === 2)!.metadata.name);
      expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
      // rolling back = sending revision 1's data as a strategic merge patch: revision 1 becomes 3
      const back = await call(
        s,
        'PATCH',
        `/apis/apps/v1/namespaces/${NS}/statefulsets/vec`,
        first.data,
        'application/strategic-merge-patch+json',
      );
      expect(back.status).toBe(200);
      expect(crs().find((c) => c.metadata.name === first.metadata.name)?.revision).toBe(3);
      expect(
        s.store
          .list('v1', 'Pod', NS)
          .every((p) => p.metadata.labels?.['controller-revision-hash'] === first.metadata.name),
      ).toBe(true);
    } finally {
      await s.stop();
    }
  });

  it('sets HTTPRoute status: Accepted, and ResolvedRefs following the Services that exist', async () => {
    server.store.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'llama', namespace: NS },
      spec: { selector: { app: 'llama' }, ports: [{ port: 80 }] },
    });
    const route = server.store.apply({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'llama', namespace: NS },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [
          {
            backendRefs: [
              { name: 'llama', port: 80, weight: 90 },
              { name: 'llama-fallback', port: 80, weight: 10 },
            ],
          },
        ],
      },
    });
    const conds = (o: KubeObject): Record<string, string> =>
      Object.fromEntries(
        (o as Json).status.parents[0].conditions.map((c: Json) => [c.type, `${c.status}/${c.reason}`]),
      );
    expect(conds(route)).toEqual({ Accepted: 'True/Accepted', ResolvedRefs: 'False/BackendNotFound' });
    server.store.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'llama-fallback', namespace: NS },
      spec: { selector: { app: 'llama-fb' }, ports: [{ port: 80 }] },
    });
    expect(conds(server.store.get('gateway.networking.k8s.io/v1', 'HTTPRoute', NS, 'llama')!)).toEqual({
      Accepted: 'True/Accepted',
      ResolvedRefs: 'True/ResolvedRefs',
    });
    const bad = await call(
      server,
      'PATCH',
      `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/httproutes/llama`,
      { spec: { rules: [{ backendRefs: [{ name: 'llama', weight: 2000000 }] }] } },
      'application/merge-patch+json',
    );
    expect(bad.status).toBe(422);
    const vs = await call(server, 'POST', `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'v' },
      spec: {
        http: [
          {
            route: [
              { destination: { host: 'a' }, weight: 60 },
              { destination: { host: 'b' }, weight: 30 },
            ],
          },
        ],
      },
    });
    expect(vs.status).toBe(400);
    expect(vs.body.message).toContain('total destination weight 90 != 100');
  });

  it('answers server-side Tables when asked, and plain JSON otherwise', async () => {
    const accept =
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const t = await call(server, 'GET', DEPLOY_PATH, undefined, undefined, { accept });
    expect(t.body.kind).toBe('Table');
    expect(
      t.body.columnDefinitions
        .filter((c: { priority: number }) => c.priority === 0)
        .map((c: { name: string }) => c.name),
    ).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    const row = t.body.rows.find((r: { cells: unknown[] }) => r.cells[0] === 'llama');
    expect(row.cells[1]).toMatch(/^\d+\/\d+$/);
    expect(row.object).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { name: 'llama', namespace: NS },
    });
    const pods = await call(server, 'GET', `/api/v1/namespaces/${NS}/pods/worker-a`, undefined, undefined, {
      accept,
    });
    expect(pods.body.columnDefinitions.slice(0, 5).map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    expect(pods.body.rows[0].cells.slice(0, 4)).toEqual(['worker-a', '0/1', 'Running', '0']);
    const plain = await call(server, 'GET', DEPLOY_PATH);
    expect(plain.body.kind).toBe('DeploymentList');
  });

  it('records every request except discovery', async () => {
    server.clearRequests();
    await call(server, 'GET', '/apis/apps/v1');
    await call(
      server,
      'PATCH',
      `${DEPLOY_PATH}/mistral?fieldManager=rec`,
      { metadata: { labels: { rec: '1' } } },
      'application/merge-patch+json',
    );
    expect(server.requests).toEqual([
      {
        method: 'PATCH',
        path: `${DEPLOY_PATH}/mistral`,
        query: { fieldManager: 'rec' },
        contentType: 'application/merge-patch+json',
        body: { metadata: { labels: { rec: '1' } } },
        status: 200,
      },
    ]);
  });

  it('serves Nodes, and Events through events.k8s.io/v1 too (the same objects, list and watch, read-only)', async () => {
    const s = await startKubeApiServer({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'gpu-a', labels: { 'nvidia.com/gpu.count': '8' } },
          spec: { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
          status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
        },
      ],
      controllers: false,
    });
    try {
      const nodes = await call(s, 'GET', '/api/v1/nodes');
      expect(nodes.status).toBe(200);
      expect((nodes.body as Json).items.map((n: Json) => n.metadata.name)).toEqual(['gpu-a']);
      const groups = (await call(s, 'GET', '/apis')).body as Json;
      expect(groups.groups.map((g: Json) => g.name)).toContain('events.k8s.io');
      const warning = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web-1.17c0', namespace: NS },
        involvedObject: { kind: 'Pod', namespace: NS, name: 'web-1', uid: 'p1' },
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        type: 'Warning',
        count: 4,
        firstTimestamp: '2026-10-14T17:00:00Z',
        lastTimestamp: '2026-10-14T17:05:00Z',
        source: { component: 'kubelet' },
      };
      const made = await call(s, 'POST', `/api/v1/namespaces/${NS}/events`, warning);
      expect(made.status).toBe(201);
      const uid = (made.body as Json).metadata.uid;
      const list = await call(s, 'GET', '/apis/events.k8s.io/v1/events?fieldSelector=type%3DWarning');
      expect(list.status).toBe(200);
      expect((list.body as Json).items).toEqual([
        expect.objectContaining({
          apiVersion: 'events.k8s.io/v1',
          metadata: expect.objectContaining({ name: 'web-1.17c0', uid }),
          regarding: warning.involvedObject,
          note: warning.message,
          reportingController: 'kubelet',
          deprecatedCount: 4,
          deprecatedFirstTimestamp: warning.firstTimestamp,
          eventTime: null,
        }),
      ]);
      const one = await call(s, 'GET', `/apis/events.k8s.io/v1/namespaces/${NS}/events/web-1.17c0`);
      expect((one.body as Json).note).toBe(warning.message);
      expect(
        (await call(s, 'GET', '/apis/events.k8s.io/v1/events?fieldSelector=regarding.name%3Dweb-2')).body,
      ).toMatchObject({ items: [] });
      // writes go through core/v1; a watch on events.k8s.io/v1 sees them in its own shape
      const rv = (list.body as Json).metadata.resourceVersion;
      const ctl = new AbortController();
      const res = await fetch(`${s.url}/apis/events.k8s.io/v1/events?watch=1&resourceVersion=${rv}`, {
        headers: { authorization: `Bearer ${s.token}` },
        signal: ctl.signal,
      });
      const reader = res.body!.getReader();
      const patched = await call(
        s,
        'PATCH',
        `/api/v1/namespaces/${NS}/events/web-1.17c0`,
        { count: 5 },
        'application/merge-patch+json',
      );
      expect(patched.status).toBe(200);
      const { value } = await reader.read();
      const ev = JSON.parse(new TextDecoder().decode(value).split('\n')[0]!) as Json;
      expect(ev).toMatchObject({ type: 'MODIFIED', object: { deprecatedCount: 5, metadata: { uid } } });
      ctl.abort();
      expect((await call(s, 'POST', `/apis/events.k8s.io/v1/namespaces/${NS}/events`, {})).status).toBe(405);
    } finally {
      await s.stop();
    }
  });

  it('loads 30,000 objects quickly', async () => {
    const objects: KubeObject[] = [];
    for (let d = 0; d < 3000; d++) {
      const ns = `team-${d % 20}`;
      const name = `model-${d}`;
      const uid = `00000000-0000-4000-8000-${String(d).padStart(12, '0')}`;
      const tpl = (image: string): Record<string, unknown> => ({
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'server', image }] },
      });
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: ns, uid },
        spec: { replicas: 7, selector: { matchLabels: { app: name } }, template: tpl('img:2') },
      });
      for (let r = 0; r < 2; r++) {
        objects.push({
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name: `${name}-${r}`,
            namespace: ns,
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid, controller: true }],
          },
          spec: {
            replicas: r ? 7 : 0,
            selector: { matchLabels: { app: name } },
            template: tpl(`img:${r + 1}`),
          },
        });
      }
    }
    for (let p = 0; p < 21000; p++)
      objects.push(pod(`pod-${p}`, { app: `model-${p % 3000}` }, `team-${p % 20}`));
    // CPU time, not wall time: the 2-core test machine is often busy with other suites
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const s = await startKubeApiServer({ objects, controllers: false });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(
      `loaded ${objects.length} objects in ${Math.round(wallMs)} ms wall, ${Math.round(cpuMs)} ms CPU`,
    );
    try {
      expect(cpuMs).toBeLessThan(2000);
      const res = await fetch(`${s.url}/api/v1/pods?limit=500`, {
        headers: { authorization: `Bearer ${s.token}` },
      });
      const page = (await res.json()) as { items: unknown[]; metadata: { remainingItemCount: number } };
      expect(page.items).toHaveLength(500);
      expect(page.metadata.remainingItemCount).toBe(20500);
    } finally {
      await s.stop();
    }
  });
});
