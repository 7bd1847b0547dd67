/**
 * A streaming CSV reader (RFC 4180): quoted fields with "" escapes and line breaks inside quotes, CRLF or
 * LF line ends, an optional UTF-8 byte-order mark. It is fed text chunks and hands out whole records with the
 * physical line each began on, so a bad row can be reported by its line number in the file.
 *
 * Fast on purpose (a billing export has millions of rows): a record is cut out of the buffer with slices and
 * `indexOf`, never character by character; a record cut by the end of a chunk is parsed again, whole, when the
 * next chunk arrives.
 */
export interface CsvRecord {
  /** 1-based line of the file where the record starts */
  line: number;
  fields: string[];
}

type Parsed = CsvRecord & { malformed: string | null };

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** The index of the next comma or line break at or after `from` (a quote there is just a character). */
function nextDelimiter(s: string, from: number): number {
  for (let j = from; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === COMMA || c === LF || c === CR) return j;
  }
  return s.length;
}

/** Line breaks inside a quoted field: CRLF counts once, a lone CR or LF once. */
function lineBreaks(text: string): number {
  let n = 0;
  for (let j = text.indexOf('\n'), k = text.indexOf('\r'); j >= 0 || k >= 0;) {
    if (k >= 0 && (j < 0 || k < j)) {
      n++;
      const after = k + 1;
      if (text.charCodeAt(after) === LF) j = text.indexOf('\n', after + 1);
      k = text.indexOf('\r', after);
    } else {
      n++;
      j = text.indexOf('\n', j + 1);
    }
  }
  return n;
}

export class CsvReader {
  /** text not yet handed out: the start of a record cut by the end of the last chunk */
  private buf = '';
  /** the line `buf` starts on */
  private line = 1;
  private first = true;
  /** the last chunk ended with a CR that ended a record: an LF starting the next one belongs to it */
  private skipLF = false;
  /** fields the caller reads (by position); the others are skipped over and given as '' */
  private wanted: readonly boolean[] | null = null;

  /** Only these fields (by position) are cut out of the text from now on; the rest come back as ''. */
  keep(wanted: readonly boolean[]): void {
    this.wanted = wanted;
  }

  /** Feeds a chunk; returns the records it completed. */
  push(chunk: string): Parsed[] {
    let text = chunk;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.skipLF && text.length > 0) {
      this.skipLF = false;
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    this.buf = this.buf.length ? this.buf + text : text;
    return this.drain(false);
  }

  /** Ends the input: returns the last record (a file need not end with a line break). */
  end(): Parsed[] {
    const out = this.drain(true);
    this.buf = '';
    return out;
  }

