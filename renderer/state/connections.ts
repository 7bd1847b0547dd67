import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { KubeConnection, KubeConnectionList } from '../../shared/connections';
import type { AppErrorData, Result } from '../../shared/errors';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';

/** Every context of the kubeconfig with its own state (Settings, Clusters panel). */
export interface ConnectionsState {
  list: KubeConnectionList | null;
  error: AppErrorData | null;
  /** the context being connected or disconnected */
  busy: string | null;
  /** a first load probes each cluster; the 5-s refreshes only read the states */
  load(probe: boolean): Promise<void>;
  toggle(connection: KubeConnection): Promise<void>;
  /** connects a context and saves it as the current one (the top bar's context menu); the error, if any */
  makeCurrent(context: string): Promise<AppErrorData | null>;
  /** forget the list (the panel opens empty, as if seen for the first time) */
  reset(): void;
}

export function createConnectionsStore(transport: () => Transport): StoreApi<ConnectionsState> {
  return createStore<ConnectionsState>()((set) => {
    const apply = (r: Result<KubeConnectionList>) => {
      if (r.ok) set({ list: r.value, error: null });
      else set({ error: r.error });
    };
    return {
      list: null,
      error: null,
      busy: null,
      async load(probe) {
        apply(await transport().invoke('kube.connections', { probe }));
      },
      async toggle(c) {
        set({ busy: c.name });
        const r = c.connected
          ? await transport().invoke('kube.disconnect', { context: c.name })
          : await transport().invoke('kube.connect', { context: c.name });
        if (!r.ok) set({ error: r.error });
        apply(await transport().invoke('kube.connections', { probe: false }));
        set({ busy: null });
      },
      async makeCurrent(context) {
        set({ busy: context });
        const r = await transport().invoke('kube.connect', { context, makeCurrent: true });
        if (!r.ok) set({ error: r.error });
        apply(await transport().invoke('kube.connections', { probe: false }));
        set({ busy: null });
        return r.ok ? null : r.error;
      },
      reset() {
        set({ list: null, error: null, busy: null });
      },
    };
  });
}

export const connectionsStore = createConnectionsStore(getTransport);
export const useConnections = <T>(selector: (s: ConnectionsState) => T): T =>
  useStore(connectionsStore, selector);
