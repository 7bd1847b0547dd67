import { unzipSync } from 'fflate';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_SETTINGS, dayText, parseDay, type CostSettings } from '../../../shared/cost';
import { amountUnits } from '../../../shared/money';
import { md, reviewCsv, reviewMarkdown, writeExport } from '../../../main/cost/export';
import { costPer1kFigures, idlePart } from '../../../main/cost/per1k';
import { assembleReview, buildMatrix, reviewWindow, type ReviewInput } from '../../../main/cost/review';
import {
  combineCeFacts,
  gpuHourPrice,
  podSubjectResolver,
  priceBook,
  type CostFact,
  type SourceFacts,
} from '../../../main/cost/sources';
import { isGpuCharge } from '../../../main/cost/gpu';
import { increaseOf, successQueries } from '../../../main/cost/prometheusCosts';
import { planCeCalls } from '../../../main/cost/costExplorer';

const d = (text: string) => parseDay(text) as number;
const u = (amount: string) => amountUnits(amount);

function fact(
  day: string,
  subject: string,
  gpu: string,
  other = '0',
  currency = 'USD',
  extra: Partial<CostFact> = {},
): CostFact {
  return {
    day: d(day),
    subject,
    gpu: u(gpu),
    other: u(other),
    currency,
    team: null,
    namespace: null,
    ...extra,
  };
}

function source(
  kind: SourceFacts['kind'],
  facts: CostFact[],
  days: string[],
  fetchedAt: string | null = null,
): SourceFacts {
  return { kind, facts, groups: null, days: new Set(days.map(d)), fetchedAt, detail: kind };
}

function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let x = d(from); x < d(to); x++) out.push(dayText(x));
  return out;
}

