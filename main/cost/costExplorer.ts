/**
 * AWS Cost Explorer: what a refresh asks (the plan, with its price: USD 0.01 per request, every page too),
 * running it with pagination, and reading the cached answers back as validated shapes.
 *
 * Credentials come from the SDK's standard chain (environment, the chosen profile of ~/.aws/config or
 * ~/.aws/credentials, IAM Identity Center, container or instance roles); Firebreak only passes the profile's
 * name. Throttled calls are retried by the SDK (standard mode, backoff with jitter). A refresh is all or
 * nothing: its answers go into the cache in one transaction after every page of every call has arrived, so a
 * page failing half-way leaves the cache exactly as it was.
 */
import { createHash } from 'node:crypto';
import {
  CostExplorerClient,
  GetAnomaliesCommand,
  GetCostAndUsageCommand,
  GetCostForecastCommand,
  type CostExplorerClientConfig,
  type GetAnomaliesCommandInput,
  type GetCostAndUsageCommandInput,
  type GetCostForecastCommandInput,
} from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { addMonths, dayText, monthRange, type CostExplorerCall, type CostSettings } from '../../shared/cost';
import { AppError } from '../../shared/errors';
import type { CostCacheEntry, Store } from '../store';

/** USD per request (each page is a request). */
export const PRICE_PER_REQUEST = '0.01';

export type CeOperation = 'GetCostAndUsage' | 'GetCostForecast' | 'GetAnomalies';
export type CeCallKind = 'daily' | 'groups' | 'forecast' | 'anomalies';

export interface CeCallSpec {
  kind: CeCallKind;
  /** the cache key: source, month, what is asked and the settings it depends on (not the moving end date) */
  key: string;
  operation: CeOperation;
  purpose: string;
  input: Record<string, unknown>;
}

const METRIC_UPPER: Record<CostSettings['aws']['metric'], string> = {
  UnblendedCost: 'UNBLENDED_COST',
  AmortizedCost: 'AMORTIZED_COST',
  NetAmortizedCost: 'NET_AMORTIZED_COST',
  NetUnblendedCost: 'NET_UNBLENDED_COST',
};

/** The tag key the bill is grouped by to attribute cost (all three attribution modes are tags on the bill). */
export function attributionTagKey(settings: CostSettings): string {
  return settings.attribution.key;
}

