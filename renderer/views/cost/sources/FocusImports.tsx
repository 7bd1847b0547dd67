import { useId, useState } from 'react';
import type { FocusBadRow } from '../../../../shared/cost';
import { formatMoney } from '../../../../shared/money';
import { ErrorPanel } from '../../../components/ErrorPanel';
import { Field } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import { Table, type Column } from '../../../components/Table';
import { formatTimestamp } from '../../../format';
import { costStore, useCost } from '../../../state/cost';
import { Form } from '../../../components/Form';

const actions = () => costStore.getState();

const badRowColumns: Column[] = [
  { label: 'Line', num: true, col: 'c-line' },
  { label: 'Column', col: 'c-col' },
  { label: 'Problem', col: '' },
];

const importColumns: Column[] = [
  { label: 'File' },
  { label: 'Version' },
  { label: 'Rows', num: true },
  { label: 'Days' },
  { label: 'Total', num: true },
  { label: 'Imported' },
  {},
];

/** FOCUS billing exports: import one by path (all rows checked), and the list of those imported. */
export function FocusImports() {
  const id = useId();
  const imports = useCost((s) => s.imports);
  const importing = useCost((s) => s.importing);
  const progress = useCost((s) => s.importProgress);
  const [path, setPath] = useState('');
  const badRows = (importing.error?.details?.badRows ?? []) as FocusBadRow[];
  const badCount = (importing.error?.details?.badRowCount as number | undefined) ?? badRows.length;

  return (
    <section className="panel form-section" data-testid="focus-imports">
      <header className="section-head">
        <h2>FOCUS billing exports</h2>
        <p>
          CSV, gzip CSV or Parquet, FOCUS 1.0 to 1.3 (AWS, Azure, GCP, OCI): read by column name, all rows
          checked, imported whole or not at all.
        </p>
      </header>
      <Field
        label="File"
        htmlFor={`${id}-path`}
        help="The path of the export (.csv, .csv.gz or .parquet) on the computer Firebreak runs on."
      >
        <Form
          className="input-row"
          onSubmit={() => {
            if (path.trim()) void actions().importFocus(path.trim());
          }}
        >
          <input
            id={`${id}-path`}
            className="input mono"
            placeholder="/path/to/focus-export.csv"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            data-testid="focus-path"
          />
          <button
            type="submit"
            className="btn"
            disabled={!path.trim() || importing.status === 'loading'}
            data-testid="focus-import"
          >
            {importing.status === 'loading' ? 'Importing…' : 'Import'}
          </button>
        </Form>
      </Field>
      {importing.status === 'loading' && progress && progress.bytesTotal > 0 && (
        <p className="muted" data-testid="focus-progress" role="status">
          Reading {progress.fileName}: {Math.floor((100 * progress.bytesRead) / progress.bytesTotal)}%,{' '}
          {progress.rows.toLocaleString('en-US')} rows
        </p>
      )}
      {importing.status === 'error' && importing.error && (
        <div className="field">
          <span className="field-label" />
          <div className="field-control">
            <ErrorPanel inline error={importing.error} />
            {badRows.length > 0 && (
              <Table className="compact cost-bad-rows" testId="focus-bad-rows" columns={badRowColumns}>
                {badRows.map((r, i) => (
                  <tr key={i}>
                    <td className="num tnum">{r.line}</td>
                    <td className="mono">{r.column ?? '—'}</td>
                    <td>{r.message}</td>
                  </tr>
                ))}
              </Table>
            )}
            {badCount > badRows.length && (
              <div className="field-help">and {badCount - badRows.length} more</div>
            )}
          </div>
        </div>
      )}
      {importing.status === 'ready' && importing.data && (
        <div className="field">
          <span className="field-label" />
          <span className="test-ok" role="status" data-testid="focus-imported">
            <Icon name="check" /> Imported {importing.data.rows.toLocaleString('en-US')} rows of{' '}
            {importing.data.fileName} (FOCUS {importing.data.focusVersion})
          </span>
        </div>
      )}
      <div className="field">
        <span className="field-label">Imported</span>
        <div className="field-control">
          {!imports.data || imports.data.length === 0 ? (
            <span className="muted">No FOCUS export imported.</span>
          ) : (
            <Table className="compact" columns={importColumns}>
              {imports.data.map((imp) => (
                <tr key={imp.id} data-testid="focus-import-row">
                  <td
                    className="ellipsis mono"
                    title={
                      imp.ignoredColumns.length
                        ? `Ignored columns: ${imp.ignoredColumns.join(', ')}`
                        : undefined
                    }
                  >
                    {imp.fileName}
                  </td>
                  <td>{imp.focusVersion}</td>
                  <td className="num tnum">{imp.rows.toLocaleString('en-US')}</td>
                  <td className="tnum">{imp.period ? `${imp.period.start} – ${imp.period.end}` : '—'}</td>
                  <td className="num tnum">{imp.totals.map((t) => formatMoney(t)).join(' + ')}</td>
                  <td className="tnum muted">{formatTimestamp(imp.importedAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-ghost"
                      onClick={() => void actions().deleteImport(imp.id)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </div>
      </div>
    </section>
  );
}
