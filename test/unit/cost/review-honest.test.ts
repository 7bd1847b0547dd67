/**
 * The review says only what its data supports: like-for-like comparisons, anomalies with a baseline, headline
 * amounts that do not overlap, and "unknown" where a figure is unknown (issue 12, item 4).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COST_SETTINGS,
  dayText,
  inputChanges,
  parseDay,
  type ReviewInputs,
} from '../../../shared/cost';
import { addMoney, amountUnits, fromWire, toWire } from '../../../shared/money';
import { assembleReview, type ReviewInput } from '../../../main/cost/review';
import type { CostFact, SourceFacts } from '../../../main/cost/sources';
import { CostService } from '../../../main/cost/service';
import { openStore } from '../../../main/store';

const d = (text: string) => parseDay(text) as number;
const u = (amount: string) => amountUnits(amount);

const fact = (day: string, subject: string, gpu: string, other = '0'): CostFact => ({
  day: d(day),
  subject,
  gpu: u(gpu),
  other: u(other),
  currency: 'USD',
  team: null,
  namespace: null,
});

function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let x = d(from); x < d(to); x++) out.push(dayText(x));
  return out;
}

const source = (kind: SourceFacts['kind'], facts: CostFact[], days: string[]): SourceFacts => ({
  kind,
  facts,
  groups: null,
  days: new Set(days.map(d)),
  fetchedAt: null,
  detail: kind,
});

/** One model costing `perDay` every covered day. */
const flat = (days: string[], perDay = '100') =>
  source(
    'price-table',
    days.map((day) => fact(day, 'llama', perDay)),
    days,
  );

const review = (over: Partial<ReviewInput>) =>
  assembleReview({
    month: '2025-06',
    today: d('2025-06-11'),
    generatedAt: '2025-06-11T08:00:00.000Z',
    settings: DEFAULT_COST_SETTINGS,
    sources: [],
    statuses: [],
    targets: null,
    prometheus: null,
    forecast: null,
    anomalies: null,
    todayEstimate: null,
    notes: [],
    ...over,
  });

describe('comparison with last month: like with like', () => {
  it('compares only the days both months have cost, and says it is partial', () => {
    // Prometheus (price table) keeps 3 days of May's first 10: May 8-10, then all of May 8 .. June 10
    const r = review({ sources: [flat(daysBetween('2025-05-08', '2025-06-11'))] });
    expect(r.comparison).toMatchObject({ days: 3, of: 10, whole: false });
    // the same cost every day: no change (before: 10 days against 3, "+$700")
    expect(r.totals.change).toEqual({ amount: '0', currency: 'USD' });
    expect(r.totals.lastMonthToDate).toEqual({ amount: '300', currency: 'USD' });
    expect(r.comparison.thisMonth).toEqual({ amount: '300', currency: 'USD' });
    expect(r.models[0]!.change.amount).toBe('0');
    expect(r.topMovers).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/partial: over the 3 days both months have cost, of the 10 days/);
  });

  it('no like-for-like comparison when last month has cost only on other days', () => {
    const r = review({ sources: [flat(daysBetween('2025-05-25', '2025-06-11'))] });
    expect(r.previousDaysWithCost).toBe(7);
    expect(r.comparison.days).toBe(0);
    expect(r.topMovers).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/no like-for-like comparison/);
  });

  it('a closed month with both months whole compares the whole months', () => {
    const r = review({ today: d('2025-07-03'), sources: [flat(daysBetween('2025-05-01', '2025-07-01'))] });
    expect(r.comparison).toMatchObject({ days: 30, of: 30, whole: true });
    expect(r.totals.lastMonthToDate.amount).toBe('3100'); // all of May's 31 days
  });
});

describe('anomalies need a baseline', () => {
  it('no anomaly for cost that starts where no source covered the days before (expected $0)', () => {
    // the price table starts on June 1: May is unknown, not $0
    const r = review({ sources: [flat(daysBetween('2025-06-01', '2025-06-11'))] });
    expect(r.anomalies).toEqual([]);
  });

  it('no anomaly for a model whose covered baseline is all $0 (a new model), one for a real spike', () => {
    const days = daysBetween('2025-05-01', '2025-06-11');
    const facts = days.flatMap((day) => [
      fact(day, 'resnet', day === '2025-06-05' ? '300' : '20'),
      ...(day >= '2025-06-03' ? [fact(day, 'newcomer', '50')] : []),
    ]);
    const r = review({ sources: [source('focus', facts, days)] });
    // the newcomer's first day has an all-$0 baseline: not flagged (a step later, over a baseline, may be)
    expect(r.anomalies.find((a) => a.dimension === 'newcomer' && a.start === '2025-06-03')).toBeUndefined();
    expect(r.anomalies.find((a) => a.dimension === 'resnet')?.start).toBe('2025-06-05');
    expect(r.anomalies.every((a) => amountUnits(a.expected.amount) > 0n)).toBe(true);
  });
});

