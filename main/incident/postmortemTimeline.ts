/**
 * The postmortem's timeline: the captured entries and the milestones as rows, a conservative Mermaid `timeline`
 * of the key moments (at most MERMAID_MAX), a 24-hour UTC table (at most TIMELINE_TABLE_MAX rows, the most
 * telling first) and every row as CSV.
 */
import { MILESTONES, type TimelineEntry } from '../../shared/incident';
import { MILESTONE_LABEL, at, sinceStarted, modelName, type Ctx } from './postmortemContext';
import { csvText } from '../../shared/csv';
import { md, mermaid } from './postmortemText';

/** The timeline table shows at most this many rows (every entry is in assets/timeline.csv). */ export const TIMELINE_TABLE_MAX = 400;
/** The Mermaid timeline shows at most this many entries (it is a picture, not the record). */
export const MERMAID_MAX = 40;

export interface Row {
  atMs: number;
  source: string;
  model: string | null;
  tone: string;
  summary: string;
  id: number;
  entry: TimelineEntry | null;
}

const PRIORITY: Record<string, number> = {
  milestone: 0,
  alert: 1,
  action: 2,
  note: 3,
  change: 4,
  changepoint: 5,
  event: 6,
};
const rank = (r: Row) =>
  (PRIORITY[r.source] ?? 7) * 2 + (r.source === 'event' && (r.tone === 'info' || r.tone === 'ok') ? 1 : 0);
const byTime = (a: Row, b: Row) =>
  a.atMs - b.atMs || (PRIORITY[a.source] ?? 7) - (PRIORITY[b.source] ?? 7) || a.id - b.id;

export function rowsOf(ctx: Ctx): Row[] {
  const rows: Row[] = ctx.timeline.map((e) => ({
    atMs: Date.parse(e.at),
    source: e.source,
    model: e.model,
    tone: e.tone,
    summary:
      e.count > 1
        ? `${e.summary} (x${e.count}${e.lastAt ? `, last ${at(ctx, Date.parse(e.lastAt))}` : ''})`
        : e.summary,
    id: e.id,
    entry: e,
  }));
  for (const name of MILESTONES) {
    const t = ctx.ms[name];
    if (t !== null)
      rows.push({
        atMs: t,
        source: 'milestone',
        model: null,
        tone: 'info',
        summary: MILESTONE_LABEL[name],
        id: -1 - MILESTONES.indexOf(name),
        entry: null,
      });
  }
  return rows.filter((r) => Number.isFinite(r.atMs)).sort(byTime);
}

/** The `limit` most telling rows (milestones, alerts, actions, notes before Kubernetes events), in time order. */
function pick(rows: readonly Row[], limit: number): Row[] {
  if (rows.length <= limit) return [...rows];
  return [...rows]
    .sort((a, b) => rank(a) - rank(b) || byTime(a, b))
    .slice(0, limit)
    .sort(byTime);
}

function phaseOf(ctx: Ctx, t: number): string {
  const { started, detected, mitigated } = ctx.ms;
  if (started !== null && t < started) return 'Before it started';
  if (detected !== null && t < detected) return 'Impact before detection';
  if (mitigated !== null && t >= mitigated) return 'Recovery';
  return 'Response';
}

export function mermaidTimeline(ctx: Ctx, rows: readonly Row[]): string {
  const shown = pick(
    rows.filter((r) => r.source !== 'event' || r.tone === 'critical'),
    MERMAID_MAX,
  );
  const lines = ['timeline', `    title ${mermaid(ctx.room.incident.title, 80)} (UTC)`];
  let section = '';
  let period = '';
  for (const r of shown) {
    const s = phaseOf(ctx, r.atMs);
    if (s !== section) {
      lines.push(`    section ${s}`);
      section = s;
      period = '';
    }
    const p = mermaid(at(ctx, r.atMs));
    const text = mermaid(`${r.source === 'milestone' ? '' : `${r.source} `}${r.summary}`);
    if (p === period) lines[lines.length - 1] += ` : ${text}`;
    else lines.push(`        ${p} : ${text}`);
    period = p;
  }
  return `${lines.join('\n')}\n`;
}

export function timeline(ctx: Ctx, rows: readonly Row[], mmd: string): string[] {
  const shown = pick(rows, TIMELINE_TABLE_MAX);
  const out = [
    'Key moments (the full record is the table below):',
    '',
    '```mermaid',
    mmd.trimEnd(),
    '```',
    '',
    `All times UTC, on ${ctx.day} unless a date is given.`,
    '',
    '| Time (UTC) | From started | Source | Model | What |',
    '| --- | --- | --- | --- | --- |',
    ...shown.map(
      (r) =>
        `| ${at(ctx, r.atMs)} | ${sinceStarted(ctx, r.atMs) || '—'} | ${r.source === 'milestone' ? '**milestone**' : r.source} | ${md(modelName(ctx, r.model))} | ${r.source === 'milestone' ? `**${md(r.summary)}**` : md(r.summary)} |`,
    ),
  ];
  if (shown.length < rows.length)
    out.push(
      '',
      `Showing ${shown.length} of ${rows.length} entries (informational Kubernetes events are left out first); every entry is in [assets/timeline.csv](assets/timeline.csv).`,
    );
  else
    out.push(
      '',
      'As a file: [assets/timeline.csv](assets/timeline.csv), [assets/timeline.mmd](assets/timeline.mmd).',
    );
  return out;
}
export function timelineCsv(ctx: Ctx, rows: readonly Row[]): string {
  return csvText(
    ['time', 'source', 'model', 'tone', 'summary', 'count', 'last_seen', 'object'],
    rows.map((r) => [
      new Date(r.atMs).toISOString(),
      r.source,
      r.model,
      r.tone,
      // one line per entry: a multi-line event message reads as one cell
      r.summary.replace(/\r\n?|\n/g, ' '),
      r.entry?.count,
      r.entry?.lastAt,
      r.entry?.object,
    ]),
  );
}
