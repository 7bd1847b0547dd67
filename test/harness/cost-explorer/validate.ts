/** Request-shape checks answering ValidationException in Cost Explorer's wording. */
import { formatDay, parseDay } from './dates';
import { validation } from './errors';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lowerFirst(path: string): string {
  return path
    .split('.')
    .map((p) => p.charAt(0).toLowerCase() + p.slice(1))
    .join('.');
}

export function missing(path: string): never {
  throw validation(
    `1 validation error detected: Value null at '${lowerFirst(path)}' failed to satisfy constraint: Member must not be null`,
  );
}

export function badValue(path: string, value: unknown, constraint: string): never {
  throw validation(
    `1 validation error detected: Value '${typeof value === 'string' ? value : JSON.stringify(value)}' at '${lowerFirst(path)}' failed to satisfy constraint: ${constraint}`,
  );
}

export function requireObject(body: Json, key: string, path = key): Json {
  const v = body[key];
  if (v === undefined || v === null) missing(path);
  if (!isObject(v)) badValue(path, v, 'Member must be a structure');
  return v;
}

export function optionalString(body: Json, key: string, path = key): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') badValue(path, v, 'Member must be a string');
  return v;
}

export function requireString(body: Json, key: string, path = key): string {
  const v = optionalString(body, key, path);
  if (v === undefined) missing(path);
  return v;
}

export function optionalEnum<T extends string>(
  body: Json,
  key: string,
  allowed: readonly T[],
  path = key,
): T | undefined {
  const v = optionalString(body, key, path);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    badValue(path, v, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return v as T;
}

export function optionalInt(
  body: Json,
  key: string,
  min: number,
  max: number,
  path = key,
): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) badValue(path, v, 'Member must be an integer');
  if (v < min) badValue(path, v, `Member must have value greater than or equal to ${min}`);
  if (v > max) badValue(path, v, `Member must have value less than or equal to ${max}`);
  return v;
}

export function optionalStringArray(body: Json, key: string, path = key): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    badValue(path, v, 'Member must be a list of strings');
  return v as string[];
}

/** A YYYY-MM-DD date (Cost Explorer also accepts a trailing THH:MM:SSZ; only midnight is accepted here). */
export function parseDateMember(value: string, path: string): number {
  const datePart = /^\d{4}-\d{2}-\d{2}T00:00:00Z$/.test(value) ? value.slice(0, 10) : value;
  const day = parseDay(datePart);
  if (day === undefined)
    badValue(
      path,
      value,
      'Member must satisfy regular expression pattern: (\\d{4}-\\d{2}-\\d{2})(T\\d{2}:\\d{2}:\\d{2}Z)?',
    );
  return day;
}

export interface DayRange {
  start: number;
  end: number;
}

/** TimePeriod {Start, End}: End exclusive and after Start. */
export function parseTimePeriod(body: Json, key = 'TimePeriod'): DayRange {
  const tp = requireObject(body, key);
  const start = parseDateMember(requireString(tp, 'Start', `${key}.Start`), `${key}.Start`);
  const end = parseDateMember(requireString(tp, 'End', `${key}.End`), `${key}.End`);
  if (end <= start) throw validation('Start date (and hour) should be before end date (and hour)');
  return { start, end };
}

/** The history window Cost Explorer keeps: the current month plus the 12 before it. */
export function checkHistoryWindow(range: DayRange, today: number, earliest: number): void {
  if (range.start > today) {
    throw validation(
      `Start date ${formatDay(range.start)} is in the future; cost and usage data is available up to ${formatDay(today)}`,
    );
  }
  if (range.start < earliest) {
    throw validation(
      `Start date ${formatDay(range.start)} is too old: Cost Explorer keeps 13 months of data, the earliest start date is ${formatDay(earliest)}`,
    );
  }
}
