import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppInfo } from '../../shared/settings';
import type { AppErrorData } from '../../shared/errors';
import type { Transport } from '../../shared/transport';
import { idle, loading, settle, systemClock, type AsyncState, type Clock } from './async';

export const views = [
  'models',
  'traffic',
  'health',
  'gpus',
  'cost',
  'alerts',
  'incident',
  'audit',
  'settings',
] as const;
export type ViewName = (typeof views)[number];

export function isViewName(value: unknown): value is ViewName {
  return typeof value === 'string' && (views as readonly string[]).includes(value);
}

/** `#/settings` -> `settings`; anything else -> null */
export function viewFromHash(hash: string): ViewName | null {
  const name = hash.replace(/^#\/?/, '').split(/[/?&]/)[0];
  return isViewName(name) ? name : null;
}

/** The stream connection as the status bar shows it (IPC is always `open`). */
export type Connection = 'idle' | 'connecting' | 'open' | 'reconnecting';

export interface AppState {
  transportKind: Transport['kind'];
  info: AsyncState<AppInfo>;
  view: ViewName;
  connection: Connection;
  /** the server refused our token or origin: nothing else will work until the page is reopened */
  refused?: AppErrorData;
  loadInfo(): Promise<void>;
  navigate(view: ViewName): void;
  setConnection(connection: Connection): void;
  refuse(error: AppErrorData): void;
}

export function createAppStore(
  getTransport: () => Transport,
  options: { clock?: Clock; initialView?: ViewName } = {},
): StoreApi<AppState> {
  const clock = options.clock ?? systemClock;
  return createStore<AppState>()((set, get) => ({
    transportKind: 'memory',
    info: idle(),
    view: options.initialView ?? 'models',
    connection: 'idle',
    refused: undefined,

    async loadInfo() {
      set({ info: loading(get().info), transportKind: getTransport().kind });
      const result = await getTransport().invoke('app.info', {});
      set({ info: settle(result, get().info, clock()) });
    },

    navigate(view) {
      set({ view });
    },

    setConnection(connection) {
      set({ connection });
    },

    refuse(error) {
      if (!get().refused) set({ refused: error });
    },
  }));
}
