/**
 * The monthly cost review, assembled from source facts and Prometheus counts (pure: no I/O here).
 *
 * Windows (UTC days, end exclusive): this month = [first day, min(month end, today)) — complete days only;
 * last month; last month to date = its first n days, n = days of this month so far (like for like). Each day is
 * taken from the best source that covers it (Cost Explorer > FOCUS > OpenCost > price table), so two sources
 * never count the same day twice. Amounts in another currency than the review's are kept apart and listed.
 */
import {
  addMonths,
  BREAKDOWN_DIMENSIONS,
  dayText,
  monthRange,
  type Attribution,
  type BreakdownDimension,
  type BudgetStatus,
  type CostAnomaly,
  type CostGroupRow,
  type CostReview,
  type CostRow,
  type CostSettings,
  type CostSourceKind,
  type DailySeries,
  type ReviewInputs,
  type SourceStatus,
} from '../../shared/cost';
import { AppError } from '../../shared/errors';
import {
  amountUnits,
  compareUnits,
  costPer,
  formatAmount,
  formatMoney,
  MoneyBag,
  scaleUnits,
  toWire,
  unitsFromNumber,
  unitsToNumber,
  type Money,
  type MoneyWire,
} from '../../shared/money';
import { costPer1kFigures, type SubjectSeries } from './per1k';
import type { CostFact, PodTarget, SourceFacts } from './sources';

export const PRECEDENCE: readonly CostSourceKind[] = ['aws', 'focus', 'opencost', 'price-table'];
export const UNATTRIBUTED_NAME = 'Unattributed';
const NO_TEAM = '(no team)';
const NO_NAMESPACE = '(no namespace)';
const NO_VALUE = '(none)';

export interface SubjectCounts {
  successes: Float64Array | null;
  tokens: Float64Array | null;
  busy: Float64Array | null;
  samples: Float64Array | null;
}

export interface ReviewInput {
  month: string;
  /** today's UTC day number */
  today: number;
  generatedAt: string;
  /** what it is built from, to notice when that changes (tests and the bench: none) */
  inputs?: ReviewInputs;
  settings: CostSettings;
  sources: SourceFacts[];
  statuses: SourceStatus[];
  targets: readonly PodTarget[] | null;
  /** per subject, arrays over the window's days (last month's first day onwards) */
  prometheus: { measured: boolean[]; subjects: Map<string, SubjectCounts> } | null;
  forecast: {
    start: number;
    total: bigint;
    low: bigint | null;
    high: bigint | null;
    currency: string;
  } | null;
  /** Cost Explorer's anomalies (null: not available, detect from the daily costs) */
  anomalies: CostAnomaly[] | null;
  todayEstimate: Money | null;
  notes: string[];
}

export interface ReviewWindow {
  /** last month's first day: index 0 of every array */
  start: number;
  monthStart: number;
  monthEnd: number;
  /** exclusive: min(month end, today) */
  thisEnd: number;
  lastToDateEnd: number;
}

export function reviewWindow(month: string, today: number): ReviewWindow {
  const { start: monthStart, end: monthEnd } = monthRange(month);
  if (monthStart > today) {
    throw new AppError(
      'INVALID_INPUT',
      `${month} has not started yet.`,
      'Choose this month or an earlier one.',
    );
  }
  const start = addMonths(monthStart, -1);
  const thisEnd = Math.min(monthEnd, today);
  const complete = thisEnd === monthEnd;
  const lastToDateEnd = complete ? monthStart : Math.min(monthStart, start + (thisEnd - monthStart));
  return { start, monthStart, monthEnd, thisEnd, lastToDateEnd };
}

interface SubjectAcc {
  key: string;
  cost: bigint[];
  gpu: bigint[];
  teams: Map<string, number>;
  namespaces: Map<string, number>;
}

function sumRange(xs: readonly bigint[], from: number, to: number): bigint {
  let s = 0n;
  for (let i = from; i < to; i++) s += xs[i] ?? 0n;
  return s;
}

function mostCommon(m: Map<string, number>): string | null {
  let best: string | null = null;
  let n = 0;
  for (const [k, c] of m) if (c > n) [best, n] = [k, c];
  return best;
}

function ratio(change: bigint, base: bigint): number | null {
  if (base === 0n) return null;
  return unitsToNumber(change) / unitsToNumber(base);
}

