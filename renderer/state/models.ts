import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ModelList } from '../../shared/models';
import type { AppErrorData } from '../../shared/errors';
import type { Transport } from '../../shared/transport';
import { DEFAULT_MODEL_SORT, nextSort, type ModelSort, type ModelSortKey } from '../format';
import { failed, idle, loading, ready, systemClock, type AsyncState, type Clock } from './async';

/** Errors that mean "no cluster to talk to yet": the app shows how to connect, not an error. */
export const notConnectedCodes = new Set<string>([
  'KUBECONFIG_MISSING',
  'KUBECONFIG_MALFORMED',
  'NOT_CONFIGURED',
  'CONTEXT_NOT_FOUND',
]);

export function isNotConnected(error: AppErrorData | undefined): boolean {
  return !!error && notConnectedCodes.has(error.code);
}

/** Errors a retry cannot fix: wait for the user to change settings (or reload). */
const finalCodes = new Set<string>([
  ...notConnectedCodes,
  'UNAUTHORIZED',
  'FORBIDDEN_ORIGIN',
  'INVALID_INPUT',
]);

export const LIVE_INTERVAL_S = 10;

export type LiveState = 'off' | 'connecting' | 'live' | 'stopped';

export interface ModelsState {
  list: AsyncState<ModelList>;
  /** the `models.live` subscription */
  live: LiveState;
  /** why live updates stopped (the list may still hold the last good data) */
  liveError?: AppErrorData;
  sort: ModelSort;
  filter: string;
  /** load the list, then follow `models.live`; idempotent */
  start(): void;
  stop(): void;
  /** forget the subscription and load again (after settings changed, or Retry) */
  refresh(): Promise<void>;
  setSort(key: ModelSortKey): void;
  setFilter(filter: string): void;
}

export interface ModelsStoreOptions {
  clock?: Clock;
  intervalS?: number;
  /** first retry delay after a failure that a retry may fix; doubled up to 60 s */
  retryDelayMs?: number;
}

export function createModelsStore(
  getTransport: () => Transport,
  options: ModelsStoreOptions = {},
): StoreApi<ModelsState> {
  const clock = options.clock ?? systemClock;
  const intervalS = options.intervalS ?? LIVE_INTERVAL_S;
  const firstRetryMs = options.retryDelayMs ?? 5_000;

  let running = false;
  /** bumped on every (re)start: answers from an older generation are ignored */
  let generation = 0;
  let unsubscribe: (() => void) | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retries = 0;

  return createStore<ModelsState>()((set, get) => {
    const clearRetry = () => {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
    };

    const scheduleRetry = (gen: number, error: AppErrorData) => {
      if (finalCodes.has(error.code) || !running) return;
      clearRetry();
      const delay = Math.min(60_000, firstRetryMs * 2 ** retries);
      retries += 1;
      retryTimer = setTimeout(() => {
        retryTimer = null;
        if (gen === generation && running) void run();
      }, delay);
    };

    const follow = (gen: number) => {
      set({ live: 'connecting' });
      unsubscribe = getTransport().subscribe('models.live', { intervalS }, (message) => {
        if (gen !== generation) return;
        if (message.type === 'event') {
          retries = 0;
          set({ list: ready(message.event, clock()), live: 'live', liveError: undefined });
        } else {
          unsubscribe = null;
          const prev = get().list;
          set({
            live: 'stopped',
            liveError: message.error,
            list: prev.data ? prev : failed(message.error, prev),
          });
          scheduleRetry(gen, message.error);
        }
      });
    };

    const run = async () => {
      const gen = ++generation;
      unsubscribe?.();
      unsubscribe = null;
      clearRetry();
      set({ list: loading(get().list) });
      const result = await getTransport().invoke('models.list', {});
      if (gen !== generation || !running) return;
      if (result.ok) {
        set({ list: ready(result.value, clock()), liveError: undefined });
        follow(gen);
        return;
      }
      // a list that was showing stays (marked stale), unless there is no cluster to show any more
      const prev = isNotConnected(result.error) ? idle<ModelList>() : get().list;
      set({ list: failed(result.error, prev), live: 'off' });
      if (finalCodes.has(result.error.code)) return;
      scheduleRetry(gen, result.error);
    };

    return {
      list: idle(),
      live: 'off',
      liveError: undefined,
      sort: DEFAULT_MODEL_SORT,
      filter: '',

      start() {
        if (running) return;
        running = true;
        void run();
      },

      stop() {
        running = false;
        generation += 1;
        clearRetry();
        unsubscribe?.();
        unsubscribe = null;
        set({ live: 'off' });
      },

      async refresh() {
        running = true;
        retries = 0;
        await run();
      },

      setSort(key) {
        set({ sort: nextSort(get().sort, key) });
      },

      setFilter(filter) {
        set({ filter });
      },
    };
  });
}
