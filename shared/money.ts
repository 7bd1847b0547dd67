/**
 * Exact money. An amount is a BigInt count of 10^-10 units of its currency (MONEY_DIGITS fraction digits:
 * exact for every amount Cost Explorer writes, which is 10 fraction digits), and it never travels without its
 * currency. Sums are integer sums: no amount ever goes through a float. Amounts with more fraction digits
 * (some FOCUS exports write 15) are rounded half away from zero on the way in.
 *
 * On the wire (JSON has no BigInt) an amount is a plain decimal string: `{ amount: "12.34", currency: "USD" }`.
 * Adding two currencies is refused with a CURRENCY_MIX error; `MoneyBag` keeps several currencies apart.
 */
import { z } from 'zod';
import { AppError } from './errors';

export const MONEY_DIGITS = 10;
export const MONEY_SCALE = 10n ** BigInt(MONEY_DIGITS);

/** ISO 4217 code, upper case. */
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 currency code, e.g. USD');
export type CurrencyCode = z.infer<typeof CurrencyCode>;

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;
const DECIMAL_RE_DOT_FIRST = /^([+-])?()\.(\d+)(?:[eE]([+-]?\d{1,3}))?$/;

/** A plain decimal number as text ("12", "-0.5", "1.25e-3"): what the wire and the files carry. */
export const DecimalString = z
  .string()
  .max(64)
  .refine(
    (s) => DECIMAL_RE.test(s.trim()) || DECIMAL_RE_DOT_FIRST.test(s.trim()),
    'a decimal number such as 12.34',
  );

export const MoneyWire = z.object({ amount: DecimalString, currency: CurrencyCode });
export type MoneyWire = z.infer<typeof MoneyWire>;

export interface Money {
  readonly units: bigint;
  readonly currency: string;
}

/** Rounds `value / divisor` half away from zero (divisor > 0). */
export function divRound(value: bigint, divisor: bigint): bigint {
  if (divisor <= 0n) throw new RangeError('divisor must be positive');
  const neg = value < 0n;
  const abs = neg ? -value : value;
  let q = abs / divisor;
  if ((abs % divisor) * 2n >= divisor) q += 1n;
  return neg ? -q : q;
}

/**
 * Text -> units of 10^-MONEY_DIGITS. Accepts "12", "12.", "-0.50", "+3", ".5", "1.2E-5". Returns null for
 * anything else (including "", "NaN", "1,5", "1 000"). More fraction digits than MONEY_DIGITS are rounded.
 */
export function parseAmount(text: string): bigint | null {
  const s = text.trim();
  const m = DECIMAL_RE.exec(s) ?? DECIMAL_RE_DOT_FIRST.exec(s);
  if (!m) return null;
  const sign = m[1] === '-' ? -1n : 1n;
  const whole = m[2] ?? '';
  const frac = m[3] ?? '';
  if (whole === '' && frac === '') return null;
  const exp = m[4] ? Number(m[4]) : 0;
  // digits as one integer, with the decimal point `frac.length - exp` places from the right
  const digits = BigInt(`${whole}${frac}` || '0');
  const pointShift = frac.length - exp; // value = digits * 10^-pointShift
  const shift = MONEY_DIGITS - pointShift; // units = digits * 10^shift
  if (shift >= 0) {
    if (shift > 40) return null; // absurdly large: refuse rather than make a number nobody wrote
    return sign * digits * 10n ** BigInt(shift);
  }
  return sign * divRound(digits, 10n ** BigInt(-shift));
}

/** Like parseAmount, but throws (for values already validated by a schema). */
export function amountUnits(text: string): bigint {
  const v = parseAmount(text);
  if (v === null) throw new RangeError(`not a decimal amount: ${JSON.stringify(text.slice(0, 40))}`);
  return v;
}

/**
 * Units -> a plain decimal string with at most `digits` fraction digits (rounded half away from zero),
 * trailing zeros trimmed unless `fixed`. formatAmount(12_340_000_000_0n) = "12.34".
 */
