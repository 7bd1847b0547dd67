import type { CostReview, SourceStatus } from '../../../shared/cost';
import { Banner } from '../../components/Banner';
import { Empty } from '../../components/Empty';
import { ErrorPanel } from '../../components/ErrorPanel';
import { Stat } from '../../components/Stat';
import { useNow } from '../../components/useNow';
import { usePolling } from '../../components/usePolling';
import { formatAgo, NONE } from '../../format';
import { costStore, useCost } from '../../state/cost';
import { BudgetChart, DailyCostChart, GpuIdleChart, Per1kChart } from './CostCharts';
import { Anomalies, GroupTable, ModelTable, TopMovers } from './CostTables';
import { isZero, money, monthLabel, positive, signed, signedPct, unitCost } from './costFormat';
import { ExportDone } from './ReviewActions';

const actions = () => costStore.getState();

/** How often the window asks whether the review's inputs changed (a cheap call: no query, no wait). */
const INPUTS_POLL_MS = 10_000;

/** The month's review, or why it could not be built. */
export function ReviewTab() {
  const review = useCost((s) => s.review);
  const month = useCost((s) => s.month);
  if (!review.data && review.status === 'error' && review.error) {
    return (
      <div className="view-center">
        <ErrorPanel
          title={`Could not build the review of ${monthLabel(month)}`}
          error={review.error}
          onRetry={() => void actions().loadReview()}
        />
      </div>
    );
  }
  if (!review.data) return <div className="loading-line">Building the review of {monthLabel(month)}…</div>;
  return <Review review={review.data} />;
}

function SourceChips({ sources, now }: { sources: SourceStatus[]; now: number }) {
  const label: Record<SourceStatus['kind'], string> = {
    aws: 'Cost Explorer',
    focus: 'FOCUS',
    opencost: 'OpenCost',
    'price-table': 'Price table',
  };
  const tone = (s: SourceStatus) =>
    s.status === 'ok'
      ? 'ok'
      : s.status === 'error'
        ? 'critical'
        : s.status === 'not_fetched' || s.status === 'empty'
          ? 'warning'
          : 'muted';
  return (
    <div className="cost-sources" data-testid="cost-sources">
      {sources.map((s) => (
        <span
          key={s.kind}
          className={`chip chip-${tone(s)}`}
          title={[s.detail, s.error ? `${s.error.message}\n${s.error.hint}` : ''].filter(Boolean).join('\n')}
          data-testid={`source-${s.kind}`}
        >
          <span className={`dot dot-${tone(s)}`} aria-hidden="true" />
          <span className="chip-label">{label[s.kind]}</span>
          <span className="chip-value">
            {s.status === 'ok' || s.status === 'empty'
              ? s.fetchedAt
                ? `${s.status === 'empty' ? 'empty, ' : ''}${formatAgo(Date.parse(s.fetchedAt), now)}`
                : s.status === 'empty'
                  ? 'no data'
                  : 'in use'
              : s.status.replace('_', ' ')}
          </span>
        </span>
      ))}
    </div>
  );
}

