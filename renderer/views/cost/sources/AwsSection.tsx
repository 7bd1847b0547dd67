import type { CostSettings } from '../../../../shared/cost';
import { Field } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import { useCost } from '../../../state/cost';

/** Cost Explorer's part of the cost settings: on or off, the AWS profile, the metric and the endpoint. */
export function AwsSection({
  id,
  draft,
  setAws,
}: {
  id: string;
  draft: CostSettings;
  setAws: <K extends keyof CostSettings['aws']>(k: K, v: CostSettings['aws'][K]) => void;
}) {
  const profiles = useCost((s) => s.profiles);
  const list = profiles.data?.profiles ?? [];
  return (
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
            {profiles.data && profiles.data.files.length > 0 && <> From {profiles.data.files.join(', ')}.</>}
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
  );
}