function fingerprint(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

export function cacheKeyPrefix(month: string): string {
  return `aws:${month}:`;
}

/**
 * The calls a refresh of `month` makes, as of `today` (a UTC day number). Last month is fetched with it (the
 * review compares the two). Nothing for a month that has not started.
 */
export function planCeCalls(settings: CostSettings, month: string, today: number): CeCallSpec[] {
  const { start, end } = monthRange(month);
  const prevStart = addMonths(start, -1);
  if (start > today) return [];
  const windowEnd = Math.min(end, today);
  if (windowEnd <= prevStart) return [];
  const aws = settings.aws;
  const fp = (kind: string, extra: unknown[]) =>
    `${cacheKeyPrefix(month)}${kind}:${fingerprint([aws.profile, aws.endpoint, aws.region, aws.metric, ...extra])}`;
  const tag = attributionTagKey(settings);
  // a closed month is compared whole with the whole month before: team and namespace totals by month suffice
  const groupsGranularity = windowEnd === end ? 'MONTHLY' : 'DAILY';
  const calls: CeCallSpec[] = [
    {
      kind: 'daily',
      key: fp('daily', [tag]),
      operation: 'GetCostAndUsage',
      purpose: `daily cost by tag "${tag}" and usage type, ${dayText(prevStart)} to ${dayText(windowEnd)}`,
      input: {
        TimePeriod: { Start: dayText(prevStart), End: dayText(windowEnd) },
        Granularity: 'DAILY',
        Metrics: [aws.metric],
        GroupBy: [
          { Type: 'TAG', Key: tag },
          { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
        ],
      },
    },
    {
      kind: 'groups',
      key: fp('groups', [settings.teamTagKey, settings.namespaceTagKey, groupsGranularity]),
      operation: 'GetCostAndUsage',
      purpose: `${groupsGranularity.toLowerCase()} cost by tags "${settings.teamTagKey}" and "${settings.namespaceTagKey}", ${dayText(prevStart)} to ${dayText(windowEnd)}`,
      input: {
        TimePeriod: { Start: dayText(prevStart), End: dayText(windowEnd) },
        Granularity: groupsGranularity,
        Metrics: [aws.metric],
        GroupBy: [
          { Type: 'TAG', Key: settings.teamTagKey },
          { Type: 'TAG', Key: settings.namespaceTagKey },
        ],
      },
    },
  ];
  if (today >= start && today < end) {
    calls.push({
      kind: 'forecast',
      key: fp('forecast', []),
      operation: 'GetCostForecast',
      purpose: `forecast from ${dayText(today)} to the end of ${month}`,
      input: {
        TimePeriod: { Start: dayText(today), End: dayText(end) },
        Metric: METRIC_UPPER[aws.metric],
        Granularity: 'MONTHLY',
      },
    });
  }
  const anomalyInput: Record<string, unknown> = {
    DateInterval: { StartDate: dayText(prevStart), EndDate: dayText(Math.min(end - 1, today)) },
  };
  if (aws.anomalyMonitorArn) anomalyInput.MonitorArn = aws.anomalyMonitorArn;
  calls.push({
    kind: 'anomalies',
    key: fp('anomalies', [aws.anomalyMonitorArn]),
    operation: 'GetAnomalies',
    purpose: `cost anomalies ${dayText(prevStart)} to ${dayText(Math.min(end - 1, today))}`,
    input: anomalyInput,
  });
  return calls;
}

/** The plan as the UI shows it: each call with the pages it took last time (a minimum when never made). */
export function describePlan(store: Store, calls: CeCallSpec[]): CostExplorerCall[] {
  return calls.map((c) => {
    const cached = store.cost.cacheGet(c.key);
    return {
      operation: c.operation,
      purpose: c.purpose,
      pages: cached?.pages ?? 1,
      pagesKnown: cached !== undefined,
      cachedAt: cached?.fetchedAt ?? null,
    };
  });
}

export interface CeClientOptions {
  profile: string | null;
  region: string;
  endpoint: string | null;
  /** tests and embedding: a credential provider instead of the standard chain */
  credentials?: CostExplorerClientConfig['credentials'];
  maxAttempts?: number;
}

export function createCeClient(opts: CeClientOptions): CostExplorerClient {
  return new CostExplorerClient({
    region: opts.region,
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    maxAttempts: opts.maxAttempts ?? 5,
    retryMode: 'standard',
    requestHandler: { requestTimeout: 30_000, connectionTimeout: 5_000 },
  });
}

interface CallOutcome {
  spec: CeCallSpec;
  pages: unknown[];
  /** the call answered "no data" (forecast without history): kept as such */
  unavailable?: string;
}

/** The SDK's output without its response metadata. */
function body(output: object): Record<string, unknown> {
  const { $metadata: _m, ...rest } = output as Record<string, unknown>;
  return rest;
}

const MAX_PAGES = 500;

async function runCall(
  client: CostExplorerClient,
  spec: CeCallSpec,
  counter: { requests: number },
  signal?: AbortSignal,
): Promise<CallOutcome> {
  const pages: unknown[] = [];
  let token: string | undefined;
  do {
    let output: { NextPageToken?: string } & object;
    try {
      if (spec.operation === 'GetCostAndUsage') {
        const input = {
          ...spec.input,
          ...(token ? { NextPageToken: token } : {}),
        } as GetCostAndUsageCommandInput;
        output = await client.send(new GetCostAndUsageCommand(input), { abortSignal: signal });
      } else if (spec.operation === 'GetAnomalies') {
        const input = {
          ...spec.input,
          ...(token ? { NextPageToken: token } : {}),
        } as GetAnomaliesCommandInput;
        output = await client.send(new GetAnomaliesCommand(input), { abortSignal: signal });
      } else {
        output = await client.send(
          new GetCostForecastCommand(spec.input as unknown as GetCostForecastCommandInput),
          {
            abortSignal: signal,
          },
        );
      }
    } catch (err) {
      if (spec.operation === 'GetCostForecast' && errorName(err) === 'DataUnavailableException') {
        counter.requests++;
        return { spec, pages: [], unavailable: errorMessage(err) };
      }
      throw Object.assign(err as object, { __page: pages.length + 1, __call: spec });
    }
    counter.requests++;
    pages.push(body(output));
    token = output.NextPageToken || undefined;
    if (pages.length >= MAX_PAGES && token) {
      throw new AppError(
        'COST_EXPLORER_ERROR',
        `Cost Explorer kept paging past ${MAX_PAGES} pages for ${spec.purpose}; Firebreak stopped to limit the cost.`,
        'Group by a tag with fewer values, or review a shorter period.',
      );
    }
  } while (token);
  return { spec, pages };
}

export interface RefreshOutcome {
  requests: number;
  fetchedAt: string;
}

/**
 * Makes every call of the plan (pages included) and, only when all have answered, replaces their cached
 * answers in one transaction. On any failure nothing is written and the error says how many paid requests
 * were made.
 */
export async function refreshCostExplorer(
  store: Store,
  client: CostExplorerClient,
  calls: CeCallSpec[],
  context: { profile: string | null; endpoint: string | null; now?: () => Date; signal?: AbortSignal },
): Promise<RefreshOutcome> {
  const counter = { requests: 0 };
  const outcomes: CallOutcome[] = [];
  try {
    for (const spec of calls) outcomes.push(await runCall(client, spec, counter, context.signal));
  } catch (err) {
    throw ceError(err, { ...context, requestsMade: counter.requests });
  }
  const fetchedAt = (context.now?.() ?? new Date()).toISOString();
  const entries: CostCacheEntry[] = outcomes.map((o) => ({
    key: o.spec.key,
    source: 'aws',
    operation: o.spec.operation,
    request: o.spec.input,
    response: o.unavailable !== undefined ? { unavailable: o.unavailable } : { pages: o.pages },
    pages: Math.max(1, o.pages.length),
    fetchedAt,
  }));
  store.cost.cachePutAll(entries);
  return { requests: counter.requests, fetchedAt };
}

function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown };
    if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
    if (typeof e.Code === 'string') return e.Code;
    if (typeof e.code === 'string') return e.code;
  }
  return 'Error';
}

function errorMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.length > 300 ? `${m.slice(0, 300)}…` : m;
}

/** Turns an SDK or credential-chain failure into what a person can act on. */
export function ceError(
  err: unknown,
  context: { profile: string | null; endpoint: string | null; requestsMade?: number },
): AppError {
  if (err instanceof AppError) return err;
  const name = errorName(err);
  const message = errorMessage(err);
  const who = context.profile ? `profile "${context.profile}"` : 'the default AWS credentials';
  const made = context.requestsMade ?? 0;
  const page = (err as { __page?: number })?.__page;
  const call = (err as { __call?: CeCallSpec })?.__call;
  const nothingSaved = `${made} paid request${made === 1 ? ' was' : 's were'} made; nothing was saved, so the review keeps the answers it had.`;
  const attempts = (err as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
  const details = {
    awsError: name,
    requestsMade: made,
    ...(page ? { page } : {}),
    ...(attempts ? { attempts } : {}),
  };

  if (/sso/i.test(message) && /(expired|invalid|refresh|token)/i.test(message)) {
    return new AppError(
      'AWS_CREDENTIALS_EXPIRED',
      `The IAM Identity Center (SSO) session of ${who} has expired.`,
      `Run \`aws sso login${context.profile ? ` --profile ${context.profile}` : ''}\` in a terminal, then refresh again. ${nothingSaved}`,
      details,
    );
  }
  if (
    name === 'CredentialsProviderError' ||
    /could not load credentials|unable to load credentials|profile .* (could not be found|not found)/i.test(
      message,
    )
  ) {
    return new AppError(
      'AWS_CREDENTIALS_MISSING',
      `No AWS credentials could be loaded for ${who}: ${message}`,
      'Pick a profile in Cost settings (one from ~/.aws/config or ~/.aws/credentials), log in with `aws sso login` for SSO profiles, or set AWS_PROFILE before starting Firebreak.',
      details,
    );
  }
  if (['ExpiredTokenException', 'ExpiredToken', 'RequestExpired', 'TokenRefreshRequired'].includes(name)) {
    return new AppError(
      'AWS_CREDENTIALS_EXPIRED',
      `AWS refused the credentials of ${who}: they have expired (${name}).`,
      `Renew them (\`aws sso login\`, or new temporary keys from your identity provider), then refresh again. ${nothingSaved}`,
      details,
    );
  }
  if (
    [
      'UnrecognizedClientException',
      'InvalidClientTokenId',
      'InvalidSignatureException',
      'SignatureDoesNotMatch',
      'IncompleteSignatureException',
      'MissingAuthenticationTokenException',
    ].includes(name)
  ) {
    return new AppError(
      'AWS_CREDENTIALS_EXPIRED',
      `AWS refused the credentials of ${who}: they are no longer valid (${name}: ${message}).`,
      `Renew the access key or log in again, or pick another profile in Cost settings. ${nothingSaved}`,
      details,
    );
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation') {
    return new AppError(
      'AWS_ACCESS_DENIED',
      `The identity of ${who} may not read Cost Explorer (${message}).`,
      'Grant it ce:GetCostAndUsage, ce:GetCostForecast and ce:GetAnomalies (for example the AWS managed policy AWSBillingReadOnlyAccess), or pick another profile.',
      details,
    );
  }
  if (
    ['ThrottlingException', 'LimitExceededException', 'TooManyRequestsException', 'Throttling'].includes(name)
  ) {
    return new AppError(
      'AWS_THROTTLED',
      `Cost Explorer is limiting the request rate and still refused after ${attempts ?? 'several'} attempts.`,
      `Wait a minute and refresh again. ${nothingSaved}`,
      details,
    );
  }
  if (
    name === 'DataUnavailableException' ||
    name === 'InvalidNextTokenException' ||
    name === 'RequestChangedException'
  ) {
    return new AppError(
      'COST_EXPLORER_ERROR',
      `Cost Explorer failed on page ${page ?? '?'} of ${call ? call.purpose : 'a call'} (${name}: ${message}).`,
      `Refresh again in a few minutes. ${nothingSaved}`,
      details,
    );
  }
  const cause = (err as { cause?: { code?: string } })?.cause?.code ?? (err as { code?: string })?.code;
  if (
    cause &&
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)$/.test(cause)
  ) {
    return new AppError(
      'COST_EXPLORER_ERROR',
      `Cannot reach Cost Explorer${context.endpoint ? ` at ${context.endpoint}` : ''} (${cause}).`,
      `Check the network (proxy, VPN) and the endpoint in Cost settings. ${nothingSaved}`,
      details,
    );
  }
  return new AppError(
    'COST_EXPLORER_ERROR',
    `Cost Explorer failed${page ? ` on page ${page}` : ''}: ${name}: ${message}`,
    `Retry in a moment. ${nothingSaved}`,
    details,
  );
}

