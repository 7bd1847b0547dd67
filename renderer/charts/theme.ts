/**
 * Charts follow the theme. Every chart option is written once, with the dark colours (echarts.ts), and passed
 * through `themed` on its way to ECharts: on the light theme each dark colour is swapped for its light
 * counterpart (a walk over the option, stepping over data arrays). A chart saved as PNG is always drawn on the
 * light palette, on white, with its title and without the parts that only make sense on screen (zoom slider,
 * legend pager, tooltip, the heatmap's drag handles), so it reads on a page or in a review.
 */
import { themeStore, type Theme } from '../state/theme';
import { chartColors, disposeChart, echarts, palette } from './echarts';

/** dark -> light, for every colour the chart options write out (lower case) */
const LIGHT: Record<string, string> = {
  [chartColors.text]: '#1d2230',
  [chartColors.muted]: '#535d70',
  [chartColors.faint]: '#667084',
  [chartColors.grid]: '#dadfe7',
  [chartColors.panel]: '#ffffff',
  '#1b2029': '#ffffff',
  '#343b4a': '#c2c9d4',
  // the replay position's mark (the strongest text colour)
  '#eef1f6': '#0b0f17',
  // the series palette, darker to hold on white
  [palette[0]!]: '#1b64c8',
  [palette[1]!]: '#b07a12',
  [palette[2]!]: '#17874f',
  [palette[3]!]: '#8a3fd1',
  [palette[4]!]: '#cf3a30',
  [palette[5]!]: '#128a80',
  [palette[6]!]: '#c2408a',
  [palette[7]!]: '#6b7a4f',
  '#8a5a5a': '#9a5a5a',
  // the heatmap's ramp starts at the panel colour: on white, low use is pale
  '#1c2230': '#eef2f8',
  '#22406e': '#b8cdf0',
  '#2f6fd1': '#5b8fe0',
};

function swap(value: unknown, map: Record<string, string>): unknown {
  if (typeof value === 'string') return map[value.toLowerCase()] ?? value;
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    // data: numbers, or points as arrays; nothing to recolour, and large
    if (typeof first === 'number' || Array.isArray(first) || first === null) return value;
    return value.map((v) => swap(v, map));
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = k === 'data' && Array.isArray(v) && isPoints(v) ? v : swap(v, map);
    return out;
  }
  return value;
}

function isPoints(v: unknown[]): boolean {
  const first: unknown = v[0];
  return typeof first === 'number' || Array.isArray(first) || first === null;
}

/** The option in the colours of `theme` (the current one by default). */
export function themed<T extends object>(option: T, theme: Theme = themeStore.getState().theme): T {
  return theme === 'dark' ? option : (swap(option, LIGHT) as T);
}

/** Replaces the chart's option (notMerge) with `option` in the colours of `theme`. */
export function setThemedOption(
  chart: echarts.ECharts,
  option: echarts.EChartsCoreOption,
  theme: Theme,
): void {
  chart.setOption(themed(option, theme), { notMerge: true });
}

type Part = Record<string, unknown>;
const list = (v: unknown): Part[] => (Array.isArray(v) ? (v as Part[]) : v ? [v as Part] : []);

/**
 * The chart as a PNG data URL for a page: light palette on white, its title at the top, the zoom kept as it
 * is on screen but without the slider, a plain legend (no pager), no tooltip or drag handles.
 */
export function chartPng(chart: echarts.ECharts, title: string): string {
  const option = chart.getOption() as Part;
  const titleH = 30;
  const grids = list(option.grid).map((g) => ({
    ...g,
    top: typeof g.top === 'number' ? g.top + titleH : titleH + 20,
    bottom: typeof g.bottom === 'number' ? Math.max(20, g.bottom - 18) : g.bottom,
  }));
  const exported: Part = {
    ...option,
    animation: false,
    backgroundColor: '#ffffff',
    title: [{ text: title, left: 8, top: 6, textStyle: { color: '#0b0f17', fontSize: 14, fontWeight: 600 } }],
    grid: grids,
    tooltip: [],
    dataZoom: list(option.dataZoom).filter((z) => z.type !== 'slider'),
    legend: list(option.legend).map((l) => ({ ...l, type: 'plain', top: titleH + 2 })),
    visualMap: list(option.visualMap).map((v) => ({ ...v, calculable: false, top: titleH })),
  };
  const width = chart.getWidth() || 800;
  const height = (chart.getHeight() || 240) + titleH;
  const box = document.createElement('div');
  box.style.cssText = `position:fixed;left:-20000px;top:0;width:${width}px;height:${height}px;`;
  document.body.appendChild(box);
  const offscreen = echarts.init(box, null, { renderer: 'canvas', width, height });
  try {
    offscreen.setOption(themed(exported, 'light'), { notMerge: true, lazyUpdate: false });
    return offscreen.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' });
  } finally {
    disposeChart(offscreen);
    box.remove();
  }
}

/** Saves a chart as PNG (a download; in Electron the save dialog), drawn for a page (charts/theme.ts). */
export function downloadPng(chart: echarts.ECharts, title: string): void {
  const url = chartPng(chart, title);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${
    title
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase() || 'chart'
  }.png`;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
