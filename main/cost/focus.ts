/**
 * FOCUS billing export import (CSV, FOCUS 1.0 to 1.3).
 *
 * - Streamed: the file is read in chunks and aggregated on the way (per UTC day, tags, GPU or not, currency),
 *   so memory follows the number of distinct groups, not the number of rows.
 * - Read by header name (case and surrounding spaces ignored); columns it does not use are ignored and listed.
 * - Every row is validated; bad rows are reported with their line numbers (up to 100 listed, all counted), and
 *   then nothing is imported. A good file goes in with one transaction: never half-imported.
 * - A charge spanning several days is spread over them in proportion to its time in each (exactly: the parts
 *   add up to the charge).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../shared/errors';
import { allocate, formatAmount, MoneyBag, parseAmount } from '../../shared/money';
import { DAY_MS, dayText } from '../../shared/cost';
import type { FocusBadRow, FocusImport } from '../../shared/cost';
import type { FocusCostRow, FocusImportRecord, Store } from '../store';
import { canonicalJson } from '../store';
import { CsvReader } from './csv';
import { isGpuCharge } from './gpu';

/** Columns without which a file is not a FOCUS cost export. */
export const FOCUS_REQUIRED = [
  'BilledCost',
  'BillingCurrency',
  'ChargePeriodStart',
  'ChargePeriodEnd',
] as const;

/** Columns Firebreak reads (besides the required ones). */
export const FOCUS_USED = [
  'EffectiveCost',
  'ListCost',
  'ChargeCategory',
  'ChargeDescription',
  'ServiceName',
  'ServiceCategory',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'RegionId',
  'SkuId',
  'SkuMeter',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ProviderName',
  'ServiceProviderName',
  'Tags',
  // providers' descriptive extension columns (AWS usage type, Azure meter): what a charge is, in words
  'x_UsageType',
  'x_SkuDescription',
  'x_SkuMeterName',
  'x_SkuMeterSubcategory',
] as const;

/** Columns introduced by each version (a file carrying one is at least that version). */
const VERSION_MARKERS: Array<[string, string[]]> = [
  [
    '1.3',
    [
      'ServiceProviderName',
      'HostProviderName',
      'AllocatedMethodId',
      'AllocatedResourceId',
      'ContractApplied',
    ],
  ],
  [
    '1.2',
    ['InvoiceId', 'PricingCurrency', 'BillingAccountType', 'SubAccountType', 'PricingCurrencyEffectiveCost'],
  ],
  [
    '1.1',
    [
      'ServiceSubcategory',
      'SkuMeter',
      'SkuPriceDetails',
      'CapacityReservationId',
      'CommitmentDiscountQuantity',
    ],
  ],
];

export const MAX_LISTED_BAD_ROWS = 100;

type Column = (typeof FOCUS_REQUIRED)[number] | (typeof FOCUS_USED)[number];

export interface FocusParse {
  focusVersion: string;
  rows: number;
  ignoredColumns: string[];
  groups: FocusCostRow[];
  firstDay: number | null;
  lastDay: number | null;
  totals: MoneyBag;
  sha256: string;
}

export interface FocusParseFailure {
  badRows: FocusBadRow[];
  badRowCount: number;
  rows: number;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** An ISO 8601 time (FOCUS writes UTC, `2024-06-01T00:00:00Z`; an offset is honoured; none = UTC) -> ms. */
export function parseIsoUtc(text: string): number | null {
  const m = ISO_RE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(
    Number,
  ) as number[];
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d) return null;
  if (h! > 23 || mi! > 59 || s! > 60) return null;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  let offset = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return ms + frac - offset;
}

interface Group {
  day: number;
  tags: string;
  category: 'gpu' | 'other';
  currency: string;
  billed: bigint;
  effective: bigint;
  rows: number;
}

/**
 * Reads a FOCUS CSV stream. Resolves with the aggregated groups, or with the bad rows when any row failed
 * (then nothing may be imported). A header that is not FOCUS throws FOCUS_INVALID at once.
 */