// ---------- reading the cached answers (validated: the cache is a boundary too) ----------

const MetricValue = z.object({ Amount: z.string(), Unit: z.string() });
const GroupDefinition = z.object({
  Type: z.enum(['DIMENSION', 'TAG', 'COST_CATEGORY']).optional(),
  Key: z.string().optional(),
});
export type GroupDefinition = z.infer<typeof GroupDefinition>;
const CostAndUsagePage = z.object({
  /** what each group key is (the answer says it; the request's GroupBy is the fallback) */
  GroupDefinitions: z.array(GroupDefinition).optional(),
  ResultsByTime: z
    .array(
      z.object({
        TimePeriod: z.object({ Start: z.string(), End: z.string() }),
        Total: z.record(z.string(), MetricValue).optional(),
        Groups: z
          .array(z.object({ Keys: z.array(z.string()), Metrics: z.record(z.string(), MetricValue) }))
          .optional(),
        Estimated: z.boolean().optional(),
      }),
    )
    .default([]),
});
export type CostAndUsagePage = z.infer<typeof CostAndUsagePage>;

/** The group definitions an answer was made with: its own, else the request's GroupBy. */
export function groupDefinitionsOf(page: CostAndUsagePage, request: unknown): GroupDefinition[] {
  if (page.GroupDefinitions && page.GroupDefinitions.length > 0) return page.GroupDefinitions;
  const asked = GroupDefinition.array().safeParse((request as { GroupBy?: unknown } | null)?.GroupBy);
  return asked.success ? asked.data : [];
}

export interface GroupKeys {
  /** the value of tag (or cost category) `key`: '' when the resource is untagged, null when not grouped by it */
  tag(key: string): string | null;
  /** the value of dimension `key` (USAGE_TYPE, SERVICE, …), null when not grouped by it */
  dimension(key: string): string | null;
}

/**
 * Reads a group's Keys by meaning, not position: a tag's value is the key that carries its `Key$` prefix
 * (`model$` alone = untagged), wherever it sits; a dimension's value is one of the keys left over, never a
 * tag's. Definitions and keys are matched by type, so an answer whose keys come in another order than asked is
 * read the same.
 */