function budgetStatus(actual: bigint, forecast: bigint, budget: bigint | null): BudgetStatus {
  if (budget === null) return 'none';
  if (actual > budget) return 'over';
  if (forecast > budget) return 'at_risk';
  return 'ok';
}

/** Month-end run rate: actual + mean of the last (up to) 7 days with cost x the days left. */
function runRate(daily: readonly bigint[], from: number, to: number, remaining: number): bigint {
  const actual = sumRange(daily, from, to);
  if (remaining <= 0) return actual;
  const n = Math.min(7, to - from);
  if (n <= 0) return actual;
  const recent = sumRange(daily, to - n, to);
  return actual + scaleUnits(recent, BigInt(remaining), BigInt(n));
}

export function matchTarget(
  key: string,
  attribution: Attribution,
  targets: readonly PodTarget[] | null,
): PodTarget | null {
  if (!targets || !key) return null;
  if (attribution.by === 'namespace') {
    const inNs = targets.filter((t) => t.namespace === key);
    return inNs.length === 1 ? (inNs[0] as PodTarget) : null;
  }
  const k = key.toLowerCase();
  return (
    targets.find((t) => t.name.toLowerCase() === k) ??
    targets.find((t) => t.modelName.toLowerCase() === k) ??
    null
  );
}

/** Covered days a local baseline needs before a day can be called unusual. */
const MIN_BASELINE_DAYS = 7;

/**
 * A simple detector where Cost Explorer's is not available: a day over its 14-day mean by > max(3 sd, 1 unit).
 * The baseline is the days some source covers (a day with no data is unknown, not $0), at least 7 of them, with
 * a mean above zero: without one there is nothing to call unusual ("expected $0.00" is no baseline).
 */
export function detectAnomalies(
  subjects: ReadonlyArray<{ key: string; cost: readonly bigint[] }>,
  window: ReviewWindow,
  currency: string,
  covered: readonly boolean[] = [],
): CostAnomaly[] {
  const out: CostAnomaly[] = [];
  const BASE = 14;
  const isCovered = (i: number) => covered[i] ?? true;
  for (const s of subjects) {
    if (!s.key) continue;
    const xs = s.cost.map(unitsToNumber);
    let open: { start: number; end: number; mean: number; actual: number; max: number } | null = null;
    const close = () => {
      if (!open) return;
      const days = open.end - open.start + 1;
      const expected = open.mean * days;
      const impact = open.actual - expected;
      out.push({
        id: `local-${s.key}-${dayText(window.start + open.start)}`,
        start: dayText(window.start + open.start),
        end: dayText(window.start + open.end),
        dimension: s.key,
        impact: toWire({ units: unitsFromNumber(impact) ?? 0n, currency }),
        actual: toWire({ units: unitsFromNumber(open.actual) ?? 0n, currency }),
        expected: toWire({ units: unitsFromNumber(expected) ?? 0n, currency }),
        impactRatio: expected > 0 ? impact / expected : null,
        score: Math.min(1, open.max),
        rootCauses: [],
      });
      open = null;
    };
    for (let i = BASE; i < xs.length; i++) {
      if (!isCovered(i)) {
        close();
        continue;
      }
      const base: number[] = [];
      for (let j = i - BASE; j < i; j++) if (isCovered(j)) base.push(xs[j] as number);
      if (base.length < MIN_BASELINE_DAYS) {
        close();
        continue;
      }
      const mean = base.reduce((a, b) => a + b, 0) / base.length;
      const sd = Math.sqrt(base.reduce((a, b) => a + (b - mean) ** 2, 0) / (base.length - 1));
      const x = xs[i] as number;
      const threshold = Math.max(3 * sd, 1);
      if (mean <= 0) close();
      else if (x - mean > threshold) {
        const z = (x - mean) / Math.max(sd, 0.01);
        const score = z / (z + 3);
        if (open) {
          open.end = i;
          open.actual += x;
          open.max = Math.max(open.max, score);
        } else open = { start: i, end: i, mean, actual: x, max: score };
      } else close();
    }
    close();
  }
  return out.sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
}

