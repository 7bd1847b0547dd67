import { useState } from 'react';
import type { BurnWindow, ModelHealth, Slo } from '../../../shared/health';
import type { ServiceRef } from '../../../shared/models';
import { formatValue } from '../../charts/format';
import { ErrorPanel } from '../../components/ErrorPanel';
import { Table, type Column } from '../../components/Table';
import { NONE } from '../../format';
import { healthStore, useHealth } from '../../state/health';
import { Form } from '../../components/Form';
import { EditToggle } from '../../components/EditToggle';

function burnText(v: number | null): string {
  if (v === null) return NONE;
  return `${v < 10 ? v.toFixed(2) : v.toFixed(1)}×`;
}

const burnColumns: Column[] = [
  { label: 'Error budget' },
  { label: 'Windows' },
  { label: 'Burn, long', num: true },
  { label: 'Burn, short', num: true },
  { label: 'Alert when', num: true },
  { label: 'State' },
];

function BurnRows({ title, windows }: { title: string; windows: BurnWindow[] }) {
  return (
    <>
      {windows.map((w, i) => (
        <tr key={`${title}-${w.long}`} data-testid="burn-row">
          {i === 0 && (
            <th rowSpan={windows.length} scope="rowgroup">
              {title}
            </th>
          )}
          <td className="mono">
            {w.long} / {w.short}
          </td>
          <td className="num tnum">{burnText(w.longBurn)}</td>
          <td className="num tnum">{burnText(w.shortBurn)}</td>
          <td className="num tnum muted">&gt; {w.threshold}×</td>
          <td>
            {w.alerting ? (
              <span className={`pill pill-${w.severity === 'page' ? 'critical' : 'warning'}`}>
                {w.severity === 'page' ? 'page' : 'ticket'}
              </span>
            ) : (
              <span className="muted">ok</span>
            )}
          </td>
        </tr>
      ))}
    </>
  );
}

/** The model's SLO and its multi-window burn rates (availability and latency), editable. */
export function SloPanel({ data, service }: { data: ModelHealth; service: ServiceRef }) {
  const [editing, setEditing] = useState(false);
  const slo = data.slo;
  return (
    <section className="panel-card" data-testid="slo-panel">
      <div className="section-row">
        <h3 className="section-title">
          SLO {slo.isDefault && <span className="muted">(default: none saved for this model)</span>}
        </h3>
        <span className="muted">
          {(slo.slo.availability * 100).toFixed(2)}% of requests succeed ·{' '}
          {(slo.slo.latencyTarget * 100).toFixed(1)}% within{' '}
          {formatValue('seconds', slo.slo.latencyThresholdS)}
        </span>
        <span className="toolbar-spacer" />
        <EditToggle
          open={editing}
          onToggle={() => setEditing((v) => !v)}
          label="Edit SLO"
          testId="edit-slo"
        />
      </div>
      {editing && <SloForm initial={slo.slo} service={service} onDone={() => setEditing(false)} />}
      <Table className="compact burn-table" columns={burnColumns}>
        <BurnRows title="Availability" windows={slo.availability.windows} />
        {slo.latency.note ? (
          <tr>
            <th scope="row">Latency</th>
            <td colSpan={5} className="muted">
              {slo.latency.note}
            </td>
          </tr>
        ) : (
          <BurnRows title="Latency" windows={slo.latency.windows} />
        )}
      </Table>
      <p className="table-note">
        Burn rate = share of bad requests over the window / error budget (1 − target). 1× spends the budget
        exactly over 30 days.
      </p>
    </section>
  );
}

/** A decimal number typed in an inline form, its label around it. */
function NumberInput({
  label,
  name,
  value,
  onChange,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {label}
      <input
        className="input"
        inputMode="decimal"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        name={name}
      />
    </label>
  );
}

function SloForm({ initial, service, onDone }: { initial: Slo; service: ServiceRef; onDone: () => void }) {
  const saving = useHealth((s) => s.saving);
  const saveError = useHealth((s) => s.saveError);
  const [availability, setAvailability] = useState(String(+(initial.availability * 100).toFixed(3)));
  const [threshold, setThreshold] = useState(String(initial.latencyThresholdS));
  const [target, setTarget] = useState(String(+(initial.latencyTarget * 100).toFixed(3)));
  const submit = async () => {
    const slo = {
      availability: Number(availability) / 100,
      latencyThresholdS: Number(threshold),
      latencyTarget: Number(target) / 100,
    };
    if (await healthStore.getState().saveSlo(service, slo)) onDone();
  };
  return (
    <Form className="inline-form" testId="slo-form" onSubmit={() => void submit()}>
      <NumberInput
        label="Availability target (%)"
        name="availability"
        value={availability}
        onChange={setAvailability}
      />
      <NumberInput label="Latency threshold (s)" name="threshold" value={threshold} onChange={setThreshold} />
      <NumberInput label="Within threshold (%)" name="target" value={target} onChange={setTarget} />
      <button type="submit" className="btn btn-primary" disabled={saving}>
        Save SLO
      </button>
      <button
        type="button"
        className="btn btn-ghost"
        disabled={saving}
        onClick={() =>
          void healthStore
            .getState()
            .saveSlo(service, null)
            .then((ok) => ok && onDone())
        }
      >
        Reset to default
      </button>
      {saveError && <ErrorPanel inline error={saveError} />}
    </Form>
  );
}
