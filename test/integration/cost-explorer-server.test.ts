/**
 * The Cost Explorer test server driven by the real @aws-sdk/client-cost-explorer (awsJson1_1 + SigV4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CostExplorerClient,
  DataUnavailableException,
  GetAnomaliesCommand,
  GetCostAndUsageCommand,
  GetCostForecastCommand,
  GetDimensionValuesCommand,
  GetTagsCommand,
  InvalidNextTokenException,
  RequestChangedException,
  UnknownMonitorException,
  paginateGetAnomalies,
} from '@aws-sdk/client-cost-explorer';
import type {
  CostExplorerPaginationConfiguration,
  GetCostAndUsageCommandInput,
  GetCostAndUsageCommandOutput,
  ResultByTime,
} from '@aws-sdk/client-cost-explorer';
import { createPaginator } from '@smithy/core';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { startCostExplorerServer } from '../harness/cost-explorer';
import type { CostExplorerServer, CostRecord } from '../harness/cost-explorer';

/**
 * SDK 3.1138 ships no paginateGetCostAndUsage (the Cost Explorer model does not mark GetCostAndUsage as
 * paginated); this is the paginator the SDK would generate, built with the SDK's own factory.
 */
const paginateGetCostAndUsage = createPaginator<
  CostExplorerPaginationConfiguration,
  GetCostAndUsageCommandInput,
  GetCostAndUsageCommandOutput
>(CostExplorerClient, GetCostAndUsageCommand, 'NextPageToken', 'NextPageToken');

// ---------------------------------------------------------------------------------------------------------
// a small deterministic record set

const TODAY = '2025-06-15';
const FIRST_DAY = '2025-03-01';
const EC2 = 'Amazon Elastic Compute Cloud - Compute';
const S3 = 'Amazon Simple Storage Service';
const EKS = 'Amazon Elastic Kubernetes Service';
const GPU = 'USE1-BoxUsage:p4d.24xlarge';
const STORAGE = 'USE1-TimedStorage-ByteHrs';
const CONTROL = 'USE1-AmazonEKS-Hours:perCluster';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Micro-dollar integer -> "12.345678". */
function usd(micros: number): string {
  const m = Math.round(micros);
  return `${Math.floor(m / 1e6)}.${String(m % 1e6).padStart(6, '0')}`;
}

const MODELS = [
  { model: 'llama-70b-chat', team: 'chat', gpuPerDay: 310 },
  { model: 'mistral-7b', team: 'search', gpuPerDay: 42 },
  { model: 'whisper-large', team: 'speech', gpuPerDay: 18 },
];
const SPIKES: Record<string, Record<string, number>> = {
  // model -> day -> multiplier on the GPU line
  'mistral-7b': { '2025-06-10': 8 },
  'whisper-large': { '2025-05-20': 6, '2025-05-21': 5 },
};