export interface CostMatrix {
  /** the source each day of the range was taken from (null: none covers it) */
  chosen: Array<CostSourceKind | null>;
  subjects: Map<string, SubjectAcc>;
  teamDaily: Map<string, bigint[]>;
  nsDaily: Map<string, bigint[]>;
  /** per breakdown dimension, group -> daily cost; every fact in the review currency lands in one group of each */
  dimDaily: Map<BreakdownDimension, Map<string, bigint[]>>;
  /** amounts in other currencies, per source: kept apart, never converted */
  apart: Map<CostSourceKind, MoneyBag>;
}

/** Each day from the best source covering it; subject x day sums in `currency`, other currencies kept apart. */
export function buildMatrix(
  sources: readonly SourceFacts[],
  range: { start: number; end: number },
  currency: string,
  teamsByNamespace: Record<string, string>,
  options: { groups?: boolean } = {},
): CostMatrix {
  const withGroups = options.groups ?? true;
  const n = Math.max(0, range.end - range.start);
  const chosen: Array<CostSourceKind | null> = new Array(n).fill(null);
  const byKind = new Map(sources.map((s) => [s.kind, s]));
  for (let i = 0; i < n; i++) {
    for (const kind of PRECEDENCE) {
      if (byKind.get(kind)?.days.has(range.start + i)) {
        chosen[i] = kind;
        break;
      }
    }
  }
  const subjects = new Map<string, SubjectAcc>();
  const teamDaily = new Map<string, bigint[]>();
  const nsDaily = new Map<string, bigint[]>();
  const dimDaily = new Map<BreakdownDimension, Map<string, bigint[]>>(
    withGroups ? BREAKDOWN_DIMENSIONS.map((d) => [d.dimension, new Map()]) : [],
  );
  const apart = new Map<CostSourceKind, MoneyBag>();
  const teamOfNs = (ns: string | null) => (ns ? (teamsByNamespace[ns] ?? null) : null);
  const addTo = (m: Map<string, bigint[]>, key: string, i: number, units: bigint) => {
    let arr = m.get(key);
    if (!arr) m.set(key, (arr = new Array<bigint>(n).fill(0n)));
    arr[i] = (arr[i] as bigint) + units;
  };
  for (const src of sources) {
    for (const f of src.facts) {
      const i = f.day - range.start;
      if (i < 0 || i >= n || chosen[i] !== src.kind) continue;
      const units = f.gpu + f.other;
      if (f.currency !== currency) {
        let bag = apart.get(src.kind);
        if (!bag) apart.set(src.kind, (bag = new MoneyBag()));
        bag.addUnits(units, f.currency);
        continue;
      }
      let acc = subjects.get(f.subject);
      if (!acc) {
        subjects.set(
          f.subject,
          (acc = {
            key: f.subject,
            cost: new Array<bigint>(n).fill(0n),
            gpu: new Array<bigint>(n).fill(0n),
            teams: new Map(),
            namespaces: new Map(),
          }),
        );
      }
      acc.cost[i] = (acc.cost[i] as bigint) + units;
      acc.gpu[i] = (acc.gpu[i] as bigint) + f.gpu;
      if (!withGroups) continue;
      for (const [dim, m] of dimDaily) addTo(m, breakdownKey(f, dim, src.kind), i, units);
      const team = f.team ?? teamOfNs(f.namespace);
      if (team) acc.teams.set(team, (acc.teams.get(team) ?? 0) + 1);
      if (f.namespace) acc.namespaces.set(f.namespace, (acc.namespaces.get(f.namespace) ?? 0) + 1);
      if (!src.groups) {
        addTo(teamDaily, team || NO_TEAM, i, units);
        addTo(nsDaily, f.namespace || NO_NAMESPACE, i, units);
      }
    }
    if (src.groups && withGroups) {
      for (const g of src.groups) {
        const i = g.day - range.start;
        if (i < 0 || i >= n || chosen[i] !== src.kind || g.currency !== currency) continue;
        addTo(teamDaily, g.team || NO_TEAM, i, g.amount);
        addTo(nsDaily, g.namespace || NO_NAMESPACE, i, g.amount);
      }
    }
  }
  return { chosen, subjects, teamDaily, nsDaily, dimDaily, apart };
}

/** A fact's group in a breakdown: the FOCUS column's value, "(none)" when empty, or the source that has none. */
function breakdownKey(f: CostFact, dim: BreakdownDimension, kind: CostSourceKind): string {
  if (!f.dims) return `(not in ${sourceName(kind).replace(/^the /, '')})`;
  return f.dims[dim] || NO_VALUE;
}

