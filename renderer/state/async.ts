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
export function generations() {
  let gen = 0;
  return { next: () => ++gen, current: (g: number) => g === gen };
}
