import { AppError } from '../../shared/errors';

/**
 * JSON text with the keys of every object sorted by UTF-16 code units (RFC 8785 order, what `Array.prototype.sort`
 * does) and no whitespace, so equal values give equal text and therefore equal hashes, here and in any other
 * tool that sorts keys that way. Otherwise it is exactly `JSON.stringify`: `toJSON` is honoured (a Date becomes
 * its ISO string), undefined and function properties are left out, and they become `null` inside arrays.
 * Throws INVALID_INPUT for what JSON cannot hold: undefined at the top, a BigInt, a cycle.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    arrayIndexKeySeen = false;
    text = JSON.stringify(sortedKeys(value));
    if (arrayIndexKeySeen) text = canonicalText(value);
  } catch (err) {
    const reason =
      err instanceof RangeError ? 'it is nested too deeply or refers to itself' : (err as Error).message;
    throw new AppError(
      'INVALID_INPUT',
      `This value cannot be stored as JSON: ${reason}.`,
      'Pass plain JSON data (objects, arrays, strings, numbers, booleans, null).',
    );
  }
  if (text === undefined) {
    throw new AppError(
      'INVALID_INPUT',
      `This value cannot be stored as JSON: it is ${typeof value}.`,
      'Pass plain JSON data (objects, arrays, strings, numbers, booleans, null).',
    );
  }
  return text;
}

/**
 * Set when an object has a key like "0" or "42". JavaScript always enumerates such keys first, in numeric
 * order, whatever order they were added in, so a sorted copy cannot put them in string order; those values go
 * through canonicalText instead (rare in cluster objects: it is the slower path).
 */
let arrayIndexKeySeen = false;
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && ARRAY_INDEX.test(key) && Number(key) < 4294967295;
}

/**
 * The fast path: a copy of `value` whose objects have their keys in sorted order, for the native
 * `JSON.stringify` to serialise (several times faster than building the text in JavaScript).
 */
function sortedKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  let v: object = value;
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const replaced: unknown = toJSON.call(v);
    if (typeof replaced !== 'object' || replaced === null) return replaced;
    v = replaced;
  }
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = sortedKeys(v[i]);
    return out;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return v instanceof Number || v instanceof Boolean ? v : {}; // JSON.stringify unwraps boxed values
  if (isArrayIndex(keys[0]!)) arrayIndexKeySeen = true; // array-index keys, when present, come first
  let inOrder = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      inOrder = false;
      break;
    }
  }
  if (!inOrder) keys.sort();
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = (v as Record<string, unknown>)[key];
    // JSON.stringify leaves these out; leaving them out here also keeps an own `toJSON` function off the copy
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out[key] = sortedKeys(item);
  }
  return out;
}

/** The same text built by hand, for values with array-index keys. Undefined where JSON.stringify gives undefined. */
function canonicalText(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value);
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    value instanceof Number ||
    value instanceof String ||
    value instanceof Boolean
  ) {
    return JSON.stringify(value); // primitives; undefined, functions and symbols give undefined; BigInt throws
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalText(item) ?? 'null').join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const text = canonicalText((value as Record<string, unknown>)[key]);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}