/** Cost per 1k per subject over any range of days (the `cost.per1k` channel, the bench). */
export function costPer1kForPeriod(input: {
  sources: readonly SourceFacts[];
  range: { start: number; end: number };
  currency: string;
  teamsByNamespace: Record<string, string>;
  prometheus: { measured: boolean[]; subjects: Map<string, SubjectCounts> } | null;
}): Array<{
  key: string;
  name: string;
  cost: bigint;
  successes: number | null;
  costPer1k: bigint | null;
  measuredDays: number;
}> {
  const n = Math.max(0, input.range.end - input.range.start);
  const matrix = buildMatrix(input.sources, input.range, input.currency, input.teamsByNamespace, {
    groups: false,
  });
  const list = [...matrix.subjects.values()];
  const prom = input.prometheus;
  const figures = costPer1kFigures(
    list.map((s) => {
      const c = s.key ? prom?.subjects.get(s.key) : undefined;
      return {
        key: s.key,
        cost: s.cost,
        gpu: s.gpu,
        successes: c?.successes ?? null,
        tokens: null,
        busy: null,
        samples: null,
      };
    }),
    prom?.measured ?? new Array<boolean>(n).fill(false),
    0,
    n,
    { daily: false },
  );
  return figures
    .map((f) => ({
      key: f.key,
      name: f.key || UNATTRIBUTED_NAME,
      cost: f.cost,
      successes: f.successes,
      costPer1k: f.costPer1k,
      measuredDays: f.measuredDays,
    }))
    .sort((a, b) => compareUnits(b.cost, a.cost) || a.name.localeCompare(b.name));
}

