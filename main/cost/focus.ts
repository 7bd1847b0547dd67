/**
 * FOCUS billing export import: CSV, gzip-compressed CSV and Parquet, FOCUS 1.0 to 1.3, as AWS, Azure, GCP and
 * OCI write them.
 *
 * - Streamed: the file is read in chunks (Parquet: one row group at a time) and aggregated on the way (per UTC
 *   day, tags, GPU or not, currency and the review's breakdowns), so memory follows the number of distinct
 *   groups, not the number of rows; progress is reported as the bytes go by.
 * - Read by header name (case and surrounding spaces ignored); columns it does not use are ignored and listed.
 * - Every row is validated; bad rows are reported with their line numbers (up to 100 listed, all counted), and
 *   then nothing is imported. A good file goes in with one transaction: never half-imported.
 * - A charge spanning several days is spread over them in proportion to its time in each (exactly: the parts
 *   add up to the charge).
 * - The format is told by the file's first bytes, not its name: `PAR1` is Parquet, 1f 8b is gzip.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { AppError } from '../../shared/errors';
import { formatAmount } from '../../shared/money';
import { dayText } from '../../shared/cost';
import type { FocusImport } from '../../shared/cost';
import type { FocusImportRecord, Store } from '../store';
import { CsvReader } from './csv';
import { openParquet, isParquet } from './focusParquet';
import { FocusAccumulator, readHeader, type FocusParse, type FocusParseFailure } from './focusRows';

export { parseIsoUtc } from './focusRows';

export interface FocusProgress {
  fileName: string;
  /** bytes of the file read so far (compressed bytes for gzip) */
  bytesRead: number;
  bytesTotal: number;
  rows: number;
}

type ParseResult = { ok: true; value: FocusParse } | { ok: false; failure: FocusParseFailure };

function notFocus(fileName: string, missing: readonly string[], where: string): AppError {
  return new AppError(
    'FOCUS_INVALID',
    `${fileName} is not a FOCUS cost export: its ${where} has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}.`,
    'Export the billing data in FOCUS format (1.0 to 1.3; CSV, gzip CSV or Parquet) and import that file.',
    {
      badRows: [{ line: 1, column: missing[0] ?? null, message: `missing column ${missing.join(', ')}` }],
      badRowCount: 1,
    },
  );
}

/**
 * Reads a FOCUS CSV stream (text, already decompressed). Resolves with the aggregated groups, or with the bad
 * rows when any row failed (then nothing may be imported). A header that is not FOCUS throws FOCUS_INVALID at
 * once. `hash` gets every byte (the caller may hash the file itself instead).
 */
export async function parseFocus(
  stream: AsyncIterable<Buffer | string>,
  fileName: string,
  options: { onRows?: (rows: number) => void } = {},
): Promise<ParseResult> {
  const reader = new CsvReader();
  const decoder = new StringDecoder('utf8');
  const hash = createHash('sha256');
  let acc: FocusAccumulator | null = null;
  let width = 0;
  const handle = (rec: { line: number; fields: string[]; malformed: string | null }) => {
    if (!acc) {
      const header = readHeader(rec.fields);
      if (header.missing.length > 0) throw notFocus(fileName, header.missing, 'header (line 1)');
      acc = new FocusAccumulator(header.index, header.version, header.ignored);
      width = rec.fields.length;
      // the columns Firebreak does not read are stepped over, not cut out of the text
      const used = acc.usedColumns();
      reader.keep(rec.fields.map((_, i) => used.has(i)));
      return;
    }
    if (rec.malformed) return acc.malformed(rec.line, `the row is not valid CSV: ${rec.malformed}`);
    if (rec.fields.length !== width)
      return acc.malformed(rec.line, `the row has ${rec.fields.length} fields, the header has ${width}`);
    acc.row(rec.line, rec.fields);
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    hash.update(buf);
    for (const rec of reader.push(decoder.write(buf))) handle(rec);
    if (acc) options.onRows?.((acc as FocusAccumulator).rows);
  }
  const tail = decoder.end();
  for (const rec of [...(tail ? reader.push(tail) : []), ...reader.end()]) handle(rec);
  const done = acc as FocusAccumulator | null;
  if (!done) {
    throw new AppError(
      'FOCUS_INVALID',
      `${fileName} is empty.`,
      'Choose a FOCUS cost export (CSV with a header row).',
      {
        badRows: [],
        badRowCount: 0,
      },
    );
  }
  return done.finish(hash.digest('hex'));
}

