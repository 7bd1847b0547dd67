/** The Cost Explorer operations the test server answers. */
import { SANDBOX_ACCOUNT_ID, SANDBOX_ACCOUNT_NAME, SANDBOX_REGION } from './anomalies';
import type { DetectedAnomaly } from './anomalies';
import { addMonths, formatDay, monthStart, splitPeriods } from './dates';
import type { Period } from './dates';
import { formatCost, formatQuantity, fromNumber, toNumber } from './decimal';
import { ApiError, validation } from './errors';
import { paginate, requestHash } from './paging';
import { compileExpression, dimensionValue, SUPPORTED_DIMENSIONS, tagValue } from './store';
import type { Predicate, StoredRecord, SupportedDimension } from './store';
import { mean, normalQuantile, stddev } from './stats';
import {
  badValue,
  checkHistoryWindow,
  isObject,
  missing,
  optionalEnum,
  optionalInt,
  optionalString,
  parseDateMember,
  parseTimePeriod,
  requireObject,
  requireString,
} from './validate';
import type { DayRange, Json } from './validate';

export interface OpContext {
  records: StoredRecord[];
  today: number;
  /** First day of the 13-month history window. */
  earliest: number;
  pageSize: number;
  monitorArn: string;
  anomalies: DetectedAnomaly[];
  beforePage: (page: number) => void;
  /** Per-server memo of expensive aggregations, keyed by request hash. */
  cache: Map<string, unknown>;
}

const CACHE_ENTRIES = 64;

function cached<T>(ctx: OpContext, key: string, compute: () => T): T {
  if (ctx.cache.has(key)) return ctx.cache.get(key) as T;
  const value = compute();
  if (ctx.cache.size >= CACHE_ENTRIES) ctx.cache.delete(ctx.cache.keys().next().value as string);
  ctx.cache.set(key, value);
  return value;
}

export type Operation = (ctx: OpContext, body: Json) => Json;

// ---------------------------------------------------------------------------------------------------------
// shared pieces

type Field = 'unblended' | 'amortized' | 'usage';

/** Cost Explorer metric names -> the record field summed. Blended/Net* equal their base in a single account without discounts. */
const METRICS: Record<string, Field> = {
  UnblendedCost: 'unblended',
  AmortizedCost: 'amortized',
  UsageQuantity: 'usage',
  BlendedCost: 'unblended',
  NetUnblendedCost: 'unblended',
  NetAmortizedCost: 'amortized',
};

function metricValue(field: Field, sum: bigint): { Amount: string; Unit: string } {
  return field === 'usage'
    ? { Amount: formatQuantity(sum), Unit: 'N/A' }
    : { Amount: formatCost(sum), Unit: 'USD' };
}

function optionalFilter(body: Json): Predicate {
  const f = body['Filter'];
  return f === undefined || f === null ? () => true : compileExpression(f);
}

function inRange(r: StoredRecord, range: DayRange): boolean {
  return r.day >= range.start && r.day < range.end;
}

/** Current-month data is not final on the real service: `Estimated` is true for any period reaching into it. */
function isEstimated(p: Period, today: number): boolean {
  return p.end > monthStart(today);
}

function timePeriod(p: Period): { Start: string; End: string } {
  return { Start: formatDay(p.start), End: formatDay(p.end) };
}

// ---------------------------------------------------------------------------------------------------------
// GetCostAndUsage

type GroupDef = { Type: 'TAG'; Key: string } | { Type: 'DIMENSION'; Key: SupportedDimension };

