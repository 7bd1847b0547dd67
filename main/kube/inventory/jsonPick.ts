/**
 * Selective JSON parsing for big list pages: walk the text, `JSON.parse` only the fields a plan names, and skip the
 * rest by matching brackets (strings are skipped with `indexOf`, at native speed). A pod's JSON is mostly what the
 * inventory drops (managedFields, container specs, probes, volumes, image IDs), so building those objects only for
 * the garbage collector to free them is most of the cost of `JSON.parse(page)`; this builds only what is kept.
 *
 * The output has the same shape as the parsed JSON for every planned path, so the projections in objects.ts
 * (which check every field's type) run on it unchanged. Parsed parts are validated by JSON.parse; skipped parts
 * are only bracket-matched. Malformed input throws (the caller then parses the whole page the ordinary way).
 */

export const PARSE = 1 as const;
export const SKIP = 0 as const;

/** PARSE = take the value as JSON.parse gives it; an object = a plan for an object; [plan] = each element of an array */
export type Plan = typeof PARSE | typeof SKIP | { [key: string]: Plan } | [Plan];

export class JsonPickError extends Error {
  constructor(at: number, what: string) {
    super(`malformed JSON at ${at}: ${what}`);
    this.name = 'JsonPickError';
  }
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

function ws(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** the index just after the string that starts at i (s[i] === '"') */
function skipString(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) throw new JsonPickError(i, 'unterminated string');
    let b = q - 1;
    while (s.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** the index just after the value that starts at i */
export function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === QUOTE) return skipString(s, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    const n = s.length;
    for (let j = i; j < n; j++) {
      const d = s.charCodeAt(j);
      if (d === QUOTE) j = skipString(s, j) - 1;
      else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new JsonPickError(i, 'unterminated object or array');
  }
  // number, true, false, null
  let j = i;
  const n = s.length;
  while (j < n) {
    const d = s.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === 32 || d === 10 || d === 13 || d === 9) break;
    j++;
  }
  if (j === i) throw new JsonPickError(i, 'expected a value');
  return j;
}

function key(s: string, i: number, end: number): string {
  // keys rarely hold escapes; when they do, JSON.parse decodes them
  const raw = s.slice(i + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(s.slice(i, end)) as string) : raw;
}

/** Picks from the value at i by `plan`; returns [value, index after it]. */
export function pickValue(s: string, i: number, plan: Plan): [unknown, number] {
  const c = s.charCodeAt(i);
  if (plan === PARSE || (typeof plan === 'object' && c !== OPEN_BRACE && c !== OPEN_BRACKET)) {
    const end = skipValue(s, i);
    return [JSON.parse(s.slice(i, end)), end];
  }
  if (Array.isArray(plan)) {
    if (c !== OPEN_BRACKET) {
      const end = skipValue(s, i);
      return [JSON.parse(s.slice(i, end)), end];
    }
    return pickArray(s, i, plan[0]);
  }
  if (typeof plan === 'object') {
    if (c !== OPEN_BRACE) {
      const end = skipValue(s, i);
      return [JSON.parse(s.slice(i, end)), end];
    }
    return pickObject(s, i, plan);
  }
  return [undefined, skipValue(s, i)];
}

function pickArray(s: string, i: number, element: Plan): [unknown[], number] {
  const out: unknown[] = [];
  i = ws(s, i + 1);
  if (s.charCodeAt(i) === CLOSE_BRACKET) return [out, i + 1];
  for (;;) {
    const [v, end] = pickValue(s, i, element);
    out.push(v);
    i = ws(s, end);
    const c = s.charCodeAt(i);
    if (c === COMMA) i = ws(s, i + 1);
    else if (c === CLOSE_BRACKET) return [out, i + 1];
    else throw new JsonPickError(i, "expected ',' or ']'");
  }
}

function pickObject(s: string, i: number, plan: { [key: string]: Plan }): [Record<string, unknown>, number] {
  const out: Record<string, unknown> = {};
  const rest = plan['*'];
  i = ws(s, i + 1);
  if (s.charCodeAt(i) === CLOSE_BRACE) return [out, i + 1];
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) throw new JsonPickError(i, 'expected a key');
    const keyEnd = skipString(s, i);
    const k = key(s, i, keyEnd);
    i = ws(s, keyEnd);
    if (s.charCodeAt(i) !== COLON) throw new JsonPickError(i, "expected ':'");
    i = ws(s, i + 1);
    const sub = Object.prototype.hasOwnProperty.call(plan, k) ? plan[k] : rest;
    if (sub === undefined || sub === SKIP) {
      i = skipValue(s, i);
    } else {
      const [v, end] = pickValue(s, i, sub);
      if (k !== '__proto__') out[k] = v;
      i = end;
    }
    i = ws(s, i);
    const c = s.charCodeAt(i);
    if (c === COMMA) i = ws(s, i + 1);
    else if (c === CLOSE_BRACE) return [out, i + 1];
    else throw new JsonPickError(i, "expected ',' or '}'");
  }
}

/**
 * A Kubernetes list page: `metadata` parsed whole, each of `items` picked by `itemPlan` and handed to `onItem`
 * (so a page's items never all exist at once). Returns the list's metadata.
 */
export function pickListPage(s: string, itemPlan: Plan, onItem: (item: unknown) => void): Record<string, unknown> {
  let i = ws(s, 0);
  if (s.charCodeAt(i) !== OPEN_BRACE) throw new JsonPickError(i, 'a list must be an object');
  let metadata: Record<string, unknown> = {};
  let sawItems = false;
  i = ws(s, i + 1);
  if (s.charCodeAt(i) === CLOSE_BRACE) throw new JsonPickError(i, 'a list without items');
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) throw new JsonPickError(i, 'expected a key');
    const keyEnd = skipString(s, i);
    const k = key(s, i, keyEnd);
    i = ws(s, keyEnd);
    if (s.charCodeAt(i) !== COLON) throw new JsonPickError(i, "expected ':'");
    i = ws(s, i + 1);
    if (k === 'metadata') {
      const end = skipValue(s, i);
      const m = JSON.parse(s.slice(i, end)) as unknown;
      if (m && typeof m === 'object' && !Array.isArray(m)) metadata = m as Record<string, unknown>;
      i = end;
    } else if (k === 'items') {
      if (s.charCodeAt(i) === OPEN_BRACKET) {
        sawItems = true;
        i = ws(s, i + 1);
        if (s.charCodeAt(i) === CLOSE_BRACKET) i++;
        else
          for (;;) {
            const [v, end] = pickValue(s, i, itemPlan);
            onItem(v);
            i = ws(s, end);
            const c = s.charCodeAt(i);
            if (c === COMMA) i = ws(s, i + 1);
            else if (c === CLOSE_BRACKET) {
              i++;
              break;
            } else throw new JsonPickError(i, "expected ',' or ']'");
          }
      } else {
        i = skipValue(s, i); // items: null = no items
        sawItems = true;
      }
    } else {
      i = skipValue(s, i);
    }
    i = ws(s, i);
    const c = s.charCodeAt(i);
    if (c === COMMA) i = ws(s, i + 1);
    else if (c === CLOSE_BRACE) break;
    else throw new JsonPickError(i, "expected ',' or '}'");
  }
  if (!sawItems) throw new JsonPickError(i, 'a list without items');
  return metadata;
}
