/**
 * The monthly review exported: a CSV (one table, a `scope` column for totals / models / teams / namespaces) and
 * a Markdown report with the charts as PNG files next to it, and the two as one zip to hand on. Chart images come from the renderer (ECharts
 * getDataURL) and are checked to be PNGs before they are written. Text from data is escaped for Markdown, and
 * CSV cells that a spreadsheet would read as a formula are quoted as text; in both, bidi controls and invisible
 * characters from data are shown as markers (`⟨U+202E⟩`), never obeyed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import type { ChartImage, CostReview, ExportResult } from '../../shared/cost';
import { csvMoney, csvText, type CsvCell } from '../../shared/csv';
import { AppError } from '../../shared/errors';
import { formatMoney, formatUnitCost, type MoneyWire } from '../../shared/money';
import { visibleText } from '../../shared/visibleText';
import { sourceName } from './review';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function decodePng(image: ChartImage): Buffer {
  const data = Buffer.from(image.dataUrl.slice('data:image/png;base64,'.length), 'base64');
  if (data.length < 8 || !data.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new AppError(
      'INVALID_INPUT',
      `The chart "${image.title}" is not a PNG image.`,
      'Export again; if it persists, report it.',
    );
  }
  return data;
}

// ---------- CSV ----------

const pct = (r: number | null) => (r === null ? null : Math.round(r * 10_000) / 100);

export function reviewCsv(review: CostReview): string {
  const header = [
    'month',
    'scope',
    'name',
    'kind',
    'namespace',
    'team',
    'currency',
    'this_month',
    'last_month_to_date',
    'last_month',
    'change',
    'change_pct',
    'gpu',
    'idle_gpu',
    'gpu_share_pct',
    'idle_share_pct',
    'successful_requests',
    'measured_days',
    'cost_per_1k',
    'generated_tokens',
    'cost_per_1m_tokens',
    'forecast_month_end',
    'budget',
    'budget_status',
  ];
  const lines: CsvCell[][] = [];
  const t = review.totals;
  lines.push([
    review.month,
    'total',
    'All',
    'total',
    null,
    null,
    review.currency,
    csvMoney(t.thisMonth),
    csvMoney(t.lastMonthToDate),
    csvMoney(t.lastMonth),
    csvMoney(t.change),
    pct(t.changeRatio),
    csvMoney(t.gpu),
    csvMoney(t.idleGpu),
    null,
    null,
    null,
    null,
    t.costPer1k?.amount ?? null,
    null,
    null,
    csvMoney(review.forecast.monthEnd),
    csvMoney(review.budget.amount),
    review.budget.status,
  ]);
  for (const r of review.models) {
    lines.push([
      review.month,
      'model',
      r.name,
      r.kind,
      r.namespace,
      r.team,
      review.currency,
      csvMoney(r.thisMonth),
      csvMoney(r.lastMonthToDate),
      csvMoney(r.lastMonth),
      csvMoney(r.change),
      pct(r.changeRatio),
      csvMoney(r.gpu),
      csvMoney(r.idleGpu),
      pct(r.gpuShare),
      pct(r.idleShare),
      r.successes === null ? null : Math.round(r.successes),
      r.measuredDays,
      r.costPer1k?.amount ?? null,
      r.generatedTokens === null ? null : Math.round(r.generatedTokens),
      r.costPer1MTokens?.amount ?? null,
      csvMoney(r.forecast),
      csvMoney(r.budget),
      r.budgetStatus,
    ]);
  }
  // the FOCUS breakdowns: scope = the column (ServiceCategory, ServiceName, ChargeCategory, Region, SubAccount)
  const breakdowns = review.breakdowns.map((b) => [b.title, b.rows] as const);
  for (const [scope, groups] of [
    ['team', review.teams] as const,
    ['namespace', review.namespaces] as const,
    ...breakdowns,
  ]) {
    for (const g of groups) {
      lines.push([
        review.month,
        scope,
        g.key,
        scope,
        scope === 'namespace' ? g.key : null,
        scope === 'team' ? g.key : null,
        review.currency,
        csvMoney(g.thisMonth),
        csvMoney(g.lastMonthToDate),
        csvMoney(g.lastMonth),
        csvMoney(g.change),
        pct(g.changeRatio),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        csvMoney(g.forecast),
        csvMoney(g.budget),
        g.budgetStatus,
      ]);
    }
  }
  return csvText(header, lines);
}

// ---------- Markdown ----------

/** Escapes text from data so it reads as text in Markdown (tables included), invisible characters shown. */
export function md(text: string): string {
  return visibleText(text)
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

const money = (m: MoneyWire | null) => (m ? formatMoney(m) : '—');
const unitCost = (m: MoneyWire | null) => (m ? formatUnitCost(m) : '—');
const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const signed = (m: MoneyWire) => (m.amount.startsWith('-') ? formatMoney(m) : `+${formatMoney(m)}`);
/** `+$120.00 (4.1%)`; without a ratio (nothing to compare with) just the amount, never "(—)" */
const changeText = (m: MoneyWire, r: number | null) =>
  r === null ? signed(m) : `${signed(m)} (${percent(r)})`;
const count = (n: number | null) => (n === null ? '—' : Math.round(n).toLocaleString('en-US'));

function table(head: string[], rows: string[][], alignRight: number[] = []): string {
  const sep = head.map((_, i) => (alignRight.includes(i) ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function ageText(fetchedAt: string | null, now: number): string {
  if (!fetchedAt) return 'not fetched';
  const s = Math.max(0, Math.round((now - Date.parse(fetchedAt)) / 1000));
  if (s < 90) return `${s} s old`;
  if (s < 5400) return `${Math.round(s / 60)} min old`;
  if (s < 172_800) return `${Math.round(s / 3600)} h old`;
  return `${Math.round(s / 86_400)} d old`;
}

export function reviewMarkdown(
  review: CostReview,
  charts: Array<{ file: string; title: string }>,
  now: number,
): string {
  const t = review.totals;
  const out: string[] = [];
  out.push(`# Cost review ${review.month}`);
  out.push('');
  out.push(
    `Period ${review.period.start} to ${review.period.end} (UTC, end exclusive)${review.complete ? '' : `, ${review.daysWithCost} day${review.daysWithCost === 1 ? '' : 's'} so far`}; compared with ${review.previousPeriod.start} to ${review.previousPeriod.end}. Amounts in ${review.currency}. Made ${review.generatedAt.slice(0, 16).replace('T', ' ')} UTC by Firebreak.`,
  );
  out.push('');
  out.push('## Summary');
  out.push('');
  out.push(
    table(
      ['', 'Amount'],
      [
        ['This month', money(t.thisMonth)],
        ['Last month, same days', money(t.lastMonthToDate)],
        ['Change', changeText(t.change, t.changeRatio)],
        ['Last month, whole', money(t.lastMonth)],
        [
          `Forecast to month end (${review.forecast.source === 'aws' ? 'Cost Explorer' : review.forecast.source === 'complete' ? 'month complete' : 'run rate'})`,
          money(review.forecast.monthEnd),
        ],
        [
          'Budget',
          review.budget.amount
            ? `${money(review.budget.amount)} (${review.budget.status.replace('_', ' ')})`
            : '—',
        ],
        ['GPU', money(t.gpu)],
        ['Idle GPU (allocated, unused; from utilisation)', money(t.idleGpu)],
        ['Unallocated GPU', money(t.unallocatedGpu)],
        ['Unattributed', money(t.unattributed)],
        ['Cost per 1k inferences', unitCost(t.costPer1k)],
      ],
      [1],
    ),
  );
  out.push('');
  if (charts.length > 0) {
    out.push('## Charts');
    out.push('');
    for (const c of charts) {
      out.push(`![${md(c.title)}](${encodeURI(c.file)})`);
      out.push('');
    }
  }
  out.push('## By model');
  out.push('');
  out.push(
    table(
      [
        'Model',
        'Namespace',
        'This month',
        'Last month (same days)',
        'Change',
        'GPU share',
        'Idle share',
        'Successful requests',
        'Cost per 1k',
        'Cost per 1M tokens',
        'Forecast',
        'Budget',
      ],
      review.models.map((r) => [
        r.kind === 'unattributed' ? '*Unattributed*' : md(r.name),
        r.namespace ? md(r.namespace) : '—',
        money(r.thisMonth),
        money(r.lastMonthToDate),
        changeText(r.change, r.changeRatio),
        percent(r.gpuShare),
        percent(r.idleShare),
        count(r.successes),
        unitCost(r.costPer1k),
        unitCost(r.costPer1MTokens),
        money(r.forecast),
        r.budget ? `${money(r.budget)} (${r.budgetStatus.replace('_', ' ')})` : '—',
      ]),
      [2, 3, 4, 5, 6, 7, 8, 9, 10],
    ),
  );
  out.push('');
  for (const [title, groups] of [
    ['By team', review.teams] as const,
    ['By namespace', review.namespaces] as const,
    ...review.breakdowns.map((b) => [`By ${b.title}`, b.rows] as const),
  ]) {
    if (groups.length === 0) continue;
    out.push(`## ${title}`);
    out.push('');
    out.push(
      table(
        [
          title.slice(3, 4).toUpperCase() + title.slice(4),
          'This month',
          'Last month (same days)',
          'Change',
          'Forecast',
          'Budget',
        ],
        groups.map((g) => [
          md(g.key),
          money(g.thisMonth),
          money(g.lastMonthToDate),
          changeText(g.change, g.changeRatio),
          money(g.forecast),
          g.budget ? `${money(g.budget)} (${g.budgetStatus.replace('_', ' ')})` : '—',
        ]),
        [1, 2, 3, 4],
      ),
    );
    out.push('');
  }
  if (review.topMovers.length > 0) {
    out.push('## Top movers');
    out.push('');
    for (const m of review.topMovers) out.push(`- ${md(m.name)}: ${changeText(m.change, m.changeRatio)}`);
    out.push('');
  }
  out.push('## Anomalies');
  out.push('');
  if (review.anomalies.length === 0) out.push('None detected.');
  else {
    out.push(
      table(
        ['From', 'To', 'Where', 'Impact', 'Actual', 'Expected', 'Root causes'],
        review.anomalies.map((a) => [
          a.start,
          a.end,
          md(a.dimension),
          money(a.impact),
          money(a.actual),
          money(a.expected),
          a.rootCauses.length ? md(a.rootCauses.join('; ')) : '—',
        ]),
        [3, 4, 5],
      ),
    );
  }
  out.push('');
  out.push('## Sources');
  out.push('');
  for (const s of review.sources) {
    out.push(
      `- ${sourceName(s.kind).replace(/^the /, '')}: ${s.status.replace('_', ' ')} — ${md(s.detail)}${s.fetchedAt ? ` (${ageText(s.fetchedAt, now)})` : ''}`,
    );
  }
  for (const k of review.keptApart) out.push(`- ${md(k.message)}`);
  for (const n of review.notes) out.push(`- ${md(n)}`);
  out.push('');
  return out.join('\n');
}

/** Writes the export into `<dir>/cost-review-<month>/`; returns what was written. */
export function writeExport(
  dir: string,
  review: CostReview,
  format: 'csv' | 'markdown',
  charts: ChartImage[],
  now: number,
): ExportResult {
  const base = `cost-review-${review.month}`;
  const folder = path.join(dir, base);
  try {
    fs.mkdirSync(folder, { recursive: true });
  } catch (err) {
    throw new AppError(
      'INTERNAL',
      `Cannot create the export folder ${folder}: ${(err as Error).message}`,
      'Check that the folder is writable.',
    );
  }
  const files: ExportResult['files'] = [];
  const write = (name: string, data: string | Buffer) => {
    const file = path.join(folder, name);
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
    files.push({ name, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length });
  };
  if (format === 'csv') {
    const text = reviewCsv(review);
    write(`${base}.csv`, text);
    return { directory: folder, files, download: { fileName: `${base}.csv`, mediaType: 'text/csv', text } };
  }
  const seen = new Set<string>();
  const images = charts.map((c) => {
    if (seen.has(c.name))
      throw new AppError(
        'INVALID_INPUT',
        `Two charts are named "${c.name}".`,
        'This is a bug in the console.',
      );
    seen.add(c.name);
    return { file: `${base}-${c.name}.png`, title: c.title, data: decodePng(c) };
  });
  for (const img of images) write(img.file, img.data);
  const text = reviewMarkdown(review, images, now);
  write(`${base}.md`, text);
  files.unshift(files.pop() as ExportResult['files'][number]); // the report first
  // the report and its images in one file (the Markdown links them by name, side by side at the zip's root)
  const mtime = new Date(now);
  const tree: Zippable = { [`${base}.md`]: [Buffer.from(text, 'utf8'), { level: 6, mtime }] };
  for (const img of images) tree[img.file] = [new Uint8Array(img.data), { level: 0, mtime }];
  const zip = Buffer.from(zipSync(tree));
  write(`${base}.zip`, zip);
  files.unshift(files.pop() as ExportResult['files'][number]); // the zip first: the one file to hand on
  return {
    directory: folder,
    files,
    download: { fileName: `${base}.zip`, mediaType: 'application/zip', base64: zip.toString('base64') },
  };
}