function parseGroupBy(body: Json): GroupDef[] {
  const v = body['GroupBy'];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) badValue('GroupBy', v, 'Member must be a list');
  if (v.length > 2)
    throw validation('You can only group by up to two different groups (GroupBy has at most 2 entries)');
  const out: GroupDef[] = [];
  v.forEach((g: unknown, i) => {
    const path = `GroupBy[${i}]`;
    if (!isObject(g)) badValue(path, g, 'Member must be a structure');
    const type = optionalEnum(g, 'Type', ['DIMENSION', 'TAG', 'COST_CATEGORY'] as const, `${path}.Type`);
    const key = optionalString(g, 'Key', `${path}.Key`);
    if (!type) throw validation(`${path}.Type is required`);
    if (!key) throw validation(`${path}.Key is required`);
    if (type === 'COST_CATEGORY')
      throw validation(
        'No cost categories are defined in this account (the Cost Explorer test server supports none)',
      );
    if (type === 'DIMENSION') {
      if (!(SUPPORTED_DIMENSIONS as readonly string[]).includes(key)) {
        throw validation(
          `Group Definition dimension ${key} is not supported by this Cost Explorer test server (supported: ${SUPPORTED_DIMENSIONS.join(', ')})`,
        );
      }
      out.push({ Type: 'DIMENSION', Key: key as SupportedDimension });
    } else {
      out.push({ Type: 'TAG', Key: key });
    }
  });
  if (out.length === 2 && out[0]?.Type === out[1]?.Type && out[0]?.Key === out[1]?.Key) {
    throw validation('Duplicate GroupBy definitions are not allowed');
  }
  return out;
}

function groupKey(r: StoredRecord, g: GroupDef): string {
  return g.Type === 'TAG' ? `${g.Key}$${tagValue(r, g.Key) ?? ''}` : dimensionValue(r, g.Key);
}

const getCostAndUsage: Operation = (ctx, body) => {
  const range = parseTimePeriod(body);
  const granularity = requireString(body, 'Granularity');
  if (granularity === 'HOURLY') {
    throw validation(
      'Hourly granularity is an opt-in feature: enable hourly granularity in Cost Management preferences (not available in this sandbox)',
    );
  }
  if (granularity !== 'DAILY' && granularity !== 'MONTHLY')
    badValue('Granularity', granularity, 'Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]');
  const metricsRaw = body['Metrics'];
  if (metricsRaw === undefined || metricsRaw === null) missing('Metrics');
  if (
    !Array.isArray(metricsRaw) ||
    metricsRaw.length === 0 ||
    metricsRaw.some((m) => typeof m !== 'string')
  ) {
    throw validation('Metrics must be a non-empty list of metric names');
  }
  const metrics = [...new Set(metricsRaw as string[])];
  for (const m of metrics) {
    if (m === 'NormalizedUsageAmount')
      throw validation('Metric NormalizedUsageAmount is not supported by this Cost Explorer test server');
    if (!(m in METRICS))
      throw validation(
        `Invalid metric: ${m}. Valid values are AmortizedCost, BlendedCost, NetAmortizedCost, NetUnblendedCost, NormalizedUsageAmount, UnblendedCost, and UsageQuantity`,
      );
  }
  const groupBy = parseGroupBy(body);
  const filter = optionalFilter(body);
  checkHistoryWindow(range, ctx.today, ctx.earliest);

  const fields = metrics.map((m) => METRICS[m] as Field);
  type Group = { keys: string[]; sums: bigint[] };
  // Units of pagination: an ungrouped period, or one group of one period (a period without groups still
  // counts once so that it appears). A period's groups may be split over two pages, as on the real service.
  type Unit = { p: number; group?: Group };
  // The aggregation is computed once per distinct request and reused for its later pages.
  const { periods, totals, units } = cached(ctx, requestHash('GetCostAndUsage', body), () => {
    const periods = splitPeriods(range.start, range.end, granularity);
    const periodOfDay = new Map<number, number>();
    periods.forEach((p, i) => {
      for (let d = p.start; d < p.end; d++) periodOfDay.set(d, i);
    });

    const totals = periods.map(() => fields.map(() => 0n));
    const groups = periods.map(() => new Map<string, Group>());
    for (const r of ctx.records) {
      if (!inRange(r, range) || !filter(r)) continue;
      const pi = periodOfDay.get(r.day) as number;
      if (groupBy.length === 0) {
        const t = totals[pi] as bigint[];
        fields.forEach((f, i) => (t[i] = (t[i] as bigint) + r[f]));
      } else {
        const keys = groupBy.map((g) => groupKey(r, g));
        const id = keys.join('\u0000');
        const map = groups[pi] as Map<string, Group>;
        let g = map.get(id);
        if (!g) map.set(id, (g = { keys, sums: fields.map(() => 0n) }));
        const s = g.sums;
        fields.forEach((f, i) => (s[i] = (s[i] as bigint) + r[f]));
      }
    }

    const units: Unit[] = [];
    periods.forEach((_, p) => {
      if (groupBy.length === 0) {
        units.push({ p });
        return;
      }
      const list = [...(groups[p] as Map<string, Group>).values()].sort((a, b) =>
        a.keys.join('\u0000') < b.keys.join('\u0000') ? -1 : 1,
      );
      if (list.length === 0) units.push({ p });
      for (const group of list) units.push({ p, group });
    });
    return { periods, totals, units };
  });
  const metricsOf = (sums: bigint[]): Json =>
    Object.fromEntries(metrics.map((m, i) => [m, metricValue(fields[i] as Field, sums[i] as bigint)]));

  const page = paginate(
    { op: 'GetCostAndUsage', body, pageSize: ctx.pageSize, beforePage: ctx.beforePage },
    units,
  );
  const results: Json[] = [];
  let lastP = -1;
  for (const u of page.items) {
    const period = periods[u.p] as Period;
    if (u.p !== lastP) {
      results.push({
        TimePeriod: timePeriod(period),
        Total: groupBy.length === 0 ? metricsOf(totals[u.p] as bigint[]) : {},
        Groups: [],
        Estimated: isEstimated(period, ctx.today),
      });
      lastP = u.p;
    }
    if (u.group) {
      (results[results.length - 1]?.['Groups'] as Json[]).push({
        Keys: u.group.keys,
        Metrics: metricsOf(u.group.sums),
      });
    }
  }
  const out: Json = { ResultsByTime: results, DimensionValueAttributes: [] };
  if (groupBy.length > 0) out['GroupDefinitions'] = groupBy.map((g) => ({ Type: g.Type, Key: g.Key }));
  if (page.nextPageToken) out['NextPageToken'] = page.nextPageToken;
  return out;
};

