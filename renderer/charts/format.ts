/**
 * Pure formatting for charts: values by unit, and tooltip markup where every piece of text that comes from
 * data (series names, labels, pods) goes through `escape` (ECharts' encodeHTML), so a label value such as
 * `<img src=x onerror=…>` is shown as text.
 */
import type { ChartUnit } from '../../shared/series';
import { visibleText } from '../../shared/visibleText';
import { formatDateTime, timeZoneStore } from '../time';

export type Escape = (text: string) => string;

/** The same escaping ECharts' format.encodeHTML does; used where ECharts is not loaded (tests). */
export const escapeHtml: Escape = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

type OptionPart = Record<string, unknown>;

function visibleNamed(part: unknown): unknown {
  if (Array.isArray(part)) return part.map(visibleNamed);
  if (!part || typeof part !== 'object') return part;
  const p = part as OptionPart;
  const out: OptionPart = { ...p };
  if (typeof p.name === 'string') out.name = visibleText(p.name);
  if (typeof p.text === 'string') out.text = visibleText(p.text);
  // category axes and legends list names; numbers and [x, y] points pass as they are
  if (Array.isArray(p.data))
    out.data = p.data.map((d: unknown) =>
      typeof d === 'string'
        ? visibleText(d)
        : d && typeof d === 'object' && !Array.isArray(d)
          ? visibleNamed(d)
          : d,
    );
  return out;
}

/**
 * An ECharts option with the text it draws from data (series names, category and legend entries, titles)
 * shown through visibleText: the canvas draws a right-to-left override as one too. Series data arrays of
 * numbers are left untouched (a heatmap has a million points).
 */
export function visibleOption<T extends object>(option: T): T {
  const o = option as OptionPart;
  // every chart passes through here: its time axis follows the UTC / local switch too
  const out: OptionPart = { ...o, useUTC: timeZoneStore.getState().mode === 'utc' };
  for (const key of ['series', 'xAxis', 'yAxis', 'legend', 'title']) {
    if (!(key in o)) continue;
    const part = o[key];
    out[key] =
      key === 'series' && Array.isArray(part)
        ? part.map((s: unknown) =>
            s && typeof s === 'object' && typeof (s as OptionPart).name === 'string'
              ? { ...(s as OptionPart), name: visibleText((s as OptionPart).name as string) }
              : s,
          )
        : visibleNamed(part);
  }
  return out as T;
}

/** Data text for a tooltip: invisible characters shown as markers, then escaped for HTML. */
export function showEscaped(escape: Escape): Escape {
  return (text) => escape(visibleText(String(text)));
}

function compact(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e9) return `${(v / 1e9).toFixed(a >= 1e10 ? 0 : 1)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 0.01) return v.toFixed(2);
  return v.toPrecision(2);
}

export function formatValue(unit: ChartUnit, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  switch (unit) {
    case 'reqps':
      return `${compact(v)}/s`;
    case 'tokps':
      return `${compact(v)} tok/s`;
    case 'ratio': {
      const pct = v * 100;
      if (pct === 0) return '0%';
      if (Math.abs(pct) < 0.01) return '<0.01%';
      return `${Math.abs(pct) < 10 ? pct.toFixed(2) : pct.toFixed(1)}%`;
    }
    case 'percent':
      return `${v.toFixed(1)}%`;
    case 'seconds':
      if (Math.abs(v) < 1) return `${(v * 1000).toFixed(Math.abs(v) < 0.01 ? 2 : 0)} ms`;
      return `${v.toFixed(Math.abs(v) < 10 ? 2 : 1)} s`;
    case 'mib':
      return Math.abs(v) >= 1024 ? `${(v / 1024).toFixed(1)} GiB` : `${v.toFixed(0)} MiB`;
    case 'watts':
      return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)} kW` : `${v.toFixed(0)} W`;
    case 'usdph':
      return `$${v.toFixed(2)}/h`;
    case 'count':
    default:
      return compact(v);
  }
}

