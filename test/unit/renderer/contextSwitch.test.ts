import { describe, expect, it } from 'vitest';
import type { KubeConnection, KubeConnectionList } from '../../../shared/connections';
import type { AppErrorData } from '../../../shared/errors';
import { createConnectionsStore } from '../../../renderer/state/connections';
import { scriptedTransport } from './scriptedTransport';

const connection = (name: string, connected: boolean): KubeConnection => ({
  name,
  cluster: name,
  server: `https://${name}.example:6443`,
  namespace: null,
  user: 'me',
  connected,
  status: connected ? 'ready' : 'disconnected',
  error: null,
  since: null,
  inventory: null,
});

describe('switching the context from the top bar', () => {
  it('connects the context as the current one, then reads the list again', async () => {
    let current = 'a';
    const list = (): KubeConnectionList => ({
      sources: ['/kube/config'],
      current,
      connections: [connection('a', current === 'a'), connection('b', current === 'b')],
    });
    const { transport, calls } = scriptedTransport({
      'kube.connect': (input) => {
        current = (input as { context: string }).context;
        return { ok: true, value: connection(current, true) };
      },
      'kube.connections': () => ({ ok: true, value: list() }),
    });
    const store = createConnectionsStore(() => transport);
    const error = await store.getState().makeCurrent('b');
    expect(error).toBeNull();
    expect(calls.map((c) => c.channel)).toEqual(['kube.connect', 'kube.connections']);
    expect(calls[0]?.input).toEqual({ context: 'b', makeCurrent: true });
    expect(store.getState().list?.current).toBe('b');
    expect(store.getState().busy).toBeNull();
  });

  it('hands back the error when the context cannot be connected, and keeps the current one', async () => {
    const refused: AppErrorData = {
      code: 'CLUSTER_UNREACHABLE',
      message: 'The cluster b did not answer',
      hint: 'Check the VPN',
    };
    const { transport } = scriptedTransport({
      'kube.connect': () => ({ ok: false, error: refused }),
      'kube.connections': () => ({
        ok: true,
        value: { sources: [], current: 'a', connections: [connection('a', true), connection('b', false)] },
      }),
    });
    const store = createConnectionsStore(() => transport);
    const error = await store.getState().makeCurrent('b');
    expect(error).toEqual(refused);
    expect(store.getState().list?.current).toBe('a');
    expect(store.getState().busy).toBeNull();
  });
});