// ---------------------------------------------------------------------------------------------------------
// GetCostForecast

/**
 * Forecast model (documented): mean m and sample standard deviation s of the daily totals (after Filter)
 * over the 14 complete days before `today`. A forecast period of n days has MeanValue n*m and the prediction
 * interval n*m -/+ z*s*sqrt(n) with z the normal quantile for PredictionIntervalLevel (default 80), the lower
 * bound floored at 0. Total = the sum of the MeanValues. No spend at all in those 14 days ->
 * DataUnavailableException (the real service also needs history).
 */
export const FORECAST_HISTORY_DAYS = 14;

const FORECAST_METRICS: Record<string, Field | undefined> = {
  UNBLENDED_COST: 'unblended',
  BLENDED_COST: 'unblended',
  NET_UNBLENDED_COST: 'unblended',
  AMORTIZED_COST: 'amortized',
  NET_AMORTIZED_COST: 'amortized',
  USAGE_QUANTITY: undefined,
  NORMALIZED_USAGE_AMOUNT: undefined,
};

function addMonthsSameDay(day: number, months: number): number {
  const d = new Date(day * 86_400_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()) / 86_400_000;
}

const getCostForecast: Operation = (ctx, body) => {
  const range = parseTimePeriod(body);
  const metric = requireString(body, 'Metric');
  if (!(metric in FORECAST_METRICS)) {
    badValue(
      'Metric',
      metric,
      `Member must satisfy enum value set: [${Object.keys(FORECAST_METRICS).join(', ')}]`,
    );
  }
  const field = FORECAST_METRICS[metric];
  if (!field)
    throw validation(
      `GetCostForecast does not support metric ${metric}; use GetUsageForecast for usage metrics`,
    );
  const granularity = requireString(body, 'Granularity');
  if (granularity !== 'DAILY' && granularity !== 'MONTHLY') {
    if (granularity === 'HOURLY')
      throw validation('GetCostForecast supports only DAILY and MONTHLY granularities');
    badValue('Granularity', granularity, 'Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]');
  }
  const level = optionalInt(body, 'PredictionIntervalLevel', 51, 99) ?? 80;
  const filter = optionalFilter(body);
  if (range.start < ctx.today) {
    throw validation(
      `Start date ${formatDay(range.start)} must be equal to or later than the current date ${formatDay(ctx.today)}`,
    );
  }
  const horizon = granularity === 'DAILY' ? addMonthsSameDay(ctx.today, 3) : addMonths(ctx.today, 18);
  if (range.end > horizon) {
    throw validation(
      `End date ${formatDay(range.end)} is too far in the future: ${granularity === 'DAILY' ? '3 months of DAILY' : '18 months of MONTHLY'} forecasts are available (up to ${formatDay(horizon)})`,
    );
  }

  const histStart = ctx.today - FORECAST_HISTORY_DAYS;
  const daily = new Array<bigint>(FORECAST_HISTORY_DAYS).fill(0n);
  let seen = 0;
  for (const r of ctx.records) {
    if (r.day < histStart || r.day >= ctx.today || !filter(r)) continue;
    const i = r.day - histStart;
    daily[i] = (daily[i] as bigint) + r[field];
    seen++;
  }
  if (seen === 0)
    throw new ApiError(
      'DataUnavailableException',
      'Insufficient amount of historical data to generate forecast.',
    );
  const xs = daily.map(toNumber);
  const m = mean(xs);
  const s = stddev(xs);
  const z = normalQuantile(0.5 + level / 200);

  let total = 0n;
  const results = splitPeriods(range.start, range.end, granularity).map((p) => {
    const n = p.end - p.start;
    const meanValue = m * n;
    const half = z * s * Math.sqrt(n);
    const lower = meanValue - half;
    const meanFixed = fromNumber(meanValue);
    total += meanFixed;
    return {
      TimePeriod: timePeriod(p),
      MeanValue: formatCost(meanFixed),
      PredictionIntervalLowerBound: formatCost(fromNumber(meanValue >= 0 ? Math.max(0, lower) : lower)),
      PredictionIntervalUpperBound: formatCost(fromNumber(meanValue + half)),
    };
  });
  return { Total: { Amount: formatCost(total), Unit: 'USD' }, ForecastResultsByTime: results };
};

