import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AlertList } from '../../shared/alerts';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';
import { failed, generations, idle, loading, ready, systemClock, type AsyncState, type Clock } from './async';

export interface AlertsState {
  list: AsyncState<AlertList>;
  load(): Promise<void>;
}

export function createAlertsStore(
  transport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<AlertsState> {
  const clock = options.clock ?? systemClock;
  const g = generations();
  return createStore<AlertsState>()((set, get) => ({
    list: idle(),
    async load() {
      const gen = g.next();
      set({ list: loading(get().list) });
      const r = await transport().invoke('alerts.list', {});
      if (!g.current(gen)) return;
      set({ list: r.ok ? ready(r.value, clock()) : failed(r.error, get().list) });
    },
  }));
}

export const alertsStore = createAlertsStore(getTransport);
export const useAlerts = <T>(selector: (s: AlertsState) => T): T => useStore(alertsStore, selector);
