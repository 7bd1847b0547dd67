import { describe, expect, it } from 'vitest';
import { parseMatrixFast } from '../../../main/metrics/matrixParser';
import { toGrid } from '../../../main/metrics/prometheus';

const grid = { start: 1000, step: 10, points: 50 };

/** The slow path, for comparison: JSON.parse then toGrid. */
function reference(text: string) {
  const body = JSON.parse(text) as {
    data: { result: Array<{ metric: Record<string, string>; values: unknown[] }> };
  };
  return body.data.result.map((r) => ({
    labels: r.metric,
    ...toGrid(r.values, grid.start, grid.step, grid.points),
  }));
}

function same(text: string, exact = true) {
  const fast = parseMatrixFast(Buffer.from(text, 'utf8'), grid);
  expect(fast).not.toBeNull();
  const ref = reference(text);
  expect(fast!.series.length).toBe(ref.length);
  fast!.series.forEach((s, k) => {
    expect(s.labels).toEqual(ref[k]!.labels);
    expect(s.nonFinite).toEqual(ref[k]!.nonFinite);
    for (let i = 0; i < grid.points; i++) {
      const a = s.values[i]!;
      const b = ref[k]!.values[i]!;
      if (exact || !Number.isFinite(b) || b === 0) expect(Object.is(a, b)).toBe(true);
      else expect(Math.abs(a - b) / Math.abs(b)).toBeLessThanOrEqual(5e-15);
    }
  });
}

const ok = (result: unknown[], extra = '') =>
  `{"status":"success","data":{"resultType":"matrix","result":${JSON.stringify(result)}}${extra}}`;

describe('the fast matrix reader', () => {
  const series = (formats: Array<() => string>) =>
    Array.from({ length: 20 }, (_, k) => ({
      metric: { gpu: String(k), Hostname: `node-${k}` },
      values: Array.from({ length: 50 }, (_, i) => [1000 + i * 10, formats[(i + k) % formats.length]!()]),
    }));
  let seed = 42;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

  it('reads decimals of up to 15 significant digits, exponents and tiny numbers exactly as Number() does', () => {
    same(
      ok(
        series([
          () => String(Math.round(rnd() * 1000)),
          () => (rnd() * 100).toFixed(3),
          () => (rnd() * 1e6).toFixed(8),
          () => (-rnd() * 5).toFixed(12),
          () => (rnd() * 1e-7).toExponential(4),
          () => String(1e21 + rnd() * 1e22),
          () => '0.000000000000000000001234',
          () => '1e+308',
          () => '0',
          () => '-0.5',
        ]),
      ),
    );
  });

  it('reads longer decimals (avg_over_time writes 17 digits) within 5e-15 relative', () => {
    same(
      ok(
        series([
          () => String(rnd()),
          () => String(rnd() * 1e12),
          () => String(-rnd() * 5),
          () => '0.2966666666666667',
          () => '123456789012345678',
          () => '99999999999999999999',
        ]),
      ),
      false,
    );
  });

  it('counts NaN and ±Inf, snaps off-grid timestamps, ignores points outside the window', () => {
    same(
      ok([
        {
          metric: {},
          values: [
            [1000, 'NaN'],
            [1010.4, '+Inf'],
            [1019.6, '-Inf'],
            [1030.001, '2'],
            [990, '1'],
            [1500, '1'],
            [2000, '1'],
          ],
        },
      ]),
    );
  });

  it('keeps label values with quotes, backslashes, braces, unicode and HTML', () => {
    same(
      ok([
        {
          metric: { a: 'x"}]{[', b: 'back\\slash', c: 'é—🙂', d: '<img src=x onerror=alert(1)>' },
          values: [[1000, '1']],
        },
      ]),
    );
  });

  it('accepts whitespace, another field order and extra fields', () => {
    const text = `{
      "status" : "success",
      "warnings": ["something \\"odd\\""],
      "data" : { "result" : [ { "values" : [ [ 1000 , "1.5" ] , [1010,"2"] ], "metric" : { "x" : "y" } } ], "resultType" : "matrix" },
      "stats": {"timings": {"evalTotalTime": 0.1}}
    }`;
    // resultType after result: the fast reader does not guess, the slow path reads it
    expect(parseMatrixFast(Buffer.from(text), grid)).toBeNull();
    const ordered = text
      .replace('"data" : { "result"', '"data" : { "resultType" : "matrix", "result"')
      .replace(', "resultType" : "matrix" }', ' }');
    same(ordered);
  });

  it('caps the series and counts them all', () => {
    const r = parseMatrixFast(
      Buffer.from(ok(Array.from({ length: 7 }, (_, k) => ({ metric: { k: String(k) }, values: [] })))),
      grid,
      3,
    );
    expect(r!.series).toHaveLength(3);
    expect(r!.total).toBe(7);
  });

  it('leaves everything unusual to the slow path', () => {
    const no = (text: string) => expect(parseMatrixFast(Buffer.from(text), grid)).toBeNull();
    no(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
    no(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    no(ok([{ metric: {}, histograms: [[1000, { count: '1' }]] }]));
    no(ok([{ metric: { a: 1 }, values: [] }]));
    no(ok([{ metric: {}, values: [[1000, 1]] }]));
    no(ok([{ metric: {}, values: [[1000, 'abc']] }]));
    no(ok([{ metric: {}, values: [[1000, '']] }]));
    no(ok([]) + 'garbage');
    no(ok([]).slice(0, -3));
    no('<html>proxy login</html>');
    no('');
    expect(parseMatrixFast(Buffer.from(ok([])), grid)).toEqual({ series: [], total: 0 });
  });
});
