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

/**
 * Values found, as they were built, to be their own canonical JSON already (see markIfCanonical). A WeakSet: a
 * value leaves it with the value.
 */
const inOrder = new WeakSet<object>();

/**
 * Checks a value once, when it is built, for what storedJson would check when it is stored: the inventory does it
 * as each object arrives from the cluster, so a first capture of 29,000 objects does not check them all at once
 * (~60-90 ms of it on the 2-core machine). Like everything handed to the store, the value must not be changed
 * afterwards. Returns the value.
 */
export function markIfCanonical<T>(value: T): T {
  if (typeof value === 'object' && value !== null && inCanonicalOrder(value)) inOrder.add(value);
  return value;
}

/**
 * canonicalJson(value), cheaply when the value's keys are already in sorted order (the inventory's projections
 * build them so): checking the order allocates nothing, where canonicalJson copies every object to sort it.
 * Measured on the 29,000 bench objects: ~40-60 ms to check against ~180-280 ms to copy; nothing for a value
 * markIfCanonical has seen.
 */
export function storedJson(value: unknown): string {
  const fast = typeof value === 'object' && value !== null && (inOrder.has(value) || inCanonicalOrder(value));
  return fast ? JSON.stringify(value) : canonicalJson(value);
}

function inCanonicalOrder(value: object): boolean {
  try {
    return isCanonical(value);
  } catch {
    return false; // a cycle (too deep) or a throwing getter: canonicalJson says what is wrong
  }
}

/**
 * Whether JSON.stringify(value) is already its canonical JSON: plain objects and arrays only (no toJSON, no
 * boxed values or class instances, whose JSON is not their keys), every object's keys in sorted order (array-index
 * keys, which JavaScript enumerates first in numeric order, fail this unless in string order too).
 */
function isCanonical(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return typeof value !== 'bigint';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isCanonical(value[i])) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  // for-in walks the keys in Object.keys order without allocating their array (the prototype has none: checked)
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && previous > key) return false;
    if (!isCanonical((value as Record<string, unknown>)[key])) return false;
    previous = key;
  }
  return true;
}
