import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AlertList } from '../../shared/alerts';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';
import { idle, latestLoad, systemClock, type AsyncState, type Clock } from './async';

export interface AlertsState {
  list: AsyncState<AlertList>;
  load(): Promise<void>;
}

export function createAlertsStore(
  transport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<AlertsState> {
  const clock = options.clock ?? systemClock;
  return createStore<AlertsState>()((set, get) => {
    const load = latestLoad(
      () => get().list,
      (list) => set({ list }),
      clock,
    );
    return {
      list: idle(),
      load: () => load(() => transport().invoke('alerts.list', {})),
    };
  });
}

export const alertsStore = createAlertsStore(getTransport);
export const useAlerts = <T>(selector: (s: AlertsState) => T): T => useStore(alertsStore, selector);
