/** Where the serve token lives between reloads: this tab only, gone when it closes. */
export const TOKEN_STORAGE_KEY = 'firebreak.serveToken';

export interface TokenEnv {
  location: { hash: string; pathname: string; search: string };
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  history: Pick<History, 'replaceState'> | null;
}

/** `#token=<hex>` (optionally among other `&`-separated hash parameters). */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token')?.trim();
  return token ? token : null;
}

/**
 * The access token for serve mode. On first load it comes in the URL hash (`npm run serve` prints
 * that URL): keep it in sessionStorage and take it out of the address bar (so it does not stay on
 * screen, in history or in a screenshot). On a reload it comes from sessionStorage.
 */
export function readServeToken(env: TokenEnv): string | null {
  const fromHash = tokenFromHash(env.location.hash);
  if (fromHash) {
    try {
      env.storage?.setItem(TOKEN_STORAGE_KEY, fromHash);
    } catch {
      // storage refused (private mode, quota): the token still works for this page
    }
    env.history?.replaceState(null, '', env.location.pathname + env.location.search);
    return fromHash;
  }
  try {
    return env.storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** After the server refused the token: forget it, so a reload asks for the printed URL again. */
export function forgetServeToken(storage: TokenEnv['storage']): void {
  try {
    storage?.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // nothing to forget
  }
}
