/**
 * Exact decimal arithmetic for money: amounts are held as BigInt counts of 10^-15 USD, so sums never
 * go through floating point.
 */

export const FRACTION_DIGITS = 15;
export const SCALE = 10n ** BigInt(FRACTION_DIGITS);

const DECIMAL_RE = /^(-|\+)?(\d+)(?:\.(\d+))?$/;

export function isDecimalString(value: string): boolean {
  const m = DECIMAL_RE.exec(value);
  return m !== null && (m[3] ?? '').length <= FRACTION_DIGITS;
}

/** "12.34" -> 12340000000000000n. Throws on anything that is not a plain decimal with <= 15 fraction digits. */
export function parseDecimal(value: string): bigint {
  const m = DECIMAL_RE.exec(value);
  if (!m || (m[3] ?? '').length > FRACTION_DIGITS) {
    throw new Error(
      `not a plain decimal string with at most ${FRACTION_DIGITS} fraction digits: ${JSON.stringify(value)}`,
    );
  }
  const whole = BigInt(m[2] ?? '0');
  const frac = BigInt((m[3] ?? '').padEnd(FRACTION_DIGITS, '0'));
  const abs = whole * SCALE + frac;
  return m[1] === '-' ? -abs : abs;
}

/** Rounds half away from zero to `digits` fraction digits and returns the count of 10^-digits units. */
function roundTo(value: bigint, digits: number): bigint {
  const divisor = 10n ** BigInt(FRACTION_DIGITS - digits);
  const neg = value < 0n;
  const abs = neg ? -value : value;
  let q = abs / divisor;
  const r = abs % divisor;
  if (r * 2n >= divisor) q += 1n;
  return neg ? -q : q;
}

function plain(units: bigint, digits: number, trim: boolean): string {
  if (units === 0n) return '0';
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const base = 10n ** BigInt(digits);
  const whole = (abs / base).toString();
  let frac = digits > 0 ? (abs % base).toString().padStart(digits, '0') : '';
  if (trim) frac = frac.replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Cost amounts the way Cost Explorer writes them: a plain decimal with 10 fraction digits ("12.3400000000"), "0" for zero. */
export function formatCost(value: bigint): string {
  return plain(roundTo(value, 10), 10, false);
}

/** Usage quantities: a plain decimal without trailing zeros ("744", "1.5"). */
export function formatQuantity(value: bigint): string {
  return plain(roundTo(value, 10), 10, true);
}

/** For statistics (forecast, anomaly detection) where float precision is fine. */
export function toNumber(value: bigint): number {
  const whole = value / SCALE;
  const frac = value % SCALE;
  return Number(whole) + Number(frac) / Number(SCALE);
}

/** A float -> the fixed-point representation (rounded to 10^-15). */
export function fromNumber(value: number): bigint {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return parseDecimal(value.toFixed(FRACTION_DIGITS));
}
