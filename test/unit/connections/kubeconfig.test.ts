import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { kubeConfigFor, kubeconfigSources, listContexts } from '../../../main/kube/kubeconfig';

const config = (ctx: string, server: string, token = 'SECRET-TOKEN-123') => `
apiVersion: v1
kind: Config
clusters:
- name: ${ctx}-cluster
  cluster: { server: ${server} }
users:
- name: ${ctx}-user
  user: { token: ${token} }
contexts:
- name: ${ctx}
  context: { cluster: ${ctx}-cluster, user: ${ctx}-user, namespace: ml }
current-context: ${ctx}
`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-kc-'));
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

describe('kubeconfig', () => {
  it('lists contexts with server and namespace, and never a credential', () => {
    const file = write('a.yaml', config('prod', 'https://prod.example:6443'));
    const list = listContexts(file, {});
    expect(list.current).toBe('prod');
    expect(list.contexts).toEqual([
      {
        name: 'prod',
        cluster: 'prod-cluster',
        server: 'https://prod.example:6443',
        namespace: 'ml',
        user: 'prod-user',
      },
    ]);
    expect(JSON.stringify(list)).not.toContain('SECRET-TOKEN');
  });

  it('merges every file of KUBECONFIG, the first file winning, skipping missing ones like kubectl', () => {
    const a = write('a.yaml', config('prod', 'https://prod:6443'));
    const b = write('b.yaml', config('staging', 'https://staging:6443'));
    const env = { KUBECONFIG: [a, path.join(dir, 'missing.yaml'), b].join(path.delimiter), HOME: dir };
    const list = listContexts(null, env);
    expect(list.contexts.map((c) => c.name).sort()).toEqual(['prod', 'staging']);
    expect(list.current).toBe('prod');
    expect(list.sources).toEqual([a, b]);
  });

  it('falls back to ~/.kube/config', () => {
    fs.mkdirSync(path.join(dir, '.kube'));
    fs.writeFileSync(path.join(dir, '.kube', 'config'), config('home', 'https://home:6443'));
    expect(kubeconfigSources(null, { HOME: dir })).toEqual([path.join(dir, '.kube', 'config')]);
    expect(listContexts(null, { HOME: dir }).current).toBe('home');
  });

  it('a missing kubeconfig says where it looked and how to start the sandbox', () => {
    const err = caught(() => listContexts(null, { HOME: dir }));
    expect(err.code).toBe('KUBECONFIG_MISSING');
    expect(err.message).toContain(path.join(dir, '.kube', 'config'));
    expect(err.hint).toContain('npm run sandbox');
  });

  it('a malformed kubeconfig names the file and does not echo its content', () => {
    const file = write(
      'bad.yaml',
      'apiVersion: v1\nusers:\n- name: x\n  user: { token: LEAKY-TOKEN\n   : : :\n',
    );
    const err = caught(() => listContexts(file, {}));
    expect(err.code).toBe('KUBECONFIG_MALFORMED');
    expect(err.message).toContain(file);
    expect(JSON.stringify(err.toJSON())).not.toContain('LEAKY-TOKEN');
  });

  it('a kubeconfig with no contexts is malformed, with a hint', () => {
    const file = write('empty.yaml', 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    expect(caught(() => listContexts(file, {})).code).toBe('KUBECONFIG_MALFORMED');
  });

  it('switches to the chosen context; an unknown one is CONTEXT_NOT_FOUND with the available names', () => {
    const a = write('a.yaml', config('prod', 'https://prod:6443'));
    const b = write('b.yaml', config('staging', 'https://staging:6443'));
    const env = { KUBECONFIG: [a, b].join(path.delimiter) };
    expect(kubeConfigFor(null, 'staging', env).getCurrentCluster()?.server).toBe('https://staging:6443');
    const err = caught(() => kubeConfigFor(null, 'nope', env));
    expect(err.code).toBe('CONTEXT_NOT_FOUND');
    expect(err.details?.available).toEqual(['prod', 'staging']);
  });
});
