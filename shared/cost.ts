/**
 * Cost: the shapes that cross the boundary (zod, types inferred) and the UTC calendar both sides use.
 *
 * Time: a day is a UTC calendar day, as an integer (days since 1970-01-01) inside and as `YYYY-MM-DD` on the
 * wire; a period is [start, end) with an exclusive end, like Cost Explorer's TimePeriod. A month is `YYYY-MM`.
 * Money: see money.ts (decimal strings on the wire, exact BigInt units inside, currency always attached).
 */
import { httpUrl } from './settings';
import { z } from 'zod';
import { AppErrorSchema } from './errors';
import { CurrencyCode, DecimalString, MoneyWire } from './money';

// ---------- the UTC calendar ----------

export const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `YYYY-MM-DD` -> day number, or null when it is not a real calendar date. */
export function parseDay(text: string): number | null {
  const m = DAY_RE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC day a moment falls in. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** First day of the month `months` after the month holding `day`. */
export function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1) / DAY_MS;
}

export function monthText(day: number): string {
  return dayText(day).slice(0, 7);
}

/** `YYYY-MM` -> its days [start, end). */
export function monthRange(month: string): DayRange {
  const m = MONTH_RE.exec(month);
  if (!m) throw new RangeError(`not a month (YYYY-MM): ${month}`);
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) / DAY_MS;
  return { start, end: addMonths(start, 1) };
}

export interface DayRange {
  /** first day, inclusive */
  start: number;
  /** exclusive */
  end: number;
}

export const DayText = z.string().refine((s) => parseDay(s) !== null, 'a date as YYYY-MM-DD');
export const MonthText = z.string().regex(MONTH_RE, 'a month as YYYY-MM');

/** [start, end) in UTC days, end exclusive. */
export const Period = z
  .object({ start: DayText, end: DayText })
  .refine(
    (p) => (parseDay(p.end) ?? 0) > (parseDay(p.start) ?? 0),
    'the end (exclusive) must be after the start',
  );
export type Period = z.infer<typeof Period>;

// ---------- settings ----------

export const CostSourceKind = z.enum(['aws', 'opencost', 'focus', 'price-table']);
export type CostSourceKind = z.infer<typeof CostSourceKind>;

export const CostExplorerMetric = z.enum([
  'UnblendedCost',
  'AmortizedCost',
  'NetAmortizedCost',
  'NetUnblendedCost',
]);
export type CostExplorerMetric = z.infer<typeof CostExplorerMetric>;

const tagKey = z.string().trim().min(1).max(128);
const name = z.string().trim().min(1).max(253);

/**
 * How cost is given to model services: by a cost-allocation tag (e.g. `model`), by namespace, or by a pod
 * label (EKS split cost allocation imports pod labels as tags). Cost whose key is empty or missing is shown as
 * unattributed, never dropped.
 */
export const Attribution = z.object({
  by: z.enum(['tag', 'namespace', 'label']),
  /** the tag key (by tag), the namespace tag key on the bill (by namespace) or the pod label key (by label) */
  key: tagKey,
});
export type Attribution = z.infer<typeof Attribution>;

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1');
const endpointUrl = httpUrl;

export const CostSettings = z.object({
  /** the review's currency: amounts in any other currency are kept apart, never converted */
  currency: CurrencyCode,
  attribution: Attribution,
  /** bill tags that name the team and the namespace (for the by-team and by-namespace tables) */
  teamTagKey: tagKey,
  namespaceTagKey: tagKey,
  aws: z.object({
    enabled: z.boolean(),
    /** a profile of ~/.aws/config or ~/.aws/credentials; null = the default chain (env, default profile, SSO, IMDS) */
    profile: z.string().trim().min(1).max(128).nullable(),
    /** Cost Explorer answers in us-east-1 */
    region: awsRegion,
    metric: CostExplorerMetric,
    /** a VPC endpoint or a test server; null = the public endpoint */
    endpoint: endpointUrl.nullable(),
    /** GetAnomalies for one monitor only; null = all monitors */
    anomalyMonitorArn: z.string().trim().max(2048).nullable(),
  }),
  opencost: z.object({ enabled: z.boolean() }),
  /** monthly budgets in the review currency */
  budgets: z.object({
    total: DecimalString.nullable(),
    byModel: z.record(name, DecimalString),
    byTeam: z.record(name, DecimalString),
  }),
  /** namespace -> team, where the bill carries no team tag (OpenCost, price table) */
  teamsByNamespace: z.record(name, name),
});
export type CostSettings = z.infer<typeof CostSettings>;

