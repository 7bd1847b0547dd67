/**
 * A cost chart's card (ECharts on canvas) and what the four charts share: axes, tooltips built with ECharts'
 * encodeHTML around every piece of text from data, and a registry so the Markdown export can take each
 * chart's PNG (getDataURL).
 */
import { useEffect, useRef } from 'react';
import { formatMoney, formatUnitCost } from '../../../shared/money';
import { chartColors, disposeChart, echarts } from '../../charts/echarts';
import { chartPng, downloadPng, themed } from '../../charts/theme';
import { useTheme } from '../../state/theme';
import { visibleOption } from '../../charts/format';

/** Charts on screen, by export name: the Markdown export asks each for its PNG. */
const registry = new Map<string, { title: string; chart: echarts.ECharts }>();

export function chartImages(): Array<{ name: string; title: string; dataUrl: string }> {
  return [...registry.entries()].map(([name, { title, chart }]) => ({
    name,
    title,
    dataUrl: chartPng(chart, title),
  }));
}

const enc = (t: string) => echarts.format.encodeHTML(t);

function useChart(name: string, title: string, option: echarts.EChartsCoreOption | null, height: number) {
  const el = useRef<HTMLDivElement>(null);
  const inst = useRef<echarts.ECharts | null>(null);
  const theme = useTheme((s) => s.theme);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, null, { renderer: 'canvas' });
    inst.current = c;
    registry.set(name, { title, chart: c });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      registry.delete(name);
      disposeChart(c);
      inst.current = null;
    };
  }, [name, title]);
  useEffect(() => {
    if (inst.current && option)
      inst.current.setOption(themed(visibleOption(option), theme), { notMerge: true });
  }, [option, theme]);
  return { el, inst, height };
}

export function ChartCard({
  name,
  title,
  subtitle,
  option,
  empty,
  height = 240,
}: {
  name: string;
  title: string;
  subtitle?: string;
  option: echarts.EChartsCoreOption | null;
  empty: string | null;
  height?: number;
}) {
  const { el, inst } = useChart(name, title, empty ? null : option, height);
  return (
    <section className="chart-card" data-testid={`cost-chart-${name}`} aria-label={title}>
      <header className="chart-head">
        <h3 className="chart-title">{title}</h3>
        {subtitle && <span className="muted cost-chart-sub">{subtitle}</span>}
        <span className="chart-spacer" />
        <button
          type="button"
          className="chart-btn"
          disabled={!!empty}
          onClick={() => inst.current && downloadPng(inst.current, title)}
        >
          PNG
        </button>
      </header>
      <div className="chart-body" style={{ height }}>
        <div ref={el} className="chart-canvas" style={{ height, visibility: empty ? 'hidden' : 'visible' }} />
        {empty && (
          <div className="chart-empty" data-testid="chart-note">
            {empty}
          </div>
        )}
      </div>
    </section>
  );
}

export const axis = {
  axisLabel: { color: chartColors.muted, fontSize: 11, hideOverlap: true },
  axisLine: { lineStyle: { color: chartColors.grid } },
  splitLine: { lineStyle: { color: chartColors.grid } },
};
export const tooltipBase = {
  confine: true,
  backgroundColor: '#1b2029',
  borderColor: '#343b4a',
  textStyle: { color: chartColors.text, fontSize: 12 },
};
export const legend = {
  type: 'scroll',
  top: 0,
  left: 0,
  right: 8,
  textStyle: { color: chartColors.muted, fontSize: 11 },
  itemHeight: 8,
  itemWidth: 12,
};
export const shortDay = (d: string) => d.slice(5);

export function compactMoney(v: number, currency: string): string {
  return formatMoney({ amount: String(Math.round(v * 100) / 100), currency }, { compact: true, digits: 0 });
}

type AxisParam = {
  seriesName: string;
  value: number | null;
  marker: string;
  axisValueLabel?: string;
  name?: string;
};

export function axisTooltip(currency: string, perUnit = false) {
  return (raw: unknown) => {
    const params = (Array.isArray(raw) ? raw : [raw]) as AxisParam[];
    const head = params[0]?.axisValueLabel ?? params[0]?.name ?? '';
    const rows = params
      .filter((p) => p.value !== null && p.value !== undefined)
      .map((p) => {
        const v = String(p.value);
        const text = perUnit ? formatUnitCost({ amount: v, currency }) : formatMoney({ amount: v, currency });
        return `${p.marker}${enc(p.seriesName)}: <b>${enc(text)}</b>`;
      });
    return [enc(head), ...rows].join('<br/>');
  };
}

/** The tooltip of a bar chart: every series at the hovered day or model, as money. */
export const barTooltip = (currency: string) => ({
  ...tooltipBase,
  trigger: 'axis',
  axisPointer: { type: 'shadow' },
  formatter: axisTooltip(currency),
});
