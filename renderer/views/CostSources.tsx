import { useId, useState } from 'react';
import type { CostSettings, FocusBadRow, PriceEntry, PriceTable } from '../../shared/cost';
import { formatMoney } from '../../shared/money';
import { ErrorPanel } from '../components/ErrorPanel';
import { Field } from '../components/Field';
import { Icon } from '../components/Icon';
import { formatTimestamp } from '../format';
import { costStore, useCost } from '../state/cost';

const actions = () => costStore.getState();

/** `name = amount` lines <-> a record (budgets per model and per team). */
function recordText(r: Record<string, string>): string {
  return Object.entries(r)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
}
function parseRecord(text: string): { value: Record<string, string>; error: string | null } {
  const value: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const m = /^(.+?)\s*=\s*(\S+)$/.exec(line);
    if (!m) return { value, error: `Line ${i + 1}: write "name = amount".` };
    value[m[1]!.trim()] = m[2]!;
  }
  return { value, error: null };
}

export function CostSources() {
  const settings = useCost((s) => s.settings);
  if (!settings.data) {
    if (settings.status === 'error' && settings.error)
      return (
        <ErrorPanel
          title="Could not load the cost settings"
          error={settings.error}
          onRetry={() => void actions().loadSources()}
        />
      );
    return <div className="loading-line">Loading the cost settings…</div>;
  }
  return (
    <div className="cost-sources-tab" data-testid="cost-sources-tab">
      <SettingsForm key={JSON.stringify(settings.data)} saved={settings.data} />
      <FocusImports />
      <PriceTableEditor />
    </div>
  );
}