export const CostSettingsUpdate = z
  .object({
    currency: CurrencyCode,
    attribution: Attribution,
    teamTagKey: tagKey,
    namespaceTagKey: tagKey,
    aws: CostSettings.shape.aws.partial(),
    opencost: CostSettings.shape.opencost,
    budgets: CostSettings.shape.budgets.partial(),
    teamsByNamespace: CostSettings.shape.teamsByNamespace,
  })
  .partial()
  .strict();
export type CostSettingsUpdate = z.infer<typeof CostSettingsUpdate>;

export const DEFAULT_COST_SETTINGS: CostSettings = {
  currency: 'USD',
  attribution: { by: 'tag', key: 'model' },
  teamTagKey: 'team',
  namespaceTagKey: 'namespace',
  aws: {
    enabled: false,
    profile: null,
    region: 'us-east-1',
    metric: 'UnblendedCost',
    endpoint: null,
    anomalyMonitorArn: null,
  },
  opencost: { enabled: false },
  budgets: { total: null, byModel: {}, byTeam: {} },
  teamsByNamespace: {},
};

// ---------- AWS profiles (names only: no key ever leaves main) ----------

export const AwsProfile = z.object({
  name: z.string(),
  /** where it is defined */
  files: z.array(z.enum(['config', 'credentials'])),
  /** an IAM Identity Center (SSO) profile: `aws sso login --profile <name>` refreshes it */
  sso: z.boolean(),
  region: z.string().nullable(),
});
export type AwsProfile = z.infer<typeof AwsProfile>;

export const AwsProfileList = z.object({
  profiles: z.array(AwsProfile),
  /** the files read (that exist) */
  files: z.array(z.string()),
  /** AWS_PROFILE of the main process, if set */
  envProfile: z.string().nullable(),
  /** whether AWS_ACCESS_KEY_ID is set in the main process's environment (the chain's first source) */
  envKeys: z.boolean(),
});
export type AwsProfileList = z.infer<typeof AwsProfileList>;

// ---------- price table ----------

export const PriceEntry = z.object({
  /** `gpu`: price of one GPU-hour of a GPU model; `node`: price of one node-hour of an instance type */
  kind: z.enum(['gpu', 'node']),
  /** the GPU model as dcgm-exporter writes it (`NVIDIA H100 80GB HBM3`) or the instance type (`p5.48xlarge`) */
  match: z.string().trim().min(1).max(128),
  hourly: DecimalString,
  /** GPUs in a node of this instance type (node prices are shared among its GPUs) */
  gpus: z.number().int().min(0).max(64).optional(),
});
export type PriceEntry = z.infer<typeof PriceEntry>;

export const PriceTable = z.object({
  currency: CurrencyCode,
  entries: z.array(PriceEntry).max(500),
  updatedAt: z.string().nullable(),
});
export type PriceTable = z.infer<typeof PriceTable>;

// ---------- Cost Explorer refresh ----------

export const CostExplorerCall = z.object({
  operation: z.enum(['GetCostAndUsage', 'GetCostForecast', 'GetAnomalies']),
  /** what it asks, for people */
  purpose: z.string(),
  /** paid requests it will make: one per page */
  pages: z.number().int().min(1),
  /** false: never made with these settings, so the page count is a minimum */
  pagesKnown: z.boolean(),
  /** when its cached answer was fetched (null: not cached) */
  cachedAt: z.string().nullable(),
});
export type CostExplorerCall = z.infer<typeof CostExplorerCall>;

