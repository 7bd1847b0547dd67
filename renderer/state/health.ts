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
import { failed, generations, idle, loading, ready, systemClock, type AsyncState, type Clock } from './async';

/** Windows the Model health view offers, seconds. */
export const HEALTH_WINDOWS = [
  { label: '1h', rangeS: 3600 },
  { label: '3h', rangeS: 3 * 3600 },
  { label: '12h', rangeS: 12 * 3600 },
  { label: '24h', rangeS: 86400 },
] as const;

export interface HealthState {
  rangeS: number;
  health: AsyncState<ModelHealth>;
  /** which model the loaded health is for */
  healthFor: string | null;
  overview: AsyncState<ModelOverview>;
  saving: boolean;
  saveError?: AppErrorData;
  load(service: ServiceRef, widthPx: number): Promise<void>;
  loadOverview(services: ServiceRef[]): Promise<void>;
  setRange(rangeS: number): void;
  saveSlo(service: ServiceRef, slo: Slo | null): Promise<boolean>;
  saveOverride(service: ServiceRef, override: CatalogueOverride | null): Promise<CatalogueEntryView | null>;
}

export function createHealthStore(
  transport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<HealthState> {
  const clock = options.clock ?? systemClock;
  const gh = generations();
  const go = generations();
  let lastWidth = 800;
  return createStore<HealthState>()((set, get) => ({
    rangeS: 3 * 3600,
    health: idle(),
    healthFor: null,
    overview: idle(),
    saving: false,
    async load(service, widthPx) {
      lastWidth = widthPx;
      const gen = gh.next();
      const same = get().healthFor === service.id;
      set({ health: same ? loading(get().health) : loading(idle()), healthFor: service.id });
      const r = await transport().invoke('metrics.modelHealth', {
        service,
        rangeS: get().rangeS,
        widthPx: Math.max(16, Math.min(8192, Math.round(widthPx))),
      });
      if (!gh.current(gen)) return;
      set({ health: r.ok ? ready(r.value, clock()) : failed(r.error, get().health) });
    },
    async loadOverview(services) {
      if (services.length === 0) return;
      const gen = go.next();
      set({ overview: loading(get().overview) });
      const r = await transport().invoke('metrics.modelOverview', { services });
      if (!go.current(gen)) return;
      set({ overview: r.ok ? ready(r.value, clock()) : failed(r.error, get().overview) });
    },
    setRange(rangeS) {
      set({ rangeS });
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
  }));
}

export const healthStore = createHealthStore(getTransport);
export const useHealth = <T>(selector: (s: HealthState) => T): T => useStore(healthStore, selector);
