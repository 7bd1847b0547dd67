/**
 * The one CSV writer (RFC 4180) every export uses, in main and in the renderer: fields quoted when they hold a
 * comma, quote or line break (quotes doubled), CRLF between records, and text a spreadsheet would read as a
 * formula (`= + - @`, tab, CR first) kept as text with a leading apostrophe. Text from clusters and bills shows
 * its bidi controls and invisible characters as markers (`⟨U+202E⟩`), never obeyed. Unknown is an empty cell,
 * never "—" or "(—)"; money is a plain amount rounded to cents.
 */
import { amountUnits, formatAmount, MONEY_DIGITS, type Money, type MoneyWire } from './money';
import { visibleText } from './visibleText';

/** A cell: text, a number (written as is), or unknown (null/undefined: an empty cell). */
export type CsvCell = string | number | bigint | boolean | null | undefined;

const NUMBER_TEXT = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;
/** what the screens write for "unknown": an empty cell in a CSV */
const UNKNOWN_TEXT = /^\(?[—–-]?\)?$/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  let text = visibleText(value);
  if (UNKNOWN_TEXT.test(text.trim())) return '';
  // `=HYPERLINK(…)` in a model name must stay text; a number written as text (`-3.5`) stays a number
  if (/^[=+\-@\t\r]/.test(text) && !NUMBER_TEXT.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record. */
export function csvRecord(cells: readonly CsvCell[]): string {
  return cells.map(csvCell).join(',');
}

/** A whole file: the header, then the rows, each record ended by CRLF. */
export function csvText(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return [header, ...rows].map((r) => `${csvRecord(r)}\r\n`).join('');
}

/** Money as a spreadsheet wants it: the amount rounded to cents, no currency sign (the column names it). */
export function csvMoney(m: Money | MoneyWire | null | undefined): string | null {
  if (!m) return null;
  const units = 'units' in m ? m.units : amountUnits(m.amount);
  return formatAmount(units, 2, true);
}

/** A float amount of dollars (GPU prices per hour) rounded to cents, exactly as its decimal text reads. */
export function csvDollars(value: number | null | undefined): string | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  // through the decimal text, not float arithmetic: 0.125 rounds to 0.13 as a person reads it
  return formatAmount(amountUnits(value.toFixed(MONEY_DIGITS)), 2, true);
}