export async function parseFocus(
  stream: AsyncIterable<Buffer | string>,
  fileName: string,
): Promise<{ ok: true; value: FocusParse } | { ok: false; failure: FocusParseFailure }> {
  const reader = new CsvReader();
  const decoder = new StringDecoder('utf8');
  const hash = createHash('sha256');
  let index: Partial<Record<Column, number>> | null = null;
  let width = 0;
  let ignored: string[] = [];
  let version = '1.0';
  const groups = new Map<string, Group>();
  const totals = new MoneyBag();
  const badRows: FocusBadRow[] = [];
  let badRowCount = 0;
  let rows = 0;
  let firstDay: number | null = null;
  let lastDay: number | null = null;

  const bad = (line: number, column: string | null, message: string) => {
    badRowCount++;
    if (badRows.length < MAX_LISTED_BAD_ROWS) badRows.push({ line, column, message });
  };

  const handle = (rec: { line: number; fields: string[]; malformed: string | null }) => {
    if (!index) {
      const header = readHeader(rec.fields, fileName);
      index = header.index;
      width = rec.fields.length;
      ignored = header.ignored;
      version = header.version;
      return;
    }
    rows++;
    if (rec.malformed) return bad(rec.line, null, `the row is not valid CSV: ${rec.malformed}`);
    if (rec.fields.length !== width) {
      return bad(rec.line, null, `the row has ${rec.fields.length} fields, the header has ${width}`);
    }
    const get = (c: Column): string | undefined => {
      const i = (index as Partial<Record<Column, number>>)[c];
      return i === undefined ? undefined : (rec.fields[i] as string).trim();
    };

    const billedText = get('BilledCost') ?? '';
    const billed = parseAmount(billedText);
    if (billedText === '' || billed === null) {
      return bad(
        rec.line,
        'BilledCost',
        billedText === '' ? 'BilledCost is empty' : `BilledCost "${clip(billedText)}" is not a number`,
      );
    }
    const effectiveText = get('EffectiveCost') ?? '';
    const effective = effectiveText === '' ? billed : parseAmount(effectiveText);
    if (effective === null)
      return bad(rec.line, 'EffectiveCost', `EffectiveCost "${clip(effectiveText)}" is not a number`);
    const currencyText = get('BillingCurrency') ?? '';
    const currency = currencyText.toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) {
      return bad(
        rec.line,
        'BillingCurrency',
        currencyText
          ? `BillingCurrency "${clip(currencyText)}" is not an ISO 4217 code`
          : 'BillingCurrency is empty',
      );
    }
    const startText = get('ChargePeriodStart') ?? '';
    const endText = get('ChargePeriodEnd') ?? '';
    const start = parseIsoUtc(startText);
    if (start === null)
      return bad(
        rec.line,
        'ChargePeriodStart',
        `ChargePeriodStart "${clip(startText)}" is not an ISO 8601 date-time`,
      );
    const end = parseIsoUtc(endText);
    if (end === null)
      return bad(
        rec.line,
        'ChargePeriodEnd',
        `ChargePeriodEnd "${clip(endText)}" is not an ISO 8601 date-time`,
      );
    if (end <= start)
      return bad(
        rec.line,
        'ChargePeriodEnd',
        `ChargePeriodEnd ${endText} is not after ChargePeriodStart ${startText}`,
      );
    const tagsText = get('Tags') ?? '';
    let tags: Record<string, string> = {};
    if (tagsText !== '') {
      const parsed = parseTags(tagsText);
      if (parsed === null) return bad(rec.line, 'Tags', 'Tags is not a JSON object');
      tags = parsed;
    }
    // what the charge is, in words: never the SKU id (opaque) nor the resource's name (its owner's choice)
    const category = isGpuCharge(
      get('SkuMeter'),
      get('ChargeDescription'),
      get('ResourceType'),
      get('x_UsageType'),
      get('x_SkuDescription'),
      get('x_SkuMeterName'),
      get('x_SkuMeterSubcategory'),
    )
      ? 'gpu'
      : 'other';
    const tagsJson = canonicalJson(tags);

    // spread over the UTC days it covers, in proportion to its time in each
    const firstD = Math.floor(start / DAY_MS);
    const lastD = Math.floor((end - 1) / DAY_MS);
    const days: number[] = [];
    const weights: number[] = [];
    for (let d = firstD; d <= lastD; d++) {
      const overlap = Math.min(end, (d + 1) * DAY_MS) - Math.max(start, d * DAY_MS);
      if (overlap > 0) {
        days.push(d);
        weights.push(overlap);
      }
    }
    const billedParts = days.length === 1 ? [billed] : (allocate(billed, weights) as bigint[]);
    const effectiveParts = days.length === 1 ? [effective] : (allocate(effective, weights) as bigint[]);
    days.forEach((d, k) => {
      const key = `${d}|${category}|${currency}|${tagsJson}`;
      let g = groups.get(key);
      if (!g)
        groups.set(
          key,
          (g = { day: d, tags: tagsJson, category, currency, billed: 0n, effective: 0n, rows: 0 }),
        );
      g.billed += billedParts[k] as bigint;
      g.effective += effectiveParts[k] as bigint;
      g.rows += 1;
      if (firstDay === null || d < firstDay) firstDay = d;
      if (lastDay === null || d > lastDay) lastDay = d;
    });
    totals.addUnits(billed, currency);
  };

  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    hash.update(buf);
    for (const rec of reader.push(decoder.write(buf))) handle(rec);
  }
  const tail = decoder.end();
  for (const rec of [...(tail ? reader.push(tail) : []), ...reader.end()]) handle(rec);

  if (!index) {
    throw new AppError(
      'FOCUS_INVALID',
      `${fileName} is empty.`,
      'Choose a FOCUS cost export (CSV with a header row).',
      {
        badRows: [],
        badRowCount: 0,
      },
    );
  }
  if (badRowCount > 0) return { ok: false, failure: { badRows, badRowCount, rows } };
  return {
    ok: true,
    value: {
      focusVersion: version,
      rows,
      ignoredColumns: ignored,
      groups: [...groups.values()]
        .sort(
          (a, b) =>
            a.day - b.day ||
            a.tags.localeCompare(b.tags) ||
            a.category.localeCompare(b.category) ||
            a.currency.localeCompare(b.currency),
        )
        .map((g) => ({
          day: dayText(g.day),
          tags: g.tags,
          category: g.category,
          currency: g.currency,
          billed: formatAmount(g.billed),
          effective: formatAmount(g.effective),
          rows: g.rows,
        })),
      firstDay,
      lastDay,
      totals,
      sha256: hash.digest('hex'),
    },
  };
}