// ---------------------------------------------------------------------------------------------------------
// GetAnomalies

/** Anomaly history is kept 90 days. */
export const ANOMALY_RETENTION_DAYS = 90;

function anomalyDate(day: number): string {
  return `${formatDay(day)}T00:00:00Z`;
}

const getAnomalies: Operation = (ctx, body) => {
  const interval = requireObject(body, 'DateInterval');
  const start = parseDateMember(
    requireString(interval, 'StartDate', 'DateInterval.StartDate'),
    'DateInterval.StartDate',
  );
  const endRaw = optionalString(interval, 'EndDate', 'DateInterval.EndDate');
  const end = endRaw === undefined ? ctx.today : parseDateMember(endRaw, 'DateInterval.EndDate');
  if (end < start) throw validation('DateInterval.EndDate must not be before DateInterval.StartDate');
  const monitorArn = optionalString(body, 'MonitorArn');
  if (monitorArn !== undefined && monitorArn !== ctx.monitorArn) {
    throw new ApiError(
      'UnknownMonitorException',
      `Cost anomaly monitor does not exist for account ${SANDBOX_ACCOUNT_ID}: ${monitorArn}`,
    );
  }
  const feedback = optionalEnum(body, 'Feedback', ['YES', 'NO', 'PLANNED_ACTIVITY'] as const);
  let impactFilter: (x: number) => boolean = () => true;
  const ti = body['TotalImpact'];
  if (ti !== undefined && ti !== null) {
    if (!isObject(ti)) badValue('TotalImpact', ti, 'Member must be a structure');
    const op = optionalEnum(
      ti,
      'NumericOperator',
      [
        'EQUAL',
        'GREATER_THAN_OR_EQUAL',
        'LESS_THAN_OR_EQUAL',
        'GREATER_THAN',
        'LESS_THAN',
        'BETWEEN',
      ] as const,
      'TotalImpact.NumericOperator',
    );
    const a = ti['StartValue'];
    const b = ti['EndValue'];
    if (!op) missing('TotalImpact.NumericOperator');
    if (typeof a !== 'number') missing('TotalImpact.StartValue');
    if (op === 'BETWEEN' && typeof b !== 'number')
      throw validation('TotalImpact.EndValue is required with BETWEEN');
    const hi = typeof b === 'number' ? b : a;
    impactFilter = {
      EQUAL: (x: number) => x === a,
      GREATER_THAN_OR_EQUAL: (x: number) => x >= a,
      LESS_THAN_OR_EQUAL: (x: number) => x <= a,
      GREATER_THAN: (x: number) => x > a,
      LESS_THAN: (x: number) => x < a,
      BETWEEN: (x: number) => x >= a && x <= hi,
    }[op];
  }
  const maxResults = optionalInt(body, 'MaxResults', 1, 100) ?? ctx.pageSize;

  const oldest = ctx.today - ANOMALY_RETENTION_DAYS;
  const matching = ctx.anomalies
    .filter((a) => a.endDay >= oldest && a.endDay >= start && a.endDay <= end)
    .filter(() => feedback === undefined) // no feedback was ever given in the sandbox
    .filter((a) => impactFilter(a.totalImpact))
    .sort((a, b) => b.startDay - a.startDay || a.model.localeCompare(b.model));

  const page = paginate(
    { op: 'GetAnomalies', body, pageSize: maxResults, beforePage: ctx.beforePage },
    matching,
  );
  const out: Json = {
    Anomalies: page.items.map((a) => {
      const impact: Json = {
        MaxImpact: a.maxImpact,
        TotalImpact: a.totalImpact,
        TotalActualSpend: a.totalActual,
        TotalExpectedSpend: a.totalExpected,
      };
      if (a.totalExpected !== 0)
        impact['TotalImpactPercentage'] = Math.round((a.totalImpact / a.totalExpected) * 10_000) / 100;
      return {
        AnomalyId: a.id,
        AnomalyStartDate: anomalyDate(a.startDay),
        AnomalyEndDate: anomalyDate(a.endDay),
        DimensionValue: a.model,
        RootCauses: a.rootCauses.map((c) => ({
          Service: c.service,
          Region: SANDBOX_REGION,
          UsageType: c.usageType,
          LinkedAccount: SANDBOX_ACCOUNT_ID,
          LinkedAccountName: SANDBOX_ACCOUNT_NAME,
          Impact: { Contribution: c.contribution },
        })),
        AnomalyScore: { MaxScore: a.maxScore, CurrentScore: a.currentScore },
        Impact: impact,
        MonitorArn: ctx.monitorArn,
      };
    }),
  };
  if (page.nextPageToken) out['NextPageToken'] = page.nextPageToken;
  return out;
};