export const RefreshPlan = z.object({
  month: MonthText,
  calls: z.array(CostExplorerCall),
  /** paid requests in all (USD 0.01 each, every page too) */
  requests: z.number().int().min(0),
  atLeast: z.boolean(),
  price: MoneyWire,
  /** the oldest cached answer among the calls (null: something is not cached) */
  oldestCachedAt: z.string().nullable(),
});
export type RefreshPlan = z.infer<typeof RefreshPlan>;

export const RefreshResult = z.object({
  month: MonthText,
  /** paid requests made (pages included; retries of throttled calls are not billed) */
  requests: z.number().int().min(0),
  price: MoneyWire,
  fetchedAt: z.string(),
});
export type RefreshResult = z.infer<typeof RefreshResult>;

// ---------- FOCUS import ----------

export const FocusBadRow = z.object({
  /** 1-based line of the file (the header is line 1) */
  line: z.number().int().min(1),
  column: z.string().nullable(),
  message: z.string(),
});
export type FocusBadRow = z.infer<typeof FocusBadRow>;

export const FocusImport = z.object({
  id: z.number().int(),
  fileName: z.string(),
  /** the FOCUS version the header matches (1.0 .. 1.3) */
  focusVersion: z.string(),
  rows: z.number().int().min(0),
  period: Period.nullable(),
  totals: z.array(MoneyWire),
  ignoredColumns: z.array(z.string()),
  importedAt: z.string(),
});
export type FocusImport = z.infer<typeof FocusImport>;

/** How far an import under way has read (a 1 GB export takes a while). */
export const FocusImportProgress = z.object({
  fileName: z.string(),
  /** bytes of the file read so far (of the compressed file for gzip) */
  bytesRead: z.number().int().min(0),
  bytesTotal: z.number().int().min(0),
  rows: z.number().int().min(0),
});
export type FocusImportProgress = z.infer<typeof FocusImportProgress>;

// ---------- the review ----------

export const SourceStatus = z.object({
  kind: CostSourceKind,
  status: z.enum(['ok', 'not_configured', 'not_fetched', 'empty', 'error']),
  /** what it contributed, in a sentence */
  detail: z.string(),
  /** when its data was fetched (cache age = now - fetchedAt) */
  fetchedAt: z.string().nullable(),
  error: AppErrorSchema.optional(),
});
export type SourceStatus = z.infer<typeof SourceStatus>;

export const BudgetStatus = z.enum(['none', 'ok', 'at_risk', 'over']);
export type BudgetStatus = z.infer<typeof BudgetStatus>;

export const CostRow = z.object({
  /** the attribution value (tag value, namespace) or '' for unattributed cost */
  key: z.string(),
  name: z.string(),
  kind: z.enum(['model', 'unmatched', 'unattributed']),
  modelServiceId: z.string().nullable(),
  namespace: z.string().nullable(),
  team: z.string().nullable(),
  thisMonth: MoneyWire,
  /** last month over the compared days (see CostReview.comparison): like for like */
  lastMonthToDate: MoneyWire,
  lastMonth: MoneyWire,
  change: MoneyWire,
  changeRatio: z.number().nullable(),
  gpu: MoneyWire,
  /** allocated GPU cost left idle: allocated x (1 - busy share); days without utilisation get the measured share */
  idleGpu: MoneyWire,
  gpuShare: z.number().nullable(),
  /** idle GPU cost / GPU cost (measured over the days whose GPU utilisation is known) */
  idleShare: z.number().nullable(),
  /** days with GPU cost and known utilisation (dcgm-exporter) */
  utilDays: z.number().int().min(0),
  /** successful requests over the measured days (Prometheus increase) */
  successes: z.number().nullable(),
  costPer1k: MoneyWire.nullable(),
  generatedTokens: z.number().nullable(),
  costPer1MTokens: MoneyWire.nullable(),
  /** days that have both cost and request counts: cost per 1k is over these */
  measuredDays: z.number().int().min(0),
  forecast: MoneyWire,
  budget: MoneyWire.nullable(),
  budgetStatus: BudgetStatus,
});
export type CostRow = z.infer<typeof CostRow>;

