/**
 * Names that cannot spoof: bidi controls and invisible characters from cluster or file data are shown as
 * markers wherever text is shown (every host element through the renderer's JSX runtime, chart labels and
 * tooltips), and never changed where the value is data (form values, component props).
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { hasInvisible, visibleText } from '../../../shared/visibleText';
import { jsx, jsxs, jsxDEV, visibleProps } from '../../../renderer/visibleJsx';
import {
  escapeHtml,
  heatmapTooltip,
  lineTooltip,
  rowLabel,
  visibleOption,
} from '../../../renderer/charts/format';

const SPOOF = 'report\u202Egnp.exe';

describe('visibleText', () => {
  it.each([
    ['right-to-left override', SPOOF, 'report⟨U+202E⟩gnp.exe'],
    ['left-to-right override and pop', 'a\u202Db\u202C', 'a⟨U+202D⟩b⟨U+202C⟩'],
    ['embeddings', '\u202A\u202B', '⟨U+202A⟩⟨U+202B⟩'],
    ['isolates', '\u2066x\u2067y\u2068z\u2069', '⟨U+2066⟩x⟨U+2067⟩y⟨U+2068⟩z⟨U+2069⟩'],
    ['marks', '\u200E\u200F\u061C', '⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩'],
    ['zero-width space', 'adm\u200Bin', 'adm⟨U+200B⟩in'],
    ['zero-width joiners between letters', 'a\u200Cb\u200Dc', 'a⟨U+200C⟩b⟨U+200D⟩c'],
    ['word joiner and BOM', 'a\u2060b\uFEFF', 'a⟨U+2060⟩b⟨U+FEFF⟩'],
    ['soft hyphen', 'pay\u00ADpal', 'pay⟨U+00AD⟩pal'],
    ['Hangul filler', 'x\u3164', 'x⟨U+3164⟩'],
    ['tag characters (hidden ASCII)', 'ok\u{E0041}\u{E0042}', 'ok⟨U+E0041⟩⟨U+E0042⟩'],
    ['control characters', 'a\u0000b\u001Bc\u007F\u0085', 'a⟨U+0000⟩b⟨U+001B⟩c⟨U+007F⟩⟨U+0085⟩'],
    ['line separator', 'a\u2028b', 'a⟨U+2028⟩b'],
  ])('%s is shown as a marker', (_what, text, shown) => {
    expect(visibleText(text)).toBe(shown);
    expect(hasInvisible(text)).toBe(true);
    // idempotent: a marked text is marked no further
    expect(visibleText(shown)).toBe(shown);
  });

  it.each([
    ['plain text', 'llama-70b-chat'],
    ['tab and line breaks', 'a\tb\nc\r\n'],
    ['Hebrew and Arabic text (right-to-left scripts are not controls)', 'שלום مرحبا'],
    ['emoji with a variation selector', '❤️'],
    ['an emoji ZWJ sequence', '👨‍👩‍👧'],
    ['accents', 'café naïve'],
  ])('%s is left as it is', (_what, text) => {
    expect(visibleText(text)).toBe(text);
    expect(hasInvisible(text)).toBe(false);
  });
});

describe('the renderer JSX runtime', () => {
  it('a table cell, a title and an aria-label show the markers', () => {
    const html = renderToStaticMarkup(jsx('td', { title: SPOOF, 'aria-label': SPOOF, children: SPOOF }));
    expect(html).toBe(
      '<td title="report⟨U+202E⟩gnp.exe" aria-label="report⟨U+202E⟩gnp.exe">report⟨U+202E⟩gnp.exe</td>',
    );
    expect(html).not.toContain('\u202E');
  });

  it('mixed and nested children (jsxs, jsxDEV) are shown the same', () => {
    const html = renderToStaticMarkup(
      jsxs('div', {
        children: ['pod ', SPOOF, ['x\u200By'], jsx('b', { children: 'n\u2066s' }), 3],
      }),
    );
    expect(html).toBe('<div>pod report⟨U+202E⟩gnp.exex⟨U+200B⟩y<b>n⟨U+2066⟩s</b>3</div>');
    const dev = renderToStaticMarkup(
      jsxDEV('span', { children: SPOOF }, undefined, false, undefined, undefined),
    );
    expect(dev).toBe('<span>report⟨U+202E⟩gnp.exe</span>');
  });

  it('values sent back (input value) and props given to components stay as they are', () => {
    const props = { value: SPOOF, readOnly: true };
    expect(visibleProps('input', props)).toBe(props);
    const Echo = (p: { name: string }) => {
      expect(p.name).toBe(SPOOF);
      return jsx('span', { children: p.name });
    };
    expect(renderToStaticMarkup(jsx(Echo, { name: SPOOF }))).toBe('<span>report⟨U+202E⟩gnp.exe</span>');
    const plain = { children: 'nothing to mark', title: 'ok' };
    expect(visibleProps('td', plain)).toBe(plain);
  });

  it('the renderer build uses it for every JSX element (vite.config.ts)', () => {
    const config = fs.readFileSync(
      path.resolve(import.meta.dirname, '..', '..', '..', 'renderer', 'vite.config.ts'),
      'utf8',
    );
    expect(config).toMatch(/react\(\{ jsxImportSource: JSX_SOURCE \}\)/);
    expect(config).toContain('replacement: `${import.meta.dirname}/visibleJsx.ts`');
  });
});

describe('charts', () => {
  it('series names, category axes and legends are drawn with markers; point data untouched', () => {
    const points = [
      [1, 2],
      [3, 4],
    ];
    const option = visibleOption({
      series: [{ type: 'line', name: SPOOF, data: points }],
      yAxis: { type: 'category', data: [SPOOF, 'gpu-0'] },
      legend: { data: [SPOOF] },
      color: ['#fff'],
    });
    expect(option.series[0]!.name).toBe('report⟨U+202E⟩gnp.exe');
    expect(option.series[0]!.data).toBe(points);
    expect(option.yAxis.data).toEqual(['report⟨U+202E⟩gnp.exe', 'gpu-0']);
    expect(option.legend.data).toEqual(['report⟨U+202E⟩gnp.exe']);
  });

  it('tooltips and heatmap rows show the markers, escaped', () => {
    const line = lineTooltip([{ seriesName: `<b>${SPOOF}`, value: [0, 1] }], 'count', escapeHtml);
    expect(line).toContain('&lt;b&gt;report⟨U+202E⟩gnp.exe');
    const heat = heatmapTooltip(
      { key: 'GPU-0', modelName: SPOOF, namespace: 'ns', pod: 'p\u200Bod' },
      0,
      0.5,
      escapeHtml,
    );
    expect(heat).toContain('report⟨U+202E⟩gnp.exe');
    expect(heat).toContain('ns/p⟨U+200B⟩od');
    expect(rowLabel({ key: 'GPU-0', pod: null, serviceId: null })).toBe('GPU-0');
    expect(rowLabel({ key: 'GPU\u202E-0', pod: null, serviceId: null })).toBe('GPU⟨U+202E⟩-0');
  });
});
