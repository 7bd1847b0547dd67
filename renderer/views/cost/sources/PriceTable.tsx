import { useState } from 'react';
import type { PriceEntry, PriceTable } from '../../../../shared/cost';
import { ErrorPanel } from '../../../components/ErrorPanel';
import { Icon } from '../../../components/Icon';
import { Table, type Column } from '../../../components/Table';
import { formatTimestamp } from '../../../format';
import { costStore, useCost } from '../../../state/cost';

const actions = () => costStore.getState();

const priceColumns: Column[] = [
  { label: 'Kind' },
  { label: 'GPU model or instance type' },
  { label: 'Per hour', num: true },
  { label: 'GPUs', num: true },
  {},
];

/** The GPU-hour and node-hour prices: the fallback when no bill covers a day, and today's estimate. */
export function PriceTableEditor() {
  const table = useCost((s) => s.priceTable);
  if (!table.data) return null;
  return (
    <PriceForm key={`${table.data.updatedAt ?? 'default'}-${table.data.entries.length}`} saved={table.data} />
  );
}

function PriceForm({ saved }: { saved: PriceTable }) {
  const saving = useCost((s) => s.savingPrices);
  const [currency, setCurrency] = useState(saved.currency);
  const [rows, setRows] = useState<PriceEntry[]>(saved.entries);
  const [done, setDone] = useState(false);
  const update = (i: number, patch: Partial<PriceEntry>) => {
    setDone(false);
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };

  return (
    <section className="panel form-section" data-testid="price-table">
      <header className="section-head">
        <h2>Price table</h2>
        <p>
          GPU-hour prices by GPU model (dcgm-exporter&apos;s modelName) and node-hour prices by instance type:
          used when no bill covers a day, and to estimate today.
          {saved.updatedAt ? ` Edited ${formatTimestamp(saved.updatedAt)}.` : ' AWS on-demand defaults.'}
        </p>
      </header>
      <div className="cost-price-body">
        <Table className="compact cost-prices" columns={priceColumns}>
          {rows.map((r, i) => (
            <tr key={i} data-testid="price-row">
              <td>
                <select
                  className="input"
                  aria-label="Kind"
                  value={r.kind}
                  onChange={(e) => update(i, { kind: e.target.value as PriceEntry['kind'] })}
                >
                  <option value="gpu">GPU-hour</option>
                  <option value="node">Node-hour</option>
                </select>
              </td>
              <td>
                <input
                  className="input mono"
                  aria-label="GPU model or instance type"
                  value={r.match}
                  onChange={(e) => update(i, { match: e.target.value })}
                />
              </td>
              <td className="num">
                <input
                  className="input mono cost-num"
                  aria-label="Price per hour"
                  inputMode="decimal"
                  value={r.hourly}
                  onChange={(e) => update(i, { hourly: e.target.value })}
                />
              </td>
              <td className="num">
                {r.kind === 'node' ? (
                  <input
                    className="input mono cost-num cost-gpus"
                    aria-label="GPUs per node"
                    inputMode="numeric"
                    value={r.gpus ?? ''}
                    onChange={(e) => update(i, { gpus: e.target.value ? Number(e.target.value) : undefined })}
                  />
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>
                <button
                  type="button"
                  className="btn btn-ghost"
                  aria-label={`Remove ${r.match}`}
                  onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </Table>
      </div>
      <div className="savebar">
        <div className="savebar-status">
          {saving.status === 'error' && saving.error && <ErrorPanel inline error={saving.error} />}
          {done && saving.status === 'ready' && (
            <span className="test-ok" role="status">
              <Icon name="check" /> Saved
            </span>
          )}
        </div>
        <label className="cost-month">
          <span className="seg-label">Currency</span>
          <input
            className="input mono cost-short"
            maxLength={3}
            value={currency}
            onChange={(e) => {
              setDone(false);
              setCurrency(e.target.value.toUpperCase());
            }}
            aria-label="Price table currency"
          />
        </label>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => setRows((rs) => [...rs, { kind: 'gpu', match: '', hourly: '0' }])}
        >
          Add a price
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={saving.status === 'loading'}
          onClick={() =>
            void actions()
              .savePriceTable({ currency, entries: rows })
              .then((ok) => setDone(ok))
          }
          data-testid="save-prices"
        >
          Save prices
        </button>
      </div>
    </section>
  );
}
