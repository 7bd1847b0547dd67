import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { CsvReader } from '../../../main/cost/csv';
import { importFocusFile, parseIsoUtc } from '../../../main/cost/focus';
import { openStore, type Store } from '../../../main/store';

const fixtures = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'focus');
const fixture = (name: string) => path.join(fixtures, name);

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('CSV reader', () => {
  const all = (chunks: string[]) => {
    const r = new CsvReader();
    const out = chunks.flatMap((c) => r.push(c));
    return [...out, ...r.end()];
  };

  it('reads quotes, escaped quotes, commas and line breaks inside quotes, with line numbers', () => {
    const recs = all(['a,b\n"x, ""y""","multi\nline"\n3,4']);
    expect(recs.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [2, ['x, "y"', 'multi\nline']],
      [4, ['3', '4']],
    ]);
  });

  it('gives the same records whatever the chunking (CRLF split across chunks, BOM)', () => {
    const text = '\uFEFFh1,h2\r\n"a\r\nb",c\r\n\r\nd,e\r\n';
    const whole = all([text]).map((r) => [r.line, r.fields]);
    const bytewise = all(text.split('')).map((r) => [r.line, r.fields]);
    expect(whole).toEqual([
      [1, ['h1', 'h2']],
      [2, ['a\r\nb', 'c']],
      [5, ['d', 'e']],
    ]);
    expect(bytewise).toEqual(whole);
  });

  it('reports an unclosed quote and text after a closing quote', () => {
    expect(all(['a\n"open,b\n'])[1]?.malformed).toMatch(/never closed/);
    expect(all(['"a"b,c\n'])[0]?.malformed).toMatch(/after a closing quote/);
  });
});

describe('FOCUS dates', () => {
  it('reads UTC ISO 8601 with Z, offsets, fractions; refuses nonsense', () => {
    expect(parseIsoUtc('2025-05-01T00:00:00Z')).toBe(Date.UTC(2025, 4, 1));
    expect(parseIsoUtc('2025-05-01T02:00:00+02:00')).toBe(Date.UTC(2025, 4, 1));
    expect(parseIsoUtc('2025-05-01T00:00:00.500Z')).toBe(Date.UTC(2025, 4, 1) + 500);
    expect(parseIsoUtc('2025-05-01')).toBe(Date.UTC(2025, 4, 1));
    expect(parseIsoUtc('2025-02-30T00:00:00Z')).toBeNull();
    expect(parseIsoUtc('yesterday')).toBeNull();
  });
});

