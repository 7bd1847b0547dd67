import { useEffect, useMemo, useState } from 'react';
import type {
  CostGroupRow,
  CostReview,
  CostRow,
  ExportResult,
  RefreshPlan,
  SourceStatus,
} from '../../shared/cost';
import { formatMoney, formatUnitCost, type MoneyWire } from '../../shared/money';
import { Banner } from '../components/Banner';
import { Empty } from '../components/Empty';
import { ErrorPanel } from '../components/ErrorPanel';
import { Icon } from '../components/Icon';
import { useNow } from '../components/useNow';
import { formatAgo, formatCompact, NONE } from '../format';
import { useApp } from '../state';
import { costStore, exportFailed, monthChoices, useCost, type CostTab } from '../state/cost';
import { BudgetChart, chartImages, DailyCostChart, GpuIdleChart, Per1kChart } from './CostCharts';
import { CostSources } from './CostSources';
import { Segmented, Stat } from './GpuView';
import './metrics.css';
import './cost.css';

const actions = () => costStore.getState();

export const money = (m: MoneyWire | null | undefined, digits = 2) => (m ? formatMoney(m, { digits }) : NONE);
const unitCost = (m: MoneyWire | null | undefined) => (m ? formatUnitCost(m) : NONE);
const signed = (m: MoneyWire) => (m.amount.startsWith('-') ? formatMoney(m) : `+${formatMoney(m)}`);
const pct = (r: number | null | undefined, digits = 1) =>
  r === null || r === undefined || !Number.isFinite(r) ? NONE : `${(r * 100).toFixed(digits)}%`;
const signedPct = (r: number | null) => (r === null ? '' : `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`);
const monthLabel = (m: string) =>
  new Date(`${m}-01T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

export function CostView() {
  const tab = useCost((s) => s.tab);
  const month = useCost((s) => s.month);
  const review = useCost((s) => s.review);
  const now = useNow(30_000);
  const months = useMemo(() => monthChoices(now), [now]);

  useEffect(() => {
    if (tab === 'review' && review.status === 'idle') void actions().loadReview();
  }, [tab, review.status]);
  useEffect(() => {
    void actions().loadSources();
  }, []);

  return (
    <div className="view view-scroll metrics-view cost-view" data-testid="cost-view">
      <div className="toolbar">
        <label className="cost-month">
          <span className="seg-label">Month</span>
          <select
            className="input"
            value={month}
            onChange={(e) => actions().setMonth(e.target.value)}
            data-testid="cost-month"
            aria-label="Month to review"
          >
            {months.map((m) => (
              <option key={m} value={m}>
                {monthLabel(m)}
              </option>
            ))}
          </select>
        </label>
        <Segmented<CostTab>
          label="Show"
          options={[
            { label: 'Review', value: 'review' },
            { label: 'Sources', value: 'sources' },
          ]}
          value={tab}
          onChange={(t) => actions().setTab(t)}
          testId="cost-tab"
        />
        <span className="toolbar-spacer" />
        {tab === 'review' && <ReviewActions />}
      </div>
      <RefreshConfirm />
      {tab === 'review' ? <ReviewTab /> : <CostSources />}
    </div>
  );
}

function ReviewActions() {
  const review = useCost((s) => s.review);
  const settings = useCost((s) => s.settings.data);
  const plan = useCost((s) => s.plan);
  const exporting = useCost((s) => s.exporting);
  const transportKind = useApp((s) => s.transportKind);
  const awsOn = settings?.aws.enabled ?? false;

  const doExport = async (format: 'csv' | 'markdown') => {
    let charts: ReturnType<typeof chartImages> = [];
    if (format === 'markdown') {
      try {
        charts = chartImages();
      } catch (err) {
        exportFailed(costStore, {
          code: 'INTERNAL',
          message: `A chart could not be drawn as an image: ${err instanceof Error ? err.message : String(err)}`,
          hint: 'Export again; if it persists, report it.',
        });
        return;
      }
    }
    const result = await actions().exportReview(format, charts);
    if (result && transportKind !== 'electron')
      triggerDownload(result.download.fileName, result.download.mediaType, result.download.text);
  };

  return (
    <>
      <button
        type="button"
        className="btn"
        onClick={() => void actions().openRefresh()}
        disabled={!awsOn || plan.open}
        title={
          awsOn
            ? 'Fetch this month and the last from AWS Cost Explorer (paid requests; you confirm first)'
            : 'Turn on Cost Explorer under Sources'
        }
        data-testid="cost-refresh"
      >
        <Icon name="refresh" />
        Refresh from Cost Explorer…
      </button>
      <button
        type="button"
        className="btn btn-ghost"
        onClick={() => void actions().loadReview()}
        disabled={review.status === 'loading'}
        title="Recompute the review from the cached answers, the FOCUS imports and Prometheus (no paid request)"
        data-testid="cost-reload"
      >
        <Icon name="refresh" className={review.status === 'loading' ? 'spin' : undefined} />
        Recompute
      </button>
      <button
        type="button"
        className="btn"
        onClick={() => void doExport('csv')}
        disabled={!review.data || exporting.status === 'loading'}
        data-testid="export-csv"
      >
        Export CSV
      </button>
      <button
        type="button"
        className="btn"
        onClick={() => void doExport('markdown')}
        disabled={!review.data || exporting.status === 'loading'}
        data-testid="export-markdown"
      >
        {exporting.status === 'loading' && exporting.format === 'markdown'
          ? 'Exporting…'
          : 'Export report (Markdown)'}
      </button>
    </>
  );
}

/** Text the browser saves as a file (serve mode): a Blob URL, never HTML. */
function triggerDownload(fileName: string, mediaType: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: `${mediaType};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function RefreshConfirm() {
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
      <table className="grid compact cost-plan">
        <colgroup>
          <col className="c-op" />
          <col />
          <col className="c-req" />
          <col className="c-age" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Call</th>
            <th scope="col">What it asks</th>
            <th scope="col" className="num">
              Requests
            </th>
            <th scope="col">Cached answer</th>
          </tr>
        </thead>
        <tbody>
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
        </tbody>
      </table>
    </>
  );
}