describe('headline amounts', () => {
  const days = daysBetween('2025-06-01', '2025-06-11');
  const n = daysBetween('2025-05-01', '2025-06-11').length;
  const known = (value: number) => new Float64Array(n).fill(value);
  const facts = days.flatMap((day) => [fact(day, 'llama', '100', '10'), fact(day, '', '50', '5')]);
  const withUtil = review({
    sources: [source('price-table', facts, days)],
    prometheus: {
      measured: new Array<boolean>(n).fill(false),
      subjects: new Map([
        // a quarter busy: 75% of llama's GPU cost idle; the unattributed GPUs have utilisation too
        ['llama', { successes: null, tokens: null, busy: known(1), samples: known(4) }],
        ['', { successes: null, tokens: null, busy: known(1), samples: known(4) }],
      ]),
    },
  });

  it('idle GPU waste and unattributed do not count the never-allocated GPUs twice', () => {
    const t = withUtil.totals;
    expect(t.thisMonth.amount).toBe('1650');
    expect(t.unallocatedGpu.amount).toBe('500');
    expect(t.idleGpu.amount).toBe('750'); // llama's only: the unattributed GPUs are all unallocated already
    expect(t.idleWaste).toEqual({ amount: '1250', currency: 'USD' });
    expect(t.unattributedOther).toEqual({ amount: '50', currency: 'USD' });
    // the headlines beside "this month" are parts of it, none overlapping
    const sum = addMoney(fromWire(t.idleWaste!), fromWire(t.unattributedOther));
    expect(amountUnits(toWire(sum).amount) <= amountUnits(t.thisMonth.amount)).toBe(true);
  });

  it('idle waste is unknown, not $0, when no model has GPU utilisation', () => {
    const r = review({ sources: [source('price-table', facts, days)] });
    expect(r.totals.idleWaste).toBeNull();
    expect(r.totals.unattributedOther.amount).toBe('50');
  });
});

describe('what changed since the review was built', () => {
  const before: ReviewInputs = {
    cluster: null,
    prometheus: null,
    costSettings: '{}',
    focusImports: '',
    priceTableAt: null,
    costExplorerAt: null,
  };
  it('names each input that changed', () => {
    expect(inputChanges(before, before)).toEqual([]);
    expect(
      inputChanges(before, {
        ...before,
        cluster: 'firebreak-sandbox',
        prometheus: 'http://127.0.0.1:9090',
        focusImports: '1@2025-06-11T08:00:00Z',
        costExplorerAt: '2025-06-11T09:00:00Z',
      }),
    ).toEqual([
      'cluster firebreak-sandbox connected',
      'Prometheus set',
      'FOCUS imports changed',
      'Cost Explorer data refreshed',
    ]);
  });
});

describe("a review's inputs, read again cheaply (cost.reviewInputs)", () => {
  it('change when a cluster connects, Prometheus is set, the price table or the cost settings are saved', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-review-inputs-'));
    const store = openStore(path.join(dir, 'store.sqlite'));
    let conn = { cluster: null as string | null, prometheus: null as string | null };
    try {
      const cost = new CostService({
        store,
        prometheus: () => null,
        targets: async () => null,
        connections: () => conn,
        awsEnv: { HOME: dir },
        exportDir: path.join(dir, 'exports'),
        now: () => Date.parse('2025-06-11T08:00:00Z'),
      });
      const first = cost.reviewInputs('2025-06');
      expect((await cost.review('2025-06')).inputs).toEqual(first);
      conn = { cluster: 'firebreak-sandbox', prometheus: 'http://127.0.0.1:9090' };
      cost.updatePriceTable({ currency: 'USD', entries: [{ kind: 'gpu', match: 'H100', hourly: '4' }] });
      cost.updateSettings({ budgets: { total: '1000' } });
      expect(inputChanges(first, cost.reviewInputs('2025-06'))).toEqual([
        'cluster firebreak-sandbox connected',
        'Prometheus set',
        'cost settings saved',
        'price table edited',
      ]);
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
