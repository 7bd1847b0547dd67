import { useEffect, useMemo, useRef, useState } from 'react';
import { CopyButton } from '../components/CopyButton';
import { decodeCells, NO_CELL, type GpuFleet } from '../../shared/gpu';
import { ChartActions } from './ChartActions';
import { chartColors, disposeChart, echarts } from './echarts';
import { downloadPng, setThemedOption } from './theme';
import { useTheme } from '../state/theme';
import { formatTime, heatmapTooltip, rowLabel, visibleOption } from './format';

type Heatmap = GpuFleet['heatmap'];

/**
 * The fleet heatmap: one row per GPU (node/index), one column per step, colour = utilisation 0..100 %.
 * Canvas only; row names are drawn on the canvas; the tooltip escapes every piece of text.
 */
export function HeatmapChart({
  heatmap,
  promql,
  title = 'GPU utilisation (fleet)',
}: {
  heatmap: Heatmap;
  promql: string;
  title?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const instance = useRef<echarts.ECharts | null>(null);
  const [showQuery, setShowQuery] = useState(false);
  const theme = useTheme((s) => s.theme);
  const rows = heatmap.rows;
  const height = Math.min(640, Math.max(140, rows.length * 16 + 70));
  // cells arrive as base64 per-mille integers (shared/metrics GpuRow.cells)
  const data = useMemo(() => {
    const out: Array<[number, number, number]> = [];
    rows.forEach((r, y) => {
      const cells = decodeCells(r.cells);
      for (let x = 0; x < cells.length; x++) if (cells[x] !== NO_CELL) out.push([x, y, cells[x]!]);
    });
    return out;
  }, [rows]);
  const drawable = data.length > 0;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, null, { renderer: 'canvas' });
    instance.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      disposeChart(c);
      instance.current = null;
    };
  }, []);

  useEffect(() => {
    const c = instance.current;
    if (!c) return;
    const times = Array.from({ length: heatmap.points }, (_, i) => (heatmap.start + i * heatmap.step) * 1000);
    const multiDay = heatmap.points * heatmap.step > 86400;
    setThemedOption(
      c,
      visibleOption({
        animation: false,
        grid: { left: 8, right: 16, top: 30, bottom: 36, containLabel: true },
        tooltip: {
          confine: true,
          backgroundColor: '#1b2029',
          borderColor: '#343b4a',
          textStyle: { color: chartColors.text, fontSize: 12 },
          formatter: (p: { value?: [number, number, number] }) => {
            const [x, y, v] = p.value ?? [0, 0, null];
            return heatmapTooltip(
              rows[y],
              times[x] ?? 0,
              v === null ? null : v / 1000,
              echarts.format.encodeHTML,
            );
          },
        },
        xAxis: {
          type: 'category',
          data: times,
          axisLabel: {
            color: chartColors.muted,
            fontSize: 11,
            formatter: (v: string) => formatTime(Number(v), multiDay),
          },
          axisLine: { lineStyle: { color: chartColors.grid } },
          splitArea: { show: false },
        },
        yAxis: {
          type: 'category',
          inverse: true,
          data: rows.map(rowLabel),
          axisLabel: { color: chartColors.muted, fontSize: 10, interval: rows.length > 40 ? 'auto' : 0 },
          axisLine: { lineStyle: { color: chartColors.grid } },
        },
        visualMap: {
          type: 'continuous',
          min: 0,
          max: 1000,
          calculable: false,
          orient: 'horizontal',
          right: 16,
          top: 0,
          itemHeight: 120,
          itemWidth: 10,
          text: ['100%', '0%'],
          textStyle: { color: chartColors.muted, fontSize: 11 },
          inRange: { color: ['#1c2230', '#22406e', '#2f6fd1', '#5b9dff', '#e2a93b', '#f2645a'] },
        },
        dataZoom: [
          { type: 'inside', xAxisIndex: 0 },
          {
            type: 'slider',
            xAxisIndex: 0,
            height: 12,
            bottom: 6,
            showDetail: false,
            borderColor: chartColors.grid,
          },
        ],
        series: [
          {
            type: 'heatmap',
            data,
            progressive: 20000,
            emphasis: { disabled: true },
          },
        ],
      }),
      theme,
    );
  }, [data, heatmap, rows, theme]);

  return (
    <section className="chart-card" data-testid="chart-heatmap" aria-label={title}>
      <header className="chart-head">
        <h3 className="chart-title">{title}</h3>
        <span className="chart-badge">
          {rows.length} GPUs · step {heatmap.step} s
        </span>
        <span className="chart-spacer" />
        <ChartActions
          showQuery={showQuery}
          onToggleQuery={() => setShowQuery((v) => !v)}
          onPng={() => instance.current && downloadPng(instance.current, title)}
          disabled={!drawable}
        />
      </header>
      <div className="chart-body" style={{ height }}>
        <div
          ref={el}
          className="chart-canvas"
          style={{ height, visibility: drawable ? 'visible' : 'hidden' }}
        />
        {!drawable && <div className="chart-empty">No GPU samples in this window.</div>}
      </div>
      {showQuery && (
        <div className="chart-promql" data-testid="promql">
          <div className="promql-row">
            <pre className="promql">{promql}</pre>
            <CopyButton text={promql} what="the PromQL" />
          </div>
        </div>
      )}
    </section>
  );
}
