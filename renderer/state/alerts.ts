import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Alert, AlertList } from '../../shared/alerts';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';
import { idle, latestLoad, systemClock, type AsyncState, type Clock } from './async';

/** A critical alert that started firing since the last look: shown once as a toast until dismissed. */
export interface AlertToast {
  fingerprint: string;
  name: string;
  /** the model service group it is under */
  group: string;
  summary: string | null;
}

export interface AlertsState {
  list: AsyncState<AlertList>;
  toasts: AlertToast[];
  load(): Promise<void>;
  dismissToast(fingerprint: string): void;
}

/** At most this many toasts at once; older ones give way (the Alerts view lists them all). */
const MAX_TOASTS = 3;

export const isCritical = (a: Alert) => a.state === 'firing' && a.severity?.toLowerCase() === 'critical';

/** Firing alerts, as the Alerts nav item counts them. */
export function firingCount(list: AlertList | undefined): number | null {
  return list ? list.counts.firing : null;
}

/**
 * The critical alerts firing now that were not firing at the last look. On the first look (`seen` null) none
 * is new: what was already firing when the console opened is not news. Returns the new set to remember.
 */
export function newCriticalAlerts(
  seen: ReadonlySet<string> | null,
  list: AlertList,
): { fresh: AlertToast[]; seen: Set<string> } {
  const now = new Set<string>();
  const fresh: AlertToast[] = [];
  for (const g of list.groups)
    for (const a of g.alerts) {
      if (!isCritical(a)) continue;
      const key = `${a.source}/${a.fingerprint}`;
      if (now.has(key)) continue;
      now.add(key);
      if (seen && !seen.has(key))
        fresh.push({ fingerprint: key, name: a.name, group: g.label, summary: a.summary });
    }
  return { fresh, seen: now };
}

export function createAlertsStore(
  transport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<AlertsState> {
  const clock = options.clock ?? systemClock;
  let seen: Set<string> | null = null;
  return createStore<AlertsState>()((set, get) => {
    const load = latestLoad(
      () => get().list,
      (list) => {
        set({ list });
        // a new answer: is any critical alert new since the last one?
        if (list.status !== 'ready' || !list.data) return;
        const next = newCriticalAlerts(seen, list.data);
        seen = next.seen;
        if (next.fresh.length)
          set({
            toasts: [
              ...get().toasts.filter((t) => !next.fresh.some((f) => f.fingerprint === t.fingerprint)),
              ...next.fresh,
            ].slice(-MAX_TOASTS),
          });
      },
      clock,
    );
    return {
      list: idle(),
      toasts: [],
      load: () => load(() => transport().invoke('alerts.list', {})),
      dismissToast: (fingerprint) =>
        set({ toasts: get().toasts.filter((t) => t.fingerprint !== fingerprint) }),
    };
  });
}

export const alertsStore = createAlertsStore(getTransport);
export const useAlerts = <T>(selector: (s: AlertsState) => T): T => useStore(alertsStore, selector);
