import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppErrorData } from '../../shared/errors';
import type {
  CatalogueEntryView,
  CatalogueOverride,
  ModelHealth,
  ModelOverview,
  Slo,
} from '../../shared/health';
import type { ServiceRef } from '../../shared/models';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';
import { idle, latestLoad, queryWidth, systemClock, type AsyncState, type Clock } from './async';

/** Windows the Model health view offers, seconds. */
export const HEALTH_WINDOWS = [
  { label: '1h', rangeS: 3600 },
  { label: '3h', rangeS: 3 * 3600 },
  { label: '12h', rangeS: 12 * 3600 },
  { label: '24h', rangeS: 86400 },
] as const;

export interface HealthState {
  rangeS: number;
  /** the window's end, ms (null: now, moving); an absolute range from the picker or a link */
  end: number | null;
  health: AsyncState<ModelHealth>;
  /** which model the loaded health is for */
  healthFor: string | null;
  overview: AsyncState<ModelOverview>;
  saving: boolean;
  saveError?: AppErrorData;
  load(service: ServiceRef, widthPx: number): Promise<void>;
  loadOverview(services: ServiceRef[]): Promise<void>;
  setRange(rangeS: number, end?: number | null): void;
  saveSlo(service: ServiceRef, slo: Slo | null): Promise<boolean>;
  saveOverride(service: ServiceRef, override: CatalogueOverride | null): Promise<CatalogueEntryView | null>;
}

export function createHealthStore(
  transport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<HealthState> {
  const clock = options.clock ?? systemClock;
  let lastWidth = 800;
  return createStore<HealthState>()((set, get) => {
    const loadHealth = latestLoad(
      () => get().health,
      (health) => set({ health }),
      clock,
    );
    const loadOverview = latestLoad(
      () => get().overview,
      (overview) => set({ overview }),
      clock,
    );
    return {
      rangeS: 3 * 3600,
      end: null,
      health: idle(),
      healthFor: null,
      overview: idle(),
      saving: false,
      async load(service, widthPx) {
        lastWidth = widthPx;
        // another model: its health starts from nothing, not from the last model's charts
        if (get().healthFor !== service.id) set({ health: idle(), healthFor: service.id });
        await loadHealth(() =>
          transport().invoke('metrics.modelHealth', {
            service,
            rangeS: get().rangeS,
            ...(get().end !== null ? { end: get().end! } : {}),
            widthPx: queryWidth(widthPx),
          }),
        );
      },
      async loadOverview(services) {
        if (services.length === 0) return;
        await loadOverview(() => transport().invoke('metrics.modelOverview', { services }));
      },
      setRange(rangeS, end = null) {
        set({ rangeS, end });
      },
      async saveSlo(service, slo) {
        set({ saving: true, saveError: undefined });
        const r = await transport().invoke('metrics.setSlo', { serviceId: service.id, slo });
        set({ saving: false, saveError: r.ok ? undefined : r.error });
        if (r.ok) void get().load(service, lastWidth);
        return r.ok;
      },
      async saveOverride(service, override) {
        set({ saving: true, saveError: undefined });
        const r = await transport().invoke('metrics.setOverride', { service, override });
        set({ saving: false, saveError: r.ok ? undefined : r.error });
        if (r.ok) void get().load(service, lastWidth);
        return r.ok ? r.value : null;
      },
    };
  });
}

export const healthStore = createHealthStore(getTransport);
export const useHealth = <T>(selector: (s: HealthState) => T): T => useStore(healthStore, selector);
