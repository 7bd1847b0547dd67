/**
 * A streaming CSV reader (RFC 4180): quoted fields with "" escapes and line breaks inside quotes, CRLF or
 * LF line ends, an optional UTF-8 byte-order mark. It is fed text chunks and hands out whole records with the
 * physical line each began on, so a bad row can be reported by its line number in the file.
 */
export interface CsvRecord {
  /** 1-based line of the file where the record starts */
  line: number;
  fields: string[];
}

export class CsvReader {
  private field = '';
  private fields: string[] = [];
  private quoted = false;
  /** inside quotes */
  private inQuotes = false;
  /** just saw a quote inside quotes: either an escaped quote ("") or the end of the quoted part */
  private quotePending = false;
  private pendingCR = false;
  private quotedCR = false;
  private line = 1;
  private recordLine = 1;
  private started = false;
  private first = true;
  /** a stray character after a closing quote (`"a"b`): reported once per record */
  private malformed: string | null = null;

  /** Feeds a chunk; returns the records it completed. */
  push(chunk: string): Array<CsvRecord & { malformed: string | null }> {
    const out: Array<CsvRecord & { malformed: string | null }> = [];
    let text = chunk;
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c === '\n') continue; // CRLF: the record already ended at CR
      }
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false;
          // fall through: c is the character after the closing quote
        } else if (c === '"') {
          this.quotePending = true;
          continue;
        } else {
          // a line break inside quotes is part of the field; CRLF counts as one line even across chunks
          if (c === '\r' || (c === '\n' && !this.quotedCR)) this.line++;
          this.quotedCR = c === '\r';
          this.field += c;
          continue;
        }
      }
      // outside quotes
      if (c === ',') {
        this.endField();
        continue;
      }
      if (c === '\n' || c === '\r') {
        if (c === '\r') this.pendingCR = true;
        const rec = this.endRecord();
        if (rec) out.push(rec);
        this.line++;
        this.recordLine = this.line;
        continue;
      }
      if (c === '"' && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quotedCR = false;
        this.quoted = true;
        this.started = true;
        continue;
      }
      if (this.quoted && this.malformed === null)
        this.malformed = `text after a closing quote on line ${this.line}`;
      this.field += c;
      this.started = true;
    }
    return out;
  }

  /** Ends the input: returns the last record (a file need not end with a line break). */
  end(): Array<CsvRecord & { malformed: string | null }> {
    if (this.inQuotes && !this.quotePending) {
      const line = this.recordLine;
      this.reset();
      return [{ line, fields: [], malformed: `a quoted field starting on line ${line} is never closed` }];
    }
    this.inQuotes = false;
    this.quotePending = false;
    const rec = this.endRecord();
    return rec ? [rec] : [];
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.quoted = false;
    this.started = true;
  }

  private endRecord(): (CsvRecord & { malformed: string | null }) | null {
    if (!this.started && this.field === '' && this.fields.length === 0) {
      return null; // a blank line
    }
    this.fields.push(this.field);
    const rec = { line: this.recordLine, fields: this.fields, malformed: this.malformed };
    this.reset();
    return rec;
  }

  private reset(): void {
    this.field = '';
    this.fields = [];
    this.quoted = false;
    this.started = false;
    this.malformed = null;
  }
}
