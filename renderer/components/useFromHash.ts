import { useEffect, useState } from 'react';

/** What `read` makes of the location hash, read again on every hashchange (navigation is the hash). */
export function useFromHash<T>(read: (hash: string) => T): T {
  const [value, setValue] = useState(() => read(window.location.hash));
  useEffect(() => {
    const on = () => setValue(read(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, [read]);
  return value;
}

/** `#/health?model=<id>` -> the id */
function hashParam(hash: string, name: string): string | null {
  const q = hash.split('?')[1];
  return q ? new URLSearchParams(q).get(name) : null;
}

const modelParam = (hash: string) => hashParam(hash, 'model');

/** The `model` parameter of the hash (`#/health?model=<id>`), the one parameter the views take today. */
export function useModelParam(): string | null {
  return useFromHash(modelParam);
}
