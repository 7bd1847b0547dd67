import { useEffect, useMemo, useRef, useState } from 'react';
import { CopyButton } from '../components/CopyButton';
import { type RangeChart, lttb } from '../../shared/series';
import { ChartActions } from './ChartActions';
import { chartColors, disposeChart, echarts, palette } from './echarts';
import { downloadPng, setThemedOption } from './theme';
import { useTheme } from '../state/theme';
import { formatAxis, formatTime, lineTooltip, visibleOption } from './format';
import { formatTimestamp } from '../format';

/**
 * A time-series chart on canvas: the series of one RangeChart on the shared aligned grid, LTTB sampling,
 * dataZoom (wheel/drag and a slider), a crosshair shared with every chart of the same `group`
 * (echarts.connect), "Show PromQL" and PNG export. When there is nothing to draw, the reason is shown in
 * the chart's place, never an empty frame.
 */
export function TimeChart({
  chart,
  group,
  height = 190,
  markLine,
  marks,
}: {
  chart: RangeChart;
  group?: string;
  height?: number;
  /** a horizontal line, e.g. the SLO latency threshold */
  markLine?: { value: number; label: string };
  /** vertical lines at moments (ms), e.g. an incident's milestones or a replay's position; labels are ours, not data */
  marks?: ReadonlyArray<{ at: number; label: string; color?: string }>;
}) {
  const el = useRef<HTMLDivElement>(null);
  const instance = useRef<echarts.ECharts | null>(null);
  const [showQuery, setShowQuery] = useState(false);
  const theme = useTheme((s) => s.theme);

  const nonFinite = useMemo(
    () => chart.series.reduce((n, s) => n + s.nonFinite.nan + s.nonFinite.posInf + s.nonFinite.negInf, 0),
    [chart],
  );
  const posInf = useMemo(() => chart.series.reduce((n, s) => n + s.nonFinite.posInf, 0), [chart]);
  const drawable = chart.series.some((s) => s.values.some((v) => v !== null));

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, null, { renderer: 'canvas' });
    instance.current = c;
    if (group) {
      c.group = group;
      echarts.connect(group);
    }
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      disposeChart(c);
      instance.current = null;
    };
  }, [group]);

  useEffect(() => {
    const c = instance.current;
    if (!c || !el.current) return;
    const width = el.current.clientWidth || 600;
    const times = Array.from({ length: chart.points }, (_, i) => (chart.start + i * chart.step) * 1000);
    const unit = chart.unit;
    setThemedOption(
      c,
      visibleOption({
        animation: false,
        color: palette,
        grid: { left: 56, right: 14, top: chart.series.length > 1 ? 26 : 10, bottom: 42 },
        legend:
          chart.series.length > 1
            ? {
                type: 'scroll',
                top: 0,
                right: 8,
                textStyle: { color: chartColors.muted, fontSize: 11 },
                itemHeight: 8,
                itemWidth: 12,
              }
            : { show: false },
        tooltip: {
          trigger: 'axis',
          confine: true,
          axisPointer: {
            type: 'cross',
            label: {
              backgroundColor: '#343b4a',
              formatter: (p: { axisDimension: string; value: number }) =>
                p.axisDimension === 'x' ? formatTime(p.value, true) : formatAxis(unit, p.value),
            },
          },
          backgroundColor: '#1b2029',
          borderColor: '#343b4a',
          textStyle: { color: chartColors.text, fontSize: 12 },
          formatter: (params: unknown) => lineTooltip(params as never, unit, echarts.format.encodeHTML),
        },
        xAxis: {
          type: 'time',
          min: times[0],
          max: times[times.length - 1],
          axisLabel: { color: chartColors.muted, fontSize: 11, hideOverlap: true },
          axisLine: { lineStyle: { color: chartColors.grid } },
          splitLine: { show: false },
        },
        yAxis: {
          type: 'value',
          min: unit === 'ratio' || unit === 'reqps' || unit === 'count' || unit === 'tokps' ? 0 : undefined,
          axisLabel: {
            color: chartColors.muted,
            fontSize: 11,
            formatter: (v: number) => formatAxis(unit, v),
          },
          splitLine: { lineStyle: { color: chartColors.grid } },
        },
        dataZoom: [
          { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
          {
            type: 'slider',
            xAxisIndex: 0,
            height: 14,
            bottom: 4,
            filterMode: 'none',
            showDetail: false,
            borderColor: chartColors.grid,
            textStyle: { color: chartColors.muted },
          },
        ],
        series: chart.series.map((s, i) => {
          // at most ~2 points per pixel reach the canvas; ECharts' LTTB thins further while zoomed out
          const pts =
            s.values.length > width * 2
              ? lttb(times, s.values, Math.floor(width * 2))
              : { x: times, y: s.values };
          return {
            name: s.name,
            type: 'line',
            data: pts.x.map((t, j) => [t, pts.y[j]]),
            showSymbol: false,
            connectNulls: false,
            sampling: 'lttb',
            lineStyle: { width: 1.5 },
            emphasis: { disabled: true },
            ...(i === 0 && (markLine || marks?.length)
              ? {
                  markLine: {
                    silent: true,
                    symbol: 'none',
                    data: [
                      ...(markLine
                        ? [
                            {
                              yAxis: markLine.value,
                              lineStyle: { color: '#f2645a', type: 'dashed' },
                              label: { color: '#f2645a', formatter: markLine.label, fontSize: 10 },
                            },
                          ]
                        : []),
                      ...(marks ?? []).map((m) => ({
                        xAxis: m.at,
                        lineStyle: { color: m.color ?? '#8a93a6', type: 'dashed', width: 1 },
                        label: {
                          color: m.color ?? '#8a93a6',
                          // a plain string: ECharts would read `{…}` in it as a template, so none is passed
                          formatter: m.label.replace(/[{}|]/g, ''),
                          fontSize: 10,
                          position: 'insideEndTop',
                        },
                      })),
                    ],
                  },
                }
              : {}),
          };
        }),
      }),
      theme,
    );
  }, [chart, markLine, marks, theme]);

  return (
    <section className="chart-card" data-testid={`chart-${chart.id}`} aria-label={chart.title}>
      <header className="chart-head">
        <h3 className="chart-title">{chart.title}</h3>
        {chart.cache && (
          <span
            className={`chart-badge${chart.cache.offline ? ' chart-badge-warn' : ''}`}
            title={`Fetched ${formatTimestamp(chart.cache.fetchedAt)}`}
            data-testid="chart-cache"
          >
            {chart.cache.offline ? 'offline' : 'cached'} {formatTime(Date.parse(chart.cache.fetchedAt))}
          </span>
        )}
        <span className="chart-spacer" />
        <ChartActions
          showQuery={showQuery}
          onToggleQuery={() => setShowQuery((v) => !v)}
          onPng={() => instance.current && downloadPng(instance.current, chart.title)}
          disabled={!drawable}
        />
      </header>
      <div className="chart-body" style={{ height }}>
        <div
          ref={el}
          className="chart-canvas"
          style={{ height, visibility: drawable ? 'visible' : 'hidden' }}
        />
        {!drawable && (
          <div className="chart-empty" data-testid="chart-note">
            {chart.note ?? 'Nothing to draw in this window.'}
          </div>
        )}
      </div>
      {(drawable && nonFinite > 0) || chart.droppedSeries > 0 ? (
        <p className="chart-foot" data-testid="chart-foot">
          {drawable &&
            nonFinite > 0 &&
            `${nonFinite} sample${nonFinite === 1 ? '' : 's'} not drawn (NaN${posInf ? ' or +Inf: above the highest histogram bucket' : ', e.g. no traffic'}). `}
          {chart.droppedSeries > 0 && `${chart.droppedSeries} more series not shown.`}
        </p>
      ) : null}
      {showQuery && (
        <div className="chart-promql" data-testid="promql">
          {chart.promql.map((q, i) => (
            <div key={i} className="promql-row">
              <pre className="promql">{q}</pre>
              <CopyButton text={q} what="the PromQL" />
            </div>
          ))}
          <p className="muted">
            step {chart.step} s · {chart.points} points
          </p>
        </div>
      )}
    </section>
  );
}
