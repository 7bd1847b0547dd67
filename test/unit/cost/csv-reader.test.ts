/**
 * The fast CSV reader against the character-by-character one it replaced: random texts made of the
 * characters that matter (commas, quotes, CR, LF, BOM), cut into random chunks, give the same records.
 */
import { describe, expect, it } from 'vitest';
import { CsvReader } from '../../../main/cost/csv';
import { ReferenceCsvReader } from '../../fixtures/focus/referenceCsvReader';

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function read(reader: { push(c: string): unknown[]; end(): unknown[] }, chunks: string[]) {
  return [...chunks.flatMap((c) => reader.push(c)), ...reader.end()];
}

describe('the fast CSV reader', () => {
  it('gives the reference reader’s records for 3,000 random texts in random chunks', () => {
    const alphabet = ['a', 'b', '1', ' ', ',', ',', '"', '"', '\n', '\n', '\r', '\r\n', 'é', '""'];
    for (let t = 0; t < 3000; t++) {
      const r = rng(t + 1);
      const len = Math.floor(r() * 40);
      let text = r() < 0.1 ? '\uFEFF' : '';
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(r() * alphabet.length)];
      const chunks: string[] = [];
      for (let i = 0; i < text.length;) {
        const n = 1 + Math.floor(r() * 8);
        chunks.push(text.slice(i, i + n));
        i += n;
      }
      const expected = read(new ReferenceCsvReader(), [text]);
      expect(read(new CsvReader(), [text]), JSON.stringify(text)).toEqual(expected);
      expect(read(new CsvReader(), chunks), JSON.stringify(chunks)).toEqual(expected);
    }
  });

  it('skips the fields it is told to and gives them as empty', () => {
    const r = new CsvReader();
    const [header] = r.push('a,b,c\n');
    expect(header?.fields).toEqual(['a', 'b', 'c']);
    r.keep([true, false, true]);
    expect(read(r, ['1,"x ""y""",3\n4,5,6']).map((x) => (x as { fields: string[] }).fields)).toEqual([
      ['1', '', '3'],
      ['4', '', '6'],
    ]);
  });
});
