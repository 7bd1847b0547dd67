/**
 * One FOCUS row at a time, whatever the file it comes from (CSV text or typed Parquet values): validated,
 * classified and added to its (day, tags, GPU or not, currency, breakdown) group. Memory follows the number of
 * distinct groups, never the number of rows.
 *
 * Nullable columns accept the null spellings providers and warehouses write: empty, `NULL`/`null` (unquoted,
 * as in the FinOps Foundation's own sample), `\N`, and a real null in Parquet.
 */
import { allocate, formatAmount, MoneyBag, parseAmount, MONEY_DIGITS } from '../../shared/money';
import { DAY_MS, dayText } from '../../shared/cost';
import type { FocusBadRow } from '../../shared/cost';
import type { FocusCostRow } from '../store';

type FocusDims = FocusCostRow['dims'];
import { canonicalJson } from '../store';
import { isGpuCharge } from './gpu';

/** Columns without which a file is not a FOCUS cost export. */
export const FOCUS_REQUIRED = [
  'BilledCost',
  'BillingCurrency',
  'ChargePeriodStart',
  'ChargePeriodEnd',
] as const;

/** Columns Firebreak reads (besides the required ones), FOCUS 1.0 to 1.3 and providers' descriptive extensions. */
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
  'RegionName',
  'SubAccountId',
  'SubAccountName',
  'SkuId',
  'SkuMeter',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ProviderName',
  'ServiceProviderName',
  'Tags',
  // what a charge is, in words: AWS's usage type, Azure's meter
  'x_UsageType',
  'x_SkuDescription',
  'x_SkuMeterName',
  'x_SkuMeterSubcategory',
] as const;

export type Column = (typeof FOCUS_REQUIRED)[number] | (typeof FOCUS_USED)[number];

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

/** The columns that say what a charge is, in words (GPU or not is read from these only). */
const DESCRIBED: readonly Column[] = [
  'SkuMeter',
  'ChargeDescription',
  'ResourceType',
  'x_UsageType',
  'x_SkuDescription',
  'x_SkuMeterName',
  'x_SkuMeterSubcategory',
];

function cell(cells: ReadonlyArray<Cell>, i: number | undefined): Cell {
  return i === undefined ? undefined : cells[i];
}

/** A cell as the reader gives it: CSV text, or a Parquet value (number, bigint, Date, map, exact decimal). */
export type Cell =
  string | number | bigint | boolean | Date | ExactDecimal | Record<string, unknown> | null | undefined;

/** A Parquet DECIMAL read without going through a float: unscaled integer and scale. */
export interface ExactDecimal {
  unscaled: bigint;
  scale: number;
}

const NULL_SPELLINGS = new Set(['', 'null', '\\n']);

/** The text of a nullable cell, or null for any null spelling. */
export function textOf(cell: Cell): string | null {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === 'string') {
    // the common case first, without allocating: no surrounding space, not a null spelling
    const n = cell.length;
    if (n === 0) return null;
    const t = cell.charCodeAt(0) <= 32 || cell.charCodeAt(n - 1) <= 32 ? cell.trim() : cell;
    if (t.length !== 0 && t.length !== 2 && t.length !== 4) return t;
    return NULL_SPELLINGS.has(t.toLowerCase()) ? null : t;
  }
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? null : cell.toISOString();
  if (isExact(cell)) return formatAmount(unitsOfExact(cell));
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

function isExact(cell: unknown): cell is ExactDecimal {
  return typeof cell === 'object' && cell !== null && 'unscaled' in cell && 'scale' in cell;
}

function unitsOfExact(d: ExactDecimal): bigint {
  const shift = MONEY_DIGITS - d.scale;
  if (shift >= 0) return d.unscaled * 10n ** BigInt(shift);
  const div = 10n ** BigInt(-shift);
  // round half away from zero, as parseAmount does for long fractions
  const q = d.unscaled / div;
  const r = d.unscaled % div;
  const twice = (r < 0n ? -r : r) * 2n;
  return twice >= div ? q + (d.unscaled < 0n ? -1n : 1n) : q;
}

