import { describe, expect, it } from 'vitest';
import { BURN_WINDOWS, burnRate, burnWindow, shareAbove } from '../../../shared/health';
import { PROMETHEUS_MAX_POINTS, chooseStep, lttb, STEP_LADDER_S } from '../../../shared/series';
import { histogramQuantile } from './histogramQuantile';
import { safeHttpUrl } from '../../../shared/alerts';
import { decodeCells, NO_CELL } from '../../../shared/gpu';
import { toGrid, parseValue } from '../../../main/metrics/prometheus';
import { roundForChart, buildChart } from '../../../main/metrics/charts';
import { decodeGrid, encodeGrid, regrid } from '../../../main/metrics/rangeCache';

describe('chooseStep', () => {
  it('never asks for more than one point per pixel, aligns the window, and uses a step of the ladder', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const end = 1_700_000_000 + Math.floor(rnd() * 1e7);
      const range = 60 + Math.floor(rnd() * 90 * 86400);
      const width = 16 + Math.floor(rnd() * 8000);
      const c = chooseStep({ start: end - range, end }, width);
      expect(c.points).toBeLessThanOrEqual(width);
      expect(c.points).toBeLessThanOrEqual(PROMETHEUS_MAX_POINTS);
      expect(c.start % c.step).toBe(0);
      expect(c.end % c.step).toBe(0);
      expect(c.end).toBeLessThanOrEqual(end);
      expect(c.end).toBeGreaterThan(end - c.step);
      expect(c.points).toBe((c.end - c.start) / c.step + 1);
      expect(c.step).toBeGreaterThanOrEqual(15);
      if (c.step <= 86400) expect(STEP_LADDER_S as readonly number[]).toContain(c.step);
    }
  });

  it('picks the expected steps for common views', () => {
    const end = 1_700_000_000;
    expect(chooseStep({ start: end - 3600, end }, 800).step).toBe(15); // the scrape interval floor
    expect(chooseStep({ start: end - 6 * 3600, end }, 800).step).toBe(30);
    expect(chooseStep({ start: end - 7 * 86400, end }, 1200).step).toBe(600);
    expect(chooseStep({ start: end - 7 * 86400, end }, 1200).points).toBeLessThanOrEqual(1200);
    expect(chooseStep({ start: end - 3600, end }, 800, { minStepS: 60 }).step).toBe(60);
  });

  it('gives the same grid for two requests within one step (the cache key does not move)', () => {
    const a = chooseStep({ start: 1_700_000_000 - 86400, end: 1_700_000_000 }, 1000);
    const b = chooseStep({ start: 1_700_000_000 + 10 - 86400, end: 1_700_000_010 }, 1000);
    expect(a.step).toBe(120);
    expect(b).toEqual(a);
  });
});

describe('lttb', () => {
  it('keeps the ends, returns the threshold count and keeps a spike', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i);
    const ys = xs.map((x) => (x === 4321 ? 100 : Math.sin(x / 100)));
    const out = lttb(xs, ys, 200);
    expect(out.x).toHaveLength(200);
    expect(out.x[0]).toBe(0);
    expect(out.x[199]).toBe(9999);
    expect(out.y).toContain(100);
    for (let i = 1; i < out.x.length; i++) expect(out.x[i]!).toBeGreaterThan(out.x[i - 1]!);
  });
  it('leaves short series alone and keeps gaps visible', () => {
    expect(lttb([1, 2, 3], [1, null, 3], 10)).toEqual({ x: [1, 2, 3], y: [1, null, 3] });
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const ys = xs.map((x) => (x > 400 && x < 600 ? null : x));
    expect(lttb(xs, ys, 50).y).toContain(null);
  });
});

