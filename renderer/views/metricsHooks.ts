import { useEffect, useRef, useState, type RefObject } from 'react';

/** The element's content width, following resizes (rounded to 8 px so a 1-px jitter does not refetch). */
export function useWidth(ref: RefObject<HTMLElement | null>, fallback = 800): number {
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const w = Math.round(el.clientWidth / 8) * 8;
      if (w > 0) setWidth((prev) => (prev === w ? prev : w));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

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

/** `#/health?model=<id>` -> the id */
export function hashParam(name: string): string | null {
  const q = window.location.hash.split('?')[1];
  return q ? new URLSearchParams(q).get(name) : null;
}

export function useHashParam(name: string): string | null {
  const [value, setValue] = useState(() => hashParam(name));
  useEffect(() => {
    const on = () => setValue(hashParam(name));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, [name]);
  return value;
}