const base = (over: Partial<ReviewInput> = {}): ReviewInput => ({
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

describe('review window (UTC days, exclusive ends)', () => {
  it('this month so far vs the same number of days of last month', () => {
    const w = reviewWindow('2025-06', d('2025-06-11'));
    expect([w.start, w.monthStart, w.thisEnd, w.lastToDateEnd, w.monthEnd].map(dayText)).toEqual([
      '2025-05-01',
      '2025-06-01',
      '2025-06-11',
      '2025-05-11',
      '2025-07-01',
    ]);
    const closed = reviewWindow('2025-05', d('2025-06-11'));
    expect(dayText(closed.thisEnd)).toBe('2025-06-01');
    expect(dayText(closed.lastToDateEnd)).toBe('2025-05-01');
    expect(() => reviewWindow('2025-07', d('2025-06-11'))).toThrow(/has not started/);
  });
});

describe('combining sources', () => {
  it('takes each day from the best source that covers it, never twice', () => {
    const aws = source(
      'aws',
      [fact('2025-06-01', 'a', '10'), fact('2025-06-02', 'a', '10')],
      ['2025-06-01', '2025-06-02'],
    );
    const prices = source(
      'price-table',
      [fact('2025-06-02', 'a', '99'), fact('2025-06-03', 'a', '7')],
      ['2025-06-02', '2025-06-03'],
    );
    const m = buildMatrix([prices, aws], { start: d('2025-06-01'), end: d('2025-06-04') }, 'USD', {});
    expect(m.chosen).toEqual(['aws', 'aws', 'price-table']);
    expect(m.subjects.get('a')!.cost.map(String)).toEqual([u('10'), u('10'), u('7')].map(String));
  });

  it('keeps another currency apart with a clear message, never in the totals', () => {
    const days = daysBetween('2025-05-01', '2025-06-11');
    const focus = source(
      'focus',
      [fact('2025-06-02', 'a', '100'), fact('2025-06-02', 'a', '80', '0', 'EUR')],
      days,
    );
    const r = assembleReview(base({ sources: [focus] }));
    expect(r.totals.thisMonth).toEqual({ amount: '100', currency: 'USD' });
    expect(r.keptApart).toEqual([
      {
        money: { amount: '80', currency: 'EUR' },
        source: 'focus',
        message:
          '€80.00 (EUR) from the FOCUS import is kept apart: this review is in USD, and Firebreak never converts currencies.',
      },
    ]);
  });

  it('several Cost Explorer answers: each day from the latest fetched one', () => {
    const old = source(
      'aws',
      [fact('2025-05-30', 'a', '1'), fact('2025-05-31', 'a', '1')],
      ['2025-05-30', '2025-05-31'],
      '2025-06-01T00:00:00Z',
    );
    const fresh = source(
      'aws',
      [fact('2025-05-31', 'a', '2'), fact('2025-06-01', 'a', '2')],
      ['2025-05-31', '2025-06-01'],
      '2025-06-05T00:00:00Z',
    );
    const both = combineCeFacts([old, fresh], { start: d('2025-05-30'), end: d('2025-06-02') })!;
    expect(both.facts.map((f) => [dayText(f.day), String(f.gpu)])).toEqual([
      ['2025-05-31', String(u('2'))],
      ['2025-06-01', String(u('2'))],
      ['2025-05-30', String(u('1'))],
    ]);
    expect(both.fetchedAt).toBe('2025-06-01T00:00:00Z');
  });
});

describe('the monthly review', () => {
  const days = daysBetween('2025-05-01', '2025-06-11');
  const facts: CostFact[] = [];
  for (const day of days) {
    facts.push(fact(day, 'llama', '100', '10', 'USD', { team: 'assistant', namespace: 'llm' }));
    facts.push(fact(day, 'resnet', day >= '2025-06-01' ? '30' : '20', '0', 'USD', { namespace: 'vision' }));
    facts.push(fact(day, '', '5'));
  }
  const settings: CostSettings = {
    ...DEFAULT_COST_SETTINGS,
    budgets: { total: '4000', byModel: { llama: '3000', resnet: '200' }, byTeam: { assistant: '5000' } },
    teamsByNamespace: { vision: 'vision-team' },
  };
  const n = days.length;
  const measured = days.map((day) => day >= '2025-06-09');
  const successes = new Float64Array(n).fill(NaN);
  const busy = new Float64Array(n).fill(NaN);
  const samples = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    if (measured[i]) {
      successes[i] = 1_100_000;
      busy[i] = 720;
      samples[i] = 2880;
    }
  }
  const review = assembleReview(
    base({
      settings,
      sources: [source('aws', facts, days, '2025-06-11T06:00:00Z')],
      prometheus: { measured, subjects: new Map([['llama', { successes, tokens: null, busy, samples }]]) },
    }),
  );
  const row = (key: string) => review.models.find((m) => m.key === key)!;

  it('totals, like-for-like change, unattributed shown as such', () => {
    expect(review.totals.thisMonth).toEqual({ amount: '1450', currency: 'USD' }); // 10 days x (110 + 30 + 5)
    expect(review.totals.lastMonthToDate).toEqual({ amount: '1350', currency: 'USD' }); // 10 days x (110 + 20 + 5)
    expect(review.totals.lastMonth.amount).toBe(String(31 * 135));
    expect(review.totals.unattributed).toEqual({ amount: '50', currency: 'USD' });
    expect(row('').kind).toBe('unattributed');
    expect(row('').name).toBe('Unattributed');
    expect(review.models.at(-1)!.key).toBe(''); // listed last
    expect(row('resnet').changeRatio).toBeCloseTo(0.5, 12);
    expect(review.topMovers[0]).toMatchObject({ key: 'resnet', change: { amount: '100', currency: 'USD' } });
  });

  it('cost per 1k over the measured days only; idle share from utilisation, applied to the month', () => {
    const llama = row('llama');
    expect(llama.measuredDays).toBe(2);
    expect(llama.successes).toBe(2_200_000);
    expect(llama.costPer1k).toEqual({ amount: '0.1', currency: 'USD' }); // 220 / 2.2M x 1000
    expect(llama.idleShare).toBeCloseTo(0.75, 12);
    expect(llama.idleGpu).toEqual({ amount: '750', currency: 'USD' }); // 75% of 10 x 100
    expect(llama.utilDays).toBe(2);
    expect(row('resnet').costPer1k).toBeNull();
    expect(review.totals.costPer1k).toEqual({ amount: '0.1', currency: 'USD' });
  });

  it('forecast by run rate, budgets by total, model and team', () => {
    expect(review.forecast.source).toBe('run-rate');
    expect(review.forecast.monthEnd.amount).toBe(String(1450 + 20 * 145));
    expect(review.budget).toEqual({ amount: { amount: '4000', currency: 'USD' }, status: 'at_risk' });
    expect(row('llama').budgetStatus).toBe('at_risk'); // 1100 so far, 3300 at month end
    expect(row('resnet').budgetStatus).toBe('over'); // 300 > 200
    const assistant = review.teams.find((t) => t.key === 'assistant')!;
    expect(assistant.thisMonth.amount).toBe('1100');
    expect(assistant.budgetStatus).toBe('ok');
    expect(review.teams.find((t) => t.key === 'vision-team')!.thisMonth.amount).toBe('300');
    expect(review.namespaces.find((t) => t.key === 'llm')!.thisMonth.amount).toBe('1100');
  });

  it('a Cost Explorer forecast: month end = actual before its start + its total', () => {
    const r = assembleReview(
      base({
        settings,
        sources: [source('aws', facts, days)],
        forecast: {
          start: d('2025-06-11'),
          total: u('2900'),
          low: u('2500'),
          high: u('3300'),
          currency: 'USD',
        },
      }),
    );
    expect(r.forecast).toEqual({
      source: 'aws',
      monthEnd: { amount: '4350', currency: 'USD' },
      low: { amount: '3950', currency: 'USD' },
      high: { amount: '4750', currency: 'USD' },
    });
  });

  it('detects an anomaly locally when Cost Explorer has none to give', () => {
    const spiky = facts.map((f) =>
      f.subject === 'resnet' && dayText(f.day) === '2025-06-05' ? { ...f, gpu: u('300') } : f,
    );
    const r = assembleReview(base({ settings, sources: [source('focus', spiky, days)] }));
    // the spike, and the step from 20 to 30 a day on June 1 (newest first)
    expect(r.anomalies.map((a) => [a.dimension, a.start, a.end])).toEqual([
      ['resnet', '2025-06-05', '2025-06-05'],
      ['resnet', '2025-06-01', '2025-06-02'],
    ]);
    expect(Number(r.anomalies[0]!.impact.amount)).toBeGreaterThan(250);
  });
});

describe('export', () => {
  const days = daysBetween('2025-05-01', '2025-06-11');
  const review = assembleReview(
    base({
      sources: [
        source(
          'aws',
          days.map((day) => fact(day, '=HYPERLINK("x")|<b>*', '12.345')),
          days,
        ),
      ],
    }),
  );

  it('CSV: one table with a scope column; formula-like names neutralised, negative numbers kept', () => {
    const csv = reviewCsv(review);
    const lines = csv.split('\r\n');
    expect(lines[0]).toMatch(/^month,scope,name,/);
    expect(lines[1]).toMatch(/^2025-06,total,All,total,,,USD,123\.45,123\.45,/);
    expect(lines[2]).toContain(`"'=HYPERLINK(""x"")|<b>*"`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('Markdown: a change with nothing to compare with is the amount alone, never "(—)"; no budget is "—"', () => {
    // a first month of data: no ratio to last month
    const first = { ...review, totals: { ...review.totals, changeRatio: null } };
    const text = reviewMarkdown(first, [], Date.parse('2025-06-11T09:00:00Z'));
    expect(text).not.toContain('(—)');
    expect(text).not.toMatch(/— \(/);
    expect(text).toMatch(/\| Change \| [+-]\$[\d,.]+ \|/);
  });

  it('Markdown: text from data escaped, charts referenced by file name', () => {
    expect(md('a|b *c* [x](y) <img>')).toBe('a\\|b \\*c\\* \\[x\\]\\(y\\) \\<img\\>');
    const text = reviewMarkdown(
      review,
      [{ file: 'cost-review-2025-06-daily-cost.png', title: 'Daily cost by model' }],
      Date.parse('2025-06-11T09:00:00Z'),
    );
    expect(text).toMatch(/^# Cost review 2025-06\n/);
    expect(text).toContain('![Daily cost by model](cost-review-2025-06-daily-cost.png)');
    expect(text).toContain('=HYPERLINK\\("x"\\)\\|\\<b\\>\\*');
  });

  it('CSV and Markdown show bidi controls and invisible characters from data as markers', () => {
    const spoof = assembleReview(
      base({
        sources: [
          source(
            'aws',
            days.map((day) => fact(day, 'report\u202Egnp.exe', '1')),
            days,
          ),
        ],
      }),
    );
    const csv = reviewCsv(spoof);
    expect(csv).toContain('report⟨U+202E⟩gnp.exe');
    expect(csv).not.toContain('\u202E');
    // (Markdown escapes the `+`; it renders as ⟨U+200B⟩)
    expect(md('adm\u200Bin')).toBe('adm⟨U\\+200B⟩in');
    const text = reviewMarkdown(spoof, [], Date.parse('2025-06-11T09:00:00Z'));
    expect(text).toContain('report⟨U\\+202E⟩gnp.exe');
    expect(text).not.toContain('\u202E');
  });

  it('writes the report and its PNGs side by side and as one zip, refusing what is not a PNG', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-export-'));
    try {
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
      const out = writeExport(
        dir,
        review,
        'markdown',
        [{ name: 'daily-cost', title: 'Daily', dataUrl: `data:image/png;base64,${png}` }],
        Date.now(),
      );
      expect(out.files.map((f) => f.name)).toEqual([
        'cost-review-2025-06.zip',
        'cost-review-2025-06.md',
        'cost-review-2025-06-daily-cost.png',
      ]);
      expect(fs.readdirSync(out.directory).sort()).toEqual([
        'cost-review-2025-06-daily-cost.png',
        'cost-review-2025-06.md',
        'cost-review-2025-06.zip',
      ]);
      // the browser gets the one zip: the report and the image it links, side by side
      expect(out.download).toMatchObject({
        fileName: 'cost-review-2025-06.zip',
        mediaType: 'application/zip',
      });
      const zipped = unzipSync(new Uint8Array(Buffer.from(out.download.base64!, 'base64')));
      expect(Object.keys(zipped).sort()).toEqual([
        'cost-review-2025-06-daily-cost.png',
        'cost-review-2025-06.md',
      ]);
      const report = Buffer.from(zipped['cost-review-2025-06.md']!).toString('utf8');
      expect(report).toContain('](cost-review-2025-06-daily-cost.png)');
      expect(Buffer.from(zipped['cost-review-2025-06-daily-cost.png']!).toString('base64')).toBe(png);
      const gif = Buffer.from('GIF89a').toString('base64');
      expect(() =>
        writeExport(
          dir,
          review,
          'markdown',
          [{ name: 'x', title: 'X', dataUrl: `data:image/png;base64,${gif}` }],
          Date.now(),
        ),
      ).toThrow(/not a PNG/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('building blocks', () => {
  it('idle part of a day and cost per 1k per day', () => {
    expect(idlePart(u('100'), 720, 2880)).toBe(u('75'));
    expect(idlePart(u('100'), NaN, 2880)).toBeNull();
    const figs = costPer1kFigures(
      [
        {
          key: 'm',
          cost: [u('10'), u('10')],
          gpu: [u('10'), u('10')],
          successes: Float64Array.of(NaN, 5000),
          tokens: Float64Array.of(NaN, 1e6),
          busy: null,
          samples: null,
        },
      ],
      [false, true],
      0,
      2,
    );
    expect(figs[0]!.daily.costPer1k).toEqual([null, u('2')]);
    expect(figs[0]!.costPer1MTokens).toBe(u('10'));
  });

  it('classifies GPU charges and prices GPU-hours', () => {
    expect(isGpuCharge('USE1-BoxUsage:p5.48xlarge')).toBe(true);
    expect(isGpuCharge('USE1-BoxUsage:m5.large')).toBe(false);
    expect(isGpuCharge('Standard_ND96asr_v4')).toBe(true);
    const book = priceBook(
      [
        { kind: 'gpu', match: 'L4', hourly: '1.15', currency: 'USD', gpus: null },
        { kind: 'gpu', match: 'L40S', hourly: '2.62', currency: 'USD', gpus: null },
        { kind: 'node', match: 'p5.48xlarge', hourly: '98.32', currency: 'USD', gpus: 8 },
      ],
      'USD',
    );
    expect(gpuHourPrice(book, 'NVIDIA L40S', null)).toBe(u('2.62'));
    expect(gpuHourPrice(book, 'NVIDIA L4', null)).toBe(u('1.15'));
    expect(gpuHourPrice(book, 'NVIDIA H100 80GB HBM3', 'p5.48xlarge')).toBe(u('12.29'));
    expect(gpuHourPrice(book, 'NVIDIA H100 80GB HBM3', null)).toBeNull();
  });

  it('pods to subjects by the attribution rule', () => {
    const targets = [
      {
        id: 'llm/Deployment/llama',
        name: 'llama-70b-chat',
        namespace: 'llm',
        modelName: 'llama',
        podPrefix: 'llama-70b-chat-',
        serverKind: 'vllm' as const,
      },
    ];
    expect(
      podSubjectResolver(
        { by: 'tag', key: 'model' },
        targets,
        null,
      )('llm', 'llama-70b-chat-7d9f8c6b5d-x2x4k'),
    ).toBe('llama-70b-chat');
    expect(
      podSubjectResolver(
        { by: 'tag', key: 'model' },
        null,
        null,
      )('nlp', 'bert-sentiment-predictor-00001-deployment-5f7d9c8b4d-k2x9z'),
    ).toBe('bert-sentiment');
    expect(podSubjectResolver({ by: 'namespace', key: 'namespace' }, targets, null)('llm', 'anything')).toBe(
      'llm',
    );
    const byLabel = podSubjectResolver({ by: 'label', key: 'app' }, targets, new Map([['llm/p1', 'chat']]));
    expect([byLabel('llm', 'p1'), byLabel('llm', 'p2')]).toEqual(['chat', '']); // no label: unattributed
  });

  it('the success counters from the catalogue, as daily increases', () => {
    expect(
      increaseOf('sum by (namespace, pod) (rate(x[5m])) or sum by (namespace, pod) (rate(y{a="b"}[5m]))'),
    ).toBe('sum by (namespace, pod) (increase(x[1d])) or sum by (namespace, pod) (increase(y{a="b"}[1d]))');
    expect(successQueries('vllm').successes).toContain('increase(vllm:request_success_total[1d])');
    expect(successQueries('kserve')).toMatchObject({ successes: null });
    expect(successQueries('kserve').requests).toContain('[1d]');
  });

  it('a refresh asks for last month too, and a forecast only for the current month', () => {
    const settings = { ...DEFAULT_COST_SETTINGS, aws: { ...DEFAULT_COST_SETTINGS.aws, enabled: true } };
    const now = planCeCalls(settings, '2025-06', d('2025-06-11'));
    expect(now.map((c) => c.kind)).toEqual(['daily', 'groups', 'forecast', 'anomalies']);
    expect(now[0]!.input).toMatchObject({
      TimePeriod: { Start: '2025-05-01', End: '2025-06-11' },
      Granularity: 'DAILY',
    });
    expect(now[2]!.input).toMatchObject({
      TimePeriod: { Start: '2025-06-11', End: '2025-07-01' },
      Metric: 'UNBLENDED_COST',
    });
    const past = planCeCalls(settings, '2025-04', d('2025-06-11'));
    expect(past.map((c) => c.kind)).toEqual(['daily', 'groups', 'anomalies']);
    expect(past[0]!.input).toMatchObject({
      TimePeriod: { Start: '2025-03-01', End: '2025-05-01' },
      Granularity: 'DAILY',
    });
    expect(now[1]!.input).toMatchObject({ Granularity: 'DAILY' }); // this month vs the same days of the last
    expect(past[1]!.input).toMatchObject({ Granularity: 'MONTHLY' }); // a closed month vs the whole month before
    expect(planCeCalls(settings, '2025-07', d('2025-06-11'))).toEqual([]);
    // the cache key ignores the moving end date but not the settings it depends on
    expect(planCeCalls(settings, '2025-06', d('2025-06-12'))[0]!.key).toBe(now[0]!.key);
    expect(
      planCeCalls({ ...settings, attribution: { by: 'tag', key: 'app' } }, '2025-06', d('2025-06-11'))[0]!
        .key,
    ).not.toBe(now[0]!.key);
  });
});
