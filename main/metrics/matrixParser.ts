/**
 * A query_range answer read straight onto the aligned grid. A 512-GPU week is half a million [t, "v"] pairs;
 * JSON.parse would make a million small arrays and strings for the garbage collector only to copy their
 * numbers into typed arrays. This scanner reads the bytes once and writes the numbers where they go.
 *
 * Plain decimals of up to 15 significant digits are read exactly (the same double as Number()); longer ones
 * within 5e-15 relative; anything else (exponents, NaN, ±Inf) goes through Number().
 *
 * It accepts exactly the shape Prometheus (and Thanos, Mimir, VictoriaMetrics) write:
 *   {"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},"values":[[t,"v"],…]},…]}, …}
 * with any whitespace and field order. Anything else (an error, native histograms, an unexpected token)
 * returns null and the caller parses the answer with JSON.parse and zod as usual: the fast path never guesses.
 */
import type { NonFinite } from '../../shared/series';

export interface FastSeries {
  labels: Record<string, string>;
  values: Float64Array;
  nonFinite: NonFinite;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

class Fail extends Error {}
const fail = (): never => {
  throw new Fail();
};

export function parseMatrixFast(
  buf: Uint8Array,
  grid: { start: number; step: number; points: number },
  maxSeries = Infinity,
): { series: FastSeries[]; total: number } | null {
  try {
    return scan(buf, grid, maxSeries);
  } catch (err) {
    if (err instanceof Fail) return null;
    throw err;
  }
}

function scan(buf: Uint8Array, grid: { start: number; step: number; points: number }, maxSeries: number) {
  let i = 0;
  const n = buf.length;
  const ws = () => {
    while (i < n) {
      const c = buf[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const expect = (c: number) => {
    ws();
    if (buf[i] !== c) fail();
    i++;
  };
  /** a key or a plain string without escapes (keys and status words never have any) */
  const plainString = (): string => {
    ws();
    if (buf[i] !== QUOTE) fail();
    const from = ++i;
    while (i < n && buf[i] !== QUOTE) {
      if (buf[i] === BACKSLASH) fail();
      i++;
    }
    if (i >= n) fail();
    return Buffer.from(buf.buffer, buf.byteOffset + from, i++ - from).toString('latin1');
  };
  /** skips any JSON value, strings and nesting included */
  const skipValue = () => {
    ws();
    const c = buf[i];
    if (c === QUOTE) {
      i++;
      while (i < n && buf[i] !== QUOTE) i += buf[i] === BACKSLASH ? 2 : 1;
      if (i >= n) fail();
      i++;
      return;
    }
    if (c === LBRACE || c === LBRACKET) {
      let depth = 0;
      while (i < n) {
        const d = buf[i]!;
        if (d === QUOTE) {
          i++;
          while (i < n && buf[i] !== QUOTE) i += buf[i] === BACKSLASH ? 2 : 1;
        } else if (d === LBRACE || d === LBRACKET) depth++;
        else if (d === RBRACE || d === RBRACKET) {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
        i++;
      }
      fail();
    }
    while (i < n && buf[i] !== COMMA && buf[i] !== RBRACE && buf[i] !== RBRACKET) i++;
  };
  /** iterates the members of an object: `each` is called with the key, positioned at the value */
  const object = (each: (key: string) => void) => {
    expect(LBRACE);
    ws();
    if (buf[i] === RBRACE) {
      i++;
      return;
    }
    for (;;) {
      const key = plainString();
      expect(COLON);
      each(key);
      ws();
      if (buf[i] === COMMA) {
        i++;
        continue;
      }
      if (buf[i] === RBRACE) {
        i++;
        return;
      }
      fail();
    }
  };

  let status: string | null = null;
  let resultType: string | null = null;
  let series: FastSeries[] | null = null;
  let total = 0;
  const { start, step, points } = grid;

  const readSeries = () => {
    let labels: Record<string, string> | null = null;
    let values: Float64Array | null = null;
    const nonFinite = { nan: 0, posInf: 0, negInf: 0 };
    object((key) => {
      if (key === 'metric') {
        ws();
        const from = i;
        skipValue();
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + from, i - from).toString('utf8'));
        } catch {
          fail();
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail();
        for (const v of Object.values(parsed as object)) if (typeof v !== 'string') fail();
        labels = parsed as Record<string, string>;
      } else if (key === 'values') {
        values = new Float64Array(points).fill(NaN);
        // the hot loop lives in a plain function with local variables (closures over `i` are slow)
        const next = readPairs(buf, i, values, nonFinite, start, step, points);
        if (next < 0) fail();
        i = next;
      } else {
        // "histograms" (native histograms) and anything unknown: not for the fast path
        fail();
      }
    });
    if (!labels) fail();
    total++;
    if (series!.length < maxSeries)
      series!.push({ labels: labels!, values: values ?? new Float64Array(points).fill(NaN), nonFinite });
  };

  object((key) => {
    if (key === 'status') status = plainString();
    else if (key === 'data') {
      object((k) => {
        if (k === 'resultType') {
          resultType = plainString();
          if (resultType !== 'matrix') fail();
        } else if (k === 'result') {
          if (resultType !== 'matrix') fail();
          series = [];
          expect(LBRACKET);
          ws();
          if (buf[i] === RBRACKET) {
            i++;
            return;
          }
          for (;;) {
            readSeries();
            ws();
            if (buf[i] === COMMA) {
              i++;
              continue;
            }
            if (buf[i] === RBRACKET) {
              i++;
              return;
            }
            fail();
          }
        } else skipValue();
      });
    } else skipValue();
  });
  ws();
  if (i !== n) fail();
  if (status !== 'success' || resultType !== 'matrix' || !series) return null;
  return { series: series as FastSeries[], total };
}

/** exact powers of ten (up to 1e22, the largest exact double power of ten) */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * `[[t,"v"],…]` from position p onto the grid; returns the position after the closing bracket, or -1 when the
 * bytes are not what Prometheus writes (the caller then takes the slow path).
 */
function readPairs(
  buf: Uint8Array,
  p: number,
  values: Float64Array,
  nonFinite: NonFinite,
  start: number,
  step: number,
  points: number,
): number {
  const n = buf.length;
  while (p < n && isWs(buf[p]!)) p++;
  if (buf[p] !== LBRACKET) return -1;
  p++;
  while (p < n && isWs(buf[p]!)) p++;
  if (buf[p] === RBRACKET) return p + 1;
  for (;;) {
    while (p < n && isWs(buf[p]!)) p++;
    if (buf[p] !== LBRACKET) return -1;
    p++;
    while (p < n && isWs(buf[p]!)) p++;
    // timestamp: digits with an optional fraction (Prometheus writes seconds, e.g. 1700000000 or 1700000000.5)
    let t = 0;
    let digits = 0;
    let c = buf[p]!;
    while (c >= 0x30 && c <= 0x39) {
      t = t * 10 + (c - 0x30);
      digits++;
      c = buf[++p]!;
    }
    if (digits === 0) return -1;
    if (c === 0x2e) {
      let scale = 1;
      c = buf[++p]!;
      while (c >= 0x30 && c <= 0x39) {
        scale /= 10;
        t += (c - 0x30) * scale;
        c = buf[++p]!;
      }
    }
    while (p < n && isWs(buf[p]!)) p++;
    if (buf[p] !== COMMA) return -1;
    p++;
    while (p < n && isWs(buf[p]!)) p++;
    if (buf[p] !== QUOTE) return -1;
    p++;
    // the value: a plain decimal read directly (exact, like Number(), up to 15 significant digits), else Number()
    const from = p;
    let neg = false;
    if (buf[p] === 0x2d) {
      neg = true;
      p++;
    }
    let mant = 0;
    let sig = 0;
    let scale = 0;
    /** integer digits beyond the 15 kept (each one a factor of 10) */
    let shift = 0;
    /** the first digit dropped, for rounding */
    let dropped = -1;
    let dot = false;
    let any = false;
    let simple = true;
    for (;;) {
      c = buf[p]!;
      if (c >= 0x30 && c <= 0x39) {
        any = true;
        if (sig < 15) {
          mant = mant * 10 + (c - 0x30);
          if (mant > 0) sig++;
          if (dot) scale++;
        } else {
          if (dropped < 0) dropped = c - 0x30;
          if (!dot) shift++;
        }
      } else if (c === 0x2e && !dot) dot = true;
      else if (c === QUOTE) break;
      else if (c === BACKSLASH || p >= n) return -1;
      else simple = false;
      p++;
    }
    let v: number;
    if (simple && any && scale <= 22 && shift <= 22) {
      // 15 significant digits: mant and the power of ten are exact, so one division rounds correctly (the same
      // double as Number()); longer decimals (avg_over_time writes 0.2966666666666667) keep 15 digits, rounded:
      // within 5e-15 relative, far below what a chart shows
      if (dropped >= 5) mant += 1;
      v = scale ? mant / POW10[scale]! : mant;
      if (shift) v *= POW10[shift]!;
      if (neg) v = -v;
    } else {
      const text = Buffer.from(buf.buffer, buf.byteOffset + from, p - from).toString('latin1');
      if (text === '+Inf' || text === 'Inf') v = Infinity;
      else if (text === '-Inf') v = -Infinity;
      else if (text === 'NaN') v = NaN;
      else {
        v = Number(text);
        if (Number.isNaN(v) || text.trim() === '') return -1;
      }
    }
    p++; // closing quote
    while (p < n && isWs(buf[p]!)) p++;
    if (buf[p] !== RBRACKET) return -1;
    p++;
    const idx = Math.round((t - start) / step);
    if (idx >= 0 && idx < points) {
      if (v - v === 0) values[idx] = v;
      else if (v === Infinity) nonFinite.posInf++;
      else if (v === -Infinity) nonFinite.negInf++;
      else nonFinite.nan++;
    }
    while (p < n && isWs(buf[p]!)) p++;
    if (buf[p] === COMMA) {
      p++;
      continue;
    }
    if (buf[p] === RBRACKET) return p + 1;
    return -1;
  }
}