export const CostGroupRow = z.object({
  key: z.string(),
  thisMonth: MoneyWire,
  lastMonthToDate: MoneyWire,
  lastMonth: MoneyWire,
  change: MoneyWire,
  changeRatio: z.number().nullable(),
  forecast: MoneyWire,
  budget: MoneyWire.nullable(),
  budgetStatus: BudgetStatus,
});
export type CostGroupRow = z.infer<typeof CostGroupRow>;

/** The review's breakdowns besides models, teams and namespaces (from FOCUS exports' columns). */
export const BREAKDOWN_DIMENSIONS = [
  { dimension: 'serviceCategory', title: 'ServiceCategory' },
  { dimension: 'serviceName', title: 'ServiceName' },
  { dimension: 'chargeCategory', title: 'ChargeCategory' },
  { dimension: 'region', title: 'Region' },
  { dimension: 'subAccount', title: 'SubAccount' },
] as const;
export const BreakdownDimension = z.enum([
  'serviceCategory',
  'serviceName',
  'chargeCategory',
  'region',
  'subAccount',
]);
export type BreakdownDimension = z.infer<typeof BreakdownDimension>;

export const CostBreakdown = z.object({
  dimension: BreakdownDimension,
  /** the FOCUS column it is read from */
  title: z.string(),
  /** every row of the month's cost in exactly one group: they add up to the review's totals */
  rows: z.array(CostGroupRow),
});
export type CostBreakdown = z.infer<typeof CostBreakdown>;

export const DailySeries = z.object({
  key: z.string(),
  name: z.string(),
  /** one amount per day of `days` (decimal strings) */
  cost: z.array(z.string()),
  gpu: z.array(z.string()),
  idleGpu: z.array(z.string()),
  /** null where the day has no request count or no requests */
  costPer1k: z.array(z.string().nullable()),
  successes: z.array(z.number().nullable()),
});
export type DailySeries = z.infer<typeof DailySeries>;

export const CostAnomaly = z.object({
  id: z.string(),
  start: DayText,
  /** last day, inclusive (as Cost Explorer reports it) */
  end: DayText,
  dimension: z.string(),
  impact: MoneyWire,
  actual: MoneyWire,
  expected: MoneyWire,
  impactRatio: z.number().nullable(),
  score: z.number(),
  rootCauses: z.array(z.string()),
});
export type CostAnomaly = z.infer<typeof CostAnomaly>;

export const Forecast = z.object({
  source: z.enum(['aws', 'run-rate', 'complete']),
  /** cost of the whole month: actual so far + forecast of the rest */
  monthEnd: MoneyWire,
  low: MoneyWire.nullable(),
  high: MoneyWire.nullable(),
});
export type Forecast = z.infer<typeof Forecast>;

export const KeptApart = z.object({
  money: MoneyWire,
  source: CostSourceKind,
  message: z.string(),
});

/**
 * What a review was built from, cheap to read again (`cost.reviewInputs`): when it differs, the review on
 * screen is out of date and is recomputed, saying what changed.
 */
export const ReviewInputs = z.object({
  /** the context whose model services costs were matched to (null: no cluster connected) */
  cluster: z.string().nullable(),
  /** the Prometheus URL (null: none set) */
  prometheus: z.string().nullable(),
  /** the cost settings, as saved (compared as text) */
  costSettings: z.string(),
  /** FOCUS imports as `id@importedAt`, joined */
  focusImports: z.string(),
  priceTableAt: z.string().nullable(),
  /** the newest cached Cost Explorer answer for the month */
  costExplorerAt: z.string().nullable(),
});
export type ReviewInputs = z.infer<typeof ReviewInputs>;

