// Real kubectl against the Kubernetes API test server: what it prints must read as it does against a real cluster.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer, type KubeObject } from '../harness/kube';

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const KUBECTL = onPath('kubectl');
if (!KUBECTL) console.warn('kubectl-fidelity: kubectl is not on PATH, so these tests are skipped');

const NS = 'llm';

function deployment(name: string, image: string, replicas: number, changeCause: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: NS,
      labels: { app: name },
      annotations: { 'kubernetes.io/change-cause': changeCause },
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'server', image, ports: [{ containerPort: 8000 }] }] },
      },
    },
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** "REVISION  CHANGE-CAUSE" table rows -> [revision, change-cause] */
function historyRows(out: string): [string, string][] {
  const lines = out.split('\n');
  const head = lines.findIndex((l) => /^REVISION\s+CHANGE-CAUSE\s*$/.test(l));
  if (head < 0) return [];
  return lines
    .slice(head + 1)
    .filter((l) => l.trim())
    .map((l) => {
      const m = l.match(/^(\d+)\s+(.*?)\s*$/);
      return [m?.[1] ?? '', m?.[2] ?? ''];
    });
}

describe.skipIf(!KUBECTL)(
  `kubectl against the test API server${KUBECTL ? '' : ' (skipped: kubectl not on PATH)'}`,
  () => {
    let server: KubeApiServer;
    let dir: string;
    let kubeconfig: string;

    const kubectl = (...args: string[]): Promise<Run> =>
      new Promise((resolve) => {
        execFile(
          KUBECTL!,
          ['--kubeconfig', kubeconfig, ...args],
          {
            env: { ...process.env, KUBECACHEDIR: join(dir, 'cache'), KUBECONFIG: '', HOME: dir },
            timeout: 60_000,
          },
          (err, stdout, stderr) => {
            const code = err
              ? typeof (err as { code?: unknown }).code === 'number'
                ? (err as { code: number }).code
                : 1
              : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
      });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kubectl-fidelity-'));
      server = await startKubeApiServer({
        readyDelayMs: 300,
        objects: [
          deployment('web', 'nginx:1.25', 2, 'deploy nginx 1.25'),
          deployment('frozen', 'busybox:1.36', 1, 'frozen v1'),
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            metadata: { name: 'db', namespace: NS },
            spec: {
              replicas: 2,
              serviceName: 'db',
              selector: { matchLabels: { app: 'db' } },
              template: {
                metadata: { labels: { app: 'db' } },
                spec: { containers: [{ name: 'db', image: 'postgres:15' }] },
              },
            },
          },
        ],
      });
      kubeconfig = server.writeKubeconfig(join(dir, 'kubeconfig'), { namespace: NS });
      // let the first pods become ready
      await new Promise((r) => setTimeout(r, 400));
    });

    afterAll(async () => {
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('get deploy prints the server-side table with the READY column', async () => {
      const r = await kubectl('get', 'deploy', '-n', NS);
      expect(r.code, r.stderr).toBe(0);
      const [head, ...rows] = r.stdout.trim().split('\n');
      expect(head!.split(/\s+/)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      const web = rows.map((l) => l.split(/\s+/)).find((c) => c[0] === 'web');
      expect(web?.slice(0, 4)).toEqual(['web', '2/2', '2', '2']);
      expect(web?.[4]).toMatch(/^\d+s$/);

      const pods = await kubectl('get', 'pods', '-n', NS, '-l', 'app=web');
      expect(pods.stdout.split('\n')[0]!.split(/\s+/)).toEqual([
        'NAME',
        'READY',
        'STATUS',
        'RESTARTS',
        'AGE',
      ]);
      expect(pods.stdout).toMatch(/web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+/);
    });

    it('get deploy -o json prints the object', async () => {
      const r = await kubectl('get', 'deploy', 'web', '-n', NS, '-o', 'json');
      expect(r.code, r.stderr).toBe(0);
      const d = JSON.parse(r.stdout);
      expect(d).toMatchObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: NS, annotations: { 'deployment.kubernetes.io/revision': '1' } },
      });
      expect(d.status.conditions.map((c: { type: string }) => c.type)).toEqual(['Available', 'Progressing']);
    });

    it('rollout history, set image, rollout status, rollout undo: revisions as a real cluster keeps them', async () => {
      const h1 = await kubectl('rollout', 'history', 'deploy/web', '-n', NS);
      expect(h1.code, h1.stderr).toBe(0);
      expect(h1.stdout.split('\n')[0]!.trim()).toBe('deployment.apps/web');
      expect(historyRows(h1.stdout)).toEqual([['1', 'deploy nginx 1.25']]);

      server.clearRequests();
      const set = await kubectl('set', 'image', 'deploy/web', 'server=nginx:1.26', '-n', NS);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout.trim()).toBe('deployment.apps/web image updated');
      const smp = server.requests.find((r) => r.method === 'PATCH');
      expect(smp?.contentType).toBe('application/strategic-merge-patch+json');
      expect(smp?.query.fieldManager).toBe('kubectl-set');
      const ann = await kubectl(
        'annotate',
        'deploy/web',
        '-n',
        NS,
        '--overwrite',
        'kubernetes.io/change-cause=upgrade to nginx 1.26',
      );
      expect(ann.code, ann.stderr).toBe(0);

      const st = await kubectl('rollout', 'status', 'deploy/web', '-n', NS, '--timeout=30s');
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
      const watchReq = server.requests.find((r) => r.query.watch === 'true' || r.query.watch === '1');
      expect(watchReq?.query.fieldSelector).toBe('metadata.name=web');

      const h2 = await kubectl('rollout', 'history', 'deploy/web', '-n', NS);
      expect(historyRows(h2.stdout)).toEqual([
        ['1', 'deploy nginx 1.25'],
        ['2', 'upgrade to nginx 1.26'],
      ]);
      const rev2 = await kubectl('rollout', 'history', 'deploy/web', '-n', NS, '--revision=2');
      expect(rev2.stdout).toContain('deployment.apps/web with revision #2');
      expect(rev2.stdout).toMatch(/Image:\s+nginx:1\.26/);

      server.clearRequests();
      const undo = await kubectl('rollout', 'undo', 'deploy/web', '-n', NS);
      expect(undo.code, undo.stderr).toBe(0);
      expect(undo.stdout.trim()).toBe('deployment.apps/web rolled back');
      const patch = server.requests.find((r) => r.method === 'PATCH')!;
      expect(patch.contentType).toBe('application/json-patch+json');
      const ops = patch.body as {
        op: string;
        path: string;
        value: { spec?: { containers: { image: string }[] } } & Record<string, string>;
      }[];
      expect(ops.map((o) => `${o.op} ${o.path}`)).toEqual([
        'replace /spec/template',
        'replace /metadata/annotations',
      ]);
      expect(ops[0]!.value.spec!.containers[0]!.image).toBe('nginx:1.25');
      expect(ops[1]!.value['kubernetes.io/change-cause']).toBe('deploy nginx 1.25');
      expect(ops[1]!.value['deployment.kubernetes.io/revision']).toBe('2');

      const st2 = await kubectl('rollout', 'status', 'deploy/web', '-n', NS, '--timeout=30s');
      expect(st2.stdout).toContain('deployment "web" successfully rolled out');

      // revision 1 is gone: its ReplicaSet now carries revision 3
      const h3 = await kubectl('rollout', 'history', 'deploy/web', '-n', NS);
      expect(historyRows(h3.stdout)).toEqual([
        ['2', 'upgrade to nginx 1.26'],
        ['3', 'deploy nginx 1.25'],
      ]);
      const rs = JSON.parse((await kubectl('get', 'rs', '-n', NS, '-l', 'app=web', '-o', 'json')).stdout)
        .items as KubeObject[];
      expect(rs).toHaveLength(2);
      const restored = rs.find((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3')!;
      expect(restored.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
      expect((restored as { spec?: { replicas?: number } }).spec?.replicas).toBe(2);

      const again = await kubectl('rollout', 'undo', 'deploy/web', '-n', NS, '--to-revision=3');
      expect(again.stdout.trim()).toBe(
        'deployment.apps/web skipped rollback (current template already matches revision 3)',
      );
    });

    it('rollout undo to a revision that does not exist fails as on a real cluster', async () => {
      const r = await kubectl('rollout', 'undo', 'deploy/web', '-n', NS, '--to-revision=99');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('unable to find specified revision 99 in history');
    });

    it('refuses to undo a paused deployment', async () => {
      expect((await kubectl('set', 'image', 'deploy/frozen', 'server=busybox:1.37', '-n', NS)).code).toBe(0);
      const p = await kubectl('rollout', 'pause', 'deploy/frozen', '-n', NS);
      expect(p.stdout.trim()).toBe('deployment.apps/frozen paused');
      const r = await kubectl('rollout', 'undo', 'deploy/frozen', '-n', NS);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
      );
      expect((await kubectl('rollout', 'resume', 'deploy/frozen', '-n', NS)).stdout.trim()).toBe(
        'deployment.apps/frozen resumed',
      );
    });

    it('auth can-i follows the access rules', async () => {
      const yes = await kubectl('auth', 'can-i', 'patch', 'deployments', '-n', NS);
      expect(yes.code).toBe(0);
      expect(yes.stdout.trim()).toBe('yes');
      server.setAccessRules([
        { allow: true, verbs: ['get', 'list', 'watch'], apiGroups: '*', resources: '*' },
        {
          allow: true,
          verbs: ['patch'],
          apiGroups: ['apps'],
          resources: ['deployments'],
          namespaces: ['staging'],
        },
      ]);
      try {
        const no = await kubectl('auth', 'can-i', 'patch', 'deployments', '-n', NS);
        expect(no.code).toBe(1);
        expect(no.stdout.trim()).toBe('no');
        expect((await kubectl('auth', 'can-i', 'patch', 'deployments', '-n', 'staging')).stdout.trim()).toBe(
          'yes',
        );
        expect((await kubectl('auth', 'can-i', 'list', 'pods', '-n', NS)).stdout.trim()).toBe('yes');
        const denied = await kubectl('scale', 'deploy/web', '--replicas=3', '-n', NS);
        expect(denied.code).not.toBe(0);
        expect(denied.stderr).toContain(
          'deployments.apps "web" is forbidden: User "sandbox-admin" cannot patch resource "deployments/scale" in API group "apps" in the namespace "llm"',
        );
      } finally {
        server.setAccessRules([]);
      }
    });

    it('rollout history and undo of a StatefulSet use its ControllerRevisions', async () => {
      const h1 = await kubectl('rollout', 'history', 'sts/db', '-n', NS);
      expect(h1.code, h1.stderr).toBe(0);
      expect(h1.stdout.split('\n')[0]!.trim()).toBe('statefulset.apps/db');
      expect(historyRows(h1.stdout).map((r) => r[0])).toEqual(['1']);
      expect((await kubectl('set', 'image', 'sts/db', 'db=postgres:16', '-n', NS)).code).toBe(0);
      const st = await kubectl('rollout', 'status', 'sts/db', '-n', NS, '--timeout=30s');
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout).toContain('roll out complete');
      expect(
        historyRows((await kubectl('rollout', 'history', 'sts/db', '-n', NS)).stdout).map((r) => r[0]),
      ).toEqual(['1', '2']);

      server.clearRequests();
      const undo = await kubectl('rollout', 'undo', 'sts/db', '-n', NS);
      expect(undo.code, undo.stderr).toBe(0);
      expect(undo.stdout.trim()).toBe('statefulset.apps/db rolled back');
      expect(server.requests.find((r) => r.method === 'PATCH')?.contentType).toBe(
        'application/strategic-merge-patch+json',
      );
      expect(
        historyRows((await kubectl('rollout', 'history', 'sts/db', '-n', NS)).stdout).map((r) => r[0]),
      ).toEqual(['2', '3']);
      const pods = JSON.parse((await kubectl('get', 'pods', '-n', NS, '-l', 'app=db', '-o', 'json')).stdout)
        .items as { spec: { containers: { image: string }[] } }[];
      expect(pods.map((p) => p.spec.containers[0]!.image)).toEqual(['postgres:15', 'postgres:15']);
      const skipped = await kubectl('rollout', 'undo', 'sts/db', '-n', NS, '--to-revision=3');
      expect(skipped.stdout.trim()).toBe(
        'statefulset.apps/db skipped rollback (current template already matches revision 3)',
      );
    });
  },
);
