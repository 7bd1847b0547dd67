import type { RefreshPlan } from '../../../shared/cost';
import { formatMoney } from '../../../shared/money';
import { ErrorPanel } from '../../components/ErrorPanel';
import { Table, type Column } from '../../components/Table';
import { useNow } from '../../components/useNow';
import { formatAgo } from '../../format';
import { costStore, useCost } from '../../state/cost';

const actions = () => costStore.getState();

const planColumns: Column[] = [
  { label: 'Call', col: 'c-op' },
  { label: 'What it asks', col: '' },
  { label: 'Requests', num: true, col: 'c-req' },
  { label: 'Cached answer', col: 'c-age' },
];

/** What a Cost Explorer refresh will ask and cost, confirmed before any paid request; or why it failed. */
export function RefreshConfirm() {
  const plan = useCost((s) => s.plan);
  const refresh = useCost((s) => s.refresh);
  const now = useNow(10_000);
  if (!plan.open && refresh.status !== 'error') return null;
  if (!plan.open && refresh.status === 'error' && refresh.error) {
    return (
      <div className="cost-refresh-error" data-testid="refresh-error">
        <ErrorPanel
          title="The Cost Explorer refresh failed"
          error={refresh.error}
          onRetry={() => void actions().openRefresh()}
        />
      </div>
    );
  }
  return (
    <section
      className="panel-card cost-confirm"
      role="dialog"
      aria-labelledby="cost-confirm-title"
      data-testid="refresh-plan"
    >
      <h3 className="section-title" id="cost-confirm-title">
        Refresh from AWS Cost Explorer
      </h3>
      {plan.status === 'loading' && <p className="muted">Working out what the refresh asks…</p>}
      {plan.status === 'error' && plan.error && <ErrorPanel inline error={plan.error} />}
      {plan.data && <PlanDetails plan={plan.data} now={now} />}
      {refresh.status === 'error' && refresh.error && <ErrorPanel inline error={refresh.error} />}
      <div className="cost-confirm-actions">
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => actions().cancelRefresh()}
          disabled={refresh.status === 'loading'}
        >
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void actions().confirmRefresh()}
          disabled={!plan.data || refresh.status === 'loading'}
          data-testid="confirm-refresh"
        >
          {refresh.status === 'loading'
            ? 'Fetching…'
            : plan.data
              ? `Make ${plan.data.atLeast ? 'at least ' : ''}${plan.data.requests} paid request${plan.data.requests === 1 ? '' : 's'} (${formatMoney(plan.data.price)})`
              : 'Refresh'}
        </button>
      </div>
    </section>
  );
}

function PlanDetails({ plan, now }: { plan: RefreshPlan; now: number }) {
  return (
    <>
      <p data-testid="plan-summary">
        This refresh makes{' '}
        <strong>
          {plan.atLeast ? 'at least ' : ''}
          {plan.requests}
        </strong>{' '}
        paid request
        {plan.requests === 1 ? '' : 's'} to Cost Explorer:{' '}
        <strong>
          {plan.atLeast ? 'at least ' : ''}
          {formatMoney(plan.price)}
        </strong>{' '}
        at USD 0.01 a request, every page counted. Nothing is fetched until you confirm.
      </p>
      <Table className="compact cost-plan" columns={planColumns}>
        {plan.calls.map((c, i) => (
          <tr key={i}>
            <td className="mono">{c.operation}</td>
            <td>{c.purpose}</td>
            <td
              className="num tnum"
              title={
                c.pagesKnown
                  ? 'As many pages as the last time'
                  : 'Never asked with these settings: one page at least'
              }
            >
              {c.pagesKnown ? c.pages : `≥ ${c.pages}`}
            </td>
            <td className="muted">{c.cachedAt ? `${formatAgo(Date.parse(c.cachedAt), now)}` : 'none'}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}
