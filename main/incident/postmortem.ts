/**
 * The postmortem: `postmortem.md` and an `assets/` folder, pre-filled from what was captured, in the usual order
 * (Google SRE book, Atlassian handbook): summary, impact in numbers, trigger, detection, response, recovery,
 * timeline, root cause (left for the author), action items, lessons learned, supporting information; a footer
 * says whether the audit chain verifies. Every figure names the capture it came from.
 *
 * Renders on GitHub and GitLab as written: charts are self-contained SVG, the timeline a conservative Mermaid
 * `timeline`, and every piece of cluster, alert or typed text is escaped for where it lands. The same input
 * always gives the same bytes (no clock is read, everything is sorted).
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { zipSync, type Zippable } from 'fflate';
import { MILESTONES } from '../../shared/incident';
import { chartSvg, seriesCsv } from './postmortemCharts';
import { cmp, contextOf, objectiveFor, type PostmortemFile, type PostmortemInput } from './postmortemContext';
import { footer, lessons, recovery, response, rootCause, actionItems, supporting } from './postmortemLater';
import { detection, header, impact, summary, trigger } from './postmortemSections';
import { mermaidTimeline, rowsOf, timeline, timelineCsv } from './postmortemTimeline';

export type { PostmortemFile, PostmortemInput } from './postmortemContext';

/** The `##` headings of postmortem.md, in their order. */
export const POSTMORTEM_SECTIONS = [
  'Summary',
  'Impact',
  'Trigger',
  'Detection',
  'Response',
  'Recovery',
  'Timeline',
  'Root cause',
  'Action items',
  'Lessons learned',
  'Supporting information',
] as const;

// ---------- the API ----------

export function buildPostmortem(input: PostmortemInput): { files: PostmortemFile[] } {
  const ctx = contextOf(input);
  const rows = rowsOf(ctx);
  const mmd = mermaidTimeline(ctx, rows);
  const sections: Record<(typeof POSTMORTEM_SECTIONS)[number], string[]> = {
    Summary: summary(ctx),
    Impact: impact(ctx),
    Trigger: trigger(ctx),
    Detection: detection(ctx),
    Response: response(ctx),
    Recovery: recovery(ctx),
    Timeline: timeline(ctx, rows, mmd),
    'Root cause': rootCause(ctx),
    'Action items': actionItems(ctx),
    'Lessons learned': lessons(ctx),
    'Supporting information': supporting(ctx),
  };
  const doc = [...header(ctx), ''];
  for (const name of POSTMORTEM_SECTIONS) doc.push(`## ${name}`, '', ...sections[name], '');
  doc.push(...footer(input.audit));
  const markdown = `${doc
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;

  const milestones = MILESTONES.flatMap((name) =>
    ctx.ms[name] !== null && name !== 'acknowledged' ? [{ name, atMs: ctx.ms[name] }] : [],
  );
  const assets: PostmortemFile[] = [];
  for (const c of ctx.charts) {
    const impactRow = ctx.impact.models.find((m) => m.serviceId === c.model.serviceId);
    const svg = chartSvg({
      series: c.series,
      modelName: c.model.name,
      role: c.model.role,
      milestones,
      objective: objectiveFor(impactRow, c.series.metric),
      captureName: input.captureName,
    });
    assets.push(
      { name: `assets/${c.base}.svg`, content: Buffer.from(svg, 'utf8') },
      { name: `assets/${c.base}.csv`, content: Buffer.from(seriesCsv(c.series), 'utf8') },
    );
  }
  assets.push(
    { name: 'assets/timeline.mmd', content: Buffer.from(mmd, 'utf8') },
    { name: 'assets/timeline.csv', content: Buffer.from(timelineCsv(ctx, rows), 'utf8') },
  );
  assets.sort((a, b) => cmp(a.name, b.name));
  return { files: [{ name: 'postmortem.md', content: Buffer.from(markdown, 'utf8') }, ...assets] };
}

/** A relative path inside the folder, refused if it could leave it. */
function safeName(name: string): string {
  const norm = path.posix.normalize(name);
  if (
    !name ||
    path.isAbsolute(name) ||
    norm.startsWith('..') ||
    norm.split('/').some((p) => p === '..' || p === '')
  )
    throw new Error(
      `refusing to write a postmortem file outside its folder: ${JSON.stringify(name.slice(0, 80))}`,
    );
  return norm;
}

/** Writes the files under `dir` (created as needed), each atomically: a temporary file, then a rename. */
export function writePostmortem(dir: string, files: readonly PostmortemFile[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const target = path.join(dir, ...safeName(f.name).split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.writeFileSync(tmp, f.content);
      fs.renameSync(tmp, target);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }
}

/**
 * The files as one zip (deflate), in name order, with a fixed modification time (`mtime`, default
 * 1980-01-01 00:00), so the same files give the same bytes on any machine and in any time zone.
 */
export function zipPostmortem(files: readonly PostmortemFile[], opts: { mtime?: string } = {}): Buffer {
  // zip times are local wall-clock fields: build the Date from the UTC fields so every zone writes the same
  const t = opts.mtime ? new Date(opts.mtime) : null;
  const mtime =
    t && Number.isFinite(t.getTime()) && t.getUTCFullYear() >= 1980 && t.getUTCFullYear() < 2100
      ? new Date(
          t.getUTCFullYear(),
          t.getUTCMonth(),
          t.getUTCDate(),
          t.getUTCHours(),
          t.getUTCMinutes(),
          t.getUTCSeconds(),
        )
      : new Date(1980, 0, 1, 0, 0, 0);
  const tree: Zippable = {};
  for (const f of [...files].sort((a, b) => cmp(a.name, b.name)))
    tree[safeName(f.name)] = [new Uint8Array(f.content), { level: 6, mtime }];
  return Buffer.from(zipSync(tree));
}