export function formatAmount(units: bigint, digits = MONEY_DIGITS, fixed = false): string {
  const d = Math.max(0, Math.min(MONEY_DIGITS, Math.trunc(digits)));
  const rounded = d === MONEY_DIGITS ? units : divRound(units, 10n ** BigInt(MONEY_DIGITS - d));
  const neg = rounded < 0n;
  const abs = neg ? -rounded : rounded;
  const base = 10n ** BigInt(d);
  const whole = (abs / base).toString();
  let frac = d > 0 ? (abs % base).toString().padStart(d, '0') : '';
  if (!fixed) frac = frac.replace(/0+$/, '');
  const text = frac ? `${whole}.${frac}` : whole;
  return neg && /[1-9]/.test(text) ? `-${text}` : text;
}

export function money(amount: string | bigint, currency: string): Money {
  const units = typeof amount === 'bigint' ? amount : amountUnits(amount);
  return { units, currency: currency.toUpperCase() };
}

export function toWire(m: Money): MoneyWire {
  return { amount: formatAmount(m.units), currency: m.currency };
}

/** A wire amount back to exact units (the renderer sums with these, never with floats). */
export function fromWire(w: MoneyWire): Money {
  return { units: amountUnits(w.amount), currency: w.currency };
}

export function currencyMixError(a: string, b: string, what = 'these amounts'): AppError {
  return new AppError(
    'CURRENCY_MIX',
    `Cannot add ${a} and ${b}: ${what} are in different currencies, and Firebreak never converts currencies.`,
    'Costs in each currency are kept apart. Choose the review currency in Cost settings, or import billing data in one currency.',
    { currencies: [a, b].sort() },
  );
}

/** a + b, refusing a currency mix. */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw currencyMixError(a.currency, b.currency);
  return { units: a.units + b.units, currency: a.currency };
}

/** The sum of amounts that must all be in `currency` (a mix is refused). */
export function sumMoney(items: Iterable<Money>, currency: string): Money {
  let units = 0n;
  for (const m of items) {
    if (m.currency !== currency) throw currencyMixError(currency, m.currency);
    units += m.units;
  }
  return { units, currency };
}

/** Amounts in several currencies kept apart: one running total per currency. */
export class MoneyBag {
  private readonly totals = new Map<string, bigint>();

  add(m: Money): this {
    this.totals.set(m.currency, (this.totals.get(m.currency) ?? 0n) + m.units);
    return this;
  }

  addUnits(units: bigint, currency: string): this {
    this.totals.set(currency, (this.totals.get(currency) ?? 0n) + units);
    return this;
  }

  get(currency: string): Money {
    return { units: this.totals.get(currency) ?? 0n, currency };
  }

  currencies(): string[] {
    return [...this.totals.keys()].sort();
  }

  get size(): number {
    return this.totals.size;
  }

  /** Everything but `currency`, for the "kept apart" message. */
  others(currency: string): Money[] {
    return this.currencies()
      .filter((c) => c !== currency)
      .map((c) => this.get(c));
  }

  /** The single currency's total; a mix is refused with a clear message. */
  single(): Money | null {
    const cs = this.currencies();
    if (cs.length === 0) return null;
    if (cs.length > 1) throw currencyMixError(cs[0] as string, cs[1] as string);
    return this.get(cs[0] as string);
  }
}

/** units * num / den, rounded half away from zero. */
export function scaleUnits(units: bigint, num: bigint, den: bigint): bigint {
  if (den === 0n) throw new RangeError('division by zero');
  const neg = den < 0n;
  return divRound(neg ? -units * num : units * num, neg ? -den : den);
}

/** Fixed-point representation of a non-negative float weight: enough digits for shares, no float sums. */
const WEIGHT_SCALE = 1e9;
function weightUnits(w: number): bigint {
  if (!Number.isFinite(w) || w <= 0) return 0n;
  return BigInt(Math.round(w * WEIGHT_SCALE));
}

/**
 * Splits `total` into parts proportional to `weights` (largest remainder): the parts always add up to
 * `total` exactly, so attribution never creates or loses a unit. All-zero weights -> all to nobody: null.
 */