// ---------------------------------------------------------------------------------------------------------
// GetTags / GetDimensionValues

function searchMatch(value: string, search: string | undefined): boolean {
  return search === undefined || value.toLowerCase().includes(search.toLowerCase());
}

/** SortBy [{Key: <metric>, SortOrder}] -> order by that metric over the period; otherwise alphabetical. */
function sortValues(body: Json, values: Map<string, StoredRecord[]>): string[] {
  const sortBy = body['SortBy'];
  const names = [...values.keys()].sort();
  if (sortBy === undefined || sortBy === null) return names;
  if (!Array.isArray(sortBy) || sortBy.length === 0 || !isObject(sortBy[0]))
    badValue('SortBy', sortBy, 'Member must be a non-empty list of SortDefinition');
  const def = sortBy[0] as Json;
  const key = requireString(def, 'Key', 'SortBy[0].Key');
  const field = METRICS[key];
  if (!field) throw validation(`Invalid SortBy key: ${key}`);
  const order =
    optionalEnum(def, 'SortOrder', ['ASCENDING', 'DESCENDING'] as const, 'SortBy[0].SortOrder') ??
    'ASCENDING';
  const sum = (v: string): bigint => (values.get(v) ?? []).reduce((a, r) => a + r[field], 0n);
  const sums = new Map(names.map((n) => [n, sum(n)]));
  return names.sort((a, b) => {
    const d = (sums.get(a) as bigint) - (sums.get(b) as bigint);
    const c = d === 0n ? a.localeCompare(b) : d < 0n ? -1 : 1;
    return order === 'ASCENDING' ? c : -c;
  });
}

