import { describe, expect, it } from 'vitest';
import { themed } from '../../../renderer/charts/theme';
import { chartColors, palette } from '../../../renderer/charts/echarts';
import { createThemeStore, THEME_KEY, type Theme, type ThemeEnv } from '../../../renderer/state/theme';

function env(stored: string | null, osLight: boolean) {
  const items = new Map<string, string>(stored === null ? [] : [[THEME_KEY, stored]]);
  const listeners: Array<() => void> = [];
  const applied: Theme[] = [];
  const media = {
    matches: osLight,
    addEventListener: (_: string, l: () => void) => listeners.push(l),
  };
  const e: ThemeEnv = {
    storage: { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) },
    media: media as unknown as ThemeEnv['media'],
    apply: (t) => applied.push(t),
  };
  return {
    e,
    items,
    applied,
    osSwitch(light: boolean) {
      media.matches = light;
      listeners.forEach((l) => l());
    },
  };
}

describe('theme', () => {
  it('follows the OS by default, and its switches while on System', () => {
    const t = env(null, true);
    const store = createThemeStore(t.e);
    expect(store.getState()).toMatchObject({ preference: 'system', theme: 'light' });
    expect(t.applied).toEqual(['light']);
    t.osSwitch(false);
    expect(store.getState().theme).toBe('dark');
    expect(t.applied.at(-1)).toBe('dark');
  });

  it('remembers a choice, which then holds whatever the OS says', () => {
    const t = env(null, false);
    createThemeStore(t.e).getState().setPreference('light');
    expect(t.items.get(THEME_KEY)).toBe('light');
    const again = createThemeStore(t.e);
    expect(again.getState()).toMatchObject({ preference: 'light', theme: 'light' });
    t.osSwitch(false);
    expect(again.getState().theme).toBe('light');
  });

  it('reads an unknown stored value as System, and works without storage', () => {
    expect(createThemeStore(env('purple', false).e).getState().preference).toBe('system');
    const bare = createThemeStore({ storage: null, media: null, apply: () => {} });
    bare.getState().setPreference('dark');
    expect(bare.getState().theme).toBe('dark');
  });

  it('charts: the light theme swaps every dark colour, leaves data and functions alone', () => {
    const fmt = () => 'x';
    const data = [
      [1, 2],
      [3, 4],
    ];
    const option = {
      color: palette,
      xAxis: { axisLabel: { color: chartColors.muted, formatter: fmt } },
      tooltip: { backgroundColor: '#1B2029' },
      series: [{ name: 'a', data, markLine: { data: [{ lineStyle: { color: '#f2645a' } }] } }],
    };
    const light = themed(option, 'light');
    expect(light.color[0]).toBe('#1b64c8');
    expect(light.color).toHaveLength(palette.length);
    expect(light.xAxis.axisLabel.color).toBe('#535d70');
    expect(light.xAxis.axisLabel.formatter).toBe(fmt);
    expect(light.tooltip.backgroundColor).toBe('#ffffff');
    expect(light.series[0]!.data).toBe(data);
    expect(light.series[0]!.markLine.data[0]!.lineStyle.color).toBe('#cf3a30');
    expect(themed(option, 'dark')).toBe(option);
  });
});