/** Axis labels: shorter than tooltip values. */
export function formatAxis(unit: ChartUnit, v: number): string {
  if (unit === 'ratio') return `${+(v * 100).toFixed(2)}%`;
  return formatValue(unit, v);
}

/** Axis labels `13:04` (the window picker beside the charts names the zone); tooltips with the date and the zone. */
export function formatTime(ms: number, withDate = false): string {
  return formatDateTime(
    ms,
    undefined,
    withDate ? { seconds: false } : { date: false, seconds: false, zone: false },
  );
}

const SAFE_COLOR = /^(#[0-9a-f]{3,8}|rgba?\([0-9., ]+\))$/i;

function marker(color: unknown): string {
  const c = typeof color === 'string' && SAFE_COLOR.test(color) ? color : '#8a93a6';
  return `<span style="display:inline-block;width:8px;height:8px;border-radius:2px;margin-right:6px;background:${c}"></span>`;
}

export interface AxisTooltipParam {
  seriesName?: string;
  value?: unknown;
  color?: unknown;
}

/** The line charts' tooltip: the time, then one row per series (names escaped). */
export function lineTooltip(
  params: AxisTooltipParam[] | AxisTooltipParam,
  unit: ChartUnit,
  escape: Escape,
): string {
  const show = showEscaped(escape);
  const list = Array.isArray(params) ? params : [params];
  const first = list[0]?.value;
  const t = Array.isArray(first) && typeof first[0] === 'number' ? formatTime(first[0], true) : '';
  const rows = list.map((p) => {
    const v = Array.isArray(p.value) ? (p.value[1] as number | null) : null;
    return `<div>${marker(p.color)}${show(String(p.seriesName ?? ''))}: <b>${escape(formatValue(unit, v))}</b></div>`;
  });
  return `<div style="font-weight:600;margin-bottom:4px">${escape(t)}</div>${rows.join('')}`;
}

/** The heatmap's tooltip: GPU, who holds it, time, utilisation (all data text escaped). */
export function heatmapTooltip(
  row: { key: string; modelName: string | null; namespace: string | null; pod: string | null } | undefined,
  timeMs: number,
  value: number | null,
  escape: Escape,
): string {
  if (!row) return '';
  const show = showEscaped(escape);
  const holder = row.pod ? `${row.namespace ?? ''}/${row.pod}` : 'not allocated';
  return [
    `<div style="font-weight:600">${show(row.key)}</div>`,
    row.modelName ? `<div>${show(row.modelName)}</div>` : '',
    `<div>${show(holder)}</div>`,
    `<div>${escape(formatTime(timeMs, true))}: <b>${escape(formatValue('ratio', value))}</b></div>`,
  ].join('');
}

/** Splits a sparkline into drawable runs (null = a gap), scaled into a w x h box. */
export function sparkPaths(
  values: ReadonlyArray<number | null>,
  w: number,
  h: number,
  fixedMax?: number,
): string[] {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return [];
  const max = fixedMax ?? Math.max(...finite);
  const min = Math.min(0, ...finite);
  const span = max - min || 1;
  const dx = values.length > 1 ? w / (values.length - 1) : 0;
  const paths: string[] = [];
  let cur = '';
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (cur) paths.push(cur);
      cur = '';
      return;
    }
    const x = (i * dx).toFixed(1);
    const y = (h - 1 - ((v - min) / span) * (h - 2)).toFixed(1);
    cur += `${cur ? 'L' : 'M'}${x} ${y}`;
  });
  if (cur) paths.push(cur);
  return paths;
}

/** The heatmap's row name: the GPU and, when one holds it, the workload (from its model service or pod name). */
export function rowLabel(row: { key: string; pod: string | null; serviceId: string | null }): string {
  if (!row.pod) return visibleText(row.key);
  const workload = row.serviceId
    ? (row.serviceId.split('/')[2] ?? row.pod)
    : row.pod.replace(/-[a-z0-9]{6,10}-[a-z0-9]{5}$/, '').replace(/-predictor-.*$/, '');
  const shown = visibleText(workload);
  return visibleText(`${row.key}  ${shown.length > 22 ? `${shown.slice(0, 21)}…` : shown}`);
}
