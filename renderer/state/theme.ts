import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';

/** What the user picked: follow the OS (the default), or always light or dark. Kept in this browser/profile only. */
export type ThemePreference = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const THEME_KEY = 'firebreak.theme';

export interface ThemeState {
  preference: ThemePreference;
  /** what is shown now */
  theme: Theme;
  setPreference(p: ThemePreference): void;
}

export interface ThemeEnv {
  /** localStorage, or null where there is none (tests, a locked-down profile) */
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** `(prefers-color-scheme: light)`, or null where matchMedia is missing */
  media: Pick<MediaQueryList, 'matches' | 'addEventListener'> | null;
  /** puts the theme on the page (the stylesheet keys on `data-theme`) */
  apply(theme: Theme): void;
}

function parsePreference(raw: string | null): ThemePreference {
  return raw === 'light' || raw === 'dark' ? raw : 'system';
}

export function resolveTheme(preference: ThemePreference, osPrefersLight: boolean): Theme {
  return preference === 'system' ? (osPrefersLight ? 'light' : 'dark') : preference;
}

export function createThemeStore(env: ThemeEnv): StoreApi<ThemeState> {
  let stored: string | null = null;
  try {
    stored = env.storage?.getItem(THEME_KEY) ?? null;
  } catch {
    // storage refused (private mode): the OS setting still applies
  }
  const preference = parsePreference(stored);
  const osLight = () => env.media?.matches ?? false;
  const store = createStore<ThemeState>()((set, get) => ({
    preference,
    theme: resolveTheme(preference, osLight()),
    setPreference(p) {
      try {
        env.storage?.setItem(THEME_KEY, p);
      } catch {
        // not remembered, but applied for this session
      }
      set({ preference: p, theme: resolveTheme(p, osLight()) });
      env.apply(get().theme);
    },
  }));
  env.apply(store.getState().theme);
  // the OS switching (e.g. at sunset) follows through while the preference is "system"
  env.media?.addEventListener('change', () => {
    const s = store.getState();
    const theme = resolveTheme(s.preference, osLight());
    if (theme !== s.theme) {
      store.setState({ theme });
      env.apply(theme);
    }
  });
  return store;
}

function browserEnv(): ThemeEnv {
  const hasWindow = typeof window !== 'undefined';
  let storage: ThemeEnv['storage'] = null;
  try {
    storage = hasWindow ? window.localStorage : null;
  } catch {
    storage = null;
  }
  return {
    storage,
    media: hasWindow && window.matchMedia ? window.matchMedia('(prefers-color-scheme: light)') : null,
    apply(theme) {
      if (typeof document === 'undefined') return;
      document.documentElement.dataset.theme = theme;
      document.documentElement.style.colorScheme = theme;
    },
  };
}

export const themeStore = createThemeStore(browserEnv());
export const useTheme = <T>(selector: (s: ThemeState) => T): T => useStore(themeStore, selector);
