/**
 * The cost review's charts (ECharts on canvas): daily cost by model, cost per 1k per model, GPU cost busy vs
 * idle, and the month's cumulative cost against forecast and budget. Amounts arrive as exact decimal strings
 * and become numbers only here, for drawing. Tooltips are built with ECharts' encodeHTML around every piece
 * of text from data. Each chart registers itself so the Markdown export can take its PNG (getDataURL).
 */
import { BarChart } from 'echarts/charts';
import type { CostReview, DailySeries } from '../../../shared/cost';
import { amountUnits, formatMoney, formatUnitCost, unitsToNumber } from '../../../shared/money';
import { chartColors, echarts, palette } from '../../charts/echarts';
import {
  axis,
  axisTooltip,
  barTooltip,
  ChartCard,
  compactMoney,
  legend,
  shortDay,
  tooltipBase,
} from './ChartCard';

echarts.use([BarChart]);

/** Amounts become numbers only to be drawn; sums and differences are exact first (shared/money). */
const drawn = (amount: string) => unitsToNumber(amountUnits(amount));
const drawSum = (amounts: string[]) => unitsToNumber(amounts.reduce((a, x) => a + amountUnits(x), 0n));
const num = (amount: string | null | undefined) =>
  amount === null || amount === undefined ? null : drawn(amount);
const TOP = 7;

/** The top models by this month's cost, the rest summed as "Other", unattributed kept as its own series. */
function topSeries(review: CostReview): Array<{ name: string; values: Array<number | null> }> {
  const models = review.daily.models.filter((m) => m.key !== '');
  const top = models.slice(0, TOP);
  const rest = models.slice(TOP);
  const out = top.map((m) => ({ name: m.name, values: m.cost.map(drawn) }));
  if (rest.length) {
    out.push({
      name: `Other (${rest.length})`,
      values: review.daily.days.map((_, i) => drawSum(rest.map((m) => m.cost[i] ?? '0'))),
    });
  }
  const un = review.daily.models.find((m) => m.key === '');
  if (un) out.push({ name: 'Unattributed', values: un.cost.map(drawn) });
  return out;
}

export function DailyCostChart({ review }: { review: CostReview }) {
  const series = topSeries(review);
  const option = {
    animation: false,
    color: [...palette.slice(0, TOP), '#6b7488', '#8a5a5a'],
    grid: { left: 60, right: 12, top: 30, bottom: 26 },
    legend,
    tooltip: barTooltip(review.currency),
    xAxis: { type: 'category', data: review.daily.days.map(shortDay), ...axis, splitLine: { show: false } },
    yAxis: {
      type: 'value',
      ...axis,
      axisLabel: { ...axis.axisLabel, formatter: (v: number) => compactMoney(v, review.currency) },
    },
    series: series.map((s) => ({
      name: s.name,
      type: 'bar',
      stack: 'cost',
      data: s.values,
      barMaxWidth: 22,
      emphasis: { disabled: true },
    })),
  };
  return (
    <ChartCard
      name="daily-cost"
      title="Daily cost by model"
      subtitle={`${review.currency}, UTC days`}
      option={option}
      empty={
        review.daily.days.length === 0
          ? 'No complete day in this month yet.'
          : series.length === 0
            ? 'No cost from any source for these days.'
            : null
      }
    />
  );
}

export function Per1kChart({ review }: { review: CostReview }) {
  const withValues: DailySeries[] = review.daily.models
    .filter((m) => m.key !== '' && m.costPer1k.some((v) => v !== null))
    .slice(0, TOP);
  const option = {
    animation: false,
    color: palette,
    grid: { left: 60, right: 12, top: 30, bottom: 26 },
    legend,
    tooltip: { ...tooltipBase, trigger: 'axis', formatter: axisTooltip(review.currency, true) },
    xAxis: { type: 'category', data: review.daily.days.map(shortDay), ...axis, splitLine: { show: false } },
    yAxis: {
      type: 'log',
      ...axis,
      axisLabel: {
        ...axis.axisLabel,
        formatter: (v: number) => formatUnitCost({ amount: String(v), currency: review.currency }, 1),
      },
    },
    series: withValues.map((m) => ({
      name: m.name,
      type: 'line',
      data: m.costPer1k.map(num),
      connectNulls: false,
      showSymbol: true,
      symbolSize: 5,
      lineStyle: { width: 1.5 },
      emphasis: { disabled: true },
    })),
  };
  return (
    <ChartCard
      name="cost-per-1k"
      title="Cost per 1,000 inferences"
      subtitle="per UTC day, log scale"
      option={option}
      empty={
        withValues.length === 0
          ? 'No day of this month has both cost and request counts (Prometheus must hold the model servers\u2019 counters for whole days).'
          : null
      }
    />
  );
}