const POW10 = Array.from({ length: MONEY_DIGITS + 1 }, (_, k) => 10n ** BigInt(k));

/**
 * `-12.34` -> units without a regular expression or a string built (exports write millions of these): up to
 * 15 digits are exact in a double, so they are added up there and scaled once in BigInt. Null: not that simple.
 */
export function plainUnits(t: string): bigint | null {
  let i = t.charCodeAt(0) === 45 ? 1 : 0;
  const negative = i === 1;
  let acc = 0;
  let digits = 0;
  let frac = -1;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 46) {
      if (frac >= 0) return null;
      frac = 0;
    } else if (c >= 48 && c <= 57) {
      acc = acc * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else return null;
  }
  if (digits === 0 || digits > 15 || frac > MONEY_DIGITS) return null;
  const units = BigInt(acc) * (POW10[MONEY_DIGITS - Math.max(frac, 0)] as bigint);
  return negative ? -units : units;
}

/** An amount cell -> exact units (null: no value; undefined: not a number). */
function amountOf(cell: Cell): bigint | null | undefined {
  if (typeof cell === 'string') {
    const t = textOf(cell);
    if (t === null) return null;
    return plainUnits(t) ?? parseAmount(t) ?? undefined;
  }
  if (isExact(cell)) return unitsOfExact(cell);
  if (typeof cell === 'bigint') return cell * 10n ** BigInt(MONEY_DIGITS);
  // a DOUBLE column: the file holds a binary float; its shortest decimal form is what the provider wrote
  if (typeof cell === 'number')
    return Number.isFinite(cell) ? (parseAmount(String(cell)) ?? undefined) : undefined;
  const t = textOf(cell);
  if (t === null) return null;
  return parseAmount(t) ?? undefined;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 time (FOCUS writes UTC, `2024-06-01T00:00:00Z`; an offset is honoured; BigQuery's
 * `2024-06-01 00:00:00 UTC` too; none = UTC) -> ms.
 */
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
  const zone = m[8]?.toUpperCase();
  if (zone && zone !== 'Z' && zone !== 'UTC') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return ms + frac - offset;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * `2025-05-01T00:00:00Z` (the form FOCUS exports write, 20 characters) -> ms, read digit by digit; undefined
 * for any other form (parseIsoUtc reads those), null for an impossible date or time in this form.
 */
export function canonicalUtc(t: string): number | null | undefined {
  if (t.length !== 20 || t.charCodeAt(19) !== 90 /* Z */ || t.charCodeAt(10) !== 84 /* T */) return undefined;
  if (t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58)
    return undefined;
  const y = digits(t, 0, 4);
  const mo = digits(t, 5, 2);
  const d = digits(t, 8, 2);
  const h = digits(t, 11, 2);
  const mi = digits(t, 14, 2);
  const s = digits(t, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
    return null;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (DAYS_IN_MONTH[mo - 1] as number) + (leap ? 1 : 0)) return null;
  return daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000;
}

/** The number written by `len` digits at `at`; -1 when one is not a digit. */
function digits(t: string, at: number, len: number): number {
  let v = 0;
  for (let k = at; k < at + len; k++) {
    const c = t.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Tags as providers write them: a JSON object, a Parquet map, or a list of {key, value} pairs (BigQuery). */
export function parseTags(cell: Cell): Record<string, string> | null | undefined {
  let value: unknown = cell;
  if (typeof cell === 'string') {
    const t = textOf(cell);
    if (t === null) return null;
    try {
      value = JSON.parse(t);
    } catch {
      return undefined;
    }
  }
  if (value === null || value === undefined) return null;
  if (value instanceof Map) value = Object.fromEntries(value);
  const out: Record<string, string> = {};
  const put = (k: unknown, v: unknown) => {
    if (typeof k !== 'string' || v === null || v === undefined) return;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  };
  if (Array.isArray(value)) {
    for (const pair of value) {
      if (!pair || typeof pair !== 'object') return undefined;
      const p = pair as Record<string, unknown>;
      put(p.key ?? p.Key ?? p.name, p.value ?? p.Value);
    }
    return out;
  }
  if (typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) put(k, v);
  return out;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

interface Group {
  day: number;
  tags: string;
  category: 'gpu' | 'other';
  currency: string;
  dims: FocusDims;
  billed: bigint;
  effective: bigint;
  rows: number;
}

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

/** A bounded memo: exports repeat the same dates, tags and descriptions on many rows. */
class Memo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): V {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(detach(key), value);
    return value;
  }
}

/**
 * A copy of a cell's text that does not hold on to the chunk it was cut from (V8 keeps a slice's parent
 * alive): kept keys would otherwise pin a megabyte of the file each.
 */
function detach(text: string): string {
  return (' ' + text).slice(1);
}

/** The header read by name (case and surrounding spaces ignored); what is missing or unused, and the version. */
export function readHeader(fields: readonly string[]): {
  index: Partial<Record<Column, number>>;
  ignored: string[];
  missing: Column[];
  version: string;
} {
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
  let version = '1.0';
  for (const [v, markers] of VERSION_MARKERS) {
    if (markers.some((m) => present.has(m.toLowerCase()))) {
      version = v;
      break;
    }
  }
  return { index, ignored, missing, version };
}

/** Collects rows into groups; `finish` gives the aggregate or every bad row. */
export class FocusAccumulator {
  /** currency -> day x category -> tags x breakdown -> group */
  private readonly groups = new Map<string, Map<number, Map<number, Group>>>();
  private readonly totals = new MoneyBag();
  private readonly badRows: FocusBadRow[] = [];
  private badRowCount = 0;
  rows = 0;
  private firstDay: number | null = null;
  private lastDay: number | null = null;
  private readonly times = new Memo<number | null>(4096);
  private readonly tagCells = new Memo<{ id: number; json: string } | undefined>(65_536);
  private readonly gpu = new Memo<boolean>(65_536);
  /** distinct tag sets and breakdowns, by an id each (short group keys); as many as there are groups at most */
  private readonly tagIds = new Map<string, number>();
  private readonly dimIds = new Map<number | string, { id: number; dims: FocusDims }>();

  /** where each column used is in a row (undefined: not in the file) */
  private readonly ix: {
    billed?: number;
    effective?: number;
    currency?: number;
    start?: number;
    end?: number;
    tags?: number;
    serviceCategory?: number;
    serviceName?: number;
    chargeCategory?: number;
    regionId?: number;
    regionName?: number;
    subAccountId?: number;
    subAccountName?: number;
    described: number[];
  };

  constructor(
    index: Partial<Record<Column, number>>,
    readonly version: string,
    readonly ignoredColumns: string[],
  ) {
    this.ix = {
      billed: index.BilledCost,
      effective: index.EffectiveCost,
      currency: index.BillingCurrency,
      start: index.ChargePeriodStart,
      end: index.ChargePeriodEnd,
      tags: index.Tags,
      serviceCategory: index.ServiceCategory,
      serviceName: index.ServiceName,
      chargeCategory: index.ChargeCategory,
      regionId: index.RegionId,
      regionName: index.RegionName,
      subAccountId: index.SubAccountId,
      subAccountName: index.SubAccountName,
      described: DESCRIBED.map((c) => index[c]).filter((i): i is number => i !== undefined),
    };
  }

  private bad(line: number, column: string | null, message: string): void {
    this.badRowCount++;
    if (this.badRows.length < MAX_LISTED_BAD_ROWS) this.badRows.push({ line, column, message });
  }

  /** A row whose cells are in the header's order; `line` is where it is in the file (for messages). */
  row(line: number, cells: ReadonlyArray<Cell>): void {
    this.rows++;
    const ix = this.ix;
    const billedCell = cell(cells, ix.billed);
    const billed = amountOf(billedCell);
    if (billed === null) return this.bad(line, 'BilledCost', 'BilledCost is empty');
    if (billed === undefined)
      return this.bad(line, 'BilledCost', `BilledCost "${clip(String(billedCell))}" is not a number`);
    const effectiveCell = cell(cells, ix.effective);
    // most exports write the same text for both (no discounts): read it once
    const effectiveUnits = effectiveCell === billedCell ? billed : amountOf(effectiveCell);
    if (effectiveUnits === undefined)
      return this.bad(
        line,
        'EffectiveCost',
        `EffectiveCost "${clip(String(effectiveCell))}" is not a number`,
      );
    const effective = effectiveUnits ?? billed;
    const currencyText = textOf(cell(cells, ix.currency)) ?? '';
    const currency =
      currencyText.length === 3 && this.lastCurrency === currencyText
        ? currencyText
        : this.currencyOf(currencyText);
    if (currency === null) {
      return this.bad(
        line,
        'BillingCurrency',
        currencyText
          ? `BillingCurrency "${clip(currencyText)}" is not an ISO 4217 code`
          : 'BillingCurrency is empty',
      );
    }
    const startCell = cell(cells, ix.start);
    const start = this.timeOf(startCell);
    if (start === null)
      return this.bad(
        line,
        'ChargePeriodStart',
        `ChargePeriodStart "${clip(String(startCell ?? ''))}" is not an ISO 8601 date-time`,
      );
    const endCell = cell(cells, ix.end);
    const end = this.timeOf(endCell);
    if (end === null)
      return this.bad(
        line,
        'ChargePeriodEnd',
        `ChargePeriodEnd "${clip(String(endCell ?? ''))}" is not an ISO 8601 date-time`,
      );
    if (end <= start)
      return this.bad(
        line,
        'ChargePeriodEnd',
        `ChargePeriodEnd ${new Date(end).toISOString()} is not after ChargePeriodStart ${new Date(start).toISOString()}`,
      );
    const tags = this.tagsOf(cell(cells, ix.tags));
    if (tags === undefined) return this.bad(line, 'Tags', 'Tags is not a JSON object');
    const category = this.categoryOf(cells);
    const dims = this.dimsOf(cells);

    // spread over the UTC days it covers, in proportion to its time in each
    const firstD = Math.floor(start / DAY_MS);
    const lastD = Math.floor((end - 1) / DAY_MS);
    if (firstD === lastD) {
      this.add(firstD, tags, category, currency, dims, billed, effective);
    } else {
      const days: number[] = [];
      const weights: number[] = [];
      for (let d = firstD; d <= lastD; d++) {
        const overlap = Math.min(end, (d + 1) * DAY_MS) - Math.max(start, d * DAY_MS);
        if (overlap > 0) {
          days.push(d);
          weights.push(overlap);
        }
      }
      const billedParts = allocate(billed, weights) as bigint[];
      const effectiveParts = allocate(effective, weights) as bigint[];
      days.forEach((d, k) =>
        this.add(d, tags, category, currency, dims, billedParts[k] as bigint, effectiveParts[k] as bigint),
      );
    }
    // the total of the currency rows are in, kept here and handed to the bag when the currency changes
    if (currency === this.runCurrency) this.runTotal += billed;
    else {
      if (this.runCurrency) this.totals.addUnits(this.runTotal, this.runCurrency);
      this.runCurrency = currency;
      this.runTotal = billed;
    }
  }

  private runCurrency = '';
  private runTotal = 0n;

  private lastCurrency = '';
  /** the previous row's tags: rows of an export come in runs that share them */
  private lastTagCell: string | null = null;
  private lastTagEntry: { id: number; json: string } | undefined = undefined;

  private currencyOf(text: string): string | null {
    const c = text.toUpperCase();
    if (!/^[A-Z]{3}$/.test(c)) return null;
    // only an already upper-case code may take the fast path next time
    if (c === text) this.lastCurrency = c;
    return c;
  }

  /** What the charge is, in words: never the SKU id (opaque) nor the resource's name (its owner's choice). */
  private categoryOf(cells: ReadonlyArray<Cell>): 'gpu' | 'other' {
    const described = this.ix.described;
    if (described.length === 1) {
      const text = textOf(cells[described[0] as number]) ?? '';
      const known = this.gpu.get(text);
      return (known ?? this.gpu.set(text, isGpuCharge(text))) ? 'gpu' : 'other';
    }
    const texts = described.map((i) => textOf(cells[i]));
    const key = texts.join('\u0000');
    const known = this.gpu.get(key);
    return (known ?? this.gpu.set(key, isGpuCharge(...texts))) ? 'gpu' : 'other';
  }

  /** The positions of the columns rows are read from (the CSV reader need not cut out the others). */
  usedColumns(): Set<number> {
    const { described, ...single } = this.ix;
    return new Set([
      ...described,
      ...Object.values(single).filter((i): i is number => typeof i === 'number'),
    ]);
  }

  private dimsOf(cells: ReadonlyArray<Cell>): { id: number; dims: FocusDims } {
    const ix = this.ix;
    // each column's value as a small id (the same as the row before: no lookup at all), then the five ids
    // together as one number
    const a = this.dimColumn(0, textOf(cell(cells, ix.serviceCategory)));
    const b = this.dimColumn(1, textOf(cell(cells, ix.serviceName)));
    const c = this.dimColumn(2, textOf(cell(cells, ix.chargeCategory)));
    const d = this.dimColumn(3, textOf(cell(cells, ix.regionName)) ?? textOf(cell(cells, ix.regionId)));
    const e = this.dimColumn(
      4,
      textOf(cell(cells, ix.subAccountName)) ?? textOf(cell(cells, ix.subAccountId)),
    );
    const R = 1031;
    const key =
      a < R && b < R && c < R && d < R && e < R
        ? (((a * R + b) * R + c) * R + d) * R + e
        : `${a},${b},${c},${d},${e}`;
    let dims = this.dimIds.get(key);
    if (!dims) {
      const v = this.dimValues;
      dims = {
        id: this.dimIds.size,
        dims: {
          serviceCategory: v[0]![a]!,
          serviceName: v[1]![b]!,
          chargeCategory: v[2]![c]!,
          region: v[3]![d]!,
          subAccount: v[4]![e]!,
        },
      };
      this.dimIds.set(key, dims);
    }
    return dims;
  }

  /** per breakdown column: its values so far (by id), the id of each, and the previous row's */
  private readonly dimValues: string[][] = [[], [], [], [], []];
  private readonly dimIndex: Array<Map<string, number>> = [
    new Map(),
    new Map(),
    new Map(),
    new Map(),
    new Map(),
  ];
  private readonly dimLast: Array<{ text: string | null; id: number }> = Array.from({ length: 5 }, () => ({
    text: null,
    id: -1,
  }));

  private dimColumn(k: number, text: string | null): number {
    const value = text ?? '';
    const last = this.dimLast[k]!;
    if (last.text === value) return last.id;
    const index = this.dimIndex[k]!;
    let id = index.get(value);
    if (id === undefined) {
      const kept = detach(value);
      id = this.dimValues[k]!.push(kept) - 1;
      index.set(kept, id);
    }
    last.text = value;
    last.id = id;
    return id;
  }

  /** A row the reader could not split into cells (bad CSV quoting, a wrong number of fields). */
  malformed(line: number, message: string): void {
    this.rows++;
    this.bad(line, null, message);
  }

  private timeOf(cell: Cell): number | null {
    if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? null : cell.getTime();
    const t = textOf(cell);
    if (t === null) return null;
    const fast = canonicalUtc(t);
    if (fast !== undefined) return fast;
    const known = this.times.get(t);
    return known !== undefined ? known : this.times.set(t, parseIsoUtc(t));
  }

  private tagsOf(cell: Cell): { id: number; json: string } | undefined {
    if (typeof cell !== 'string') return this.tagEntry(parseTags(cell));
    if (this.lastTagCell === cell) return this.lastTagEntry;
    const tags = this.tagCells.get(cell) ?? this.tagCells.set(cell, this.tagEntry(parseTags(cell)));
    this.lastTagCell = cell;
    this.lastTagEntry = tags;
    return tags;
  }

  private tagEntry(
    tags: Record<string, string> | null | undefined,
  ): { id: number; json: string } | undefined {
    if (tags === undefined) return undefined;
    const json = canonicalJson(tags ?? {});
    let id = this.tagIds.get(json);
    if (id === undefined) this.tagIds.set(json, (id = this.tagIds.size));
    return { id, json };
  }

  private add(
    day: number,
    tags: { id: number; json: string },
    category: 'gpu' | 'other',
    currency: string,
    dims: { id: number; dims: FocusDims },
    billed: bigint,
    effective: bigint,
  ): void {
    // numeric keys (day and category, then tags and breakdown ids): no string built per row
    let byDay = this.groups.get(currency);
    if (!byDay) this.groups.set(currency, (byDay = new Map()));
    const dayKey = day * 2 + (category === 'gpu' ? 1 : 0);
    let byIds = byDay.get(dayKey);
    if (!byIds) byDay.set(dayKey, (byIds = new Map()));
    const idKey = tags.id * 2_097_152 + dims.id;
    let g = byIds.get(idKey);
    if (!g) {
      g = { day, tags: tags.json, category, currency, dims: dims.dims, billed: 0n, effective: 0n, rows: 0 };
      byIds.set(idKey, g);
    }
    g.billed += billed;
    g.effective += effective;
    g.rows += 1;
    if (this.firstDay === null || day < this.firstDay) this.firstDay = day;
    if (this.lastDay === null || day > this.lastDay) this.lastDay = day;
  }

  finish(sha256: string): { ok: true; value: FocusParse } | { ok: false; failure: FocusParseFailure } {
    if (this.runCurrency) this.totals.addUnits(this.runTotal, this.runCurrency);
    this.runCurrency = '';
    this.runTotal = 0n;
    if (this.badRowCount > 0)
      return {
        ok: false,
        failure: { badRows: this.badRows, badRowCount: this.badRowCount, rows: this.rows },
      };
    const groups = [...this.groups.values()]
      .flatMap((byDay) => [...byDay.values()].flatMap((byIds) => [...byIds.values()]))
      .sort(
        (a, b) =>
          a.day - b.day ||
          a.tags.localeCompare(b.tags) ||
          a.category.localeCompare(b.category) ||
          a.currency.localeCompare(b.currency) ||
          dimsKey(a.dims).localeCompare(dimsKey(b.dims)),
      )
      .map((g) => ({
        day: dayText(g.day),
        tags: g.tags,
        category: g.category,
        currency: g.currency,
        dims: g.dims,
        billed: formatAmount(g.billed),
        effective: formatAmount(g.effective),
        rows: g.rows,
      }));
    return {
      ok: true,
      value: {
        focusVersion: this.version,
        rows: this.rows,
        ignoredColumns: this.ignoredColumns,
        groups,
        firstDay: this.firstDay,
        lastDay: this.lastDay,
        totals: this.totals,
        sha256,
      },
    };
  }
}

function dimsKey(d: FocusDims): string {
  return `${d.serviceCategory}\u0000${d.serviceName}\u0000${d.chargeCategory}\u0000${d.region}\u0000${d.subAccount}`;
}