/** The file's sha256 (Parquet is read by ranges, so it is hashed in a pass of its own). */
async function fileSha256(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(filePath, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function parseParquetFile(
  filePath: string,
  fileName: string,
  onRows: (rows: number, of: number) => void,
): Promise<ParseResult> {
  const pq = await openParquet(filePath, fileName);
  const header = readHeader(pq.columns);
  if (header.missing.length > 0) throw notFocus(fileName, header.missing, 'schema');
  const acc = new FocusAccumulator(header.index, header.version, header.ignored);
  // a Parquet row has no line: bad rows are reported by row number (from 1)
  await pq.read(
    (index, cells) => acc.row(index + 1, cells),
    (done) => onRows(done, pq.rows),
  );
  return acc.finish(await fileSha256(filePath));
}

function describeBadRows(failure: FocusParseFailure, fileName: string, unit: 'line' | 'row'): string {
  const listed = failure.badRows
    .slice(0, 3)
    .map((r) => `${unit} ${r.line}: ${r.message}`)
    .join('; ');
  const more = failure.badRowCount > 3 ? `; and ${failure.badRowCount - 3} more` : '';
  return `${failure.badRowCount} of ${failure.rows} rows of ${fileName} are not valid FOCUS (${listed}${more}). Nothing was imported.`;
}

async function firstBytes(filePath: string, n: number): Promise<Buffer> {
  const handle = await fs.promises.open(filePath, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Imports a FOCUS file (CSV, gzip CSV or Parquet) into the store: all of it in one transaction, or nothing
 * (bad rows -> FOCUS_INVALID with every bad row's line in `details.badRows`). The same file imported twice is
 * refused. `onProgress` hears how far the reading is (about every 8 MB, and at the end).
 */
export async function importFocusFile(
  store: Store,
  filePath: string,
  now: Date = new Date(),
  options: { onProgress?: (p: FocusProgress) => void } = {},
): Promise<FocusImport> {
  const fileName = path.basename(filePath);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(filePath);
  } catch {
    throw new AppError(
      'NOT_FOUND',
      `There is no file at ${filePath}.`,
      'Check the path of the FOCUS export and try again.',
    );
  }
  if (!stat.isFile())
    throw new AppError(
      'INVALID_INPUT',
      `${filePath} is not a file.`,
      'Choose a FOCUS export (CSV, gzip CSV or Parquet).',
    );
  const bytesTotal = stat.size;
  const report = (bytesRead: number, rows: number) =>
    options.onProgress?.({ fileName, bytesRead, bytesTotal, rows });

  const head = await firstBytes(filePath, 4);
  const parquet = isParquet(head);
  let result: ParseResult;
  if (parquet) {
    result = await parseParquetFile(filePath, fileName, (done, of) =>
      report(of > 0 ? Math.round((bytesTotal * done) / of) : bytesTotal, done),
    );
  } else {
    const file = fs.createReadStream(filePath, { highWaterMark: 1024 * 1024 });
    let reported = 0;
    const gzip = head[0] === 0x1f && head[1] === 0x8b;
    const gunzip = gzip ? createGunzip() : null;
    const text = gunzip ? file.pipe(gunzip) : file;
    // a corrupt gzip member fails the stream: say so rather than pass zlib's words on alone
    const broken = (err: Error) =>
      new AppError(
        'FOCUS_INVALID',
        `${fileName} is not a readable gzip file: ${err.message}.`,
        'Download the export again (it may be truncated) and import the new file.',
      );
    try {
      result = await parseFocus(text, fileName, {
        onRows: (rows) => {
          if (file.bytesRead - reported >= PROGRESS_EVERY_BYTES) {
            reported = file.bytesRead;
            report(reported, rows);
          }
        },
      });
    } catch (err) {
      if (gzip && !(err instanceof AppError)) throw broken(err as Error);
      throw err;
    } finally {
      file.destroy();
      gunzip?.destroy();
    }
  }
  report(bytesTotal, result.ok ? result.value.rows : result.failure.rows);
  if (!result.ok) {
    throw new AppError(
      'FOCUS_INVALID',
      describeBadRows(result.failure, fileName, parquet ? 'row' : 'line'),
      parquet
        ? 'Fix or remove the rows listed (rows count from 1) and import the file again.'
        : 'Fix or remove the rows listed (line numbers count the header as line 1) and import the file again.',
      {
        badRows: result.failure.badRows,
        badRowCount: result.failure.badRowCount,
      },
    );
  }
  const parsed = result.value;
  const already = store.cost.focusFindBySha(parsed.sha256);
  if (already) {
    throw new AppError(
      'FOCUS_INVALID',
      `${fileName} was already imported on ${already.importedAt.slice(0, 10)} (as ${already.fileName}); importing it again would count its costs twice.`,
      'Nothing to do. To re-import it, remove the earlier import first.',
      { importId: already.id },
    );
  }
  const totals = parsed.totals
    .currencies()
    .map((c) => ({ amount: formatAmount(parsed.totals.get(c).units), currency: c }));
  const record: Omit<FocusImportRecord, 'id'> = {
    fileName,
    fileSha256: parsed.sha256,
    focusVersion: parsed.focusVersion,
    rows: parsed.rows,
    periodStart: parsed.firstDay === null ? null : dayText(parsed.firstDay),
    periodEnd: parsed.lastDay === null ? null : dayText(parsed.lastDay + 1),
    ignoredColumns: parsed.ignoredColumns,
    totals,
    importedAt: now.toISOString(),
  };
  const id = store.cost.focusImport(record, parsed.groups);
  return toFocusImport({ ...record, id });
}

export function toFocusImport(r: FocusImportRecord): FocusImport {
  return {
    id: r.id,
    fileName: r.fileName,
    focusVersion: r.focusVersion,
    rows: r.rows,
    period: r.periodStart && r.periodEnd ? { start: r.periodStart, end: r.periodEnd } : null,
    totals: r.totals,
    ignoredColumns: r.ignoredColumns,
    importedAt: r.importedAt,
  };
}
