import type { CostGroupRow, CostReview } from '../../../shared/cost';
import { Table, type Column } from '../../components/Table';
import { formatCompact, NONE } from '../../format';
import { budgetPill, changeText, changeTone, money, pct, signed, signedPct, unitCost } from './costFormat';
import { PanelCard } from '../../components/PanelCard';

const modelColumns: Column[] = [
  { label: 'Model', col: 'c-model' },
  { label: 'Namespace', col: 'c-ns' },
  { label: 'This month', num: true, col: 'c-money' },
  {
    label: 'Last month',
    num: true,
    title: "Last month's same days: those both months have cost (see the change's note when partial)",
    col: 'c-money',
  },
  { label: 'Change', num: true, col: 'c-change' },
  { label: 'GPU', num: true, title: 'GPU share of the cost', col: 'c-share' },
  { label: 'Idle', num: true, title: 'Idle share of the GPU cost (days with utilisation)', col: 'c-share' },
  { label: 'Requests', num: true, title: 'Successful requests over the measured days', col: 'c-count' },
  {
    label: 'Per 1k',
    num: true,
    title: 'Attributed cost / successful requests x 1000, same days',
    col: 'c-unit',
  },
  { label: 'Per 1M tok.', num: true, title: 'For LLMs: cost per million generated tokens', col: 'c-unit' },
  { label: 'Forecast', num: true, col: 'c-money' },
  { label: 'Budget', num: true, col: 'c-budget' },
];

/** "By team" -> a Team column first. */
const groupColumns = (title: string): Column[] => [
  { label: title.replace('By ', '').replace(/^./, (c) => c.toUpperCase()) },
  { label: 'This month', num: true },
  { label: 'Same days last month', num: true },
  { label: 'Change', num: true },
  { label: 'Forecast', num: true },
  { label: 'Budget', num: true },
];

const anomalyColumns: Column[] = [
  { label: 'Days (UTC)' },
  { label: 'Where' },
  { label: 'Impact', num: true },
  { label: 'Root cause' },
];

/** Cost by model: this month, last month's same days, shares, cost per 1k, forecast and budget. */
export function ModelTable({ review }: { review: CostReview }) {
  return (
    <PanelCard
      title={
        <>
          By model{' '}
          <span className="muted">
            attributed by {review.attribution.by} “{review.attribution.key}”
          </span>
        </>
      }
      testId="cost-by-model"
      empty={review.models.length === 0 && 'No cost this month.'}
    >
      <div className="cost-table-wrap">
        <Table className="compact cost-table" columns={modelColumns}>
          {review.models.map((r) => (
            <tr
              key={r.key}
              data-testid="cost-row"
              data-key={r.key}
              className={r.kind === 'unattributed' ? 'cost-unattributed' : undefined}
            >
              <td
                className="ellipsis"
                title={
                  r.modelServiceId ??
                  (r.kind === 'unmatched'
                    ? 'No model service of this name in the cluster'
                    : r.kind === 'unattributed'
                      ? 'Cost with no tag value: not attributed to any model'
                      : r.name)
                }
              >
                {r.kind === 'unattributed' ? <em>{r.name}</em> : r.name}
                {r.kind === 'unmatched' && <span className="pill pill-muted cost-pill">not in cluster</span>}
              </td>
              <td className="ellipsis muted">{r.namespace ?? NONE}</td>
              <td className="num tnum">{money(r.thisMonth)}</td>
              {/* no day to compare: last month's figure is unknown, not $0 */}
              <td className="num tnum muted">
                {review.comparison.days === 0 ? NONE : money(r.lastMonthToDate)}
              </td>
              <td className={`num tnum ${changeTone(r.changeRatio)}`} title={signed(r.change)}>
                {changeText(r.change, r.changeRatio, review.comparison.days)}
              </td>
              <td className="num tnum">{pct(r.gpuShare, 0)}</td>
              <td
                className={`num tnum${r.idleShare !== null && r.idleShare > 0.5 ? ' sev-warning' : ''}`}
                title={
                  r.idleShare === null
                    ? 'No GPU utilisation for this model'
                    : `Idle GPU ${money(r.idleGpu)}: measured over ${r.utilDays} day(s) with utilisation, applied to the month`
                }
              >
                {pct(r.idleShare, 0)}
              </td>
              <td
                className="num tnum"
                title={r.measuredDays ? `${r.measuredDays} measured day(s)` : 'No measured day'}
              >
                {r.successes === null ? NONE : formatCompact(r.successes)}
              </td>
              <td className="num tnum" data-testid="per1k">
                {unitCost(r.costPer1k)}
              </td>
              <td className="num tnum">{unitCost(r.costPer1MTokens)}</td>
              <td className="num tnum">{money(r.forecast, 0)}</td>
              <td className="num">
                {r.budget ? money(r.budget, 0) : ''} {budgetPill(r.budgetStatus)}
              </td>
            </tr>
          ))}
        </Table>
      </div>
    </PanelCard>
  );
}

