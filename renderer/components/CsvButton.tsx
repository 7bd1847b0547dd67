import { csvText, type CsvCell } from '../../shared/csv';
import { downloadFile, exportFileName } from './download';

/** A table as it is on screen (its filter applied), saved as CSV through the one writer (shared/csv.ts). */
export interface CsvTable {
  header: readonly string[];
  rows: ReadonlyArray<readonly CsvCell[]>;
}

export function CsvButton({
  what,
  table,
  disabled,
  testId = 'export-table-csv',
}: {
  /** the file's name part: `models` -> firebreak-models-<day>.csv */
  what: string;
  /** built when clicked, from the data on screen */
  table: () => CsvTable;
  disabled?: boolean;
  testId?: string;
}) {
  return (
    <button
      type="button"
      className="btn btn-ghost"
      disabled={disabled}
      title="Save this table as CSV (what the filter shows)"
      data-testid={testId}
      onClick={() => {
        const t = table();
        downloadFile(exportFileName(what, 'csv'), 'text/csv', csvText(t.header, t.rows));
      }}
    >
      Export CSV
    </button>
  );
}