describe('histogramQuantile (Prometheus semantics)', () => {
  const b = (pairs: Array<[number, number]>) => pairs.map(([le, count]) => ({ le, count }));
  it('interpolates linearly inside the bucket, from 0 in the first', () => {
    const h = b([
      [1, 10],
      [2, 30],
      [5, 90],
      [Infinity, 100],
    ]);
    expect(histogramQuantile(0.05, h)).toBeCloseTo(0.5); // rank 5 in [0,1]
    expect(histogramQuantile(0.5, h)).toBeCloseTo(2 + 3 * (20 / 60)); // rank 50 in (2,5]
    expect(histogramQuantile(0.95, h)).toBe(5); // in the +Inf bucket: highest finite bound
  });
  it('handles edge cases like Prometheus', () => {
    expect(
      histogramQuantile(
        0.5,
        b([
          [1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNaN();
    expect(
      histogramQuantile(
        0.5,
        b([
          [1, 5],
          [2, 6],
        ]),
      ),
    ).toBeNaN(); // no +Inf bucket
    expect(
      histogramQuantile(
        1.5,
        b([
          [1, 5],
          [Infinity, 6],
        ]),
      ),
    ).toBe(Infinity);
    expect(
      histogramQuantile(
        -1,
        b([
          [1, 5],
          [Infinity, 6],
        ]),
      ),
    ).toBe(-Infinity);
    // non-monotonic counts (scrape skew) are fixed up, not a negative bucket
    expect(
      histogramQuantile(
        0.5,
        b([
          [1, 10],
          [2, 8],
          [Infinity, 20],
        ]),
      ),
    ).toBe(1);
    expect(
      histogramQuantile(
        0.75,
        b([
          [1, 10],
          [2, 8],
          [Infinity, 20],
        ]),
      ),
    ).toBe(2);
  });
  it('shareAbove is exact on bucket bounds and interpolates between them', () => {
    const h = b([
      [1, 10],
      [2, 30],
      [5, 90],
      [Infinity, 100],
    ]);
    expect(shareAbove(2, h)).toBeCloseTo(0.7);
    expect(shareAbove(5, h)).toBeCloseTo(0.1);
    expect(shareAbove(3.5, h)).toBeCloseTo((100 - 60) / 100);
    expect(shareAbove(100, h)).toBeCloseTo(0.1);
    expect(
      shareAbove(
        1,
        b([
          [1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNaN();
  });
});

describe('burn rates', () => {
  it('is bad ratio over budget', () => {
    expect(burnRate(0.005, 0.995)).toBeCloseTo(1);
    expect(burnRate(0.25, 0.995)).toBeCloseTo(50);
    expect(burnRate(null, 0.995)).toBeNull();
    expect(burnRate(NaN, 0.995)).toBeNull();
  });
  it('alerts only when both windows burn faster than the threshold', () => {
    const page = BURN_WINDOWS[0]!;
    expect(burnWindow(page, 20, 20).alerting).toBe(true);
    expect(burnWindow(page, 20, 10).alerting).toBe(false); // already recovering
    expect(burnWindow(page, 10, 20).alerting).toBe(false); // a blip
    expect(burnWindow(page, null, 20).alerting).toBe(false);
  });
});

describe('samples: NaN, ±Inf, off-grid and malformed', () => {
  it('parses Prometheus value strings', () => {
    expect(parseValue('NaN')).toBeNaN();
    expect(parseValue('+Inf')).toBe(Infinity);
    expect(parseValue('-Inf')).toBe(-Infinity);
    expect(parseValue('1e3')).toBe(1000);
  });
  it('puts samples on the grid, counts non-finite ones and skips junk', () => {
    const { values, nonFinite } = toGrid(
      [
        [100, '1'],
        [115, 'NaN'],
        [130, '+Inf'],
        [145, '-Inf'],
        [161, '5'],
        [999, '9'],
        ['x', '1'],
        [175],
        null,
      ],
      100,
      15,
      5,
    );
    expect(Array.from(values)).toEqual([1, NaN, NaN, NaN, 5]);
    expect(nonFinite).toEqual({ nan: 1, posInf: 1, negInf: 1 });
  });
  it('a chart whose every sample is non-finite says so instead of drawing nothing', () => {
    const grid = {
      start: 0,
      step: 15,
      points: 3,
      droppedSeries: 0,
      cache: null,
      series: [
        {
          labels: {},
          values: new Float64Array([NaN, NaN, NaN]),
          nonFinite: { nan: 2, posInf: 1, negInf: 0 },
        },
      ],
    };
    const chart = buildChart('x', 'X', 'seconds', { start: 0, end: 30, step: 15, points: 3 }, [
      { promql: 'q', grid, name: 'p95' },
    ]);
    expect(chart.series[0]!.values).toEqual([null, null, null]);
    expect(chart.note).toMatch(/NaN or infinite \(3\)/);
  });
  it('an empty result has a note, too', () => {
    const grid = { start: 0, step: 15, points: 3, droppedSeries: 0, cache: null, series: [] };
    const chart = buildChart('x', 'X', 'reqps', { start: 0, end: 30, step: 15, points: 3 }, [
      { promql: 'q', grid, name: 'r' },
    ]);
    expect(chart.note).toMatch(/No data/);
  });
  it('rounds to 4 significant digits for transport', () => {
    expect(roundForChart(123456.789)).toBe(123500);
    expect(roundForChart(0.000123456)).toBe(0.0001235);
    expect(roundForChart(NaN)).toBeNull();
    expect(roundForChart(Infinity)).toBeNull();
  });
});

describe('cache body', () => {
  it('round-trips series values exactly, NaN included', () => {
    const grid = {
      start: 600,
      step: 300,
      points: 4,
      droppedSeries: 2,
      series: [
        {
          labels: { gpu: '0', '<b>x</b>': 'y' },
          values: new Float64Array([0.1, NaN, 1 / 3, 1e-300]),
          nonFinite: { nan: 1, posInf: 0, negInf: 0 },
        },
        {
          labels: {} as Record<string, string>,
          values: new Float64Array([1, 2, 3, 4]),
          nonFinite: { nan: 0, posInf: 2, negInf: 0 },
        },
      ],
    };
    const back = decodeGrid(JSON.parse(JSON.stringify(encodeGrid(grid))));
    expect(back).not.toBeNull();
    expect(back!.droppedSeries).toBe(2);
    expect(Array.from(back!.series[0]!.values)).toEqual([0.1, NaN, 1 / 3, 1e-300]);
    expect(back!.series[0]!.labels).toEqual({ gpu: '0', '<b>x</b>': 'y' });
    expect(back!.series[1]!.nonFinite.posInf).toBe(2);
  });
  it('keeps heatmap ratios as per-mille integers when asked (a quarter of the bytes)', () => {
    const grid = {
      start: 0,
      step: 60,
      points: 4,
      droppedSeries: 0,
      series: [
        {
          labels: {},
          values: new Float64Array([0, 0.4567, NaN, 1.2]),
          nonFinite: { nan: 1, posInf: 0, negInf: 0 },
        },
      ],
    };
    const body = encodeGrid(grid, 'permille');
    expect(body.values.length).toBeLessThan(encodeGrid(grid).values.length / 3);
    expect(Array.from(decodeGrid(JSON.parse(JSON.stringify(body)))!.series[0]!.values)).toEqual([
      0,
      0.457,
      NaN,
      1.2,
    ]);
  });
  it('refuses a body that is not ours', () => {
    expect(decodeGrid({ format: 99 })).toBeNull();
    expect(
      decodeGrid({
        format: 1,
        start: 0,
        step: 1,
        points: 2,
        droppedSeries: 0,
        series: [{ labels: {}, nonFinite: { nan: 0, posInf: 0, negInf: 0 } }],
        values: 'AAAA',
      }),
    ).toBeNull();
  });
  it('moves a cached grid onto a later window of the same step', () => {
    const grid = {
      start: 0,
      step: 10,
      points: 4,
      droppedSeries: 0,
      series: [
        { labels: {}, values: new Float64Array([1, 2, 3, 4]), nonFinite: { nan: 0, posInf: 0, negInf: 0 } },
      ],
    };
    const moved = regrid(grid, { start: 20, end: 50, step: 10 });
    expect(Array.from(moved.series[0]!.values)).toEqual([3, 4, NaN, NaN]);
  });
});

describe('heatmap cells', () => {
  it('decode from base64 little-endian uint16 per-mille', () => {
    const b64 = Buffer.from(Uint16Array.of(0, 500, 1000, NO_CELL).buffer).toString('base64');
    expect(Array.from(decodeCells(b64))).toEqual([0, 500, 1000, NO_CELL]);
    expect(decodeCells('')).toHaveLength(0);
  });
});

describe('safeHttpUrl', () => {
  it('keeps http(s) only', () => {
    expect(safeHttpUrl('https://runbooks.example.com/x?y=1')).toBe('https://runbooks.example.com/x?y=1');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeHttpUrl('data:text/html,<script>')).toBeNull();
    expect(safeHttpUrl('file:///etc/passwd')).toBeNull();
    expect(safeHttpUrl('https://user:pass@example.com/')).toBeNull();
    expect(safeHttpUrl('/relative')).toBeNull();
    expect(safeHttpUrl(42)).toBeNull();
  });
});