  private drain(final: boolean): Parsed[] {
    const out: Parsed[] = [];
    const s = this.buf;
    this.noCR = s.indexOf('\r') < 0;
    this.lf = -1;
    let p = 0;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c === LF || c === CR) {
        // a blank line: no record
        if (c === CR) {
          if (p + 1 >= s.length && !final) {
            this.skipLF = true;
          } else if (s.charCodeAt(p + 1) === LF) p++;
        }
        p++;
        this.line++;
        continue;
      }
      const rec = this.record(s, p, final);
      if (!rec) break;
      out.push(rec);
      this.line += 1 + this.breaks;
      p = this.next;
    }
    this.buf = p === 0 ? s : s.slice(p);
    return out;
  }

  /** One record from `p`, or null when the buffer ends inside it (more text is coming). */
  /** set by `record`: where the record ends, and the line breaks inside its quoted fields */
  private next = 0;
  private breaks = 0;

  /** for the buffer being drained: whether it has any CR (then fields end by the slow scan) and the next LF */
  private noCR = false;
  private lf = -1;

  /** The next comma or line break from `i`: with no CR in the text, two native searches instead of a loop. */
  private delimiter(s: string, i: number): number {
    if (!this.noCR) return nextDelimiter(s, i);
    if (this.lf < i) {
      this.lf = s.indexOf('\n', i);
      if (this.lf < 0) this.lf = s.length;
    }
    const comma = s.indexOf(',', i);
    return comma < 0 || comma > this.lf ? this.lf : comma;
  }

  /** quoted texts with doubled quotes already undoubled (an export repeats the same Tags on many rows) */
  private readonly undoubledTexts = new Map<string, string>();

  /**
   * `a""b` -> `a"b`, remembered: the same text comes back as the same string, already hashed, so the tags
   * memo downstream finds it at once. The kept key is a copy, so it does not hold the chunk it came from.
   */
  private undoubled(raw: string): string {
    const known = this.undoubledTexts.get(raw);
    if (known !== undefined) return known;
    const value = raw.replaceAll('""', '"');
    if (raw.length > 2048) return value; // bounded: 4,096 texts of up to 2 KB
    if (this.undoubledTexts.size >= 4096) this.undoubledTexts.clear();
    this.undoubledTexts.set((' ' + raw).slice(1), value);
    return value;
  }

  /**
   * A quoted field that ends its record (a FOCUS file's Tags, JSON with its quotes doubled) in one search:
   * the quote before the line's LF closes it if every quote in between is doubled. -1: not that case (the
   * quote-by-quote search decides).
   */
  private lastQuotedField(s: string, i: number): number {
    if (this.lf < i) {
      this.lf = s.indexOf('\n', i);
      if (this.lf < 0) this.lf = s.length;
    }
    const close = this.lf - 1;
    if (this.lf >= s.length || close <= i || s.charCodeAt(close) !== QUOTE) return -1;
    const first = s.indexOf('"', i + 1);
    // a first quote that is not doubled ends the field earlier: not this case
    if (first === close || s.charCodeAt(first + 1) !== QUOTE) return -1;
    const inner = s.slice(i + 1, close);
    // a text seen before was checked then
    if (this.undoubledTexts.has(inner)) return close;
    return inner.replaceAll('""', '').includes('"') ? -1 : close;
  }

  private record(s: string, p: number, final: boolean): Parsed | null {
    const n = s.length;
    const fields: string[] = [];
    let malformed: string | null = null;
    let breaks = 0;
    let i = p;
    for (;;) {
      if (i >= n) {
        if (!final) return null;
        fields.push(''); // a record ending right after a comma, at the end of the file
        return this.done(fields, malformed, breaks, i);
      }
      let value: string;
      const keep = this.wanted === null || this.wanted[fields.length] !== false;
      if (s.charCodeAt(i) === QUOTE) {
        // find the closing quote (one not doubled), then cut once and undouble the inner quotes
        let q = i;
        let doubled = false;
        const quick = this.noCR ? this.lastQuotedField(s, i) : -1;
        if (quick >= 0) {
          q = quick;
          doubled = true;
        }
        for (; quick < 0;) {
          q = s.indexOf('"', q + 1);
          if (q < 0) {
            if (!final) return null;
            return this.done(
              [],
              `a quoted field starting on line ${this.line + breaks} is never closed`,
              breaks + lineBreaks(s.slice(i)),
              n,
            );
          }
          if (q + 1 >= n && !final) return null; // `"` or `""`: the next chunk says which
          if (s.charCodeAt(q + 1) === QUOTE) {
            doubled = true;
            q++;
            continue;
          }
          break;
        }
        const raw = s.slice(i + 1, q);
        value = keep ? (doubled ? this.undoubled(raw) : raw) : '';
        i = q + 1;
        breaks += lineBreaks(raw);
        if (i < n) {
          const c = s.charCodeAt(i);
          if (c !== COMMA && c !== LF && c !== CR) {
            malformed ??= `text after a closing quote on line ${this.line + breaks}`;
            const j = this.delimiter(s, i);
            if (j >= n && !final) return null;
            value += s.slice(i, j);
            i = j;
          }
        } else if (!final) return null;
      } else {
        const j = this.delimiter(s, i);
        if (j >= n && !final) return null;
        value = keep ? s.slice(i, j) : '';
        i = j;
      }
      fields.push(value);
      if (i >= n) return this.done(fields, malformed, breaks, i);
      const d = s.charCodeAt(i);
      if (d === COMMA) {
        i++;
        continue;
      }
      // the line end: CRLF, CR or LF
      if (d === CR) {
        if (i + 1 < n) {
          if (s.charCodeAt(i + 1) === LF) i++;
        } else if (!final) this.skipLF = true;
      }
      return this.done(fields, malformed, breaks, i + 1);
    }
  }

  private done(fields: string[], malformed: string | null, breaks: number, next: number): Parsed {
    this.breaks = breaks;
    this.next = next;
    return { line: this.line, fields, malformed };
  }
}