export function GroupTable({
  title,
  rows,
  testId,
  previousDays,
}: {
  title: string;
  rows: CostGroupRow[];
  testId: string;
  previousDays: number;
}) {
  return (
    <PanelCard title={title} testId={testId} empty={rows.length === 0 && 'No cost.'}>
      <Table className="compact" columns={groupColumns(title)}>
        {rows.map((g) => (
          <tr key={g.key}>
            <td className="ellipsis">{g.key}</td>
            <td className="num tnum">{money(g.thisMonth)}</td>
            <td className="num tnum muted">{previousDays === 0 ? NONE : money(g.lastMonthToDate)}</td>
            <td className={`num tnum ${changeTone(g.changeRatio)}`} title={signed(g.change)}>
              {changeText(g.change, g.changeRatio, previousDays)}
            </td>
            <td className="num tnum">{money(g.forecast, 0)}</td>
            <td className="num">
              {g.budget ? money(g.budget, 0) : ''} {budgetPill(g.budgetStatus)}
            </td>
          </tr>
        ))}
      </Table>
    </PanelCard>
  );
}

export function TopMovers({ review }: { review: CostReview }) {
  return (
    <PanelCard
      title={
        <>
          Top movers <span className="muted">against last month, same days</span>
        </>
      }
      testId="cost-movers"
      empty={review.topMovers.length === 0 && 'Nothing moved.'}
    >
      <ul className="cost-movers">
        {review.topMovers.map((m) => (
          <li key={m.key}>
            <span className={`cost-arrow ${m.change.amount.startsWith('-') ? 'sev-ok' : 'sev-warning'}`}>
              {m.change.amount.startsWith('-') ? '▼' : '▲'}
            </span>
            <span className="ellipsis">{m.name}</span>
            <span className="tnum">{signed(m.change)}</span>
            <span className="muted tnum">{signedPct(m.changeRatio)}</span>
          </li>
        ))}
      </ul>
    </PanelCard>
  );
}

export function Anomalies({ review }: { review: CostReview }) {
  return (
    <PanelCard
      title={
        <>
          Anomalies{' '}
          <span className="muted">
            {review.sources.find((s) => s.kind === 'aws')?.status === 'ok'
              ? 'Cost Explorer anomaly detection'
              : 'over the 14-day mean of each model'}
          </span>
        </>
      }
      testId="cost-anomalies"
      empty={review.anomalies.length === 0 && 'None detected.'}
    >
      <Table className="compact" columns={anomalyColumns}>
        {review.anomalies.map((a) => (
          <tr key={a.id} data-testid="anomaly-row">
            <td className="tnum">
              {a.start.slice(5)}
              {a.end !== a.start ? ` – ${a.end.slice(5)}` : ''}
            </td>
            <td className="ellipsis">{a.dimension}</td>
            <td
              className="num tnum sev-warning"
              title={`Actual ${money(a.actual)}, expected ${money(a.expected)}`}
            >
              +{money(a.impact)}{' '}
              {a.impactRatio !== null ? <span className="muted">({pct(a.impactRatio, 0)})</span> : null}
            </td>
            <td className="ellipsis muted" title={a.rootCauses.join('\n')}>
              {a.rootCauses[0] ?? NONE}
            </td>
          </tr>
        ))}
      </Table>
    </PanelCard>
  );
}
