/**
 * Kubeconfigs as they really come, and hostile ones: alias bombs anywhere in the file are refused fast with
 * flat memory; KUBECONFIG lists merge as kubectl merges them (empty files skipped, first name wins); each
 * malformed case names what is wrong in kubectl's terms, before any connection is tried.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { kubeConfigFor, listContexts, loadKubeConfig } from '../../../main/kube/kubeconfig';

const fixtures = path.resolve('test/fixtures/kubeconfig');
const fixture = (name: string) => path.join(fixtures, name);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-kc-hostile-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const config = (ctx: string, server: string, opts: { current?: boolean; cluster?: string } = {}) => `
apiVersion: v1
kind: Config
clusters:
- name: ${opts.cluster ?? `${ctx}-cluster`}
  cluster: { server: ${server} }
users:
- name: ${ctx}-user
  user: { token: SECRET-TOKEN-123 }
contexts:
- name: ${ctx}
  context: { cluster: ${opts.cluster ?? `${ctx}-cluster`}, user: ${ctx}-user }
${opts.current === false ? '' : `current-context: ${ctx}`}
`;

/** `levels` nested anchors of `width` aliases each, as a YAML sequence indented by `indent`. */
function laughs(indent: number, levels: number, width: number): string {
  const pad = ' '.repeat(indent);
  const lines = [`${pad}- &l0 [${Array(width).fill('"lol"').join(',')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `${pad}- &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(',')}]`,
    );
  return lines.join('\n');
}

/** Refused with "excessive aliasing" in under a second, without the heap growing. */
function expectRefusedFast(fn: () => unknown) {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const err = caught(fn);
  const ms = performance.now() - t0;
  const grewMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  expect(err.code).toBe('KUBECONFIG_MALFORMED');
  expect(err.message).toContain('excessive aliasing');
  expect(err.hint).toContain('kubectl');
  expect(ms).toBeLessThan(1000);
  expect(grewMb).toBeLessThan(50);
  return err;
}

describe('alias bombs', () => {
  for (const name of [
    'alias-bomb-exec-args.yaml',
    'alias-bomb-clusters.yaml',
    'alias-bomb-contexts.yaml',
    'alias-bomb-preferences.yaml',
  ]) {
    it(`${name} is refused within a second, memory flat`, () => {
      const file = fixture(name);
      const err = expectRefusedFast(() => listContexts(file, {}));
      expect(err.message).toContain(file);
      // and again through the connection path (cached refusal, still an error)
      expectRefusedFast(() => kubeConfigFor(file, null, {}));
    });
  }

  it('generated bombs of other shapes, in a second file of a KUBECONFIG list too', () => {
    const shapes: Array<[number, number]> = [
      [30, 2], // deep and narrow: 2^30
      [5, 80], // shallow and wide: 80^5
      [12, 6],
    ];
    for (const [levels, width] of shapes) {
      const bomb = write(
        `bomb-${levels}x${width}.yaml`,
        `apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    exec:\n      command: echo\n      env:\n${laughs(6, levels, width)}\n`,
      );
      const good = write('good.yaml', config('prod', 'https://prod:6443'));
      expectRefusedFast(() => listContexts(null, { KUBECONFIG: [good, bomb].join(path.delimiter) }));
    }
  });

  it('a few ordinary anchors still load (one user shared by two contexts)', () => {
    const file = write(
      'anchors.yaml',
      `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: "https://c:6443" }
users:
- name: u
  user: { token: SECRET-TOKEN-123 }
contexts:
- name: a
  context: &shared { cluster: c, user: u, namespace: ml }
- name: b
  context: *shared
