import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { GpuFleet } from '../../shared/gpu';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';
import { failed, generations, idle, loading, ready, systemClock, type AsyncState, type Clock } from './async';

/** Windows the GPU view offers, seconds. */
export const GPU_WINDOWS = [
  { label: '1h', rangeS: 3600 },
  { label: '6h', rangeS: 6 * 3600 },
  { label: '24h', rangeS: 86400 },
  { label: '7d', rangeS: 7 * 86400 },
] as const;

export interface GpuState {
  rangeS: number;
  idleThreshold: number;
  fleet: AsyncState<GpuFleet>;
  load(widthPx: number): Promise<void>;
  setRange(rangeS: number): void;
  setIdleThreshold(t: number): void;
}

export function createGpuStore(
  transport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<GpuState> {
  const clock = options.clock ?? systemClock;
  const g = generations();
  return createStore<GpuState>()((set, get) => ({
    rangeS: 6 * 3600,
    idleThreshold: 0.1,
    fleet: idle(),
    async load(widthPx) {
      const gen = g.next();
      set({ fleet: loading(get().fleet) });
      const r = await transport().invoke('metrics.gpuFleet', {
        rangeS: get().rangeS,
        widthPx: Math.max(16, Math.min(8192, Math.round(widthPx))),
        idleThreshold: get().idleThreshold,
        idlePeriodS: 3600,
      });
      if (!g.current(gen)) return;
      set({ fleet: r.ok ? ready(r.value, clock()) : failed(r.error, get().fleet) });
    },
    setRange(rangeS) {
      set({ rangeS });
    },
    setIdleThreshold(idleThreshold) {
      set({ idleThreshold });
    },
  }));
}

export const gpuStore = createGpuStore(getTransport);
export const useGpu = <T>(selector: (s: GpuState) => T): T => useStore(gpuStore, selector);
