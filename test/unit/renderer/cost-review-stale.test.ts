/**
 * The cost review on screen is not left stale: the store asks main what a review would be built from now
 * (cost.reviewInputs) and recomputes it when that changed, keeping what changed to show (issue 12, item 4).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_SETTINGS, parseDay, type ReviewInputs } from '../../../shared/cost';
import { assembleReview } from '../../../main/cost/review';
import { createCostStore } from '../../../renderer/state/cost';
import { scriptedTransport } from './scriptedTransport';

const noInputs: ReviewInputs = {
  cluster: null,
  prometheus: null,
  costSettings: '{}',
  focusImports: '',
  priceTableAt: null,
  costExplorerAt: null,
};

const reviewWith = (inputs: ReviewInputs) =>
  assembleReview({
    month: '2025-06',
    today: parseDay('2025-06-11') as number,
    generatedAt: '2025-06-11T08:00:00.000Z',
    inputs,
    settings: DEFAULT_COST_SETTINGS,
    sources: [],
    statuses: [],
    targets: null,
    prometheus: null,
    forecast: null,
    anomalies: null,
    todayEstimate: null,
    notes: [],
  });

function setup() {
  let current = noInputs;
  const { transport, calls } = scriptedTransport({
    'cost.review': () => ({ ok: true, value: reviewWith(current) }),
    'cost.reviewInputs': () => ({ ok: true, value: current }),
  });
  const store = createCostStore(() => transport, { clock: () => Date.parse('2025-06-11T08:00:00Z') });
  store.setState({ month: '2025-06' });
  const reviews = () => calls.filter((c) => c.channel === 'cost.review').length;
  return { store, reviews, change: (next: Partial<ReviewInputs>) => (current = { ...current, ...next }) };
}

describe('a cost review whose inputs change', () => {
  it('is recomputed when a cluster connects and Prometheus is set, saying so', async () => {
    const { store, reviews, change } = setup();
    await store.getState().loadReview();
    expect(reviews()).toBe(1);
    change({ cluster: 'firebreak-sandbox', prometheus: 'http://127.0.0.1:9090' });
    await store.getState().checkInputs();
    expect(reviews()).toBe(2);
    expect(store.getState().review.data?.inputs.cluster).toBe('firebreak-sandbox');
    expect(store.getState().recomputed?.what).toEqual([
      'cluster firebreak-sandbox connected',
      'Prometheus set',
    ]);
  });

  it('is left alone while nothing changed (no query for nothing)', async () => {
    const { store, reviews } = setup();
    await store.getState().loadReview();
    await store.getState().checkInputs();
    await store.getState().checkInputs();
    expect(reviews()).toBe(1);
    expect(store.getState().recomputed).toBeNull();
  });
});