function readHeader(fields: string[], fileName: string) {
  const wanted = new Map<string, Column>();
  for (const c of [...FOCUS_REQUIRED, ...FOCUS_USED]) wanted.set(c.toLowerCase(), c);
  const index: Partial<Record<Column, number>> = {};
  const ignored: string[] = [];
  const present = new Set<string>();
  fields.forEach((raw, i) => {
    const name = raw.trim();
    present.add(name.toLowerCase());
    const col = wanted.get(name.toLowerCase());
    if (col && index[col] === undefined) index[col] = i;
    else if (name) ignored.push(name);
  });
  const missing = FOCUS_REQUIRED.filter((c) => index[c] === undefined);
  if (missing.length > 0) {
    throw new AppError(
      'FOCUS_INVALID',
      `${fileName} is not a FOCUS cost export: its header (line 1) has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}.`,
      'Export the billing data in FOCUS format (1.0 to 1.3, CSV) and import that file.',
      {
        badRows: [{ line: 1, column: missing[0] ?? null, message: `missing column ${missing.join(', ')}` }],
        badRowCount: 1,
      },
    );
  }
  let version = '1.0';
  for (const [v, markers] of VERSION_MARKERS) {
    if (markers.some((m) => present.has(m.toLowerCase()))) {
      version = v;
      break;
    }
  }
  return { index, ignored, version };
}