/** What changed between the inputs of the review on screen and the current ones, in a user's words. */
export function inputChanges(before: ReviewInputs, after: ReviewInputs): string[] {
  const out: string[] = [];
  if (before.cluster !== after.cluster)
    out.push(after.cluster ? `cluster ${after.cluster} connected` : 'cluster disconnected');
  if (before.prometheus !== after.prometheus)
    out.push(after.prometheus ? 'Prometheus set' : 'Prometheus removed');
  if (before.costSettings !== after.costSettings) out.push('cost settings saved');
  if (before.focusImports !== after.focusImports) out.push('FOCUS imports changed');
  if (before.priceTableAt !== after.priceTableAt) out.push('price table edited');
  if (before.costExplorerAt !== after.costExplorerAt) out.push('Cost Explorer data refreshed');
  return out;
}

export const CostReview = z.object({
  month: MonthText,
  period: Period,
  previousPeriod: Period,
  /** the day the review was made (UTC); days from it on are not complete */
  today: DayText,
  /** days of the month with cost so far */
  daysWithCost: z.number().int().min(0),
  /** days of last month with cost from any source (0: nothing to compare with) */
  previousDaysWithCost: z.number().int().min(0),
  /**
   * Like for like: day k of this month against day k of last month, only the days both have cost (`days` of
   * the `of` days so far; 0: no comparison at all); `whole`: a closed month against the whole last month.
   * Every change and "last month" figure of the review is over these days.
   */
  comparison: z.object({
    days: z.number().int().min(0),
    of: z.number().int().min(0),
    whole: z.boolean(),
    thisMonth: MoneyWire,
    lastMonth: MoneyWire,
  }),
  complete: z.boolean(),
  currency: CurrencyCode,
  generatedAt: z.string(),
  inputs: ReviewInputs,
  sources: z.array(SourceStatus),
  attribution: Attribution,
  totals: z.object({
    thisMonth: MoneyWire,
    lastMonthToDate: MoneyWire,
    lastMonth: MoneyWire,
    change: MoneyWire,
    changeRatio: z.number().nullable(),
    unattributed: MoneyWire,
    gpu: MoneyWire,
    idleGpu: MoneyWire,
    /** GPUs nobody allocated (node GPU cost - allocated GPU cost) */
    unallocatedGpu: MoneyWire,
    /** the headline: allocated-idle + never-allocated GPU cost (null: utilisation unknown) */
    idleWaste: MoneyWire.nullable(),
    /** the headline: unattributed cost besides the never-allocated GPUs (those count under idle waste) */
    unattributedOther: MoneyWire,
    /** today's cost so far, estimated from the price table (not in the month's totals) */
    todayEstimate: MoneyWire.nullable(),
    costPer1k: MoneyWire.nullable(),
  }),
  forecast: Forecast,
  budget: z.object({ amount: MoneyWire.nullable(), status: BudgetStatus }),
  models: z.array(CostRow),
  teams: z.array(CostGroupRow),
  namespaces: z.array(CostGroupRow),
  /** by ServiceCategory, ServiceName, ChargeCategory, Region and SubAccount (days from other sources: "(not in …)") */
  breakdowns: z.array(CostBreakdown),
  /** biggest changes against last month to date, largest first */
  topMovers: z.array(
    z.object({ key: z.string(), name: z.string(), change: MoneyWire, changeRatio: z.number().nullable() }),
  ),
  anomalies: z.array(CostAnomaly),
  daily: z.object({ days: z.array(DayText), total: z.array(z.string()), models: z.array(DailySeries) }),
  keptApart: z.array(KeptApart),
  notes: z.array(z.string()),
});
export type CostReview = z.infer<typeof CostReview>;

