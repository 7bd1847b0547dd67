import { describe, expect, it } from 'vitest';
import { sourceDown } from '../../../renderer/state/selectors';
import type { AsyncState } from '../../../renderer/state/async';
import type { ModelList } from '../../../shared/models';
import { downSinceFor, markAnswered, Staleness } from '../../../main/metrics/staleness';
import { AppError, type Result } from '../../../shared/errors';
import { createHealthStore } from '../../../renderer/state/health';
import { scriptedTransport } from './scriptedTransport';

const list = (metrics: ModelList['metrics']): AsyncState<ModelList> => ({
  status: 'ready',
  data: { context: 'c', fetchedAt: '2026-12-03T18:50:00Z', models: [], metrics },
});
const error = (code: 'PROMETHEUS_TIMEOUT' | 'PROMETHEUS_ERROR' | 'PROMETHEUS_AUTH_FAILED') => ({
  code,
  message: 'm',
  hint: 'h',
});

describe('the status bar names the source that is down', () => {
  it('Prometheus answered: nothing is down', () => {
    expect(sourceDown(list({ status: 'ok' }))).toBeNull();
    expect(sourceDown(list({ status: 'not_configured' }))).toBeNull();
    expect(sourceDown({ status: 'loading' })).toBeNull();
  });

  it('hung or refused is "unreachable", a 500 is "failing", a 401 "refusing access", with since when', () => {
    const since = '2026-12-03T18:45:00Z';
    expect(sourceDown(list({ status: 'error', error: error('PROMETHEUS_TIMEOUT'), since }))).toMatchObject({
      source: 'Prometheus',
      state: 'unreachable',
      since,
    });
    expect(sourceDown(list({ status: 'error', error: error('PROMETHEUS_ERROR') }))).toMatchObject({
      state: 'failing',
      since: null,
    });
    expect(sourceDown(list({ status: 'error', error: error('PROMETHEUS_AUTH_FAILED') }))?.state).toBe(
      'refusing access',
    );
  });
});

describe('main keeps the age of what it served', () => {
  it('the oldest copy and the first cause', () => {
    const s = new Staleness();
    expect(s.view()).toBeNull();
    const first = new AppError('PROMETHEUS_TIMEOUT', 'hung', 'retry');
    s.note('2026-12-03T18:46:00Z', first);
    s.note('2026-12-03T18:45:00Z', new AppError('PROMETHEUS_ERROR', 'other', 'retry'));
    expect(s.view()).toMatchObject({ asOf: '2026-12-03T18:45:00Z', error: { code: 'PROMETHEUS_TIMEOUT' } });
  });

  it('"since" is the first failure in a row, until Prometheus answers again', () => {
    const url = 'http://prom.test:9090';
    expect(downSinceFor(url, new Date('2026-12-03T18:45:00Z'))).toBe('2026-12-03T18:45:00.000Z');
    expect(downSinceFor(url, new Date('2026-12-03T18:46:00Z'))).toBe('2026-12-03T18:45:00.000Z');
    markAnswered(url);
    expect(downSinceFor(url, new Date('2026-12-03T18:50:00Z'))).toBe('2026-12-03T18:50:00.000Z');
  });
});

describe('a failed Model health load keeps its error while the next try runs', () => {
  it('error, then Retry: the error (and its Retry) stays until the answer, never a bare "Loading…"', async () => {
    let release: (r: Result<unknown>) => void = () => {};
    let calls = 0;
    const { transport } = scriptedTransport({
      'metrics.modelHealth': () => {
        calls += 1;
        if (calls === 1)
          return { ok: false, error: { code: 'PROMETHEUS_TIMEOUT', message: 'hung', hint: 'retry' } };
        return new Promise((r) => (release = r));
      },
    });
    const store = createHealthStore(() => transport);
    const service = { id: 'llm/Deployment/chat', serverKind: 'vllm' as const, modelName: 'chat' };
    await store.getState().load(service, 600);
    expect(store.getState().health).toMatchObject({ status: 'error', error: { code: 'PROMETHEUS_TIMEOUT' } });
    const second = store.getState().load(service, 600);
    expect(store.getState().health.status).toBe('loading');
    expect(store.getState().health.error?.code).toBe('PROMETHEUS_TIMEOUT');
    release({ ok: false, error: { code: 'DEADLINE_EXCEEDED', message: 'late', hint: 'retry' } });
    await second;
    expect(store.getState().health.error?.code).toBe('DEADLINE_EXCEEDED');
  });
});
