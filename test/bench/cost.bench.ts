/**
 * Cost per 1k for 500 models x 90 days (DESIGN.md section 8: < 100 ms): from the sources' daily facts (a GPU
 * and a non-GPU charge per model and day, as Cost Explorer by usage type gives them) and the daily request
 * counts, to every model's cost per 1k, exactly (BigInt money). Also the whole monthly review's assembly for
 * the same fleet, for reference.
 */
import { DAY_MS, dayText } from '../../shared/cost';
import { DEFAULT_COST_SETTINGS } from '../../shared/cost';
import { costPer1kForPeriod, assembleReview, type SubjectCounts } from '../../main/cost/review';
import type { CostFact, SourceFacts } from '../../main/cost/sources';
import { figure, median, type BenchFigure } from './run';

const MODELS = 500;
const DAYS = 90;
const RUNS = 7;

function fixture(start: number, days: number) {
  const facts: CostFact[] = [];
  const covered = new Set<number>();
  const subjects = new Map<string, SubjectCounts>();
  for (let m = 0; m < MODELS; m++) {
    const key = `model-${String(m).padStart(3, '0')}`;
    const successes = new Float64Array(days);
    const tokens = new Float64Array(days);
    const busy = new Float64Array(days);
    const samples = new Float64Array(days);
    for (let i = 0; i < days; i++) {
      const day = start + i;
      covered.add(day);
      // deterministic, varied amounts with 10 fraction digits, like Cost Explorer's
      const gpuCents = 10_000 + ((m * 7919 + i * 104_729) % 500_000);
      facts.push({
        day,
        subject: key,
        gpu: BigInt(gpuCents) * 100_000_000n + BigInt((m * 31 + i) % 99_999_999),
        other: BigInt(500 + ((m + i) % 900)) * 100_000_000n,
        currency: 'USD',
        team: `team-${m % 20}`,
        namespace: `ns-${m % 50}`,
      });
      successes[i] = 50_000 + ((m * 13 + i * 17) % 2_000_000);
      tokens[i] = successes[i]! * 230;
      busy[i] = 1000 + (m % 1000);
      samples[i] = 2880;
    }
    subjects.set(key, { successes, tokens, busy, samples });
  }
  const source: SourceFacts = {
    kind: 'aws',
    facts,
    groups: null,
    days: covered,
    fetchedAt: new Date().toISOString(),
    detail: 'bench',
  };
  return { source, subjects, measured: new Array<boolean>(days).fill(true) };
}

export async function bench(): Promise<BenchFigure[]> {
  const today = Math.floor(Date.now() / DAY_MS);
  const start = today - DAYS;
  const data = fixture(start, DAYS);

  const per1kTimes: number[] = [];
  let models = 0;
  // run 0 warms the JIT up and is not counted
  for (let r = 0; r <= RUNS; r++) {
    const t0 = performance.now();
    const out = costPer1kForPeriod({
      sources: [data.source],
      range: { start, end: today },
      currency: 'USD',
      teamsByNamespace: {},
      prometheus: { measured: data.measured, subjects: data.subjects },
    });
    if (r > 0) per1kTimes.push(performance.now() - t0);
    models = out.filter((m) => m.costPer1k !== null).length;
  }
  if (models !== MODELS) throw new Error(`expected ${MODELS} models with a cost per 1k, got ${models}`);

  // the monthly review of the current month over the same data (last month + this month so far)
  const month = dayText(today - 1).slice(0, 7);
  const reviewTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    assembleReview({
      month,
      today,
      generatedAt: new Date().toISOString(),
      settings: DEFAULT_COST_SETTINGS,
      sources: [data.source],
      statuses: [],
      targets: null,
      prometheus: { measured: data.measured.slice(0, 62), subjects: data.subjects },
      forecast: null,
      anomalies: [],
      todayEstimate: null,
      notes: [],
    });
    reviewTimes.push(performance.now() - t0);
  }
  return [
    figure('cost.per1k_ms', median(per1kTimes), 'ms', '<', 100),
    figure('cost.review_ms', median(reviewTimes), 'ms', '<', 1000),
  ];
}