export function readGroupKeys(definitions: readonly GroupDefinition[], keys: readonly string[]): GroupKeys {
  const tags = new Map<string, string>();
  const rest: string[] = [];
  const prefixed = definitions.filter((d) => d.Type === 'TAG' || d.Type === 'COST_CATEGORY');
  const taken = new Set<number>();
  for (const def of prefixed) {
    const prefix = `${def.Key ?? ''}$`;
    const i = keys.findIndex((k, j) => !taken.has(j) && k.startsWith(prefix));
    if (i < 0) continue;
    taken.add(i);
    tags.set(def.Key ?? '', (keys[i] as string).slice(prefix.length));
  }
  keys.forEach((k, j) => {
    if (!taken.has(j)) rest.push(k);
  });
  // the dimensions take the keys no tag claimed, in their own order
  const dims = new Map<string, string>();
  const dimDefs = definitions.filter((d) => d.Type === 'DIMENSION');
  dimDefs.forEach((def, i) => {
    const v = rest[i];
    if (v !== undefined) dims.set(def.Key ?? '', v);
  });
  const groupedBy = new Set(prefixed.map((d) => d.Key ?? ''));
  return {
    // grouped by the tag but no key has its prefix: the answer is not about that tag's values, so untagged
    tag: (key) => tags.get(key) ?? (groupedBy.has(key) ? '' : null),
    dimension: (key) => dims.get(key) ?? null,
  };
}

const ForecastPage = z.object({
  Total: MetricValue.optional(),
  ForecastResultsByTime: z
    .array(
      z.object({
        TimePeriod: z.object({ Start: z.string(), End: z.string() }),
        MeanValue: z.string().optional(),
        PredictionIntervalLowerBound: z.string().optional(),
        PredictionIntervalUpperBound: z.string().optional(),
      }),
    )
    .default([]),
});
export type ForecastPage = z.infer<typeof ForecastPage>;

const AnomaliesPage = z.object({
  Anomalies: z
    .array(
      z.object({
        AnomalyId: z.string(),
        AnomalyStartDate: z.string().optional(),
        AnomalyEndDate: z.string().optional(),
        DimensionValue: z.string().optional(),
        RootCauses: z
          .array(
            z.object({
              Service: z.string().optional(),
              Region: z.string().optional(),
              UsageType: z.string().optional(),
              LinkedAccount: z.string().optional(),
            }),
          )
          .optional(),
        AnomalyScore: z.object({ MaxScore: z.number(), CurrentScore: z.number() }).optional(),
        Impact: z.object({
          MaxImpact: z.number().optional(),
          TotalImpact: z.number().optional(),
          TotalActualSpend: z.number().optional(),
          TotalExpectedSpend: z.number().optional(),
          TotalImpactPercentage: z.number().optional(),
        }),
        MonitorArn: z.string().optional(),
      }),
    )
    .default([]),
});
export type AnomaliesPage = z.infer<typeof AnomaliesPage>;

const CachedResponse = z.union([
  z.object({ pages: z.array(z.unknown()) }),
  z.object({ unavailable: z.string() }),
]);

export type CachedCall<T> = { fetchedAt: string; request: unknown } & (
  { pages: T[] } | { unavailable: string }
);

function readCached<T>(store: Store, key: string, schema: z.ZodType<T>, what: string): CachedCall<T> | null {
  const entry = store.cost.cacheGet(key);
  if (!entry) return null;
  const response = CachedResponse.safeParse(entry.response);
  const bad = () =>
    new AppError(
      'COST_EXPLORER_ERROR',
      `The cached Cost Explorer answer for ${what} is not in the expected shape.`,
      'Refresh the Cost Explorer data to replace it.',
    );
  if (!response.success) throw bad();
  if ('unavailable' in response.data)
    return { fetchedAt: entry.fetchedAt, request: entry.request, unavailable: response.data.unavailable };
  const pages: T[] = [];
  for (const p of response.data.pages) {
    const parsed = schema.safeParse(p);
    if (!parsed.success) throw bad();
    pages.push(parsed.data);
  }
  return { fetchedAt: entry.fetchedAt, request: entry.request, pages };
}

export function cachedAnswers(store: Store, calls: CeCallSpec[]) {
  const byKind = new Map(calls.map((c) => [c.kind, c]));
  const get = <T>(kind: CeCallKind, schema: z.ZodType<T>) => {
    const c = byKind.get(kind);
    return c ? readCached(store, c.key, schema, c.purpose) : null;
  };
  return {
    daily: get('daily', CostAndUsagePage),
    groups: get('groups', CostAndUsagePage),
    forecast: get('forecast', ForecastPage),
    anomalies: get('anomalies', AnomaliesPage),
    /** whether this month's plan has a forecast call at all */
    wantsForecast: byKind.has('forecast'),
  };
}