function Review({ review }: { review: CostReview }) {
  const status = useCost((s) => s.review.status);
  const error = useCost((s) => s.review.error);
  const exporting = useCost((s) => s.exporting);
  const recomputed = useCost((s) => s.recomputed);
  const now = useNow(30_000);
  usePolling(() => void actions().checkInputs(), INPUTS_POLL_MS, [review.month]);
  const t = review.totals;
  const budgetTone =
    review.budget.status === 'over' ? 'critical' : review.budget.status === 'at_risk' ? 'warning' : undefined;
  const noCost = review.daysWithCost === 0 && isZero(t.lastMonth);
  // no day with cost: every amount of the month is unknown, not $0
  const known = review.daysWithCost > 0;
  const cmp = review.comparison;

  return (
    <>
      <div className="cost-sources-row">
        <SourceChips sources={review.sources} now={now} />
        <span className="muted cost-age" title={review.generatedAt} data-testid="cost-age">
          Computed {formatAgo(Date.parse(review.generatedAt), now)}
          {recomputed && ` · recomputed: ${recomputed.what.join(', ')}`}
        </span>
        {t.todayEstimate && (
          <span
            className="muted cost-today"
            title="GPU-hours so far today (dcgm-exporter) x the price table; not in the month's totals"
            data-testid="today-estimate"
          >
            Today so far, estimated: {money(t.todayEstimate, 0)}
          </span>
        )}
      </div>
      {status === 'error' && error && (
        <Banner tone="warning" title={`Showing the last review: ${error.message}`} code={error.code}>
          {error.hint}
        </Banner>
      )}
      {review.keptApart.map((k, i) => (
        <Banner key={`apart-${i}`} tone="warning" title="Another currency kept apart" testId="kept-apart">
          {k.message}
        </Banner>
      ))}
      {exporting.status === 'error' && exporting.error && (
        <Banner
          tone="critical"
          title={`Export failed: ${exporting.error.message}`}
          code={exporting.error.code}
        >
          {exporting.error.hint}
        </Banner>
      )}
      {exporting.status === 'ready' && exporting.data && <ExportDone result={exporting.data} />}
      {noCost && (
        <Empty title="No cost for this month yet" testId="cost-empty">
          Turn on Cost Explorer and refresh, import a FOCUS export, turn on OpenCost, or connect Prometheus
          with dcgm-exporter to estimate from the price table (Sources).
        </Empty>
      )}

      <div className="stat-row" data-testid="cost-summary">
        <Stat
          label={review.complete ? `${monthLabel(review.month)}` : `${monthLabel(review.month)} so far`}
          value={known ? money(t.thisMonth, 0) : NONE}
          title={`${review.daysWithCost} day(s) with cost; ${review.period.start} to ${review.period.end} (UTC, end exclusive)`}
          testId="stat-this-month"
        />
        <Stat
          label={
            cmp.whole || cmp.days === 0
              ? 'vs last month'
              : cmp.days < cmp.of
                ? `vs last month, ${cmp.days} of ${cmp.of} days (partial)`
                : `vs last month, same ${cmp.days} days`
          }
          value={cmp.days === 0 ? NONE : `${signed(t.change)} ${signedPct(t.changeRatio)}`}
          tone={cmp.days > 0 && t.changeRatio !== null && t.changeRatio > 0.1 ? 'warning' : undefined}
          title={
            cmp.days === 0
              ? review.previousDaysWithCost === 0
                ? 'No source has cost for last month'
                : 'Last month has cost only on other days than this month: nothing to compare like with like'
              : `Over the ${cmp.days} day(s) both months have cost: ${money(cmp.thisMonth)} this month, ${money(cmp.lastMonth)} last month; whole last month ${money(t.lastMonth)}`
          }
          testId="stat-change"
        />
        <Stat
          label={`Forecast (${review.forecast.source === 'aws' ? 'Cost Explorer' : review.forecast.source === 'complete' ? 'month closed' : 'run rate'})`}
          value={known ? money(review.forecast.monthEnd, 0) : NONE}
          title={
            review.forecast.low && review.forecast.high
              ? `80% interval ${money(review.forecast.low, 0)} – ${money(review.forecast.high, 0)}`
              : undefined
          }
          testId="stat-forecast"
        />
        <Stat
          label="Budget"
          value={
            review.budget.amount
              ? `${money(review.budget.amount, 0)} · ${review.budget.status.replace('_', ' ')}`
              : 'not set'
          }
          tone={budgetTone}
          testId="stat-budget"
        />
        <Stat
          label="Cost per 1k inferences"
          value={unitCost(t.costPer1k)}
          title="Attributed cost / successful requests over the days Prometheus measured"
          testId="stat-per1k"
        />
        <Stat
          label="Idle GPU waste"
          value={known && t.idleWaste ? money(t.idleWaste, 0) : NONE}
          tone={t.idleWaste && positive(t.idleWaste) ? 'warning' : undefined}
          title={
            t.idleWaste
              ? `Allocated but unused ${money(t.idleGpu)}; never allocated ${money(t.unallocatedGpu)}; all GPU ${money(t.gpu)}`
              : `No GPU utilisation (dcgm-exporter) for the models' GPUs: idle share unknown; never allocated ${money(t.unallocatedGpu)}`
          }
          testId="stat-idle"
        />
        <Stat
          label="Unattributed, besides GPUs"
          value={known ? money(t.unattributedOther, 0) : NONE}
          tone={positive(t.unattributedOther) ? 'warning' : undefined}
          title={`Cost with no "${review.attribution.key}" value: ${money(t.unattributed)} in all, of which ${money(t.unallocatedGpu)} never-allocated GPUs, counted under Idle GPU waste`}
          testId="stat-unattributed"
        />
      </div>

      <div className="chart-grid">
        <DailyCostChart review={review} />
        <BudgetChart review={review} />
        <Per1kChart review={review} />
        <GpuIdleChart review={review} />
      </div>

      <ModelTable review={review} />
      <div className="two-col">
        <GroupTable
          title="By team"
          rows={review.teams}
          testId="cost-by-team"
          previousDays={review.comparison.days}
        />
        <GroupTable
          title="By namespace"
          rows={review.namespaces}
          testId="cost-by-namespace"
          previousDays={review.comparison.days}
        />
      </div>
      {/* from FOCUS exports' columns; days from another source are a group of their own */}
      <div className="two-col">
        {review.breakdowns.map((b) => (
          <GroupTable
            key={b.dimension}
            title={`By ${b.title}`}
            rows={b.rows}
            testId={`cost-by-${b.dimension}`}
            previousDays={review.comparison.days}
          />
        ))}
      </div>
      <div className="two-col">
        <TopMovers review={review} />
        <Anomalies review={review} />
      </div>
      {review.notes.length > 0 && (
        <section className="panel-card" data-testid="cost-notes">
          <h3 className="section-title">Notes</h3>
          <ul className="cost-notes">
            {review.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
