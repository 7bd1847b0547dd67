/**
 * The postmortem's charts and data: one self-contained SVG per plotted series (no script, no external reference,
 * every text escaped), drawn from the captured samples as they are: a null is a gap in the line, never
 * interpolated across; the milestones are labelled dashed verticals, the objective a horizontal line. And the
 * series as `time,value` CSV (ISO times, an empty value for no sample).
 */
import type { CapturedSeries } from '../../shared/incident';
import { clock, latency, percent, rate, xml } from './postmortemText';

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 260;

const PAD = { left: 64, right: 20, top: 34, bottom: 62 };
const PLOT_W = CHART_WIDTH - PAD.left - PAD.right;
const PLOT_H = CHART_HEIGHT - PAD.top - PAD.bottom;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export const METRIC_LABEL: Record<CapturedSeries['metric'], string> = {
  requests: 'requests per second',
  errorRatio: 'error ratio',
  p95: 'p95 latency',
  gpuUtil: 'GPU utilisation',
  replicasReady: 'ready replicas',
};

export interface ChartInput {
  series: CapturedSeries;
  /** the model's name, as people call it */
  modelName: string;
  role: 'involved' | 'fallback';
  milestones: ReadonlyArray<{ name: string; atMs: number }>;
  /** the objective's threshold in the series' unit (null: none applies) */
  objective: number | null;
  captureName: string;
}

/** The sample times and values of a captured series. */
export function samplesOf(s: CapturedSeries): Array<{ t: number; v: number | null }> {
  const t0 = Date.parse(s.t0);
  return s.values.map((v, i) => ({
    t: t0 + i * s.stepS * 1000,
    v: v !== null && Number.isFinite(v) ? v : null,
  }));
}

/** A value as its unit is read. */
export function formatValue(unit: CapturedSeries['unit'], v: number): string {
  switch (unit) {
    case 'ratio':
      return percent(v);
    case 'seconds':
      return latency(v);
    case 'reqps':
      return rate(v);
    case 'percent':
      return `${Number(v.toFixed(1))}%`;
    case 'count':
      return String(Number(v.toFixed(2)));
  }
}

/** A value-axis label: every tick of a latency axis in the same unit (s, or ms when the axis stays under 1 s). */
function axisValue(unit: CapturedSeries['unit'], v: number, top: number): string {
  if (unit !== 'seconds') return formatValue(unit, v);
  return top >= 1 ? `${Number(v.toFixed(2))} s` : `${Math.round(v * 1000)} ms`;
}

export function seriesCsv(s: CapturedSeries): string {
  const rows = samplesOf(s).map(({ t, v }) => `${new Date(t).toISOString()},${v === null ? '' : String(v)}`);
  return `time,value\n${rows.join('\n')}\n`;
}

const TIME_STEPS_S = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** Time ticks on whole multiples of a step (UTC), about 4 to 8 of them. */
export function timeTicks(fromMs: number, toMs: number): { ticks: number[]; stepS: number } {
  const spanS = Math.max(1, (toMs - fromMs) / 1000);
  const stepS = TIME_STEPS_S.find((s) => spanS / s <= 8) ?? 86_400 * Math.ceil(spanS / 86_400 / 8);
  const stepMs = stepS * 1000;
  const ticks: number[] = [];
  for (let t = Math.ceil(fromMs / stepMs) * stepMs; t <= toMs; t += stepMs) ticks.push(t);
  return { ticks, stepS };
}

/** 0, a round step, up to at least `max`: the value axis. */
function valueTicks(max: number): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = top / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let i = 0; i * step < top + step * 0.999 && ticks.length < 7; i++)
    ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** At most `max` characters (the Markdown beside the chart has the whole text). */
const clip = (t: string, max: number) => (t.length > max ? `${t.slice(0, max - 1)}…` : t);