function parseTags(text: string): Record<string, string> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function describeBadRows(failure: FocusParseFailure, fileName: string): string {
  const listed = failure.badRows
    .slice(0, 3)
    .map((r) => `line ${r.line}: ${r.message}`)
    .join('; ');
  const more = failure.badRowCount > 3 ? `; and ${failure.badRowCount - 3} more` : '';
  return `${failure.badRowCount} of ${failure.rows} rows of ${fileName} are not valid FOCUS (${listed}${more}). Nothing was imported.`;
}

/**
 * Imports a FOCUS CSV file into the store: all of it in one transaction, or nothing (bad rows -> FOCUS_INVALID
 * with every bad row's line in `details.badRows`). The same file imported twice is refused.
 */
export async function importFocusFile(
  store: Store,
  filePath: string,
  now: Date = new Date(),
): Promise<FocusImport> {
  const fileName = path.basename(filePath);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(filePath);
  } catch {
    throw new AppError(
      'NOT_FOUND',
      `There is no file at ${filePath}.`,
      'Check the path of the FOCUS export and try again.',
    );
  }
  if (!stat.isFile())
    throw new AppError('INVALID_INPUT', `${filePath} is not a file.`, 'Choose a FOCUS CSV file.');
  if (/\.parquet$/i.test(fileName)) {
    throw new AppError(
      'FOCUS_INVALID',
      `${fileName} is a Parquet file; Firebreak imports FOCUS exports as CSV.`,
      'Export the billing data as CSV (or convert it), then import the CSV file.',
    );
  }

  const stream = fs.createReadStream(filePath, { highWaterMark: 256 * 1024 });
  let result: Awaited<ReturnType<typeof parseFocus>>;
  try {
    result = await parseFocus(stream, fileName);
  } finally {
    stream.destroy();
  }
  if (!result.ok) {
    throw new AppError(
      'FOCUS_INVALID',
      describeBadRows(result.failure, fileName),
      'Fix or remove the rows listed (line numbers count the header as line 1) and import the file again.',
      {
        badRows: result.failure.badRows,
        badRowCount: result.failure.badRowCount,
      },
    );
  }
  const parsed = result.value;
  const already = store.cost.focusFindBySha(parsed.sha256);
  if (already) {
    throw new AppError(
      'FOCUS_INVALID',
      `${fileName} was already imported on ${already.importedAt.slice(0, 10)} (as ${already.fileName}); importing it again would count its costs twice.`,
      'Nothing to do. To re-import it, remove the earlier import first.',
      { importId: already.id },
    );
  }
  const totals = parsed.totals
    .currencies()
    .map((c) => ({ amount: formatAmount(parsed.totals.get(c).units), currency: c }));
  const record: Omit<FocusImportRecord, 'id'> = {
    fileName,
    fileSha256: parsed.sha256,
    focusVersion: parsed.focusVersion,
    rows: parsed.rows,
    periodStart: parsed.firstDay === null ? null : dayText(parsed.firstDay),
    periodEnd: parsed.lastDay === null ? null : dayText(parsed.lastDay + 1),
    ignoredColumns: parsed.ignoredColumns,
    totals,
    importedAt: now.toISOString(),
  };
  const id = store.cost.focusImport(record, parsed.groups);
  return toFocusImport({ ...record, id });
}

export function toFocusImport(r: FocusImportRecord): FocusImport {
  return {
    id: r.id,
    fileName: r.fileName,
    focusVersion: r.focusVersion,
    rows: r.rows,
    period: r.periodStart && r.periodEnd ? { start: r.periodStart, end: r.periodEnd } : null,
    totals: r.totals,
    ignoredColumns: r.ignoredColumns,
    importedAt: r.importedAt,
  };
}