current-context: a
`,
    );
    const list = listContexts(file, {});
    expect(list.contexts.map((c) => [c.name, c.namespace])).toEqual([
      ['a', 'ml'],
      ['b', 'ml'],
    ]);
  });
});

describe('merged as kubectl merges', () => {
  it('empty files in a KUBECONFIG list are skipped, not fatal', () => {
    const a = write('a.yaml', config('prod', 'https://prod:6443'));
    const env = {
      KUBECONFIG: [
        fixture('empty.yaml'),
        a,
        fixture('comments-only.yaml'),
        fixture('null-document.yaml'),
      ].join(path.delimiter),
    };
    const list = listContexts(null, env);
    expect(list.contexts.map((c) => c.name)).toEqual(['prod']);
    expect(list.current).toBe('prod');
    expect(list.sources).toEqual([a]);
    expect(kubeConfigFor(null, null, env).getCurrentCluster()?.server).toBe('https://prod:6443');
  });

  it('an empty kubeconfig says it is empty (not "Cannot read properties of undefined")', () => {
    for (const name of ['empty.yaml', 'comments-only.yaml', 'null-document.yaml']) {
      const err = caught(() => listContexts(fixture(name), {}));
      expect(err.code).toBe('KUBECONFIG_MALFORMED');
      expect(err.message).toBe(`The kubeconfig ${fixture(name)} is empty.`);
    }
    const err = caught(() => kubeConfigFor(null, null, { KUBECONFIG: fixture('empty.yaml') }));
    expect(err.message).toContain('is empty');
  });

  it('the first file to name a cluster, user or context wins; a duplicate is not an error', () => {
    const a = write('a.yaml', config('prod', 'https://first:6443', { cluster: 'shared' }));
    const b = write('b.yaml', config('prod', 'https://second:6443', { cluster: 'shared' }));
    const kc = kubeConfigFor(null, 'prod', { KUBECONFIG: [a, b].join(path.delimiter) });
    expect(kc.getCurrentCluster()?.server).toBe('https://first:6443');
  });

  it('current-context comes from the first file that sets one', () => {
    const a = write('a.yaml', config('prod', 'https://prod:6443', { current: false }));
    const b = write('b.yaml', config('staging', 'https://staging:6443'));
    expect(listContexts(null, { KUBECONFIG: [a, b].join(path.delimiter) }).current).toBe('staging');
  });
});

describe('malformed kubeconfigs, in kubectl terms, before any connection', () => {
  it('a context whose cluster does not exist names both', () => {
    const err = caught(() => kubeConfigFor(fixture('missing-cluster.yaml'), null, {}));
    expect(err.code).toBe('KUBECONFIG_MALFORMED');
    expect(err.message).toContain('cluster "gone-cluster" was not found for context "orphan"');
    expect(err.details).toMatchObject({ context: 'orphan', cluster: 'gone-cluster' });
  });

  it('a context whose user does not exist names both', () => {
    const err = caught(() => kubeConfigFor(fixture('missing-user.yaml'), null, {}));
    expect(err.code).toBe('KUBECONFIG_MALFORMED');
    expect(err.message).toContain('user "gone-user" was not found for context "orphan"');
  });

  it('no current-context says so, and a chosen context still works', () => {
    const file = fixture('no-current-context.yaml');
    const err = caught(() => kubeConfigFor(file, null, {}));
    expect(err.code).toBe('NOT_CONFIGURED');
    expect(err.message).toContain('sets no current-context');
    expect(err.message).not.toContain('is not in the kubeconfig');
    expect(err.details?.available).toEqual(['one', 'two']);
    expect(kubeConfigFor(file, 'two', {}).getCurrentContext()).toBe('two');
  });

  it('certificate-authority-data that is not base64, or not a PEM certificate, is reported as such', () => {
    const a = caught(() => kubeConfigFor(fixture('bad-ca-not-base64.yaml'), null, {}));
    expect(a.code).toBe('KUBECONFIG_MALFORMED');
    expect(a.message).toBe(
      'The certificate-authority-data of the cluster "real" is invalid: it is not base64.',
    );
    const b = caught(() => kubeConfigFor(fixture('bad-ca-not-pem.yaml'), null, {}));
    expect(b.message).toContain('certificate-authority-data of the cluster "real" is invalid');
    expect(b.message).toContain('PEM');
    expect(kubeConfigFor(fixture('good-ca.yaml'), null, {}).getCurrentContext()).toBe('good-ca');
  });

  it('a certificate-authority file that cannot be read is named, resolved beside the kubeconfig', () => {
    const err = caught(() => kubeConfigFor(fixture('missing-ca-file.yaml'), null, {}));
    expect(err.code).toBe('KUBECONFIG_MALFORMED');
    expect(err.message).toBe(
      `The certificate-authority of the cluster "real" is ${path.join(fixtures, 'certs/missing-ca.crt')}, which cannot be read.`,
    );
  });

  it('a context missing its cluster field names the field', () => {
    const err = caught(() => listContexts(fixture('partial-context.yaml'), {}));
    expect(err.code).toBe('KUBECONFIG_MALFORMED');
    expect(err.message).toContain('contexts[0].context.cluster is missing');
  });

  it('no message quotes a credential from the file', () => {
    for (const name of fs.readdirSync(fixtures).filter((f) => f.endsWith('.yaml'))) {
      try {
        kubeConfigFor(fixture(name), null, {});
      } catch (err) {
        expect(JSON.stringify((err as AppError).toJSON?.() ?? String(err))).not.toContain('SECRET-TOKEN');
      }
    }
  });

  it('loadKubeConfig lists only the files that held something as sources', () => {
    const a = write('a.yaml', config('prod', 'https://prod:6443'));
    const { sources } = loadKubeConfig(null, { KUBECONFIG: [fixture('empty.yaml'), a].join(path.delimiter) });
    expect(sources).toEqual([a]);
  });
});