export function assembleReview(input: ReviewInput): CostReview {
  const { settings, month } = input;
  const currency = settings.currency;
  const w = reviewWindow(month, input.today);
  const n = w.thisEnd - w.start;
  const mFrom = w.monthStart - w.start;
  const mTo = w.thisEnd - w.start;
  const lFrom = 0;
  const lTo = w.monthStart - w.start;

  // 1-2. which source gives each day, and the subject x day matrix in the review currency
  const { chosen, subjects, teamDaily, nsDaily, dimDaily, apart } = buildMatrix(
    input.sources,
    { start: w.start, end: w.thisEnd },
    currency,
    settings.teamsByNamespace,
  );
  const teamOfNs = (ns: string | null) => (ns ? (settings.teamsByNamespace[ns] ?? null) : null);

  // 3. cost per 1k and idle per subject over this month's days
  const prom = input.prometheus;
  const measured = prom?.measured ?? new Array<boolean>(n).fill(false);
  const list = [...subjects.values()];
  const series: SubjectSeries[] = list.map((s) => {
    const c = prom?.subjects.get(s.key);
    return {
      key: s.key,
      cost: s.cost,
      gpu: s.gpu,
      successes: s.key ? (c?.successes ?? null) : null,
      tokens: s.key ? (c?.tokens ?? null) : null,
      busy: c?.busy ?? null,
      samples: c?.samples ?? null,
    };
  });
  const figures = costPer1kFigures(series, measured, mFrom, mTo);
  const remaining = w.monthEnd - w.thisEnd;
  const complete = remaining === 0;
  const money = (units: bigint): MoneyWire => toWire({ units, currency });
  const nullableMoney = (units: bigint | null): MoneyWire | null => (units === null ? null : money(units));

  // like for like: day k of this month against day k of last month, only where both have cost (a day no
  // source covers is unknown, not $0); a closed month with both months whole compares the whole months
  const thisLen = mTo - mFrom;
  const whole =
    complete &&
    chosen.slice(mFrom, mTo).every((c) => c !== null) &&
    chosen.slice(lFrom, lTo).every((c) => c !== null);
  const pairs: number[] = [];
  if (!whole)
    for (let k = 0; k < thisLen && k < lTo - lFrom; k++)
      if (chosen[mFrom + k] !== null && chosen[lFrom + k] !== null) pairs.push(k);
  const compared = (xs: readonly bigint[]): { now: bigint; before: bigint } => {
    if (whole) return { now: sumRange(xs, mFrom, mTo), before: sumRange(xs, lFrom, lTo) };
    let now = 0n;
    let before = 0n;
    for (const k of pairs) {
      now += xs[mFrom + k] ?? 0n;
      before += xs[lFrom + k] ?? 0n;
    }
    return { now, before };
  };
  const comparedDays = whole ? thisLen : pairs.length;

  // 4. rows
  const rows: CostRow[] = list.map((s, idx) => {
    const fig = figures[idx]!;
    const target = matchTarget(s.key, settings.attribution, input.targets);
    const thisMonth = fig.cost;
    const cmp = compared(s.cost);
    const lastToDate = cmp.before;
    const lastMonth = sumRange(s.cost, lFrom, lTo);
    const change = cmp.now - lastToDate;
    const forecast = runRate(s.cost, mFrom, mTo, remaining);
    const budgetText = s.key ? settings.budgets.byModel[s.key] : undefined;
    const budget = budgetText !== undefined ? amountUnits(budgetText) : null;
    const namespace =
      target?.namespace ??
      (settings.attribution.by === 'namespace' ? s.key || null : mostCommon(s.namespaces));
    return {
      key: s.key,
      name: s.key || UNATTRIBUTED_NAME,
      kind: !s.key ? 'unattributed' : input.targets && !target ? 'unmatched' : 'model',
      modelServiceId: target?.id ?? null,
      namespace,
      team: teamOfNs(namespace) ?? mostCommon(s.teams),
      thisMonth: money(thisMonth),
      lastMonthToDate: money(lastToDate),
      lastMonth: money(lastMonth),
      change: money(change),
      changeRatio: ratio(change, lastToDate),
      gpu: money(fig.gpu),
      idleGpu: money(fig.idle ?? 0n),
      gpuShare: thisMonth !== 0n ? unitsToNumber(fig.gpu) / unitsToNumber(thisMonth) : null,
      idleShare:
        fig.idle !== null && fig.gpu !== 0n ? unitsToNumber(fig.idle) / unitsToNumber(fig.gpu) : null,
      utilDays: fig.utilDays,
      successes: fig.successes,
      costPer1k: fig.costPer1k === null ? null : money(fig.costPer1k),
      generatedTokens: fig.tokens,
      costPer1MTokens: fig.costPer1MTokens === null ? null : money(fig.costPer1MTokens),
      measuredDays: fig.measuredDays,
      forecast: money(forecast),
      budget: budget === null ? null : money(budget),
      budgetStatus: budgetStatus(thisMonth, forecast, budget),
    };
  });
  const order = rows.map((r, i) => ({ r, i, units: amountUnits(r.thisMonth.amount) }));
  order.sort((a, b) => {
    if ((a.r.kind === 'unattributed') !== (b.r.kind === 'unattributed'))
      return a.r.kind === 'unattributed' ? 1 : -1;
    return compareUnits(b.units, a.units) || a.r.name.localeCompare(b.r.name);
  });

  // 5. group tables
  const groupRows = (m: Map<string, bigint[]>, budgets: Record<string, string>): CostGroupRow[] =>
    [...m.entries()]
      .map(([key, daily]) => {
        const thisMonth = sumRange(daily, mFrom, mTo);
        const cmp = compared(daily);
        const forecast = runRate(daily, mFrom, mTo, remaining);
        const budget = budgets[key] !== undefined ? amountUnits(budgets[key] as string) : null;
        return {
          key,
          thisMonth: money(thisMonth),
          lastMonthToDate: money(cmp.before),
          lastMonth: money(sumRange(daily, lFrom, lTo)),
          change: money(cmp.now - cmp.before),
          changeRatio: ratio(cmp.now - cmp.before, cmp.before),
          forecast: money(forecast),
          budget: budget === null ? null : money(budget),
          budgetStatus: budgetStatus(thisMonth, forecast, budget),
        };
      })
      .filter((g) => g.thisMonth.amount !== '0' || g.lastMonth.amount !== '0')
      .sort(
        (a, b) =>
          compareUnits(amountUnits(b.thisMonth.amount), amountUnits(a.thisMonth.amount)) ||
          a.key.localeCompare(b.key),
      );

  // 6. totals and forecast
  const totalDaily = new Array<bigint>(n).fill(0n);
  for (const s of list)
    for (let i = 0; i < n; i++) totalDaily[i] = (totalDaily[i] as bigint) + (s.cost[i] as bigint);
  const thisMonth = sumRange(totalDaily, mFrom, mTo);
  const totalCmp = compared(totalDaily);
  const lastToDate = totalCmp.before;
  const unattributed = subjects.get('');
  let measuredCost = 0n;
  let succ = 0;
  let idle = 0n;
  let idleKnown = false;
  let idleUnknownGpu = false;
  let gpu = 0n;
  figures.forEach((f) => {
    gpu += f.gpu;
    // the unattributed subject's GPUs are all counted as never allocated: its idle part would count twice
    if (f.key) {
      if (f.idle !== null) {
        idle += f.idle;
        idleKnown = true;
      } else if (f.gpu !== 0n) idleUnknownGpu = true;
    }
    if (f.key && f.successes !== null && f.successes > 0) {
      measuredCost += f.measuredCost;
      succ += f.successes;
    }
  });
  let forecast: CostReview['forecast'];
  const fc = input.forecast;
  if (complete) forecast = { source: 'complete', monthEnd: money(thisMonth), low: null, high: null };
  else if (fc && fc.currency === currency && fc.start >= w.monthStart && fc.start <= w.thisEnd) {
    const before = sumRange(totalDaily, mFrom, fc.start - w.start);
    forecast = {
      source: 'aws',
      monthEnd: money(before + fc.total),
      low: fc.low === null ? null : money(before + fc.low),
      high: fc.high === null ? null : money(before + fc.high),
    };
  } else
    forecast = {
      source: 'run-rate',
      monthEnd: money(runRate(totalDaily, mFrom, mTo, remaining)),
      low: null,
      high: null,
    };
  const totalBudget = settings.budgets.total !== null ? amountUnits(settings.budgets.total) : null;

  // 7. daily series for the charts (this month's days)
  const days: string[] = [];
  for (let d = w.monthStart; d < w.thisEnd; d++) days.push(dayText(d));
  const dailyModels: DailySeries[] = order.map(({ r, i }) => {
    const s = list[i]!;
    const fig = figures[i]!;
    return {
      key: r.key,
      name: r.name,
      cost: s.cost.slice(mFrom, mTo).map((u) => formatAmount(u)),
      gpu: s.gpu.slice(mFrom, mTo).map((u) => formatAmount(u)),
      idleGpu: fig.daily.idle.map((u) => formatAmount(u)),
      costPer1k: fig.daily.costPer1k.map((u) => (u === null ? null : formatAmount(u))),
      successes: fig.daily.successes,
    };
  });

  // 8. kept apart, movers, anomalies, notes
  const keptApart: CostReview['keptApart'] = [];
  for (const [kind, bag] of apart) {
    for (const c of bag.currencies()) {
      const m = bag.get(c);
      keptApart.push({
        money: toWire(m),
        source: kind,
        message: `${formatMoney(m)} (${c}) from ${sourceName(kind)} is kept apart: this review is in ${currency}, and Firebreak never converts currencies.`,
      });
    }
  }
  const previousCovered = chosen.slice(lFrom, lTo).filter((c) => c !== null).length;
  const topMovers = (comparedDays === 0 ? [] : rows)
    .map((r) => ({ r, change: amountUnits(r.change.amount) }))
    .filter((x) => x.change !== 0n)
    .sort((a, b) => compareUnits(abs(b.change), abs(a.change)) || a.r.name.localeCompare(b.r.name))
    .slice(0, 5)
    .map(({ r }) => ({ key: r.key, name: r.name, change: r.change, changeRatio: r.changeRatio }));
  const anomalies = (
    input.anomalies ??
    detectAnomalies(
      list.map((s) => ({ key: s.key, cost: s.cost })),
      w,
      currency,
      chosen.map((c) => c !== null),
    )
  ).filter((a) => a.end >= dayText(w.start));
  const notes = [...input.notes];
  if (prom) {
    const withRequests = [...prom.subjects.entries()]
      .filter(([k, c]) => k && c.successes && !subjects.has(k))
      .map(([k]) => k);
    if (withRequests.length > 0) {
      notes.push(
        `Requests were counted for ${withRequests.slice(0, 5).join(', ')}${withRequests.length > 5 ? ` and ${withRequests.length - 5} more` : ''} but no cost is attributed to ${withRequests.length === 1 ? 'it' : 'them'}: check the "${settings.attribution.key}" ${settings.attribution.by === 'namespace' ? 'namespace tag' : 'tag'} on the bill.`,
      );
    }
  }
  if (previousCovered === 0) {
    notes.push(
      `No source has cost for ${dayText(w.start).slice(0, 7)}, so there is nothing to compare with: refresh that month from Cost Explorer, or import its FOCUS export.`,
    );
  } else if (comparedDays === 0) {
    notes.push(
      `The days of ${dayText(w.start).slice(0, 7)} that have cost are not the days of ${month} that have cost, so there is no like-for-like comparison.`,
    );
  } else if (!whole && comparedDays < thisLen) {
    notes.push(
      `The comparison with last month is partial: over the ${comparedDays} day${comparedDays === 1 ? '' : 's'} both months have cost, of the ${thisLen} day${thisLen === 1 ? '' : 's'} of ${month} so far.`,
    );
  }
  const uncovered = chosen.slice(mFrom, mTo).filter((c) => c === null).length;
  if (uncovered > 0)
    notes.push(
      `${uncovered} day${uncovered === 1 ? '' : 's'} of ${month} so far ${uncovered === 1 ? 'has' : 'have'} no cost from any source.`,
    );

  const idleTotal = idle;
  const unallocatedGpu = unattributed ? sumRange(unattributed.gpu, mFrom, mTo) : 0n;
  const unattributedTotal = unattributed ? sumRange(unattributed.cost, mFrom, mTo) : 0n;
  return {
    month,
    period: { start: dayText(w.monthStart), end: dayText(w.monthEnd) },
    previousPeriod: { start: dayText(w.start), end: dayText(w.monthStart) },
    today: dayText(input.today),
    daysWithCost: chosen.slice(mFrom, mTo).filter((c) => c !== null).length,
    previousDaysWithCost: previousCovered,
    comparison: {
      days: comparedDays,
      of: thisLen,
      whole,
      thisMonth: money(totalCmp.now),
      lastMonth: money(totalCmp.before),
    },
    complete,
    currency,
    generatedAt: input.generatedAt,
    inputs: input.inputs ?? {
      cluster: null,
      prometheus: null,
      costSettings: JSON.stringify(settings),
      focusImports: '',
      priceTableAt: null,
      costExplorerAt: null,
    },
    sources: input.statuses,
    attribution: settings.attribution,
    totals: {
      thisMonth: money(thisMonth),
      lastMonthToDate: money(lastToDate),
      lastMonth: money(sumRange(totalDaily, lFrom, lTo)),
      change: money(totalCmp.now - lastToDate),
      changeRatio: ratio(totalCmp.now - lastToDate, lastToDate),
      unattributed: money(unattributedTotal),
      gpu: money(gpu),
      idleGpu: money(idleTotal),
      unallocatedGpu: money(unallocatedGpu),
      // the headlines beside "this month" are disjoint: never-allocated GPUs under idle waste only
      idleWaste: idleKnown || !idleUnknownGpu ? money(idleTotal + unallocatedGpu) : null,
      unattributedOther: money(unattributedTotal - unallocatedGpu),
      todayEstimate:
        input.todayEstimate && input.todayEstimate.currency === currency ? toWire(input.todayEstimate) : null,
      costPer1k: succ > 0 ? nullableMoney(costPer(measuredCost, succ, 1000)) : null,
    },
    forecast,
    budget: {
      amount: totalBudget === null ? null : money(totalBudget),
      status: budgetStatus(thisMonth, amountUnits(forecast.monthEnd.amount), totalBudget),
    },
    models: order.map(({ r }) => r),
    teams: groupRows(teamDaily, settings.budgets.byTeam),
    namespaces: groupRows(nsDaily, {}),
    breakdowns: BREAKDOWN_DIMENSIONS.map(({ dimension, title }) => ({
      dimension,
      title,
      rows: groupRows(dimDaily.get(dimension) ?? new Map(), {}),
    })),
    topMovers,
    anomalies,
    daily: { days, total: totalDaily.slice(mFrom, mTo).map((u) => formatAmount(u)), models: dailyModels },
    keptApart,
    notes,
  };
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

export function sourceName(kind: CostSourceKind): string {
  return kind === 'aws'
    ? 'Cost Explorer'
    : kind === 'focus'
      ? 'the FOCUS import'
      : kind === 'opencost'
        ? 'OpenCost'
        : 'the price table';
}
