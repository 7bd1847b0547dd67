/**
 * The action pipeline against the Kubernetes API test server seeded with the sandbox scenario:
 * rollback (and its fidelity to `kubectl rollout undo`), traffic shifts, conflicts, permissions, a paused
 * Deployment, a failing API server — each through the same channels the console uses.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi } from '../../main/api';
import { AppError, type AppErrorData } from '../../shared/errors';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/contract';
import { seedKube } from '../harness';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../harness/kube';
import { createScenario } from '../harness/scenario';

const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface Cluster {
  kube: KubeApiServer;
  kubeconfig: string;
  call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  close(): Promise<void>;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-actions-'));
const scenario = createScenario({ historyHours: 1 });
let n = 0;

async function startCluster(opts: { jsonPatchTestFailureStatus?: 409 | 422 } = {}): Promise<Cluster> {
  const kube = await startKubeApiServer({ readyDelayMs: 30, ...opts });
  await seedKube(kube, scenario);
  const sub = path.join(dir, `c${n++}`);
  fs.mkdirSync(sub);
  const kubeconfig = kube.writeKubeconfig(path.join(sub, 'kubeconfig'), { contextName: 'sandbox' });
  const api = await createAppApi({
    storePath: path.join(sub, 'store.sqlite'),
    transport: 'memory',
    version: 'test',
    env: { KUBECONFIG: kubeconfig },
    checkOutputs: true,
    effectTimeoutMs: 20_000,
  });
  return {
    kube,
    kubeconfig,
    async call(channel, input) {
      const r = await api.dispatcher.invoke(channel, input);
      if (!r.ok) throw AppError.from(r.error as AppErrorData);
      return r.value as ChannelOutput<typeof channel>;
    },
    async close() {
      await api.close();
      await kube.stop();
    },
  };
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a typed failure');
}

const llama = { kind: 'Deployment' as const, namespace: 'llm', name: 'llama-70b-chat' };
const image = (kube: KubeApiServer) =>
  (
    kube.store.get('apps/v1', 'Deployment', 'llm', 'llama-70b-chat') as unknown as {
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    }
  ).spec.template.spec.containers[0]?.image;

let c: Cluster;
beforeAll(async () => {
  c = await startCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('revision history', () => {
  it('lists the incident’s revisions with images, change-causes and env names only', async () => {
    const history = await c.call('models.history', { target: llama });
    expect(history.revisions.map((r) => [r.revision, r.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(history.revisions[0]?.containers[0]?.image).toBe(scenario.incident.badImage);
    expect(history.revisions[1]?.containers[0]?.image).toBe(scenario.incident.goodImage);
    expect(history.revisions[0]?.changeCause).toBeTruthy();
  });
});

describe('rollback through the pipeline', () => {
  it('previews without writing, refuses a wrong confirmation, then rolls back, watches, audits', async () => {
    const rvBefore = c.kube.store.get('apps/v1', 'Deployment', 'llm', 'llama-70b-chat')?.metadata
      .resourceVersion;
    const plan = await c.call('actions.prepare', { request: { type: 'rollback', target: llama } });
    expect(plan.summary).toBe('Roll back Deployment llm/llama-70b-chat from revision 2 to revision 1');
    expect(plan.permission.allowed).toBe(true);
    expect(plan.dryRun.ok).toBe(true);
    expect(plan.diff).toContainEqual(
      expect.objectContaining({
        path: '/spec/template/spec/containers/0/image',
        before: scenario.incident.badImage,
        after: scenario.incident.goodImage,
      }),
    );
    expect(plan.confirmPhrase).toBe('llama-70b-chat');
    expect(c.kube.store.get('apps/v1', 'Deployment', 'llm', 'llama-70b-chat')?.metadata.resourceVersion).toBe(
      rvBefore,
    );

    expect((await failure(c.call('actions.execute', { id: plan.id, confirm: 'llama' }))).code).toBe(
      'ACTION_REFUSED',
    );
    const outcome = await c.call('actions.execute', { id: plan.id, confirm: 'llama-70b-chat' });
    expect(outcome).toMatchObject({
      status: 'done',
      message: 'deployment "llama-70b-chat" successfully rolled out',
    });
    expect(image(c.kube)).toBe(scenario.incident.goodImage);

    const patch = c.kube.requests.find(
      (r) => r.method === 'PATCH' && r.path.endsWith('/deployments/llama-70b-chat') && !r.query.dryRun,
    );
    expect(patch?.contentType).toContain('application/json-patch+json');
    expect(patch?.query.fieldManager).toBe('firebreak');
    expect((patch?.body as Array<{ op: string }>)[0]).toEqual({
      op: 'test',
      path: '/metadata/resourceVersion',
      value: rvBefore,
    });

    const [entry] = await c.call('audit.list', { limit: 1 });
    expect(entry).toMatchObject({ action: 'rollback', result: 'done' });
    expect(entry?.target).toMatch(/^Deployment llm\/llama-70b-chat uid=\S+/);
    expect((await c.call('audit.verify', {})).ok).toBe(true);

    // now at revision 3 (the restored template): rolling back "to 3" is a plain answer, not a crash
    const again = await c.call('actions.prepare', {
      request: { type: 'rollback', target: llama, toRevision: 3 },
    });
    expect(again.noop).toBe('skipped rollback (current template already matches revision 3)');
  });

  it('a concurrent edit between preview and confirm is a conflict: nothing overwritten, a new preview', async () => {
    const plan = await c.call('actions.prepare', { request: { type: 'rollback', target: llama } });
    const current = structuredClone(
      c.kube.store.get('apps/v1', 'Deployment', 'llm', 'llama-70b-chat'),
    ) as KubeObject;
    current.metadata.annotations = { ...current.metadata.annotations, 'oncall.example/note': 'someone else' };
    c.kube.store.apply(current);
    const outcome = await c.call('actions.execute', { id: plan.id, confirm: 'llama-70b-chat' });
    expect(outcome.status).toBe('conflict');
    expect(outcome.replanned?.target.resourceVersion).not.toBe(plan.target.resourceVersion);
    expect(
      c.kube.store.get('apps/v1', 'Deployment', 'llm', 'llama-70b-chat')?.metadata.annotations?.[
        'oncall.example/note'
      ],
    ).toBe('someone else');
  });

  it('a paused Deployment and a revision not in history are plain refusals', async () => {
    expect(
      (
        await failure(
          c.call('actions.prepare', { request: { type: 'rollback', target: llama, toRevision: 99 } }),
        )
      ).message,
    ).toBe('unable to find specified revision 99 in history');
    const d = structuredClone(
      c.kube.store.get('apps/v1', 'Deployment', 'llm', 'llama-8b-chat'),
    ) as KubeObject & { spec: { paused?: boolean } };
    d.spec.paused = true;
    c.kube.store.apply(d);
    const err = await failure(
      c.call('actions.prepare', {
        request: { type: 'rollback', target: { ...llama, name: 'llama-8b-chat' } },
      }),
    );
    expect(err.code).toBe('ACTION_REFUSED');
    expect(err.message).toMatch(/paused/);
  });

  it('without permission the preview says why and the write is refused', async () => {
    c.kube.setAccessRules([
      {
        allow: false,
        verbs: ['patch'],
        apiGroups: ['apps'],
        resources: ['deployments'],
        namespaces: ['llm'],
      },
      { allow: true, verbs: '*', apiGroups: '*', resources: '*' },
    ]);
    try {
      const plan = await c.call('actions.prepare', {
        request: { type: 'scale', target: llama, replicas: 5 },
      });
      expect(plan.permission.allowed).toBe(false);
      expect(plan.permission.reason).toMatch(/may not patch deployments/);
      expect(
        (await failure(c.call('actions.execute', { id: plan.id, confirm: 'llama-70b-chat' }))).code,
      ).toBe('PERMISSION_DENIED');
    } finally {
      c.kube.setAccessRules([]);
    }
  });

  it('an API server answering 500 gives a typed error, then recovers', async () => {
    c.kube.injectFailures({ status: 500, count: 1 });
    const err = await failure(c.call('models.history', { target: llama }));
    expect(err.code).toBe('CLUSTER_ERROR');
    expect(err.message).toMatch(/500/);
    expect((await c.call('models.history', { target: llama })).revisions.length).toBeGreaterThan(0);
  });
});

describe('fallback routing', () => {
  it('shows the split, refuses all-zero, moves traffic and waits for the gateway to accept it', async () => {
    const routes = await c.call('traffic.routes', {});
    const chat = routes.find((r) => r.name === 'chat');
    expect(chat?.rules[0]?.map((b) => [b.name, b.weight])).toEqual([
      ['llama-70b-chat', 100],
      ['llama-8b-chat', 0],
    ]);
    const route = { kind: 'HTTPRoute' as const, namespace: 'llm', name: 'chat' };
    const zero = await failure(
      c.call('actions.prepare', {
        request: { type: 'traffic', route, rule: 0, weights: { 'llama-70b-chat': 0, 'llama-8b-chat': 0 } },
      }),
    );
    expect(zero.code).toBe('ACTION_REFUSED');
    const plan = await c.call('actions.prepare', {
      request: { type: 'traffic', route, rule: 0, weights: { 'llama-70b-chat': 0, 'llama-8b-chat': 100 } },
    });
    expect(plan.summary).toBe('Route HTTPRoute llm/chat: llama-70b-chat 0%, llama-8b-chat 100%');
    const outcome = await c.call('actions.execute', { id: plan.id, confirm: 'chat' });
    expect(outcome).toMatchObject({ status: 'done', message: 'Accepted by the gateway' });
    const after = (await c.call('traffic.routes', {})).find((r) => r.name === 'chat');
    expect(after?.rules[0]?.map((b) => b.weight)).toEqual([0, 100]);
    const audit = await c.call('audit.list', { limit: 10 });
    expect(audit.find((e) => e.action === 'traffic')?.target).toMatch(/^HTTPRoute llm\/chat uid=/);
  });
});

describe('Knative traffic', () => {
  it('moves a Knative Service’s traffic between revisions and waits until the Service is Ready', async () => {
    c.kube.store.apply({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'embedder', namespace: 'search' },
      spec: {
        template: { spec: { containers: [{ image: 'ghcr.io/example/embedder:2' }] } },
        traffic: [
          { latestRevision: true, percent: 100 },
          { revisionName: 'embedder-00001', percent: 0, tag: 'previous' },
        ],
      },
    } as unknown as KubeObject);
    const routes = await c.call('traffic.routes', {});
    const ksvc = routes.find((r) => r.kind === 'KnativeService' && r.name === 'embedder');
    expect(ksvc?.rules[0]?.map((b) => [b.name, b.weight])).toEqual([
      ['@latest', 100],
      ['embedder-00001', 0],
    ]);
    expect(ksvc?.conditions.find((x) => x.type === 'Ready')?.status).toBe('True');
    const route = { kind: 'KnativeService' as const, namespace: 'search', name: 'embedder' };
    // percents must sum to 100 (Knative's own webhook would refuse it; Firebreak refuses it first)
    const partial = await failure(
      c.call('actions.prepare', { request: { type: 'traffic', route, rule: 0, weights: { '@latest': 50 } } }),
    );
    expect(partial.message).toMatch(/Knative traffic percents must sum to 100/);
    const plan = await c.call('actions.prepare', {
      request: { type: 'traffic', route, rule: 0, weights: { '@latest': 0, 'embedder-00001': 100 } },
    });
    expect(plan.dryRun.ok).toBe(true);
    expect(plan.diff.map((d) => [d.path, d.before, d.after])).toEqual(
      expect.arrayContaining([
        ['/spec/traffic/0/percent', '100', '0'],
        ['/spec/traffic/1/percent', '0', '100'],
      ]),
    );
    const outcome = await c.call('actions.execute', { id: plan.id, confirm: 'embedder' });
    expect(outcome).toMatchObject({ status: 'done', message: 'Ready: Knative routes the new split' });
    const written = c.kube.store.get(
      'serving.knative.dev/v1',
      'Service',
      'search',
      'embedder',
    ) as unknown as {
      spec: { traffic: Array<{ percent: number }> };
      status: { traffic: Array<{ revisionName: string; percent: number }> };
    };
    expect(written.spec.traffic.map((t) => t.percent)).toEqual([0, 100]);
    expect(written.status.traffic).toEqual([
      expect.objectContaining({ revisionName: 'embedder-00001', latestRevision: true, percent: 0 }),
      expect.objectContaining({ revisionName: 'embedder-00001', percent: 100 }),
    ]);
    const patch = c.kube.requests.findLast(
      (r) => r.method === 'PATCH' && r.path.includes('/services/embedder'),
    );
    expect(patch?.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ op: 'test', path: '/metadata/resourceVersion' })]),
    );
    const audit = await c.call('audit.list', { limit: 5 });
    expect(audit[0]).toMatchObject({ action: 'traffic', result: 'done' });
    expect(audit[0]?.target).toMatch(/^KnativeService search\/embedder uid=/);
  });
});

describe('a real API server’s 422 for a failed test op', () => {
  it('is recognised as a conflict', async () => {
    const other = await startCluster({ jsonPatchTestFailureStatus: 422 });
    try {
      const plan = await other.call('actions.prepare', { request: { type: 'rollback', target: llama } });
      const d = structuredClone(
        other.kube.store.get('apps/v1', 'Deployment', 'llm', 'llama-70b-chat'),
      ) as KubeObject;
      d.metadata.labels = { ...d.metadata.labels, touched: 'yes' };
      other.kube.store.apply(d);
      expect((await other.call('actions.execute', { id: plan.id, confirm: 'llama-70b-chat' })).status).toBe(
        'conflict',
      );
    } finally {
      await other.close();
    }
  });
});

describe.skipIf(!hasKubectl)('fidelity to kubectl rollout undo', () => {
  it('sends kubectl’s patch plus the test op, and history reads the same afterwards', async () => {
    const viaKubectl = await startCluster();
    const viaFirebreak = await startCluster();
    try {
      // async: the API server runs in this process and must keep answering while kubectl waits
      const kubectl = async (cluster: Cluster, args: string[]) =>
        (
          await promisify(execFile)('kubectl', ['--kubeconfig', cluster.kubeconfig, ...args], {
            env: { ...process.env, KUBECACHEDIR: fs.mkdtempSync(path.join(dir, 'kcache-')) },
            encoding: 'utf8',
          })
        ).stdout;
      await kubectl(viaKubectl, ['-n', 'llm', 'rollout', 'undo', 'deploy/llama-70b-chat']);
      const plan = await viaFirebreak.call('actions.prepare', {
        request: { type: 'rollback', target: llama },
      });
      await viaFirebreak.call('actions.execute', { id: plan.id, confirm: 'llama-70b-chat' });

      const sent = (cl: Cluster) =>
        cl.kube.requests.find(
          (r) => r.method === 'PATCH' && r.path.endsWith('/deployments/llama-70b-chat') && !r.query.dryRun,
        );
      const theirs = sent(viaKubectl);
      const ours = sent(viaFirebreak);
      expect(theirs?.contentType).toContain('application/json-patch+json');
      expect(ours?.contentType).toContain('application/json-patch+json');
      const [test, ...rest] = ours?.body as Array<{ op: string }>;
      expect(test).toMatchObject({ op: 'test', path: '/metadata/resourceVersion' });
      expect(normalise(rest)).toEqual(normalise(theirs?.body));

      const history = (cl: Cluster) =>
        kubectl(cl, ['-n', 'llm', 'rollout', 'history', 'deploy/llama-70b-chat']);
      await new Promise((r) => setTimeout(r, 200));
      expect(await history(viaFirebreak)).toBe(await history(viaKubectl));
    } finally {
      await viaKubectl.close();
      await viaFirebreak.close();
    }
  });
});

/** Go's JSON for a pod template carries `creationTimestamp: null` and empty structs; compare meaning, not spelling. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const d = normalise(x);
      if (d === null || (typeof d === 'object' && d !== null && Object.keys(d).length === 0)) continue;
      out[k] = d;
    }
    return out;
  }
  return v;
}
