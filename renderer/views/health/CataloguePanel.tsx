import { useState } from 'react';
import type { CatalogueOverride, ModelHealth } from '../../../shared/health';
import type { ServiceRef } from '../../../shared/models';
import { ErrorPanel } from '../../components/ErrorPanel';
import { healthStore, useHealth } from '../../state/health';
import { Form } from '../../components/Form';
import { EditToggle } from '../../components/EditToggle';

const OVERRIDE_FIELDS: Array<{ key: keyof CatalogueOverride; label: string; placeholder: string }> = [
  { key: 'selector', label: 'Pod selector', placeholder: 'namespace="llm",pod=~"chat-.*"' },
  { key: 'requests', label: 'Requests/s', placeholder: 'sum(rate(my_requests_total{$selector}[$window]))' },
  {
    key: 'errors',
    label: 'Errors/s',
    placeholder: 'sum(rate(my_requests_total{$selector,code=~"5.."}[$window]))',
  },
  { key: 'latencyBuckets', label: 'Latency histogram (_bucket)', placeholder: 'my_latency_seconds_bucket' },
  { key: 'inflight', label: 'In flight', placeholder: 'sum(my_inflight{$selector})' },
  { key: 'tokens', label: 'Tokens/s', placeholder: 'sum(rate(my_tokens_total{$selector}[$window]))' },
];

/** Which PromQL the model's figures come from (the catalogue of its model server), and an override. */
export function CataloguePanel({ data, service }: { data: ModelHealth; service: ServiceRef }) {
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const c = data.catalogue;
  return (
    <section className="panel-card" data-testid="catalogue-panel">
      <div className="section-row">
        <h3 className="section-title">Metrics mapping</h3>
        <span className="muted">
          {c.override ? 'overridden for this model' : `detected: ${c.detected ?? 'nothing known'}`} · selector{' '}
          <code>{c.selector}</code>
        </span>
        <span className="toolbar-spacer" />
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => setOpen((v) => !v)}
          aria-expanded={open}
        >
          {open ? 'Hide' : 'Show'} details
        </button>
        <EditToggle
          open={editing}
          onToggle={() => setEditing((v) => !v)}
          label="Override"
          testId="edit-override"
        />
      </div>
      {open && (
        <div className="catalogue-details">
          <p className="muted">{c.reason}</p>
          <p className="muted">
            Metric names found for these pods: {c.metricsFound.length ? c.metricsFound.join(', ') : 'none'}
          </p>
        </div>
      )}
      {editing && <OverrideForm service={service} initial={c.override} onDone={() => setEditing(false)} />}
    </section>
  );
}

function OverrideForm({
  service,
  initial,
  onDone,
}: {
  service: ServiceRef;
  initial: CatalogueOverride | null;
  onDone: () => void;
}) {
  const saving = useHealth((s) => s.saving);
  const saveError = useHealth((s) => s.saveError);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(OVERRIDE_FIELDS.map((f) => [f.key, String(initial?.[f.key] ?? '')])),
  );
  const submit = async () => {
    const override: Record<string, string> = {};
    for (const f of OVERRIDE_FIELDS) if (values[f.key]?.trim()) override[f.key] = values[f.key]!.trim();
    const result = await healthStore
      .getState()
      .saveOverride(service, Object.keys(override).length ? (override as CatalogueOverride) : null);
    if (result) onDone();
  };
  return (
    <Form className="override-form" onSubmit={() => void submit()}>
      <p className="muted">
        Leave a field empty to keep the catalogue&apos;s query. <code>$selector</code> and{' '}
        <code>$window</code> are filled in.
      </p>
      {OVERRIDE_FIELDS.map((f) => (
        <label key={f.key} className="override-field">
          <span>{f.label}</span>
          <input
            className="input mono"
            value={values[f.key] ?? ''}
            placeholder={f.placeholder}
            spellCheck={false}
            onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
          />
        </label>
      ))}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          Save override
        </button>
        {initial && (
          <button
            type="button"
            className="btn btn-ghost"
            disabled={saving}
            onClick={() =>
              void healthStore
                .getState()
                .saveOverride(service, null)
                .then((r) => r && onDone())
            }
          >
            Remove override
          </button>
        )}
      </div>
      {saveError && <ErrorPanel inline error={saveError} />}
    </Form>
  );
}
