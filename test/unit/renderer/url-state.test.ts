/**
 * The chart range and the model are in the URL (issue 12, item 5): a link reopens the same view on the same
 * moments; an absolute range reaches the query as its end.
 */
import { describe, expect, it } from 'vitest';
import { hashWithRange, rangeFromHash, rangeText } from '../../../renderer/components/useFromHash';
import { createGpuStore } from '../../../renderer/state/gpu';
import { createHealthStore } from '../../../renderer/state/health';
import { scriptedTransport } from './scriptedTransport';

const from = '2025-06-01T10:00:00.000Z';
const to = '2025-06-01T12:30:00.000Z';

describe('the range in the hash', () => {
  it('reads an absolute range (UTC text) beside the model, and a relative one', () => {
    expect(rangeFromHash(`#/health?model=llm%2Fllama&from=${from}&to=${to}`)).toEqual({
      rangeS: 9000,
      end: Date.parse(to),
    });
    expect(rangeFromHash('#/gpus?range=7d')).toEqual({ rangeS: 7 * 86400, end: null });
    expect(rangeFromHash('#/health?range=90m')).toEqual({ rangeS: 5400, end: null });
  });

  it('ignores what is not a range: nothing, reversed, too short or too long, unparsable', () => {
    expect(rangeFromHash('#/health?model=x')).toBeNull();
    expect(rangeFromHash(`#/health?from=${to}&to=${from}`)).toBeNull();
    expect(rangeFromHash(`#/health?from=${from}&to=${from}`)).toBeNull();
    expect(rangeFromHash('#/health?from=2025-01-01T00:00:00Z&to=2025-06-01T00:00:00Z')).toBeNull();
    expect(rangeFromHash(`#/health?from=yesterday&to=${to}`)).toBeNull();
    expect(rangeFromHash(`#/health?from=${from}`)).toBeNull();
    expect(rangeFromHash('#/health?range=3w')).toBeNull();
    expect(rangeFromHash('#/health?range=0h')).toBeNull();
  });

  it('writes the range back, keeping the model, replacing the previous range', () => {
    const absolute = hashWithRange('#/health?model=llm%2Fllama&range=3h', {
      rangeS: 9000,
      end: Date.parse(to),
    });
    expect(absolute).toBe(
      `#/health?model=llm%2Fllama&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    );
    expect(rangeFromHash(absolute)).toEqual({ rangeS: 9000, end: Date.parse(to) });
    expect(hashWithRange(absolute, { rangeS: 86400, end: null })).toBe('#/health?model=llm%2Fllama&range=1d');
    expect(rangeText(3 * 3600)).toBe('3h');
    expect(rangeText(5400)).toBe('90m');
  });
});

describe('an absolute range reaches the query', () => {
  it('Model health and GPUs ask for the window ending at "to"; relative ones for now', async () => {
    const { transport, calls } = scriptedTransport({});
    const health = createHealthStore(() => transport);
    health.getState().setRange(9000, Date.parse(to));
    await health
      .getState()
      .load({ id: 'llm/Deployment/llama', namespace: 'llm', name: 'llama' } as never, 800);
    expect(calls.at(-1)?.input).toMatchObject({ rangeS: 9000, end: Date.parse(to) });
    health.getState().setRange(3600);
    await health
      .getState()
      .load({ id: 'llm/Deployment/llama', namespace: 'llm', name: 'llama' } as never, 800);
    expect(calls.at(-1)?.input).not.toHaveProperty('end');

    const gpu = createGpuStore(() => transport);
    gpu.getState().setRange(9000, Date.parse(to));
    await gpu.getState().load(800);
    expect(calls.at(-1)).toMatchObject({ channel: 'metrics.gpuFleet', input: { end: Date.parse(to) } });
  });
});
