import { describe, expect, it } from 'vitest';
import { reviewCsv } from '../../../main/cost/export';
import { csvCell, csvDollars, csvMoney, csvText } from '../../../shared/csv';

describe('the one CSV writer', () => {
  it('quotes per RFC 4180: commas, quotes and line breaks; CRLF between records', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvText(['a', 'b'], [['1', 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });

  it('keeps text that looks like a formula as text, but numbers as numbers', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+1 call')).toBe("'+1 call");
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('-3.5')).toBe('-3.5');
    expect(csvCell(-3.5)).toBe('-3.5');
  });

  it('writes unknown as an empty cell, never a dash or "(—)"', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell('—')).toBe('');
    expect(csvCell('(—)')).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('shows bidi controls and invisible characters as markers', () => {
    expect(csvCell('report\u202Egnp.exe')).toBe('report⟨U+202E⟩gnp.exe');
  });

  it('rounds money to cents, exactly', () => {
    expect(csvMoney({ amount: '12.345', currency: 'USD' })).toBe('12.35');
    expect(csvMoney({ amount: '-0.004', currency: 'USD' })).toBe('0.00');
    expect(csvMoney({ amount: '100', currency: 'USD' })).toBe('100.00');
    expect(csvMoney({ units: 1_234_567_890_123n, currency: 'USD' })).toBe('123.46');
    expect(csvMoney(null)).toBeNull();
    expect(csvDollars(0.125)).toBe('0.13');
    expect(csvDollars(2.5)).toBe('2.50');
    expect(csvDollars(null)).toBeNull();
  });

  it('is what the cost review export writes: totals to the cent', () => {
    const amount = (a: string) => ({ amount: a, currency: 'USD' });
    const zero = amount('0');
    const csv = reviewCsv({
      month: '2025-06',
      currency: 'USD',
      totals: {
        thisMonth: amount('1234.5678'),
        lastMonthToDate: zero,
        lastMonth: zero,
        change: zero,
        changeRatio: null,
        gpu: zero,
        idleGpu: zero,
        costPer1k: null,
      },
      forecast: { monthEnd: zero },
      budget: { amount: null, status: 'none' },
      models: [],
      teams: [],
      namespaces: [],
      breakdowns: [],
    } as never);
    expect(csv.split('\r\n')[1]).toMatch(/^2025-06,total,All,total,,,USD,1234\.57,0\.00,/);
  });
});