export function allocate(total: bigint, weights: readonly number[]): bigint[] | null {
  const w = weights.map(weightUnits);
  const sum = w.reduce((a, b) => a + b, 0n);
  if (sum === 0n) return null;
  const neg = total < 0n;
  const abs = neg ? -total : total;
  const parts = w.map((x) => (abs * x) / sum);
  let rest = abs - parts.reduce((a, b) => a + b, 0n);
  if (rest > 0n) {
    const order = w
      .map((x, i) => ({ i, r: (abs * x) % sum }))
      .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
    for (const { i } of order) {
      if (rest === 0n) break;
      if ((w[i] as bigint) === 0n) continue;
      parts[i] = (parts[i] as bigint) + 1n;
      rest -= 1n;
    }
  }
  return neg ? parts.map((p) => -p) : parts;
}

/**
 * A float amount (a PromQL result: hourly price x hours) -> units, through its shortest decimal text, so
 * the conversion is the one a person would write down. Non-finite -> null.
 */
export function unitsFromNumber(value: number): bigint | null {
  if (!Number.isFinite(value)) return null;
  return parseAmount(value.toFixed(MONEY_DIGITS));
}

/** Cents -> units (price tables are kept in whole cents or finer decimal strings). */
export function unitsToNumber(units: bigint): number {
  // for charts and ratios only, never for sums
  const whole = units / MONEY_SCALE;
  const frac = units % MONEY_SCALE;
  return Number(whole) + Number(frac) / Number(MONEY_SCALE);
}

/**
 * Cost per `per` things: units * per / count, rounded to units. `count` is a (possibly fractional) number
 * of requests or tokens from Prometheus; it is taken to 1/1000 of a thing, which is exact for integer counts.
 * Zero or unknown counts -> null (a cost per 1k of nothing is not a number).
 */
export function costPer(units: bigint, count: number, per: number): bigint | null {
  if (!Number.isFinite(count) || count <= 0) return null;
  const milli = BigInt(Math.round(count * 1000));
  if (milli === 0n) return null;
  return divRound(units * BigInt(per) * 1000n, milli);
}

const SYMBOLS: Record<string, string> = {
  USD: '$',
  EUR: '€',
  GBP: '£',
  JPY: '¥',
  INR: '₹',
  CNY: 'CN¥',
  CAD: 'CA$',
  AUD: 'A$',
};

function group(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * For people: "$1,234.56", "-$3.20", "€12.00", "1,234.56 CHF". `digits` fraction digits (default 2),
 * rounded half away from zero; `compact` shows 12.3k / 1.2M for large amounts in charts and tiles.
 */
export function formatMoney(m: Money | MoneyWire, opts: { digits?: number; compact?: boolean } = {}): string {
  const units = 'units' in m ? m.units : amountUnits(m.amount);
  const digits = opts.digits ?? 2;
  const neg = units < 0n;
  const abs = neg ? -units : units;
  let body: string;
  if (opts.compact && abs >= 1000n * MONEY_SCALE) {
    const n = unitsToNumber(abs);
    body = n >= 1e6 ? `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)}M` : `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)}k`;
  } else {
    const text = formatAmount(abs, digits, true);
    const [w, f] = text.split('.');
    body = f !== undefined ? `${group(w ?? '0')}.${f}` : group(w ?? '0');
  }
  const isZero = !/[1-9]/.test(body);
  const sign = neg && !isZero ? '-' : '';
  const symbol = SYMBOLS[m.currency];
  return symbol ? `${sign}${symbol}${body}` : `${sign}${body} ${m.currency}`;
}

/**
 * A small cost (cost per 1k inferences is often a fraction of a cent): at least `significant` significant
 * digits, at least 2 fraction digits, at most MONEY_DIGITS. "$0.0042", "$1.23", "$12.50".
 */
export function formatUnitCost(m: Money | MoneyWire, significant = 3): string {
  const units = 'units' in m ? m.units : amountUnits(m.amount);
  const abs = units < 0n ? -units : units;
  let digits = 2;
  if (abs > 0n && abs < MONEY_SCALE) {
    const leading = MONEY_DIGITS - abs.toString().length; // zeros after the point
    digits = Math.min(MONEY_DIGITS, Math.max(2, leading + significant));
  }
  return formatMoney({ units, currency: m.currency }, { digits });
}

/** Compare for sorting. */
export function compareUnits(a: bigint, b: bigint): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
