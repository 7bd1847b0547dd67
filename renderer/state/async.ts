import type { AppErrorData, Result } from '../../shared/errors';

/** One async result as a view sees it. Data is kept while reloading and after a failed reload. */
export interface AsyncState<T> {
  status: 'idle' | 'loading' | 'ready' | 'error';
  data?: T;
  error?: AppErrorData;
  /** ms since epoch of the last successful load */
  updatedAt?: number;
}

export const idle = <T>(): AsyncState<T> => ({ status: 'idle' });

export const loading = <T>(prev: AsyncState<T>): AsyncState<T> => ({
  status: 'loading',
  ...(prev.data !== undefined ? { data: prev.data, updatedAt: prev.updatedAt } : {}),
});

export const ready = <T>(data: T, now: number): AsyncState<T> => ({ status: 'ready', data, updatedAt: now });

export const failed = <T>(error: AppErrorData, prev: AsyncState<T>): AsyncState<T> => ({
  status: 'error',
  error,
  ...(prev.data !== undefined ? { data: prev.data, updatedAt: prev.updatedAt } : {}),
});

export function settle<T>(result: Result<T>, prev: AsyncState<T>, now: number): AsyncState<T> {
  return result.ok ? ready(result.value, now) : failed(result.error, prev);
}

/** Clock injected into stores so tests control time. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();

/**
 * Every load bumps a generation; an answer from an older one is dropped, so a slow query never overwrites a
 * newer answer and never blocks the next request (the transport runs them side by side).
 */
function generations() {
  let gen = 0;
  return { next: () => ++gen, current: (g: number) => g === gen };
}

/**
 * Loads one AsyncState slot: `loading` at once (keeping what is shown, an error too), then `ready` or `failed`; an answer
 * overtaken by a newer load is dropped (see generations).
 */
export function latestLoad<T>(
  read: () => AsyncState<T>,
  write: (state: AsyncState<T>) => void,
  clock: Clock,
): (call: () => Promise<Result<T>>) => Promise<void> {
  const g = generations();
  return async (call) => {
    const gen = g.next();
    // a failure stays on screen (with its Retry) while the next try runs, rather than a bare "Loading…"
    const prev = read();
    write(prev.error ? { ...loading(prev), error: prev.error } : loading(prev));
    const result = await call();
    if (g.current(gen)) write(settle(result, read(), clock()));
  };
}

/** A chart's width as the metric queries take it: whole pixels, 16 to 8192. */
export const queryWidth = (widthPx: number) => Math.max(16, Math.min(8192, Math.round(widthPx)));
