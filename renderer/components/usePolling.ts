import { useEffect, useRef } from 'react';

/** Runs `fn` now and every `intervalMs` while mounted and the page is visible. */
export function usePolling(fn: () => void, intervalMs: number, deps: unknown[]): void {
  const saved = useRef(fn);
  useEffect(() => {
    saved.current = fn;
  });
  useEffect(() => {
    saved.current();
    const t = setInterval(() => {
      if (document.visibilityState !== 'hidden') saved.current();
    }, intervalMs);
    return () => clearInterval(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intervalMs, ...deps]);
}
