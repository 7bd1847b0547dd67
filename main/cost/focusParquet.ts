/**
 * FOCUS in Parquet (AWS Data Exports' default, also Azure and GCP), read with hyparquet one row group at a time
 * from byte ranges of the file, so memory follows the largest row group, not the file.
 *
 * Money stays exact: hyparquet turns DECIMAL columns into floats, so their decimal annotation is taken off the
 * metadata it is handed and the unscaled integers are read as they are stored (int32, int64 or big-endian
 * bytes), then scaled with BigInt.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { AppError } from '../../shared/errors';
import type { Cell } from './focusRows';

const PARQUET_MAGIC = 'PAR1';

export function isParquet(head: Buffer): boolean {
  return head.subarray(0, 4).toString('latin1') === PARQUET_MAGIC;
}

function signedBigEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  const bits = BigInt(bytes.length * 8);
  return bytes.length && (bytes[0] as number) & 0x80 ? v - (1n << bits) : v;
}

function exactDecimal(raw: unknown, scale: number): Cell {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'bigint') return { unscaled: raw, scale };
  if (typeof raw === 'number') return { unscaled: BigInt(raw), scale };
  if (raw instanceof Uint8Array) return { unscaled: signedBigEndian(raw), scale };
  return raw as Cell;
}

export interface ParquetRows {
  columns: string[];
  rows: number;
  /** Calls `row` for each row, in order, one row group in memory at a time. */
  read(row: (index: number, cells: Cell[]) => void, progress?: (rowsDone: number) => void): Promise<void>;
}

/** Opens a Parquet file: its top-level columns and a reader of their rows. */
export async function openParquet(filePath: string, fileName: string): Promise<ParquetRows> {
  const file = await asyncBufferFromFile(filePath);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw new AppError(
      'FOCUS_INVALID',
      `${fileName} is not a readable Parquet file: ${(err as Error).message}.`,
      'Export the FOCUS data again (Parquet or CSV) and import the new file.',
    );
  }
  // the root is schema[0]; FOCUS columns are its direct children
  const root = metadata.schema[0];
  const columns: string[] = [];
  const decimals = new Map<string, number>();
  let i = 1;
  for (let c = 0; c < (root?.num_children ?? 0) && i < metadata.schema.length; c++) {
    const el = metadata.schema[i]!;
    columns.push(el.name);
    if (el.converted_type === 'DECIMAL' || el.logical_type?.type === 'DECIMAL') {
      decimals.set(el.name, el.scale ?? 0);
      metadata.schema[i] = { ...el, converted_type: undefined, logical_type: undefined };
    }
    // skip the element's own subtree (maps and lists: Tags)
    let pending = el.num_children ?? 0;
    i++;
    while (pending > 0 && i < metadata.schema.length) {
      pending += (metadata.schema[i]!.num_children ?? 0) - 1;
      i++;
    }
  }
  return {
    columns,
    rows: Number(metadata.num_rows),
    async read(row, progress) {
      let start = 0;
      for (const group of metadata.row_groups) {
        const end = start + Number(group.num_rows);
        let objects: Array<Record<string, unknown>>;
        try {
          objects = await parquetReadObjects({ file, metadata, columns, rowStart: start, rowEnd: end });
        } catch (err) {
          throw new AppError(
            'FOCUS_INVALID',
            `${fileName} could not be read at rows ${start + 1} to ${end}: ${(err as Error).message}.`,
            /codec/i.test((err as Error).message)
              ? 'Export it with Snappy compression (the Parquet default) or as CSV, then import it again.'
              : 'Export the FOCUS data again and import the new file.',
          );
        }
        objects.forEach((o, k) => {
          row(
            start + k,
            columns.map((name) => {
              const scale = decimals.get(name);
              return scale === undefined ? (o[name] as Cell) : exactDecimal(o[name], scale);
            }),
          );
        });
        start = end;
        progress?.(start);
      }
    },
  };
}
