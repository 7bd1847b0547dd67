import { useId, useState } from 'react';
import type { CostSettings } from '../../../../shared/cost';
import { ErrorPanel } from '../../../components/ErrorPanel';
import { Field } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import { costStore, useCost } from '../../../state/cost';
import { AwsSection } from './AwsSection';
import { Form } from '../../../components/Form';

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

/** Attribution, Cost Explorer, OpenCost and budgets: one form, saved together. */
export function CostSettingsForm({ saved }: { saved: CostSettings }) {
  const id = useId();
  const saving = useCost((s) => s.savingSettings);
  const [draft, setDraft] = useState(saved);
  const [byModel, setByModel] = useState(recordText(saved.budgets.byModel));
  const [byTeam, setByTeam] = useState(recordText(saved.budgets.byTeam));
  const [teams, setTeams] = useState(recordText(saved.teamsByNamespace));
  const [localError, setLocalError] = useState<string | null>(null);
  const set = <K extends keyof CostSettings>(k: K, v: CostSettings[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const setAws = <K extends keyof CostSettings['aws']>(k: K, v: CostSettings['aws'][K]) =>
    setDraft((d) => ({ ...d, aws: { ...d.aws, [k]: v } }));

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
    <Form className="cost-settings" testId="cost-settings" onSubmit={() => void save()}>
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

      <AwsSection id={id} draft={draft} setAws={setAws} />

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
    </Form>
  );
}