function ReviewTab() {
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
  const now = useNow(30_000);
  const t = review.totals;
  const idleWaste: MoneyWire = {
    amount: String(Number(t.idleGpu.amount) + Number(t.unallocatedGpu.amount)),
    currency: review.currency,
  };
  const budgetTone =
    review.budget.status === 'over' ? 'critical' : review.budget.status === 'at_risk' ? 'warning' : undefined;
  const noCost = review.daysWithCost === 0 && Number(t.lastMonth.amount) === 0;

  return (
    <>
      <div className="cost-sources-row">
        <SourceChips sources={review.sources} now={now} />
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
          value={money(t.thisMonth, 0)}
          title={`${review.daysWithCost} day(s) with cost; ${review.period.start} to ${review.period.end} (UTC, end exclusive)`}
          testId="stat-this-month"
        />
        <Stat
          label="vs last month, same days"
          value={review.previousDaysWithCost === 0 ? NONE : `${signed(t.change)} ${signedPct(t.changeRatio)}`}
          tone={t.changeRatio !== null && t.changeRatio > 0.1 ? 'warning' : undefined}
          title={
            review.previousDaysWithCost === 0
              ? 'No source has cost for last month'
              : `Last month to date ${money(t.lastMonthToDate)}; whole last month ${money(t.lastMonth)}`
          }
          testId="stat-change"
        />
        <Stat
          label={`Forecast (${review.forecast.source === 'aws' ? 'Cost Explorer' : review.forecast.source === 'complete' ? 'month closed' : 'run rate'})`}
          value={money(review.forecast.monthEnd, 0)}
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
          value={money(idleWaste, 0)}
          tone={Number(idleWaste.amount) > 0 ? 'warning' : undefined}
          title={`Allocated but unused ${money(t.idleGpu)}; never allocated ${money(t.unallocatedGpu)}; all GPU ${money(t.gpu)}`}
          testId="stat-idle"
        />
        <Stat
          label="Unattributed"
          value={money(t.unattributed, 0)}
          tone={Number(t.unattributed.amount) > 0 ? 'warning' : undefined}
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
          previousDays={review.previousDaysWithCost}
        />
        <GroupTable
          title="By namespace"
          rows={review.namespaces}
          testId="cost-by-namespace"
          previousDays={review.previousDaysWithCost}
        />
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

function ExportDone({ result }: { result: ExportResult }) {
  const transportKind = useApp((s) => s.transportKind);
  const [images] = useState(() => chartImages());
  return (
    <Banner
      tone="info"
      title={`Exported ${result.files.length} file${result.files.length === 1 ? '' : 's'}`}
      testId="export-done"
    >
      Saved in <span className="mono">{result.directory}</span>:{' '}
      {result.files.map((f, i) => {
        const png = f.name.endsWith('.png');
        const img = png ? images.find((c) => f.name.endsWith(`-${c.name}.png`)) : undefined;
        return (
          <span key={f.name}>
            {i > 0 && ', '}
            {transportKind !== 'electron' && (png ? img : true) ? (
              <a
                className="cost-download"
                href={png ? img?.dataUrl : undefined}
                download={f.name}
                onClick={(e) => {
                  if (png) return;
                  e.preventDefault();
                  triggerDownload(result.download.fileName, result.download.mediaType, result.download.text);
                }}
                data-testid="export-file"
              >
                {f.name}
              </a>
            ) : (
              <span className="mono" data-testid="export-file">
                {f.name}
              </span>
            )}
          </span>
        );
      })}
    </Banner>
  );
}

function budgetPill(status: CostRow['budgetStatus']) {
  if (status === 'none') return null;
  const cls =
    status === 'over' ? 'pill pill-critical' : status === 'at_risk' ? 'pill pill-warning' : 'pill pill-muted';
  return <span className={cls}>{status === 'at_risk' ? 'at risk' : status}</span>;
}

function ModelTable({ review }: { review: CostReview }) {
  return (
    <section className="panel-card" data-testid="cost-by-model">
      <h3 className="section-title">
        By model{' '}
        <span className="muted">
          attributed by {review.attribution.by} “{review.attribution.key}”
        </span>
      </h3>
      {review.models.length === 0 ? (
        <p className="muted">No cost this month.</p>
      ) : (
        <div className="cost-table-wrap">
          <table className="grid compact cost-table">
            <colgroup>
              <col className="c-model" />
              <col className="c-ns" />
              <col className="c-money" />
              <col className="c-money" />
              <col className="c-change" />
              <col className="c-share" />
              <col className="c-share" />
              <col className="c-count" />
              <col className="c-unit" />
              <col className="c-unit" />
              <col className="c-money" />
              <col className="c-budget" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Namespace</th>
                <th scope="col" className="num">
                  This month
                </th>
                <th
                  scope="col"
                  className="num"
                  title="Last month's first days, as many as this month has so far"
                >
                  Last month
                </th>
                <th scope="col" className="num">
                  Change
                </th>
                <th scope="col" className="num" title="GPU share of the cost">
                  GPU
                </th>
                <th scope="col" className="num" title="Idle share of the GPU cost (days with utilisation)">
                  Idle
                </th>
                <th scope="col" className="num" title="Successful requests over the measured days">
                  Requests
                </th>
                <th
                  scope="col"
                  className="num"
                  title="Attributed cost / successful requests x 1000, same days"
                >
                  Per 1k
                </th>
                <th scope="col" className="num" title="For LLMs: cost per million generated tokens">
                  Per 1M tok.
                </th>
                <th scope="col" className="num">
                  Forecast
                </th>
                <th scope="col" className="num">
                  Budget
                </th>
              </tr>
            </thead>
            <tbody>
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
                    {r.kind === 'unmatched' && (
                      <span className="pill pill-muted cost-pill">not in cluster</span>
                    )}
                  </td>
                  <td className="ellipsis muted">{r.namespace ?? NONE}</td>
                  <td className="num tnum">{money(r.thisMonth)}</td>
                  <td className="num tnum muted">{money(r.lastMonthToDate)}</td>
                  <td className={`num tnum ${changeTone(r.changeRatio)}`} title={signed(r.change)}>
                    {changeText(r.change, r.changeRatio, review.previousDaysWithCost)}
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
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The change as a percentage; "new" where last month had none; a dash where last month has no data at all. */
function changeText(change: MoneyWire, ratio: number | null, previousDays: number): string {
  if (previousDays === 0) return NONE;
  if (ratio !== null) return signedPct(ratio);
  return change.amount === '0' ? '0' : 'new';
}

function changeTone(r: number | null): string {
  if (r === null) return '';
  if (r > 0.2) return 'sev-critical';
  if (r > 0.05) return 'sev-warning';
  if (r < -0.05) return 'sev-ok';
  return '';
}

function GroupTable({
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
    <section className="panel-card" data-testid={testId}>
      <h3 className="section-title">{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">No cost.</p>
      ) : (
        <table className="grid compact">
          <thead>
            <tr>
              <th scope="col">{title.replace('By ', '').replace(/^./, (c) => c.toUpperCase())}</th>
              <th scope="col" className="num">
                This month
              </th>
              <th scope="col" className="num">
                Same days last month
              </th>
              <th scope="col" className="num">
                Change
              </th>
              <th scope="col" className="num">
                Forecast
              </th>
              <th scope="col" className="num">
                Budget
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <tr key={g.key}>
                <td className="ellipsis">{g.key}</td>
                <td className="num tnum">{money(g.thisMonth)}</td>
                <td className="num tnum muted">{money(g.lastMonthToDate)}</td>
                <td className={`num tnum ${changeTone(g.changeRatio)}`} title={signed(g.change)}>
                  {changeText(g.change, g.changeRatio, previousDays)}
                </td>
                <td className="num tnum">{money(g.forecast, 0)}</td>
                <td className="num">
                  {g.budget ? money(g.budget, 0) : ''} {budgetPill(g.budgetStatus)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function TopMovers({ review }: { review: CostReview }) {
  return (
    <section className="panel-card" data-testid="cost-movers">
      <h3 className="section-title">
        Top movers <span className="muted">against last month, same days</span>
      </h3>
      {review.topMovers.length === 0 ? (
        <p className="muted">Nothing moved.</p>
      ) : (
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
      )}
    </section>
  );
}

function Anomalies({ review }: { review: CostReview }) {
  return (
    <section className="panel-card" data-testid="cost-anomalies">
      <h3 className="section-title">
        Anomalies{' '}
        <span className="muted">
          {review.sources.find((s) => s.kind === 'aws')?.status === 'ok'
            ? 'Cost Explorer anomaly detection'
            : 'over the 14-day mean of each model'}
        </span>
      </h3>
      {review.anomalies.length === 0 ? (
        <p className="muted">None detected.</p>
      ) : (
        <table className="grid compact">
          <thead>
            <tr>
              <th scope="col">Days</th>
              <th scope="col">Where</th>
              <th scope="col" className="num">
                Impact
              </th>
              <th scope="col">Root cause</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      )}
    </section>
  );
}