describe('FOCUS import', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-'));
    store = openStore(path.join(dir, 'store.sqlite'));
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports a FOCUS 1.0 file by header name, ignoring unknown columns, spreading multi-day charges exactly', async () => {
    const imp = await importFocusFile(store, fixture('focus-1.0.csv'), new Date('2025-06-01T00:00:00Z'));
    expect(imp).toMatchObject({
      fileName: 'focus-1.0.csv',
      focusVersion: '1.0',
      rows: 5,
      period: { start: '2025-05-01', end: '2025-05-04' },
      ignoredColumns: ['x_CustomColumn'],
    });
    // 589.92 + 27.60 + 12.5 + 30.00 - 5.00
    expect(imp.totals).toEqual([{ amount: '655.02', currency: 'USD' }]);
    const rows = store.cost.focusCosts('2025-05-01', '2025-05-04');
    const byDay = new Map<string, number>();
    for (const r of rows) byDay.set(r.day, (byDay.get(r.day) ?? 0) + Number(r.billed));
    // the support charge (12:00 May 1 to 12:00 May 3) is 7.50 / 15 / 7.50
    expect(byDay.get('2025-05-01')).toBeCloseTo(589.92 + 27.6 + 12.5 + 7.5, 9);
    expect(byDay.get('2025-05-02')).toBeCloseTo(15 - 5, 9);
    expect(byDay.get('2025-05-03')).toBeCloseTo(7.5, 9);
    const llama = rows.filter((r) => r.tags.includes('llama-70b-chat'));
    expect(llama.map((r) => [r.category, r.billed, r.effective]).sort()).toEqual([
      ['gpu', '589.92', '589.92'],
      ['other', '12.5', '10.25'],
    ]);
    expect(store.cost.focusList()).toHaveLength(1);
  });

  it('detects a later FOCUS version from its columns and reads CRLF files', async () => {
    const imp = await importFocusFile(store, fixture('focus-1.2-crlf.csv'));
    expect(imp.focusVersion).toBe('1.2');
    expect(imp.rows).toBe(2);
    expect(imp.totals).toEqual([{ amount: '2.3', currency: 'USD' }]);
  });

  it('reports every bad row with its line number and imports nothing', async () => {
    const err = await failure(importFocusFile(store, fixture('focus-bad-rows.csv')));
    expect(err.code).toBe('FOCUS_INVALID');
    expect(err.message).toMatch(
      /^7 of 8 rows of focus-bad-rows\.csv are not valid FOCUS \(line 3: BilledCost "abc" is not a number;/,
    );
    expect(err.message).toMatch(/Nothing was imported\.$/);
    const bad = err.details?.badRows as Array<{ line: number; column: string | null; message: string }>;
    expect(bad.map((b) => [b.line, b.column])).toEqual([
      [3, 'BilledCost'],
      [4, 'BillingCurrency'],
      [5, 'Tags'],
      [6, 'ChargePeriodStart'],
      [7, 'ChargePeriodEnd'],
      [8, null],
      [9, 'BilledCost'],
    ]);
    expect(bad[5]?.message).toBe('the row has 4 fields, the header has 6');
    expect(store.cost.focusList()).toEqual([]);
    expect(store.cost.focusCosts('2000-01-01', '2100-01-01')).toEqual([]);
  });

  it('refuses a file that is not FOCUS, a missing file, and the same file twice', async () => {
    const notFocus = await failure(importFocusFile(store, fixture('not-focus.csv')));
    expect(notFocus.code).toBe('FOCUS_INVALID');
    expect(notFocus.message).toMatch(
      /not a FOCUS cost export: its header \(line 1\) has no BilledCost, BillingCurrency, ChargePeriodStart, ChargePeriodEnd columns/,
    );
    expect((await failure(importFocusFile(store, path.join(dir, 'nope.csv')))).code).toBe('NOT_FOUND');
    await importFocusFile(store, fixture('focus-1.2-crlf.csv'));
    const again = await failure(importFocusFile(store, fixture('focus-1.2-crlf.csv')));
    expect(again.message).toMatch(/already imported.*counted twice|count its costs twice/);
    expect(store.cost.focusList()).toHaveLength(1);
  });

  it('keeps currencies apart per row', async () => {
    const imp = await importFocusFile(store, fixture('focus-mixed-currency.csv'));
    expect(imp.totals).toEqual([
      { amount: '80', currency: 'EUR' },
      { amount: '100', currency: 'USD' },
    ]);
    const rows = store.cost.focusCosts('2025-05-01', '2025-05-02');
    expect(rows.map((r) => [r.currency, r.category]).sort()).toEqual([
      ['EUR', 'gpu'],
      ['USD', 'gpu'],
    ]);
  });

  it('streams a large file with bounded groups (100,000 rows)', async () => {
    const file = path.join(dir, 'big.csv');
    const lines = ['BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,SkuId,Tags'];
    for (let i = 0; i < 100_000; i++) {
      const h = i % 24;
      lines.push(
        `0.01,USD,2025-05-01T${String(h).padStart(2, '0')}:00:00Z,2025-05-01T${String(h).padStart(2, '0')}:59:59Z,p5.48xlarge,"{""model"":""m${i % 5}""}"`,
      );
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const imp = await importFocusFile(store, file);
    expect(imp.rows).toBe(100_000);
    expect(imp.totals).toEqual([{ amount: '1000', currency: 'USD' }]);
    expect(store.cost.focusCosts('2025-05-01', '2025-05-02')).toHaveLength(5);
  });
});