function lookupRange(ctx: OpContext, body: Json): DayRange {
  const range = parseTimePeriod(body);
  checkHistoryWindow(range, ctx.today, ctx.earliest);
  return range;
}

const getTags: Operation = (ctx, body) => {
  const range = lookupRange(ctx, body);
  const tagKey = optionalString(body, 'TagKey');
  const search = optionalString(body, 'SearchString');
  const filter = optionalFilter(body);
  const maxResults = optionalInt(body, 'MaxResults', 1, 1000) ?? ctx.pageSize;
  const values = new Map<string, StoredRecord[]>();
  const add = (v: string, r: StoredRecord): void => {
    if (!searchMatch(v, search)) return;
    let list = values.get(v);
    if (!list) values.set(v, (list = []));
    list.push(r);
  };
  for (const r of ctx.records) {
    if (!inRange(r, range) || !filter(r)) continue;
    if (tagKey !== undefined) {
      const v = tagValue(r, tagKey);
      if (v !== undefined) add(v, r);
    } else {
      for (const k of Object.keys(r.tags)) if (tagValue(r, k) !== undefined) add(k, r);
    }
  }
  const all = sortValues(body, values);
  const page = paginate({ op: 'GetTags', body, pageSize: maxResults, beforePage: ctx.beforePage }, all);
  const out: Json = { Tags: page.items, ReturnSize: page.items.length, TotalSize: all.length };
  if (page.nextPageToken) out['NextPageToken'] = page.nextPageToken;
  return out;
};

const getDimensionValues: Operation = (ctx, body) => {
  const range = lookupRange(ctx, body);
  const dimension = requireString(body, 'Dimension');
  if (!(SUPPORTED_DIMENSIONS as readonly string[]).includes(dimension)) {
    throw validation(
      `Dimension ${dimension} is not supported by this Cost Explorer test server (supported: ${SUPPORTED_DIMENSIONS.join(', ')})`,
    );
  }
  const context =
    optionalEnum(body, 'Context', ['COST_AND_USAGE', 'RESERVATIONS', 'SAVINGS_PLANS'] as const) ??
    'COST_AND_USAGE';
  if (context !== 'COST_AND_USAGE')
    throw validation(`Context ${context} has no data in this Cost Explorer test server`);
  const search = optionalString(body, 'SearchString');
  const filter = optionalFilter(body);
  const maxResults = optionalInt(body, 'MaxResults', 1, 1000) ?? ctx.pageSize;
  const values = new Map<string, StoredRecord[]>();
  for (const r of ctx.records) {
    if (!inRange(r, range) || !filter(r)) continue;
    const v = dimensionValue(r, dimension as SupportedDimension);
    if (!searchMatch(v, search)) continue;
    let list = values.get(v);
    if (!list) values.set(v, (list = []));
    list.push(r);
  }
  const all = sortValues(body, values);
  const page = paginate(
    { op: 'GetDimensionValues', body, pageSize: maxResults, beforePage: ctx.beforePage },
    all,
  );
  const out: Json = {
    DimensionValues: page.items.map((v) => ({ Value: v, Attributes: {} })),
    ReturnSize: page.items.length,
    TotalSize: all.length,
  };
  if (page.nextPageToken) out['NextPageToken'] = page.nextPageToken;
  return out;
};

export const OPERATIONS: Record<string, Operation> = {
  GetCostAndUsage: getCostAndUsage,
  GetCostForecast: getCostForecast,
  GetAnomalies: getAnomalies,
  GetTags: getTags,
  GetDimensionValues: getDimensionValues,
};
