import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { GpuFleet } from '../../shared/gpu';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';
import { idle, latestLoad, queryWidth, systemClock, type AsyncState, type Clock } from './async';

/** Windows the GPU view offers, seconds. */
export const GPU_WINDOWS = [
  { label: '1h', rangeS: 3600 },
  { label: '6h', rangeS: 6 * 3600 },
  { label: '24h', rangeS: 86400 },
  { label: '7d', rangeS: 7 * 86400 },
] as const;

export interface GpuState {
  rangeS: number;
  /** the window's end, ms (null: now, moving); an absolute range from the picker or a link */
  end: number | null;
  idleThreshold: number;
  fleet: AsyncState<GpuFleet>;
  load(widthPx: number): Promise<void>;
  setRange(rangeS: number, end?: number | null): void;
  setIdleThreshold(t: number): void;
}

export function createGpuStore(
  transport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<GpuState> {
  const clock = options.clock ?? systemClock;
  return createStore<GpuState>()((set, get) => {
    const load = latestLoad(
      () => get().fleet,
      (fleet) => set({ fleet }),
      clock,
    );
    return {
      rangeS: 6 * 3600,
      end: null,
      idleThreshold: 0.1,
      fleet: idle(),
      load: (widthPx) =>
        load(() =>
          transport().invoke('metrics.gpuFleet', {
            rangeS: get().rangeS,
            ...(get().end !== null ? { end: get().end! } : {}),
            widthPx: queryWidth(widthPx),
            idleThreshold: get().idleThreshold,
            idlePeriodS: 3600,
          }),
        ),
      setRange(rangeS, end = null) {
        set({ rangeS, end });
      },
      setIdleThreshold(idleThreshold) {
        set({ idleThreshold });
      },
    };
  });
}

export const gpuStore = createGpuStore(getTransport);
export const useGpu = <T>(selector: (s: GpuState) => T): T => useStore(gpuStore, selector);