function makeRecords(): CostRecord[] {
  const rnd = mulberry32(42);
  const noise = (): number => 0.95 + rnd() * 0.1; // +-5 %
  const out: CostRecord[] = [];
  for (const date of days(FIRST_DAY, TODAY)) {
    for (const m of MODELS) {
      const tags = { model: m.model, team: m.team, namespace: `inference-${m.team}`, cluster: 'prod-use1' };
      const gpu = m.gpuPerDay * 1e6 * noise() * (SPIKES[m.model]?.[date] ?? 1);
      out.push({
        date,
        service: EC2,
        usageType: GPU,
        tags,
        unblendedCost: usd(gpu),
        amortizedCost: usd(gpu * 0.72),
        usageQuantity: (24 * noise()).toFixed(3),
      });
      const storage = 1.5e6 * noise();
      out.push({
        date,
        service: S3,
        usageType: STORAGE,
        tags,
        unblendedCost: usd(storage),
        amortizedCost: usd(storage),
        usageQuantity: '1200.5',
      });
    }
    // shared, untagged: the EKS control plane and some unattributed GPU time (one record with an empty model tag)
    out.push({
      date,
      service: EKS,
      usageType: CONTROL,
      tags: { cluster: 'prod-use1' },
      unblendedCost: '2.400000',
      amortizedCost: '2.400000',
      usageQuantity: '24',
    });
    const stray = 3e6 * noise();
    out.push({
      date,
      service: EC2,
      usageType: GPU,
      tags: { model: '', team: 'platform' },
      unblendedCost: usd(stray),
      amortizedCost: usd(stray),
      usageQuantity: '1',
    });
  }
  // a credit (negative) in April
  out.push({
    date: '2025-04-03',
    service: EC2,
    usageType: GPU,
    tags: { model: 'llama-70b-chat' },
    unblendedCost: '-25.125000',
    amortizedCost: '-25.125000',
    usageQuantity: '0',
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// independent exact arithmetic (10 fraction digits, like the server's amounts)

function units(amount: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!m) throw new Error(`not a plain decimal: ${amount}`);
  const frac = (m[3] ?? '').padEnd(10, '0');
  if (frac.length > 10) throw new Error(`more than 10 fraction digits: ${amount}`);
  const v = BigInt(m[2] ?? '0') * 10_000_000_000n + BigInt(frac);
  return m[1] === '-' ? -v : v;
}

function sumOf(records: CostRecord[], pick: (r: CostRecord) => string = (r) => r.unblendedCost): bigint {
  return records.reduce((a, r) => a + units(pick(r)), 0n);
}

const inRange = (from: string, to: string) => (r: CostRecord) => r.date >= from && r.date < to;
const modelOf = (r: CostRecord): string => r.tags['model'] ?? '';

const COST_AMOUNT = /^(0|-?\d+\.\d{10})$/;

/** Merges paged ResultsByTime: a period's groups may continue on the next page. */
function mergeByPeriod(pages: ResultByTime[][]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const page of pages) {
    for (const r of page) {
      const key = `${r.TimePeriod?.Start}/${r.TimePeriod?.End}`;
      let groups = out.get(key);
      if (!groups) out.set(key, (groups = new Map()));
      for (const g of r.Groups ?? []) {
        const k = (g.Keys ?? []).join('|');
        expect(groups.has(k), `group ${k} repeated in ${key}`).toBe(false);
        groups.set(k, g.Metrics?.['UnblendedCost']?.Amount ?? 'missing');
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

describe('Cost Explorer test server with the real AWS SDK', () => {
  const records = makeRecords();
  let server: CostExplorerServer;
  let client: CostExplorerClient;
  const clients: CostExplorerClient[] = [];

  const makeClient = (
    over: Partial<{
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
      maxAttempts: number;
    }> = {},
  ): CostExplorerClient => {
    const c = new CostExplorerClient({
      endpoint: server.url,
      region: 'us-east-1',
      maxAttempts: over.maxAttempts ?? 3,
      credentials: {
        accessKeyId: over.accessKeyId ?? server.credentials.accessKeyId,
        secretAccessKey: over.secretAccessKey ?? server.credentials.secretAccessKey,
        ...(over.sessionToken ? { sessionToken: over.sessionToken } : {}),
      },
    });
    clients.push(c);
    return c;
  };

  const paidCalls = (op: string): number =>
    server.requests.filter((r) => r.target === `AWSInsightsIndexService.${op}`).length;

  beforeAll(async () => {
    server = await startCostExplorerServer({ records, today: TODAY, pageSize: 7 });
    client = makeClient();
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.stop();
  });

  it('GetCostAndUsage DAILY grouped by TAG model: paginated, exact sums, untagged under model$', async () => {
    const before = server.requests.length;
    const pages: GetCostAndUsageCommandOutput[] = [];
    for await (const page of paginateGetCostAndUsage(
      { client },
      {
        TimePeriod: { Start: '2025-05-25', End: '2025-06-15' },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost'],
        GroupBy: [{ Type: 'TAG', Key: 'model' }],
      },
    )) {
      pages.push(page);
    }
    // 21 days x 4 groups = 84 groups, 7 per page
    expect(pages.length).toBe(12);
    expect(server.requests.length - before).toBe(12); // every page is a paid request
    expect(pages[0]?.GroupDefinitions).toEqual([{ Type: 'TAG', Key: 'model' }]);
    expect(pages[0]?.DimensionValueAttributes).toEqual([]);
    expect(pages.at(-1)?.NextPageToken).toBeUndefined();
    // a day's groups are split over two pages somewhere
    const firstOfPage2 = pages[1]?.ResultsByTime?.[0]?.TimePeriod?.Start;
    expect(pages[0]?.ResultsByTime?.at(-1)?.TimePeriod?.Start).toBe(firstOfPage2);
    for (const r of pages.flatMap((p) => p.ResultsByTime ?? [])) {
      expect(r.Total).toEqual({});
      expect(r.Estimated).toBe((r.TimePeriod?.Start ?? '') >= '2025-06-01');
    }

    const merged = mergeByPeriod(pages.map((p) => p.ResultsByTime ?? []));
    expect(merged.size).toBe(21);
    let grand = 0n;
    for (const day of days('2025-05-25', '2025-06-15')) {
      const groups = merged.get(`${day}/${days(day, '2025-06-16')[1]}`);
      expect(groups, day).toBeDefined();
      expect([...(groups?.keys() ?? [])].sort()).toEqual([
        'model$',
        'model$llama-70b-chat',
        'model$mistral-7b',
        'model$whisper-large',
      ]);
      for (const [key, amount] of groups ?? []) {
        expect(amount).toMatch(COST_AMOUNT);
        const expected = sumOf(records.filter((r) => r.date === day && `model$${modelOf(r)}` === key));
        expect(units(amount), `${day} ${key}`).toBe(expected);
        grand += units(amount);
      }
    }
    expect(grand).toBe(sumOf(records.filter(inRange('2025-05-25', '2025-06-15'))));
    // the untagged group holds both the missing-key and the empty-value records
    const untagged = merged.get('2025-06-01/2025-06-02')?.get('model$') ?? '';
    expect(units(untagged)).toBe(sumOf(records.filter((r) => r.date === '2025-06-01' && modelOf(r) === '')));
  });

  it('GetCostAndUsage MONTHLY by model and SERVICE, manual NextPageToken loop, all three metrics', async () => {
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: { Start: '2025-03-10', End: '2025-06-15' },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost', 'AmortizedCost', 'UsageQuantity'],
      GroupBy: [
        { Type: 'TAG', Key: 'model' },
        { Type: 'DIMENSION', Key: 'SERVICE' },
      ],
    };
    const results: ResultByTime[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const out = await client.send(new GetCostAndUsageCommand({ ...input, NextPageToken: token }));
      results.push(...(out.ResultsByTime ?? []));
      token = out.NextPageToken;
      calls++;
    } while (token);
    // 4 months; groups: 3 models x (EC2, S3) + untagged x (EC2, EKS) = 8 per month -> 32 -> 5 pages of 7
    expect(calls).toBe(5);
    const periods = [...new Set(results.map((r) => `${r.TimePeriod?.Start}/${r.TimePeriod?.End}`))];
    expect(periods).toEqual([
      '2025-03-10/2025-04-01',
      '2025-04-01/2025-05-01',
      '2025-05-01/2025-06-01',
      '2025-06-01/2025-06-15',
    ]);
    const estimated = new Map(results.map((r) => [r.TimePeriod?.Start, r.Estimated]));
    expect(estimated.get('2025-05-01')).toBe(false);
    expect(estimated.get('2025-06-01')).toBe(true);
    const april = results.filter((r) => r.TimePeriod?.Start === '2025-04-01').flatMap((r) => r.Groups ?? []);
    const llamaEc2 = april.find((g) => g.Keys?.join('|') === `model$llama-70b-chat|${EC2}`);
    const aprilLlamaEc2 = records.filter(
      (r) => inRange('2025-04-01', '2025-05-01')(r) && modelOf(r) === 'llama-70b-chat' && r.service === EC2,
    );
    expect(units(llamaEc2?.Metrics?.['UnblendedCost']?.Amount ?? '')).toBe(sumOf(aprilLlamaEc2)); // includes the -25.125 credit
    expect(units(llamaEc2?.Metrics?.['AmortizedCost']?.Amount ?? '')).toBe(
      sumOf(aprilLlamaEc2, (r) => r.amortizedCost),
    );
    expect(llamaEc2?.Metrics?.['UnblendedCost']?.Unit).toBe('USD');
    expect(units(llamaEc2?.Metrics?.['UsageQuantity']?.Amount ?? '')).toBe(
      sumOf(aprilLlamaEc2, (r) => r.usageQuantity),
    );
    const total = results
      .flatMap((r) => r.Groups ?? [])
      .reduce((a, g) => a + units(g.Metrics?.['UnblendedCost']?.Amount ?? ''), 0n);
    expect(total).toBe(sumOf(records.filter(inRange('2025-03-10', '2025-06-15'))));
  });

  it('ungrouped Totals and filters over tags and dimensions', async () => {
    const q = (Filter?: GetCostAndUsageCommandInput['Filter']) =>
      client.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: '2025-05-01', End: '2025-06-01' },
          Granularity: 'MONTHLY',
          Metrics: ['UnblendedCost', 'UsageQuantity'],
          Filter,
        }),
      );
    const may = records.filter(inRange('2025-05-01', '2025-06-01'));

    const all = await q();
    expect(all.ResultsByTime).toHaveLength(1);
    const r0 = all.ResultsByTime?.[0];
    expect(r0?.Groups).toEqual([]);
    expect(all.GroupDefinitions).toBeUndefined();
    expect(r0?.Total?.['UnblendedCost']?.Amount).toMatch(COST_AMOUNT);
    expect(units(r0?.Total?.['UnblendedCost']?.Amount ?? '')).toBe(sumOf(may));
    expect(r0?.Total?.['UsageQuantity']?.Unit).toBe('N/A');

    const llama = await q({ Tags: { Key: 'model', Values: ['llama-70b-chat'] } });
    expect(units(llama.ResultsByTime?.[0]?.Total?.['UnblendedCost']?.Amount ?? '')).toBe(
      sumOf(may.filter((r) => modelOf(r) === 'llama-70b-chat')),
    );

    const absent = await q({ Tags: { Key: 'model', MatchOptions: ['ABSENT'] } });
    expect(units(absent.ResultsByTime?.[0]?.Total?.['UnblendedCost']?.Amount ?? '')).toBe(
      sumOf(may.filter((r) => modelOf(r) === '')),
    );

    const gpuNotLlama = await q({
      And: [
        { Dimensions: { Key: 'SERVICE', Values: [EC2] } },
        { Not: { Tags: { Key: 'model', Values: ['llama-70b-chat'] } } },
      ],
    });
    expect(units(gpuNotLlama.ResultsByTime?.[0]?.Total?.['UnblendedCost']?.Amount ?? '')).toBe(
      sumOf(may.filter((r) => r.service === EC2 && modelOf(r) !== 'llama-70b-chat')),
    );

    const either = await q({
      Or: [
        { Tags: { Key: 'team', Values: ['speech'] } },
        { Dimensions: { Key: 'USAGE_TYPE', Values: [CONTROL] } },
      ],
    });
    expect(units(either.ResultsByTime?.[0]?.Total?.['UnblendedCost']?.Amount ?? '')).toBe(
      sumOf(may.filter((r) => r.tags['team'] === 'speech' || r.usageType === CONTROL)),
    );

    const nothing = await q({ Tags: { Key: 'model', Values: ['no-such-model'] } });
    expect(nothing.ResultsByTime?.[0]?.Total?.['UnblendedCost']).toEqual({ Amount: '0', Unit: 'USD' });
  });

  it('rejects what Cost Explorer rejects with ValidationException', async () => {
    const bad = async (input: Partial<GetCostAndUsageCommandInput>, message: RegExp): Promise<void> => {
      const err = await client
        .send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: '2025-05-01', End: '2025-06-01' },
            Granularity: 'DAILY',
            Metrics: ['UnblendedCost'],
            ...input,
          }),
        )
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
      expect((err as Error).message).toMatch(message);
    };
    await bad({ TimePeriod: { Start: '2025-05-02', End: '2025-05-02' } }, /before end date/);
    await bad({ TimePeriod: { Start: '2025-06-20', End: '2025-07-01' } }, /future/);
    await bad({ TimePeriod: { Start: '2024-05-31', End: '2024-07-01' } }, /too old/);
    await bad({ Granularity: 'HOURLY' }, /opt-in/);
    await bad({ Metrics: ['UnblendedCosts'] }, /Invalid metric/);
    await bad(
      {
        GroupBy: [
          { Type: 'TAG', Key: 'a' },
          { Type: 'TAG', Key: 'b' },
          { Type: 'TAG', Key: 'c' },
        ],
      },
      /up to two/,
    );
    await bad(
      { Filter: { Tags: { Key: 'model', Values: ['x'] }, Dimensions: { Key: 'SERVICE', Values: [EC2] } } },
      /more than one roots/,
    );
    // the oldest allowed start: the first day of the month 12 months back
    const ok = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: '2024-06-01', End: '2024-06-02' },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost'],
      }),
    );
    expect(ok.ResultsByTime?.[0]?.Total?.['UnblendedCost']?.Amount).toBe('0');
  });

  it('GetCostForecast: trailing-14-day mean with a prediction interval', async () => {
    const hist = records.filter(inRange('2025-06-01', TODAY));
    const daily = days('2025-06-01', TODAY).map(
      (d) => Number(sumOf(hist.filter((r) => r.date === d))) / 1e10,
    );
    const mu = daily.reduce((a, b) => a + b, 0) / daily.length;

    const out = await client.send(
      new GetCostForecastCommand({
        TimePeriod: { Start: TODAY, End: '2025-06-22' },
        Metric: 'UNBLENDED_COST',
        Granularity: 'DAILY',
      }),
    );
    expect(out.ForecastResultsByTime).toHaveLength(7);
    let total = 0;
    for (const f of out.ForecastResultsByTime ?? []) {
      const [m, lo, hi] = [
        Number(f.MeanValue),
        Number(f.PredictionIntervalLowerBound),
        Number(f.PredictionIntervalUpperBound),
      ];
      expect(m).toBeCloseTo(mu, 6);
      expect(lo).toBeLessThan(m);
      expect(hi).toBeGreaterThan(m);
      expect(f.MeanValue).toMatch(COST_AMOUNT);
      total += m;
    }
    expect(out.ForecastResultsByTime?.[0]?.TimePeriod).toEqual({ Start: TODAY, End: '2025-06-16' });
    expect(out.Total?.Unit).toBe('USD');
    expect(Number(out.Total?.Amount)).toBeCloseTo(total, 6);

    const monthly = await client.send(
      new GetCostForecastCommand({
        TimePeriod: { Start: TODAY, End: '2025-09-01' },
        Metric: 'AMORTIZED_COST',
        Granularity: 'MONTHLY',
        PredictionIntervalLevel: 95,
        Filter: { Tags: { Key: 'model', Values: ['mistral-7b'] } },
      }),
    );
    expect(monthly.ForecastResultsByTime?.map((f) => f.TimePeriod)).toEqual([
      { Start: TODAY, End: '2025-07-01' },
      { Start: '2025-07-01', End: '2025-08-01' },
      { Start: '2025-08-01', End: '2025-09-01' },
    ]);
    const june = monthly.ForecastResultsByTime?.[0];
    expect(Number(june?.PredictionIntervalLowerBound)).toBeGreaterThanOrEqual(0);
    expect(Number(june?.PredictionIntervalUpperBound)).toBeGreaterThan(Number(june?.MeanValue));

    await expect(
      client.send(
        new GetCostForecastCommand({
          TimePeriod: { Start: '2025-06-01', End: '2025-06-22' },
          Metric: 'UNBLENDED_COST',
          Granularity: 'DAILY',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      client.send(
        new GetCostForecastCommand({
          TimePeriod: { Start: TODAY, End: '2025-06-22' },
          Metric: 'UNBLENDED_COST',
          Granularity: 'DAILY',
          Filter: { Tags: { Key: 'model', Values: ['no-such-model'] } },
        }),
      ),
    ).rejects.toBeInstanceOf(DataUnavailableException);
  });

  it('GetAnomalies finds the planted spikes, with root causes and impact', async () => {
    const out = await client.send(
      new GetAnomaliesCommand({ DateInterval: { StartDate: '2025-04-01', EndDate: '2025-06-14' } }),
    );
    const anomalies = out.Anomalies ?? [];
    expect(anomalies.map((a) => [a.DimensionValue, a.AnomalyStartDate, a.AnomalyEndDate])).toEqual([
      ['mistral-7b', '2025-06-10T00:00:00Z', '2025-06-10T00:00:00Z'],
      ['whisper-large', '2025-05-20T00:00:00Z', '2025-05-21T00:00:00Z'],
    ]);
    const mistral = anomalies[0];
    expect(mistral?.MonitorArn).toBe(server.monitorArn);
    expect(mistral?.AnomalyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(mistral?.RootCauses?.[0]).toMatchObject({
      Service: EC2,
      UsageType: GPU,
      Region: 'us-east-1',
      LinkedAccount: expect.any(String),
    });
    const actual =
      Number(sumOf(records.filter((r) => r.date === '2025-06-10' && modelOf(r) === 'mistral-7b'))) / 1e10;
    expect(mistral?.Impact?.TotalActualSpend).toBeCloseTo(actual, 2);
    expect(mistral?.Impact?.TotalImpact).toBeGreaterThan(250); // ~7 x $42 over the expected spend
    expect(mistral?.Impact?.MaxImpact).toBeCloseTo(mistral?.Impact?.TotalImpact ?? 0, 2);
    expect(mistral?.AnomalyScore?.MaxScore).toBeGreaterThan(0.5);
    expect(mistral?.AnomalyScore?.MaxScore).toBeLessThanOrEqual(1);
    expect(anomalies[1]?.Impact?.TotalExpectedSpend).toBeGreaterThan(0);

    // paginated one per page with the SDK's paginator; the date interval selects on AnomalyEndDate
    const before = paidCalls('GetAnomalies');
    const ids: string[] = [];
    for await (const page of paginateGetAnomalies(
      { client, pageSize: 1 },
      { DateInterval: { StartDate: '2025-04-01' }, MonitorArn: server.monitorArn },
    )) {
      ids.push(...(page.Anomalies ?? []).map((a) => a.DimensionValue ?? ''));
    }
    expect(ids).toEqual(['mistral-7b', 'whisper-large']);
    expect(paidCalls('GetAnomalies') - before).toBe(2);

    const june = await client.send(
      new GetAnomaliesCommand({
        DateInterval: { StartDate: '2025-06-01' },
        TotalImpact: { NumericOperator: 'GREATER_THAN', StartValue: 100 },
      }),
    );
    expect(june.Anomalies?.map((a) => a.DimensionValue)).toEqual(['mistral-7b']);

    await expect(
      client.send(
        new GetAnomaliesCommand({
          DateInterval: { StartDate: '2025-06-01' },
          MonitorArn: 'arn:aws:ce::123456789012:anomalymonitor/nope',
        }),
      ),
    ).rejects.toBeInstanceOf(UnknownMonitorException);
  });

  it('GetTags and GetDimensionValues', async () => {
    const TimePeriod = { Start: '2025-06-01', End: '2025-06-15' };
    const keys = await client.send(new GetTagsCommand({ TimePeriod, MaxResults: 100 }));
    expect(keys.Tags).toEqual(['cluster', 'model', 'namespace', 'team']);
    const models = await client.send(new GetTagsCommand({ TimePeriod, TagKey: 'model' }));
    expect(models.Tags).toEqual(['llama-70b-chat', 'mistral-7b', 'whisper-large']);
    expect(models.TotalSize).toBe(3);
    const teams = await client.send(new GetTagsCommand({ TimePeriod, TagKey: 'team', SearchString: 'S' }));
    expect(teams.Tags).toEqual(['search', 'speech']);
    const services = await client.send(new GetDimensionValuesCommand({ TimePeriod, Dimension: 'SERVICE' }));
    expect(services.DimensionValues?.map((d) => d.Value)).toEqual([EKS, EC2, S3].sort());
    expect(services.ReturnSize).toBe(3);
  });

  it('ThrottlingException is retried by the SDK and succeeds when throttled once', async () => {
    server.throttleNext(1);
    const n = server.attempts.length;
    const out = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: '2025-06-01', End: '2025-06-02' },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost'],
      }),
    );
    expect(out.$metadata.attempts).toBe(2);
    expect(server.attempts.slice(n).map((a) => [a.status, a.errorType])).toEqual([
      [400, 'ThrottlingException'],
      [200, undefined],
    ]);
  });

  it('throttled past the SDK max attempts -> ThrottlingException (also for LimitExceededException)', async () => {
    server.throttleNext(10);
    const n = server.attempts.length;
    const paid = server.requests.length;
    const err = await client
      .send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: '2025-06-01', End: '2025-06-02' },
          Granularity: 'DAILY',
          Metrics: ['UnblendedCost'],
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, attempts: 3 },
    });
    expect(server.attempts.length - n).toBe(3);
    expect(server.requests.length).toBe(paid); // throttled calls are not billed

    server.throttleNext(1, 'LimitExceededException');
    const once = await client.send(
      new GetTagsCommand({ TimePeriod: { Start: '2025-06-01', End: '2025-06-02' } }),
    );
    expect(once.$metadata.attempts).toBe(2);
    server.throttleNext(0);
  });

  it('checks the SigV4 signature: wrong secret, unknown key, tampered body', async () => {
    const input = {
      TimePeriod: { Start: '2025-06-01', End: '2025-06-02' },
      Granularity: 'DAILY' as const,
      Metrics: ['UnblendedCost'],
    };
    const wrongSecret = makeClient({ secretAccessKey: 'not-the-secret' });
    const err = await wrongSecret.send(new GetCostAndUsageCommand(input)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403, attempts: 1 },
    });

    const unknownKey = makeClient({ accessKeyId: 'AKIDUNKNOWN' });
    await expect(unknownKey.send(new GetCostAndUsageCommand(input))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });

    // sign by hand, then send it as signed and with the body changed after signing
    const url = new URL(server.url);
    const body = JSON.stringify({ TimePeriod: { Start: '2025-06-01', End: '2025-06-02' }, TagKey: 'model' });
    const signHeaders = async (applyChecksum: boolean): Promise<Record<string, string>> => {
      const signer = new SignatureV4({
        credentials: server.credentials,
        region: 'us-east-1',
        service: 'ce',
        sha256: Sha256,
        applyChecksum,
      });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSInsightsIndexService.GetTags',
        },
        body,
      });
      return signed.headers;
    };
    const tamper = body.replace('model', 'team ');
    const plain = await signHeaders(false);
    expect(plain['x-amz-content-sha256']).toBeUndefined();
    const good = await fetch(`${server.url}/`, { method: 'POST', headers: plain, body });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ Tags: ['llama-70b-chat', 'mistral-7b', 'whisper-large'] });
    const tampered = await fetch(`${server.url}/`, { method: 'POST', headers: plain, body: tamper });
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(await tampered.json()).toMatchObject({
      __type: 'InvalidSignatureException',
      message: expect.stringMatching(/signature we calculated does not match/),
    });
    const withHash = await signHeaders(true);
    const tamperedHashed = await fetch(`${server.url}/`, { method: 'POST', headers: withHash, body: tamper });
    expect(tamperedHashed.status).toBe(403);
    expect(await tamperedHashed.json()).toMatchObject({
      __type: 'InvalidSignatureException',
      message: expect.stringMatching(/x-amz-content-sha256/),
    });
    const unsigned = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSInsightsIndexService.GetTags',
      },
      body,
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('expired credentials: ExpiredTokenException for session credentials, UnrecognizedClientException for a long-term key', async () => {
    const input = {
      TimePeriod: { Start: '2025-06-01', End: '2025-06-02' },
      Granularity: 'DAILY' as const,
      Metrics: ['UnblendedCost'],
    };
    const session = makeClient({ sessionToken: 'FwoGZXIvYXdzEXAMPLE' });
    expect((await session.send(new GetCostAndUsageCommand(input))).$metadata.httpStatusCode).toBe(200);
    server.expireCredentials(true);
    try {
      await expect(session.send(new GetCostAndUsageCommand(input))).rejects.toMatchObject({
        name: 'ExpiredTokenException',
        message: 'The security token included in the request is expired',
        $metadata: { httpStatusCode: 400, attempts: 1 },
      });
      await expect(client.send(new GetCostAndUsageCommand(input))).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
      });
    } finally {
      server.expireCredentials(false);
    }
    expect((await client.send(new GetCostAndUsageCommand(input))).$metadata.httpStatusCode).toBe(200);
  });

  it('a page failing mid-pagination surfaces to the paginator once; a 500 on a page is retried by the SDK', async () => {
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: { Start: '2025-06-01', End: '2025-06-08' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'TAG', Key: 'model' }],
    };
    // 7 days x 4 groups = 28 groups -> 4 pages
    server.failPage(2);
    const before = paidCalls('GetCostAndUsage');
    const got: GetCostAndUsageCommandOutput[] = [];
    const err = await (async () => {
      for await (const page of paginateGetCostAndUsage({ client }, { ...input })) got.push(page);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataUnavailableException);
    expect(got).toHaveLength(1);
    expect(paidCalls('GetCostAndUsage') - before).toBe(1);

    // once only: the same walk now completes
    const again: GetCostAndUsageCommandOutput[] = [];
    for await (const page of paginateGetCostAndUsage({ client }, { ...input })) again.push(page);
    expect(again).toHaveLength(4);

    server.failPage(3, 'InternalServerException');
    const retried: GetCostAndUsageCommandOutput[] = [];
    for await (const page of paginateGetCostAndUsage({ client }, { ...input })) retried.push(page);
    expect(retried).toHaveLength(4);
    expect(retried[2]?.$metadata.attempts).toBe(2);
    const merged = mergeByPeriod(retried.map((p) => p.ResultsByTime ?? []));
    const sum = [...merged.values()].flatMap((g) => [...g.values()]).reduce((a, x) => a + units(x), 0n);
    expect(sum).toBe(sumOf(records.filter(inRange('2025-06-01', '2025-06-08'))));
  });

  it('page tokens are bound to their request', async () => {
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: { Start: '2025-06-01', End: '2025-06-08' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'TAG', Key: 'model' }],
    };
    const first = await client.send(new GetCostAndUsageCommand(input));
    expect(first.NextPageToken).toBeTruthy();
    await expect(
      client.send(
        new GetCostAndUsageCommand({
          ...input,
          Metrics: ['AmortizedCost'],
          NextPageToken: first.NextPageToken,
        }),
      ),
    ).rejects.toBeInstanceOf(RequestChangedException);
    await expect(
      client.send(new GetCostAndUsageCommand({ ...input, NextPageToken: 'garbage' })),
    ).rejects.toBeInstanceOf(InvalidNextTokenException);
  });
});