export function GpuIdleChart({ review }: { review: CostReview }) {
  const rows = review.models
    .filter((m) => m.kind !== 'unattributed' && amountUnits(m.gpu.amount) > 0n)
    .slice(0, 10)
    .reverse();
  const unallocated = drawn(review.totals.unallocatedGpu.amount);
  const names = [...(unallocated > 0 ? ['Unallocated GPUs'] : []), ...rows.map((r) => r.name)];
  const idle = [...(unallocated > 0 ? [unallocated] : []), ...rows.map((r) => drawn(r.idleGpu.amount))];
  const busy = [
    ...(unallocated > 0 ? [0] : []),
    ...rows.map((r) => unitsToNumber(amountUnits(r.gpu.amount) - amountUnits(r.idleGpu.amount))),
  ];
  const option = {
    animation: false,
    color: [chartColors.accent, '#e2a93b'],
    grid: { left: 130, right: 16, top: 30, bottom: 24 },
    legend,
    tooltip: barTooltip(review.currency),
    xAxis: {
      type: 'value',
      ...axis,
      axisLabel: { ...axis.axisLabel, formatter: (v: number) => compactMoney(v, review.currency) },
    },
    yAxis: {
      type: 'category',
      data: names,
      ...axis,
      splitLine: { show: false },
      axisLabel: { ...axis.axisLabel, width: 120, overflow: 'truncate' },
    },
    series: [
      {
        name: 'GPU in use',
        type: 'bar',
        stack: 'gpu',
        data: busy,
        barMaxWidth: 16,
        emphasis: { disabled: true },
      },
      {
        name: 'GPU idle (waste)',
        type: 'bar',
        stack: 'gpu',
        data: idle,
        barMaxWidth: 16,
        emphasis: { disabled: true },
      },
    ],
  };
  return (
    <ChartCard
      name="gpu-idle"
      title="GPU cost: in use vs idle"
      subtitle="this month; idle share from GPU utilisation (dcgm-exporter)"
      option={option}
      empty={names.length === 0 ? 'No GPU cost this month.' : null}
      height={Math.max(200, 40 + names.length * 24)}
    />
  );
}

export function BudgetChart({ review }: { review: CostReview }) {
  const days = review.daily.days;
  // the running total is summed exactly, then drawn
  const cumulative: number[] = [];
  let sum = 0n;
  for (const a of review.daily.total) {
    sum += amountUnits(a);
    cumulative.push(unitsToNumber(sum));
  }
  // the month's remaining days, to draw the forecast to month end
  const start = Date.parse(`${review.period.start}T00:00:00Z`);
  const end = Date.parse(`${review.period.end}T00:00:00Z`);
  const allDays: string[] = [];
  for (let t = start; t < end; t += 86_400_000) allDays.push(new Date(t).toISOString().slice(0, 10));
  const last = cumulative[cumulative.length - 1] ?? 0;
  const monthEnd = drawn(review.forecast.monthEnd.amount);
  const forecast = allDays.map((d, i) => {
    if (i < days.length - 1) return null;
    if (days.length === 0) return (monthEnd * (i + 1)) / allDays.length;
    const k = i - (days.length - 1);
    const n = allDays.length - days.length;
    return n <= 0 ? last : last + ((monthEnd - last) * k) / n;
  });
  const budget = review.budget.amount ? drawn(review.budget.amount.amount) : null;
  const option = {
    animation: false,
    grid: { left: 60, right: 12, top: 30, bottom: 26 },
    legend,
    tooltip: { ...tooltipBase, trigger: 'axis', formatter: axisTooltip(review.currency) },
    xAxis: { type: 'category', data: allDays.map(shortDay), ...axis, splitLine: { show: false } },
    yAxis: {
      type: 'value',
      ...axis,
      axisLabel: { ...axis.axisLabel, formatter: (v: number) => compactMoney(v, review.currency) },
    },
    series: [
      {
        name: 'Actual',
        type: 'line',
        data: cumulative,
        color: chartColors.accent,
        showSymbol: false,
        lineStyle: { width: 2 },
        areaStyle: { opacity: 0.08 },
      },
      {
        name:
          review.forecast.source === 'aws'
            ? 'Forecast (Cost Explorer)'
            : review.forecast.source === 'complete'
              ? 'Month total'
              : 'Forecast (run rate)',
        type: 'line',
        data: forecast,
        color: '#c77dff',
        showSymbol: false,
        lineStyle: { width: 1.5, type: 'dashed' },
      },
      ...(budget !== null
        ? [
            {
              name: 'Budget',
              type: 'line',
              data: allDays.map(() => budget),
              color: '#f2645a',
              showSymbol: false,
              lineStyle: { width: 1, type: 'dotted' },
            },
          ]
        : []),
    ],
  };
  return (
    <ChartCard
      name="budget"
      title="Month to date, forecast and budget"
      subtitle={
        review.budget.amount ? `budget ${formatMoney(review.budget.amount, { digits: 0 })}` : 'no budget set'
      }
      option={option}
      empty={null}
    />
  );
}
