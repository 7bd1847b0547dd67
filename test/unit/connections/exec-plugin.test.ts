/**
 * Credential (exec) plugins with a deadline and no orphans: a plugin that hangs is killed with everything it
 * started and reported by name; a missing one names the PATH searched; no call waits longer than the deadline;
 * the connection goes to an error state and runs the plugin again only when asked; disconnect, context switch
 * and quit kill a running plugin.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { Connections } from '../../../main/kube/connections';
import { execCredentialsOf, runningExecPlugins } from '../../../main/kube/execCredential';
import { KubeHttp } from '../../../main/kube/inventory/http';
import { kubeConfigFor } from '../../../main/kube/kubeconfig';

const plugins = path.resolve('test/fixtures/kubeconfig/plugins');
let server: http.Server;
let port = 0;
const auths: Array<string | undefined> = [];
let dir: string;
let pidsFile: string;
let runsFile: string;

beforeAll(async () => {
  // just enough of an API server: discovery answers, everything else is 404
  server = http.createServer((req, res) => {
    auths.push(req.headers.authorization);
    res.writeHead(req.url?.startsWith('/apis') ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-exec-'));
  pidsFile = path.join(dir, 'pids');
  runsFile = path.join(dir, 'runs');
  auths.length = 0;
});
afterEach(() => {
  // nothing a test started survives it
  for (const pid of pids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function pids(): number[] {
  if (!fs.existsSync(pidsFile)) return [];
  return fs.readFileSync(pidsFile, 'utf8').split(/\s+/).filter(Boolean).map(Number);
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a killed grandchild is a zombie until init reaps it (slowly in some containers): that is dead too
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
function runs(): number {
  return fs.existsSync(runsFile) ? fs.readFileSync(runsFile, 'utf8').split('\n').filter(Boolean).length : 0;
}
async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A kubeconfig whose contexts each use one plugin; `timeoutS` goes into the context's firebreak extension. */
function kubeconfig(contexts: Array<{ name: string; command: string; timeoutS?: number }>): string {
  const text = `apiVersion: v1
kind: Config
current-context: ${contexts[0]!.name}
clusters:
- name: local
  cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true }
users:
${contexts
  .map(
    (c) => `- name: ${c.name}-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ${JSON.stringify(c.command)}
      env:
      - { name: FB_PLUGIN_PIDS, value: ${JSON.stringify(pidsFile)} }
      - { name: FB_PLUGIN_RUNS, value: ${JSON.stringify(runsFile)} }`,
  )
  .join('\n')}
contexts:
${contexts
  .map(
    (c) => `- name: ${c.name}
  context:
    cluster: local
    user: ${c.name}-user
${c.timeoutS ? `    extensions:\n    - name: firebreak\n      extension: { credentialPluginTimeoutSeconds: ${c.timeoutS} }` : ''}`,
  )
  .join('\n')}
`;
  const file = path.join(dir, 'kubeconfig.yaml');
  fs.writeFileSync(file, text);
  return file;
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

const hang = path.join(plugins, 'hang.sh');

describe('a credential plugin', () => {
  it('replaces client-node’s ExecAuth (which has no deadline) in every KubeConfig we load', () => {
    const kc = kubeConfigFor(kubeconfig([{ name: 'a', command: hang }]), null, {});
    const names = (kc as unknown as { authenticators: object[] }).authenticators.map(
      (a) => a.constructor.name,
    );
    expect(names).not.toContain('ExecAuth');
    expect(execCredentialsOf(kc)).toBeDefined();
  });

  it('that hangs is killed with its children at the deadline and named in the message', async () => {
    const kc = kubeConfigFor(kubeconfig([{ name: 'a', command: hang, timeoutS: 1 }]), null, {});
    const t0 = Date.now();
    const err = await rejection(new KubeHttp(kc).getJson('/apis'));
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(err.code).toBe('CLUSTER_AUTH_FAILED');
    expect(err.message).toBe(`The credential plugin \`${hang}\` did not finish in 1 s.`);
    expect(err.hint).toContain('credentialPluginTimeoutSeconds');
    const started = pids();
    expect(started).toHaveLength(2); // the plugin and the child it started
    await until(() => started.every((p) => !alive(p)), 3000);
    await until(() => runningExecPlugins() === 0, 2000);
    expect(auths).toHaveLength(0); // nothing was sent without a credential
  });

  it('after a timeout is not run again until asked, and concurrent requests share one run', async () => {
    const kc = kubeConfigFor(kubeconfig([{ name: 'a', command: hang, timeoutS: 1 }]), null, {});
    const httpClient = new KubeHttp(kc);
    const all = await Promise.allSettled([1, 2, 3, 4, 5].map(() => httpClient.getJson('/apis')));
    expect(all.every((r) => r.status === 'rejected')).toBe(true);
    expect(pids()).toHaveLength(2); // one run for five requests
    const t0 = Date.now();
    await rejection(httpClient.getJson('/apis'));
    expect(Date.now() - t0).toBeLessThan(200); // failed at once, nothing spawned
    expect(pids()).toHaveLength(2);
    execCredentialsOf(kc)!.retry();
    await rejection(httpClient.getJson('/apis'));
    expect(pids()).toHaveLength(4);
  });

  it('the default deadline is 60 s', async () => {
    const kc = kubeConfigFor(kubeconfig([{ name: 'a', command: hang }]), null, {});
    const request = new KubeHttp(kc).getJson('/apis').catch((e: unknown) => e);
    await until(() => pids().length === 2, 3000);
    expect(execCredentialsOf(kc)!.pending()).toMatchObject({ command: hang, timeoutMs: 60_000 });
    execCredentialsOf(kc)!.stop();
    const err = (await request) as AppError;
    expect(err.message).toContain('was stopped');
    await until(() => pids().every((p) => !alive(p)), 3000);
  });

  it('that is missing names itself and the PATH searched', async () => {
    const kc = kubeConfigFor(kubeconfig([{ name: 'a', command: 'firebreak-no-such-plugin' }]), null, {});
    const err = await rejection(new KubeHttp(kc).getJson('/apis'));
    expect(err.code).toBe('CLUSTER_AUTH_FAILED');
    expect(err.message).toBe(
      `The credential plugin \`firebreak-no-such-plugin\` was not found on the PATH (searched: ${process.env.PATH}).`,
    );
    expect(err.hint).toContain('firebreak-no-such-plugin');
  });

  it('that fails says how, from its first line of stderr', async () => {
    const fail = path.join(plugins, 'fail.sh');
    const kc = kubeConfigFor(kubeconfig([{ name: 'a', command: fail }]), null, {});
    const err = await rejection(new KubeHttp(kc).getJson('/apis'));
    expect(err.message).toBe(
      `The credential plugin \`${fail}\` failed (exit code 3): error: the SSO session has expired; run aws sso login`,
    );
  });

  it('that answers gives its token, run once for concurrent requests and reused until it expires', async () => {
    const kc = kubeConfigFor(kubeconfig([{ name: 'a', command: path.join(plugins, 'token.sh') }]), null, {});
    const client = new KubeHttp(kc);
    await Promise.all([1, 2, 3].map(() => client.getJson('/apis')));
    await client.getJson('/apis');
    expect(auths).toEqual(Array(4).fill('Bearer plugin-token-1'));
    expect(runs()).toBe(1);
    client.close();
  });

  it('that exits leaving a child holding its output still gives its token, and the child is stopped', async () => {
    const kc = kubeConfigFor(
      kubeconfig([{ name: 'a', command: path.join(plugins, 'leaves-child.sh') }]),
      null,
      {},
    );
    const client = new KubeHttp(kc);
    await client.getJson('/apis');
    expect(auths).toEqual(['Bearer plugin-token-2']);
    const [child] = pids();
    await until(() => !alive(child!), 3000);
    client.close();
  });
});

describe('connections with a credential plugin', () => {
  const fast = { backoff: { baseMs: 50, capMs: 200 } };

  it('go to an error state at the deadline, answer kube.connections within it, and retry only when asked', async () => {
    const file = kubeconfig([{ name: 'a', command: hang, timeoutS: 1 }]);
    const conns = new Connections({ kubeconfig: () => ({ path: file, env: {} }), inventory: fast });
    try {
      const conn = conns.connect('a');
      await until(() => conn.pendingPlugin() !== null, 2000);
      expect(conn.status().status).toBe('connecting');
      await until(() => conn.status().status !== 'connecting', 3000);
      const st = conn.status();
      expect(st.status).toBe('auth-failed');
      expect(st.error?.message).toBe(`The credential plugin \`${hang}\` did not finish in 1 s.`);
      // the inventory's own back-off does not run the plugin again
      await new Promise((r) => setTimeout(r, 500));
      expect(pids()).toHaveLength(2);
      expect(conns.connect('a')).toBe(conn);
      // kube.connect is the "Retry"
      const again = conns.connect('a', { retry: true });
      expect(again).not.toBe(conn);
      await until(() => pids().length === 4, 2000);
    } finally {
      await conns.close();
    }
    await until(() => pids().every((p) => !alive(p)), 3000);
  });

  it('a probe of a context whose plugin hangs answers within the deadline and leaves nothing running', async () => {
    const file = kubeconfig([
      { name: 'a', command: path.join(plugins, 'token.sh') },
      { name: 'b', command: hang, timeoutS: 1 },
    ]);
    const conns = new Connections({ kubeconfig: () => ({ path: file, env: {} }), inventory: fast });
    try {
      const t0 = Date.now();
      const list = await conns.list({ probe: true });
      expect(Date.now() - t0).toBeLessThan(3000);
      const b = list.connections.find((c) => c.name === 'b')!;
      expect(b.status).toBe('auth-failed');
      expect(b.error?.message).toContain('did not finish in 1 s');
      expect(list.connections.find((c) => c.name === 'a')!.status).toBe('ready');
      await until(() => pids().every((p) => !alive(p)), 3000);
    } finally {
      await conns.close();
    }
  });

  it('disconnect kills a running plugin and its children', async () => {
    const file = kubeconfig([{ name: 'a', command: hang, timeoutS: 30 }]);
    const conns = new Connections({ kubeconfig: () => ({ path: file, env: {} }), inventory: fast });
    try {
      conns.connect('a');
      await until(() => pids().length === 2, 3000);
      await conns.disconnect('a');
      await until(() => pids().every((p) => !alive(p)), 3000);
      await until(() => runningExecPlugins() === 0, 2000);
    } finally {
      await conns.close();
    }
  });

  it('a context switch stops waiting on the plugin of the context left behind', async () => {
    const file = kubeconfig([
      { name: 'a', command: hang, timeoutS: 30 },
      { name: 'b', command: path.join(plugins, 'token.sh') },
    ]);
    let preferred = 'a';
    const conns = new Connections({
      kubeconfig: () => ({ path: file, env: {} }),
      preferredContext: () => preferred,
      inventory: fast,
    });
    try {
      const a = conns.connect();
      expect(a.context).toBe('a');
      await until(() => pids().length === 2, 3000);
      preferred = 'b';
      expect(conns.connect().context).toBe('b');
      await until(() => pids().every((p) => !alive(p)), 3000);
      expect(conns.get('a')).toBeUndefined();
    } finally {
      await conns.close();
    }
  });

  it('quitting kills every running plugin', async () => {
    const file = kubeconfig([{ name: 'a', command: hang, timeoutS: 30 }]);
    const conns = new Connections({ kubeconfig: () => ({ path: file, env: {} }), inventory: fast });
    conns.connect('a');
    await until(() => pids().length === 2, 3000);
    await conns.close();
    await until(() => pids().every((p) => !alive(p)), 3000);
  });

  it('a context kubectl would refuse shows its problem in the list without being tried', async () => {
    const file = path.resolve('test/fixtures/kubeconfig/missing-user.yaml');
    const conns = new Connections({ kubeconfig: () => ({ path: file, env: {} }) });
    const list = await conns.list();
    expect(list.connections[0]).toMatchObject({ name: 'orphan', status: 'error' });
    expect(list.connections[0]!.error?.message).toContain('user "gone-user" was not found');
    await conns.close();
  });
});

describe('removed auth-providers', () => {
  it('gcp and azure (client-node would execSync their cmd-path, freezing the process) are refused as kubectl refuses them', async () => {
    for (const name of ['gcp', 'azure']) {
      const file = path.join(dir, `${name}.yaml`);
      fs.writeFileSync(
        file,
        `apiVersion: v1
kind: Config
current-context: old
clusters:
- name: local
  cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true }
users:
- name: old-user
  user:
    auth-provider:
      name: ${name}
      config: { cmd-path: ${JSON.stringify(hang)}, cmd-args: "x", expiry: "2000-01-01T00:00:00Z" }
contexts:
- name: old
  context: { cluster: local, user: old-user }
`,
      );
      const kc = kubeConfigFor(file, null, {});
      const t0 = Date.now();
      const err = await rejection(new KubeHttp(kc).getJson('/apis'));
      expect(Date.now() - t0).toBeLessThan(500);
      expect(err.code).toBe('CLUSTER_AUTH_FAILED');
      expect(err.message).toContain(`\`${name}\` auth-provider, which kubectl removed in 1.26`);
      expect(pids()).toHaveLength(0);
    }
  });
});
