import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatValue,
  heatmapTooltip,
  lineTooltip,
  rowLabel,
  sparkPaths,
} from '../../../renderer/charts/format';

const evil = '<img src=x onerror="alert(1)">';

describe('chart tooltips never carry HTML from data', () => {
  it('escapes series names and values in the line tooltip', () => {
    const html = lineTooltip(
      [
        { seriesName: evil, value: [1_700_000_000_000, 0.25], color: '#5b9dff' },
        {
          seriesName: 'p95',
          value: [1_700_000_000_000, null],
          color: 'red;background:url(javascript:alert(1))',
        },
      ],
      'ratio',
      escapeHtml,
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('25.0%');
    expect(html).toContain('—');
    // a colour that is not a colour is replaced, not copied into a style attribute
    expect(html).not.toContain('javascript');
  });

  it('escapes GPU, model and pod names in the heatmap tooltip', () => {
    const html = heatmapTooltip(
      { key: `node/${evil}`, modelName: evil, namespace: 'ns', pod: evil },
      0,
      0.5,
      escapeHtml,
    );
    expect(html).not.toMatch(/<img/);
    expect(html.match(/&lt;img/g)).toHaveLength(3);
    expect(heatmapTooltip(undefined, 0, null, escapeHtml)).toBe('');
  });
});

describe('values by unit', () => {
  it.each([
    ['reqps', 39.08, '39.1/s'],
    ['reqps', 1234, '1.2k/s'],
    ['ratio', 0.2512, '25.1%'],
    ['ratio', 0.00001, '<0.01%'],
    ['seconds', 16.8168, '16.8 s'],
    ['seconds', 0.0123, '12 ms'],
    ['seconds', 0.004, '4.00 ms'],
    ['mib', 81559, '79.6 GiB'],
    ['watts', 4413.9, '4.41 kW'],
    ['usdph', 12.29, '$12.29/h'],
    ['tokps', 6680.99, '6.7k tok/s'],
    ['count', null, '—'],
    ['count', Number.NaN, '—'],
    ['count', Number.POSITIVE_INFINITY, '—'],
  ] as const)('%s %s -> %s', (unit, v, text) => {
    expect(formatValue(unit, v)).toBe(text);
  });
});

describe('sparklines and heatmap rows', () => {
  it('break the line at gaps and scale into the box', () => {
    const paths = sparkPaths([0, 1, null, 2, 4], 40, 10);
    expect(paths).toHaveLength(2);
    expect(paths[0]).toMatch(/^M0\.0 9\.0L10\.0 /);
    expect(sparkPaths([null, null], 40, 10)).toEqual([]);
  });
  it('names a row by its GPU and the workload holding it', () => {
    expect(rowLabel({ key: 'gpu-a/0', pod: null, serviceId: null })).toBe('gpu-a/0');
    expect(
      rowLabel({ key: 'gpu-a/0', pod: 'llama-6b84f8b578-nbvnm', serviceId: 'llm/Deployment/llama-70b-chat' }),
    ).toBe('gpu-a/0  llama-70b-chat');
    expect(rowLabel({ key: 'gpu-a/0', pod: 'batch-678c69fd56-4ts5r', serviceId: null })).toBe(
      'gpu-a/0  batch',
    );
  });
});