const n1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** Lines of the path through the samples, broken wherever a sample is missing; lone samples as dots. */
function lineOf(
  points: ReadonlyArray<{ t: number; v: number | null }>,
  x: (t: number) => number,
  y: (v: number) => number,
): { path: string; dots: Array<[number, number]> } {
  const parts: string[] = [];
  const dots: Array<[number, number]> = [];
  let run: Array<[number, number]> = [];
  const flush = () => {
    if (run.length === 1) dots.push(run[0]!);
    else if (run.length > 1)
      parts.push(run.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${n1(px)} ${n1(py)}`).join(' '));
    run = [];
  };
  for (const p of points) {
    if (p.v === null) flush();
    else run.push([x(p.t), y(p.v)]);
  }
  flush();
  return { path: parts.join(' '), dots };
}

/** The SVG of one series, ~800x260, light background. */
export function chartSvg(c: ChartInput): string {
  const { series: s } = c;
  const points = samplesOf(s);
  const fromMs = points[0]?.t ?? Date.parse(s.t0);
  const toMs = Math.max(points.at(-1)?.t ?? fromMs, fromMs + s.stepS * 1000);
  const observed = points.flatMap((p) => (p.v === null ? [] : [p.v]));
  const maxV = Math.max(0, ...observed, c.objective ?? 0);
  const vTicks = valueTicks(maxV * 1.08);
  const vTop = vTicks.at(-1) ?? 1;
  const x = (t: number) => PAD.left + ((t - fromMs) / (toMs - fromMs)) * PLOT_W;
  const y = (v: number) => PAD.top + PLOT_H - (Math.max(0, v) / vTop) * PLOT_H;
  const title = `${c.modelName} (${c.role}): ${METRIC_LABEL[s.metric]}`;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-label="${xml(title)}">`,
    `<title>${xml(title)}</title>`,
    `<rect x="0" y="0" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PAD.left}" y="20" ${FONT} font-size="14" font-weight="bold" fill="#1f2328">${xml(title)}</text>`,
  );
  // value axis and grid
  out.push(`<g ${FONT} font-size="10" fill="#57606a" text-anchor="end">`);
  for (const v of vTicks) {
    const py = n1(y(v));
    out.push(
      `<line x1="${PAD.left}" y1="${py}" x2="${PAD.left + PLOT_W}" y2="${py}" stroke="#eaeef2" stroke-width="1"/>`,
      `<text x="${PAD.left - 6}" y="${n1(y(v) + 3)}">${xml(axisValue(s.unit, v, vTop))}</text>`,
    );
  }
  out.push('</g>');
  // time axis
  const { ticks, stepS } = timeTicks(fromMs, toMs);
  const day = new Date(fromMs).toISOString().slice(0, 10);
  const baseY = PAD.top + PLOT_H;
  out.push(
    `<line x1="${PAD.left}" y1="${baseY}" x2="${PAD.left + PLOT_W}" y2="${baseY}" stroke="#57606a" stroke-width="1"/>`,
    `<g ${FONT} font-size="10" fill="#57606a" text-anchor="middle">`,
  );
  for (const t of ticks) {
    const px = n1(x(t));
    const label = stepS < 60 ? clock(t, day) : clock(t, day).slice(0, -3);
    out.push(
      `<line x1="${px}" y1="${baseY}" x2="${px}" y2="${baseY + 4}" stroke="#57606a" stroke-width="1"/>`,
      `<text x="${px}" y="${baseY + 16}">${xml(label)}</text>`,
    );
  }
  out.push(
    '</g>',
    `<text x="${PAD.left + PLOT_W}" y="${baseY + 28}" ${FONT} font-size="10" fill="#57606a" text-anchor="end">time (UTC, 24-hour) · ${xml(day)}</text>`,
  );
  // the objective
  if (c.objective !== null && c.objective > 0) {
    const py = n1(y(c.objective));
    out.push(
      `<line x1="${PAD.left}" y1="${py}" x2="${PAD.left + PLOT_W}" y2="${py}" stroke="#cf222e" stroke-width="1" stroke-dasharray="2 3"/>`,
      `<text x="${PAD.left + PLOT_W - 2}" y="${n1(y(c.objective) - 4)}" ${FONT} font-size="10" fill="#cf222e" text-anchor="end">objective ${xml(formatValue(s.unit, c.objective))}</text>`,
    );
  }
  // milestones: dashed verticals, labels stacked in rows so close ones do not overlap
  const rowsEnd: number[] = [];
  const sorted = [...c.milestones]
    .filter((m) => m.atMs >= fromMs && m.atMs <= toMs)
    .sort((a, b) => a.atMs - b.atMs || a.name.localeCompare(b.name));
  for (const m of sorted) {
    const px = x(m.atMs);
    const width = m.name.length * 6 + 6;
    let row = rowsEnd.findIndex((end) => end < px);
    if (row < 0) row = rowsEnd.length;
    rowsEnd[row] = px + width;
    out.push(
      `<line x1="${n1(px)}" y1="${PAD.top}" x2="${n1(px)}" y2="${baseY}" stroke="#6e7781" stroke-width="1" stroke-dasharray="4 3"/>`,
      `<text x="${n1(px + 3)}" y="${PAD.top + 9 + row * 11}" ${FONT} font-size="10" fill="#424a53">${xml(m.name)}</text>`,
    );
  }
  // the line itself
  const { path, dots } = lineOf(points, x, y);
  if (path)
    out.push(`<path d="${path}" fill="none" stroke="#0969da" stroke-width="1.6" stroke-linejoin="round"/>`);
  for (const [px, py] of dots) out.push(`<circle cx="${n1(px)}" cy="${n1(py)}" r="1.8" fill="#0969da"/>`);
  if (observed.length === 0)
    out.push(
      `<text x="${PAD.left + PLOT_W / 2}" y="${PAD.top + PLOT_H / 2}" ${FONT} font-size="12" fill="#57606a" text-anchor="middle">no samples captured</text>`,
    );
  // where it came from
  const missing = points.length - observed.length;
  const source = [
    `Source: ${c.captureName}`,
    `series ${s.key}, ${points.length} samples every ${s.stepS} s${missing > 0 ? ` (${missing} missing, drawn as gaps)` : ''}`,
  ];
  out.push(
    ...source.map(
      (line, i) =>
        `<text x="${PAD.left}" y="${CHART_HEIGHT - 20 + i * 13}" ${FONT} font-size="10" fill="#57606a">${xml(clip(line, 125))}</text>`,
    ),
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
