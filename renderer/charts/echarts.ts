/**
 * ECharts, tree-shaken to what Firebreak draws: line and heatmap series on the canvas renderer, with
 * tooltips, dataZoom, legends and a visual map. Every chart is canvas; nothing from data becomes HTML
 * except through `encodeHTML` in the tooltip formatters (charts/format.ts).
 */
import * as echarts from 'echarts/core';
import { HeatmapChart, LineChart } from 'echarts/charts';
import {
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  GridComponent,
  LegendScrollComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  HeatmapChart,
  GridComponent,
  TooltipComponent,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  LegendScrollComponent,
  MarkLineComponent,
  VisualMapContinuousComponent,
  CanvasRenderer,
]);

export { echarts };

/**
 * Disposes a chart that may still be painting: zrender paints a long list over several frames, and a frame
 * still due after dispose() threw on the disposed painter (leaving a view mid-paint: g g then g m). Emptied
 * and repainted at once first, the due frame sees a newer paint and returns.
 */
export function disposeChart(chart: echarts.ECharts): void {
  chart.clear();
  chart.getZr().refreshImmediately();
  chart.dispose();
}

/** The palette (matches styles.css): series colours chosen for a dark panel; charts/theme.ts has the light ones. */
export const palette = [
  '#5b9dff',
  '#e2a93b',
  '#3fb97a',
  '#c77dff',
  '#f2645a',
  '#4fd1c5',
  '#f08dc4',
  '#a3b18a',
];
export const chartColors = {
  text: '#d7dce5',
  muted: '#8a93a6',
  faint: '#6b7488',
  grid: '#262c38',
  panel: '#161a22',
  accent: '#5b9dff',
};