// ---------- export ----------

export const ChartImage = z.object({
  /** file-name part: `cost-review-2025-06-<name>.png` */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
  title: z.string().min(1).max(200),
  /** `data:image/png;base64,…` from ECharts getDataURL */
  dataUrl: z
    .string()
    .max(4 * 1024 * 1024)
    .regex(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/, 'a PNG data URL'),
});
export type ChartImage = z.infer<typeof ChartImage>;

export const ExportInput = z
  .object({
    month: MonthText,
    format: z.enum(['csv', 'markdown']),
    charts: z.array(ChartImage).max(8).default([]),
  })
  .strict();

export const ExportResult = z.object({
  /** the folder the files were written to, on the machine main runs on */
  directory: z.string(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int().min(0) })),
  /**
   * what the browser saves in serve mode: the CSV as text, the Markdown report as one zip with its images
   * (base64), so a reviewer gets the report and its charts in one file
   */
  download: z.object({
    fileName: z.string(),
    mediaType: z.string(),
    text: z.string().optional(),
    base64: z.string().optional(),
  }),
});
export type ExportResult = z.infer<typeof ExportResult>;

/** Cost per 1k over any period (the war room's tile, the API). */
export const CostPer1kList = z.object({
  period: Period,
  currency: CurrencyCode,
  models: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      cost: MoneyWire,
      successes: z.number().nullable(),
      costPer1k: MoneyWire.nullable(),
      measuredDays: z.number().int(),
    }),
  ),
});
export type CostPer1kList = z.infer<typeof CostPer1kList>;

// ---------- channels (spread into contract.ts) ----------

const empty = z.object({}).strict();
const monthInput = z.object({ month: MonthText }).strict();

export const costChannels = {
  'cost.settings': { input: empty, output: CostSettings },
  /** saves cost settings (never a key: credentials stay with the AWS chain) */
  'cost.updateSettings': { input: CostSettingsUpdate, output: CostSettings },
  /** profile names of ~/.aws/config and ~/.aws/credentials, SSO ones marked */
  'cost.awsProfiles': { input: empty, output: AwsProfileList },
  /** what a Cost Explorer refresh of the month would ask, and its price, before anything is paid */
  'cost.refreshPlan': { input: monthInput, output: RefreshPlan },
  /** the paid refresh; `expectedRequests` is what the user was shown: a bigger plan is refused */
  'cost.refresh': {
    input: z.object({ month: MonthText, expectedRequests: z.number().int().min(0).max(100_000) }).strict(),
    output: RefreshResult,
  },
  'cost.review': { input: monthInput, output: CostReview },
  /** what a review of the month would be built from now (cheap: no Prometheus query, no cluster wait) */
  'cost.reviewInputs': { input: monthInput, output: ReviewInputs },
  'cost.per1k': { input: z.object({ period: Period }).strict(), output: CostPer1kList },
  /** imports a FOCUS export (CSV, gzip CSV or Parquet) from a path on the machine main runs on */
  'cost.importFocus': {
    input: z.object({ path: z.string().trim().min(1).max(4096) }).strict(),
    output: FocusImport,
  },
  /** the import under way, as far as it has read; null when none is running */
  'cost.focusImportProgress': { input: empty, output: FocusImportProgress.nullable() },
  'cost.focusImports': { input: empty, output: z.array(FocusImport) },
  'cost.deleteFocusImport': {
    input: z.object({ id: z.number().int().min(1) }).strict(),
    output: z.array(FocusImport),
  },
  'cost.priceTable': { input: empty, output: PriceTable },
  'cost.updatePriceTable': {
    input: z.object({ currency: CurrencyCode, entries: z.array(PriceEntry).max(500) }).strict(),
    output: PriceTable,
  },
  /** CSV, or Markdown with the charts as PNG files next to it; the text comes back for a browser download */
  'cost.export': { input: ExportInput, output: ExportResult },
} as const;
