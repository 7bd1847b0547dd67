import { describe, expect, it } from 'vitest';
import {
  forgetServeToken,
  readServeToken,
  tokenFromHash,
  TOKEN_STORAGE_KEY,
} from '../../../renderer/client/token';
import { viewFromHash } from '../../../renderer/state/app';

function fakeEnv(hash: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const replaced: string[] = [];
  const location = { hash, pathname: '/', search: '' };
  return {
    storage,
    replaced,
    env: {
      location,
      storage: {
        getItem: (k: string) => storage.get(k) ?? null,
        setItem: (k: string, v: string) => void storage.set(k, v),
        removeItem: (k: string) => void storage.delete(k),
      },
      history: {
        replaceState: (_data: unknown, _unused: string, url?: string | URL | null) => {
          replaced.push(String(url));
          location.hash = '';
        },
      },
    },
  };
}

describe('serve token', () => {
  it('reads #token=, keeps it in sessionStorage and takes it out of the address bar', () => {
    const f = fakeEnv('#token=deadbeef00');
    expect(readServeToken(f.env)).toBe('deadbeef00');
    expect(f.storage.get(TOKEN_STORAGE_KEY)).toBe('deadbeef00');
    expect(f.replaced).toEqual(['/']);
    // a reload: no hash any more, the stored token is used
    expect(readServeToken(f.env)).toBe('deadbeef00');
    expect(f.replaced).toHaveLength(1);
  });

  it('a token in the hash replaces a stored one (a new server start)', () => {
    const f = fakeEnv('#token=new', { [TOKEN_STORAGE_KEY]: 'old' });
    expect(readServeToken(f.env)).toBe('new');
    expect(f.storage.get(TOKEN_STORAGE_KEY)).toBe('new');
  });

  it('no hash and nothing stored: no token', () => {
    const f = fakeEnv('');
    expect(readServeToken(f.env)).toBeNull();
    expect(readServeToken({ ...f.env, storage: null })).toBeNull();
    expect(f.replaced).toEqual([]);
  });

  it('works when storage throws', () => {
    const f = fakeEnv('#token=abc');
    const throwing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(readServeToken({ ...f.env, storage: throwing })).toBe('abc');
    expect(
      readServeToken({ ...f.env, storage: throwing, location: { hash: '', pathname: '/', search: '' } }),
    ).toBeNull();
    expect(() => forgetServeToken(throwing)).not.toThrow();
  });

  it('parses the hash leniently and forgets a refused token', () => {
    expect(tokenFromHash('#token=abc&x=1')).toBe('abc');
    expect(tokenFromHash('#x=1&token=abc')).toBe('abc');
    expect(tokenFromHash('#token=')).toBeNull();
    expect(tokenFromHash('#/settings')).toBeNull();
    const f = fakeEnv('', { [TOKEN_STORAGE_KEY]: 'abc' });
    forgetServeToken(f.env.storage);
    expect(f.storage.has(TOKEN_STORAGE_KEY)).toBe(false);
  });

  it('routes by hash', () => {
    expect(viewFromHash('#/settings')).toBe('settings');
    expect(viewFromHash('#audit')).toBe('audit');
    expect(viewFromHash('#token=abc')).toBeNull();
    expect(viewFromHash('')).toBeNull();
  });
});