function SettingsForm({ saved }: { saved: CostSettings }) {
  const id = useId();
  const profiles = useCost((s) => s.profiles);
  const saving = useCost((s) => s.savingSettings);
  const [draft, setDraft] = useState(saved);
  const [byModel, setByModel] = useState(recordText(saved.budgets.byModel));
  const [byTeam, setByTeam] = useState(recordText(saved.budgets.byTeam));
  const [teams, setTeams] = useState(recordText(saved.teamsByNamespace));
  const [localError, setLocalError] = useState<string | null>(null);
  const set = <K extends keyof CostSettings>(k: K, v: CostSettings[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const setAws = <K extends keyof CostSettings['aws']>(k: K, v: CostSettings['aws'][K]) =>
    setDraft((d) => ({ ...d, aws: { ...d.aws, [k]: v } }));
  const list = profiles.data?.profiles ?? [];

  const save = async () => {
    const m = parseRecord(byModel);
    const t = parseRecord(byTeam);
    const n = parseRecord(teams);
    const err = m.error ?? t.error ?? n.error;
    setLocalError(err);
    if (err) return;
    await actions().saveSettings({
      currency: draft.currency.trim().toUpperCase(),
      attribution: draft.attribution,
      teamTagKey: draft.teamTagKey,
      namespaceTagKey: draft.namespaceTagKey,
      aws: {
        ...draft.aws,
        endpoint: draft.aws.endpoint?.trim() || null,
        anomalyMonitorArn: draft.aws.anomalyMonitorArn?.trim() || null,
      },
      opencost: draft.opencost,
      budgets: { total: draft.budgets.total?.trim() || null, byModel: m.value, byTeam: t.value },
      teamsByNamespace: n.value,
    });
  };

  return (
    <form
      className="cost-settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      data-testid="cost-settings"
    >
      <section className="panel form-section">
        <header className="section-head">
          <h2>Attribution</h2>
          <p>How cost is given to model services; cost without a value is shown as unattributed.</p>
        </header>
        <Field
          label="Attribute by"
          htmlFor={`${id}-by`}
          help="A cost-allocation tag on the bill (e.g. model), the namespace tag, or a pod label (EKS split cost allocation imports labels as tags)."
        >
          <div className="input-row">
            <select
              id={`${id}-by`}
              className="input"
              value={draft.attribution.by}
              onChange={(e) =>
                set('attribution', {
                  ...draft.attribution,
                  by: e.target.value as CostSettings['attribution']['by'],
                })
              }
            >
              <option value="tag">Tag</option>
              <option value="namespace">Namespace</option>
              <option value="label">Pod label</option>
            </select>
            <input
              className="input mono"
              aria-label="Tag or label key"
              value={draft.attribution.key}
              onChange={(e) => set('attribution', { ...draft.attribution, key: e.target.value })}
              data-testid="attribution-key"
            />
          </div>
        </Field>
        <Field label="Team and namespace tags" htmlFor={`${id}-team`}>
          <div className="input-row">
            <input
              id={`${id}-team`}
              className="input mono"
              aria-label="Team tag key"
              value={draft.teamTagKey}
              onChange={(e) => set('teamTagKey', e.target.value)}
            />
            <input
              className="input mono"
              aria-label="Namespace tag key"
              value={draft.namespaceTagKey}
              onChange={(e) => set('namespaceTagKey', e.target.value)}
            />
          </div>
        </Field>
        <Field
          label="Teams by namespace"
          htmlFor={`${id}-teams`}
          help="For sources without a team tag (OpenCost, the price table): one “namespace = team” per line."
        >
          <textarea
            id={`${id}-teams`}
            className="input mono cost-textarea"
            rows={3}
            value={teams}
            onChange={(e) => setTeams(e.target.value)}
          />
        </Field>
        <Field
          label="Review currency"
          htmlFor={`${id}-cur`}
          help="Amounts in another currency are kept apart: Firebreak never converts."
        >
          <input
            id={`${id}-cur`}
            className="input mono cost-short"
            maxLength={3}
            value={draft.currency}
            onChange={(e) => set('currency', e.target.value.toUpperCase())}
          />
        </Field>
      </section>

      <section className="panel form-section" data-testid="aws-settings">
        <header className="section-head">
          <h2>AWS Cost Explorer</h2>
          <p>USD 0.01 per request; every refresh says what it costs first.</p>
        </header>
        <Field label="Use Cost Explorer" htmlFor={`${id}-aws`}>
          <label className="cost-check">
            <input
              id={`${id}-aws`}
              type="checkbox"
              checked={draft.aws.enabled}
              onChange={(e) => setAws('enabled', e.target.checked)}
              data-testid="aws-enabled"
            />
            Fetch cost by tag, the forecast and anomalies from this AWS account
          </label>
        </Field>
        <Field
          label="AWS profile"
          htmlFor={`${id}-profile`}
          help={
            <>
              <Icon name="lock" /> Firebreak never stores AWS keys: the SDK reads the profile (keys, IAM
              Identity Center, roles) when a refresh runs.
              {profiles.data && profiles.data.files.length > 0 && (
                <> From {profiles.data.files.join(', ')}.</>
              )}
              {profiles.data?.envProfile && <> AWS_PROFILE is {profiles.data.envProfile}.</>}
            </>
          }
        >
          <select
            id={`${id}-profile`}
            className="input"
            value={draft.aws.profile ?? ''}
            onChange={(e) => setAws('profile', e.target.value || null)}
            data-testid="aws-profile"
          >
            <option value="">Default credential chain</option>
            {list.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
                {p.sso ? ' (SSO)' : ''}
              </option>
            ))}
            {draft.aws.profile && !list.some((p) => p.name === draft.aws.profile) && (
              <option value={draft.aws.profile}>{draft.aws.profile} (not found)</option>
            )}
          </select>
        </Field>
        <Field label="Metric" htmlFor={`${id}-metric`}>
          <select
            id={`${id}-metric`}
            className="input"
            value={draft.aws.metric}
            onChange={(e) => setAws('metric', e.target.value as CostSettings['aws']['metric'])}
          >
            <option value="UnblendedCost">Unblended cost</option>
            <option value="AmortizedCost">Amortized cost</option>
            <option value="NetUnblendedCost">Net unblended cost</option>
            <option value="NetAmortizedCost">Net amortized cost</option>
          </select>
        </Field>
        <Field
          label="Region and endpoint"
          htmlFor={`${id}-region`}
          help="Cost Explorer answers in us-east-1. The endpoint is only for a VPC endpoint or a test server."
        >
          <div className="input-row">
            <input
              id={`${id}-region`}
              className="input mono cost-short"
              value={draft.aws.region}
              onChange={(e) => setAws('region', e.target.value)}
            />
            <input
              className="input mono"
              aria-label="Endpoint"
              placeholder="https://ce.us-east-1.amazonaws.com"
              value={draft.aws.endpoint ?? ''}
              onChange={(e) => setAws('endpoint', e.target.value || null)}
              data-testid="aws-endpoint"
            />
          </div>
        </Field>
        <Field
          label="Anomaly monitor"
          htmlFor={`${id}-arn`}
          help="Leave empty for the anomalies of every monitor."
        >
          <input
            id={`${id}-arn`}
            className="input mono"
            placeholder="arn:aws:ce::…:anomalymonitor/…"
            value={draft.aws.anomalyMonitorArn ?? ''}
            onChange={(e) => setAws('anomalyMonitorArn', e.target.value || null)}
          />
        </Field>
      </section>

      <section className="panel form-section">
        <header className="section-head">
          <h2>OpenCost and budgets</h2>
          <p>
            OpenCost's allocation and hourly prices in Prometheus; monthly budgets in the review currency.
          </p>
        </header>
        <Field label="OpenCost" htmlFor={`${id}-oc`}>
          <label className="cost-check">
            <input
              id={`${id}-oc`}
              type="checkbox"
              checked={draft.opencost.enabled}
              onChange={(e) => set('opencost', { enabled: e.target.checked })}
              data-testid="opencost-enabled"
            />
            Read allocation x hourly cost (GPU included) from Prometheus
          </label>
        </Field>
        <Field label="Monthly budget" htmlFor={`${id}-budget`}>
          <input
            id={`${id}-budget`}
            className="input mono cost-short"
            inputMode="decimal"
            placeholder="none"
            value={draft.budgets.total ?? ''}
            onChange={(e) => set('budgets', { ...draft.budgets, total: e.target.value || null })}
            data-testid="budget-total"
          />
        </Field>
        <Field label="Budgets by model" htmlFor={`${id}-bm`} help="One “model = amount” per line.">
          <textarea
            id={`${id}-bm`}
            className="input mono cost-textarea"
            rows={3}
            value={byModel}
            onChange={(e) => setByModel(e.target.value)}
            data-testid="budget-models"
          />
        </Field>
        <Field label="Budgets by team" htmlFor={`${id}-bt`}>
          <textarea
            id={`${id}-bt`}
            className="input mono cost-textarea"
            rows={2}
            value={byTeam}
            onChange={(e) => setByTeam(e.target.value)}
          />
        </Field>
      </section>

      <div className="savebar">
        <div className="savebar-status">
          {localError && <span className="sev-critical">{localError}</span>}
          {!localError && saving.status === 'error' && saving.error && (
            <ErrorPanel inline error={saving.error} />
          )}
          {!localError && saving.status === 'ready' && (
            <span className="test-ok" role="status" data-testid="cost-saved">
              <Icon name="check" /> Saved
            </span>
          )}
        </div>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={saving.status === 'loading'}
          data-testid="save-cost-settings"
        >
          {saving.status === 'loading' ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

function FocusImports() {
  const id = useId();
  const imports = useCost((s) => s.imports);
  const importing = useCost((s) => s.importing);
  const [path, setPath] = useState('');
  const badRows = (importing.error?.details?.badRows ?? []) as FocusBadRow[];
  const badCount = (importing.error?.details?.badRowCount as number | undefined) ?? badRows.length;

  return (
    <section className="panel form-section" data-testid="focus-imports">
      <header className="section-head">
        <h2>FOCUS billing exports</h2>
        <p>CSV, FOCUS 1.0 to 1.3: read by column name, all rows checked, imported whole or not at all.</p>
      </header>
      <Field
        label="File"
        htmlFor={`${id}-path`}
        help="The path of the CSV on the computer Firebreak runs on."
      >
        <form
          className="input-row"
          onSubmit={(e) => {
            e.preventDefault();
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
        </form>
      </Field>
      {importing.status === 'error' && importing.error && (
        <div className="field">
          <span className="field-label" />
          <div className="field-control">
            <ErrorPanel inline error={importing.error} />
            {badRows.length > 0 && (
              <table className="grid compact cost-bad-rows" data-testid="focus-bad-rows">
                <colgroup>
                  <col className="c-line" />
                  <col className="c-col" />
                  <col />
                </colgroup>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      Line
                    </th>
                    <th scope="col">Column</th>
                    <th scope="col">Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {badRows.map((r, i) => (
                    <tr key={i}>
                      <td className="num tnum">{r.line}</td>
                      <td className="mono">{r.column ?? '—'}</td>
                      <td>{r.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
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
            <table className="grid compact">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Version</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col">Days</th>
                  <th scope="col" className="num">
                    Total
                  </th>
                  <th scope="col">Imported</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
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
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}

function PriceTableEditor() {
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
        <table className="grid compact cost-prices">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">GPU model or instance type</th>
              <th scope="col" className="num">
                Per hour
              </th>
              <th scope="col" className="num">
                GPUs
              </th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
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
                      onChange={(e) =>
                        update(i, { gpus: e.target.value ? Number(e.target.value) : undefined })
                      }
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
          </tbody>
        </table>
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
