import { describe, expect, it } from 'vitest';
import { changePoints } from '../../../main/incident/changepoints';
import { checkOrder, deriveMilestones, intervals, type ClockEvidence } from '../../../main/incident/clock';
import { diffObjects, type CapturedObject } from '../../../main/incident/changes';
import {
  actionEntry,
  actionSubject,
  ingest,
  newMemory,
  type CaptureFrame,
} from '../../../main/incident/recorder';
import { addNote, declare, getRecord, resolve, timelinePage, view } from '../../../main/incident/incidents';
import { openStore, type Store } from '../../../main/store';

const MIN = 60_000;
const T0 = Date.parse('2026-10-14T17:00:00Z');

/** a deterministic noisy series: level `a` then `b` from index `at` */
function step(n: number, at: number, a: number, b: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < at ? a : b) * (1 + 0.15 * Math.sin(i * 1.7)));
}

/** the incident every clock test here declares: llama failing, HighErrorRate linked */
function declareLlama(store: Store, fallbackId: string | null) {
  return declare(
    store,
    {
      title: 'llama failing',
      severity: 'SEV2',
      models: [
        {
          serviceId: 'llm/Deployment/llama',
          name: 'llama',
          serverKind: 'vllm',
          modelName: 'llama',
          fallbackId,
        },
      ],
      alertNames: ['HighErrorRate'],
    },
    'ann',
    T0,
  );
}

describe('change-points (CUSUM on a robust baseline)', () => {
  it('dates a rise and a recovery to where they began, with the levels', () => {
    const v = [...step(60, 30, 0.001, 0.25).slice(0, 50), ...step(30, 0, 0.001, 0.001)];
    const cps = changePoints(T0, 15, v, { minScale: 0.002 });
    expect(cps).toHaveLength(2);
    expect(cps[0]!.direction).toBe('rose');
    expect(cps[0]!.atMs).toBe(T0 + 30 * 15_000);
    expect(cps[0]!.after).toBeGreaterThan(0.2);
    expect(cps[1]!.direction).toBe('fell');
    expect(cps[1]!.atMs).toBe(T0 + 50 * 15_000);
  });

  it('finds nothing in noise, and one outlier is not a change', () => {
    const v = step(80, 80, 0.002, 0.002);
    v[40] = 0.2;
    expect(changePoints(T0, 15, v, { minScale: 0.002 })).toEqual([]);
  });
});

describe('the incident clock', () => {
  const errorRatio = Array.from({ length: 120 }, (_, i) => (i >= 20 && i < 60 ? 0.25 : 0.001));
  const ev: ClockEvidence = {
    declaredMs: T0 + 30 * 15_000,
    closedMs: T0 + 110 * 15_000,
    series: [{ model: 'm', metric: 'errorRatio', t0Ms: T0, stepS: 15, values: errorRatio }],
    objectives: new Map([['m', { maxErrorRatio: 0.005, maxP95S: 5 }]]),
    alerts: [{ startsMs: T0 + 26 * 15_000, summary: 'HighErrorRate', entryId: 7 }],
    responses: [
      { atMs: T0 + 32 * 15_000, kind: 'note', summary: 'looking', entryId: 8 },
      { atMs: T0 + 55 * 15_000, kind: 'action', summary: 'rollback', entryId: 9 },
    ],
    corrections: {},
  };

  it('derives every milestone from its evidence, and the intervals from started', () => {
    const ms = deriveMilestones(ev);
    const at = (n: string) => ms.find((m) => m.name === n)!.at;
    expect(at('started')).toBe(new Date(T0 + 20 * 15_000).toISOString());
    expect(at('detected')).toBe(new Date(T0 + 26 * 15_000).toISOString());
    expect(at('acknowledged')).toBe(new Date(T0 + 32 * 15_000).toISOString());
    // back within objective from sample 60, held for 5 minutes
    expect(at('mitigated')).toBe(new Date(T0 + 60 * 15_000).toISOString());
    expect(at('resolved')).toBe(new Date(T0 + 110 * 15_000).toISOString());
    expect(intervals(ms)).toEqual({
      timeToDetectS: 90,
      timeToAcknowledgeS: 180,
      timeToMitigateS: 600,
      timeToResolveS: 1350,
    });
    expect(ms.find((m) => m.name === 'detected')!.evidence).toMatchObject({ kind: 'alert', entryId: 7 });
  });

  it('a correction replaces the derived time and keeps it beside; out-of-order corrections are refused', () => {
    const corrected = deriveMilestones({
      ...ev,
      corrections: { started: { at: new Date(T0).toISOString(), reason: 'canary began earlier', by: 'x' } },
    });
    const started = corrected.find((m) => m.name === 'started')!;
    expect(started.at).toBe(new Date(T0).toISOString());
    expect(started.derivedAt).toBe(new Date(T0 + 20 * 15_000).toISOString());
    expect(() => checkOrder(corrected, 'detected', new Date(T0 - MIN).toISOString())).toThrow(
      /before "started"/,
    );
    expect(() => checkOrder(corrected, 'detected', new Date(T0 + MIN).toISOString())).not.toThrow();
  });

  it('no mitigation before an action: an incident that healed by itself is not "mitigated" by Firebreak', () => {
    const ms = deriveMilestones({ ...ev, responses: [] });
    expect(ms.find((m) => m.name === 'mitigated')!.at).toBeNull();
    expect(ms.find((m) => m.name === 'acknowledged')!.at).toBeNull();
  });
});

const dep = (rv: string, image: string, replicas = 2): CapturedObject => ({
  kind: 'Deployment',
  metadata: {
    name: 'llama',
    namespace: 'llm',
    resourceVersion: rv,
    annotations: { 'deployment.kubernetes.io/revision': rv },
  },
  spec: { replicas, template: { spec: { containers: [{ name: 'c', image, env: [{ name: 'HF_TOKEN' }] }] } } },
  status: { readyReplicas: replicas },
});

describe('ranked changes between two moments', () => {
  it('puts the image change of an involved model first, field by field, and never shows env values', () => {
    const route = (w: number, rv: string): CapturedObject => ({
      kind: 'HTTPRoute',
      metadata: { name: 'chat', namespace: 'llm', resourceVersion: rv },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'llama', weight: w },
              { name: 'small', weight: 100 - w },
            ],
          },
        ],
      },
    });
    const other: CapturedObject = {
      kind: 'Deployment',
      metadata: { name: 'x', namespace: 'other', resourceVersion: '1' },
      spec: { replicas: 1 },
    };
    const changes = diffObjects(
      [dep('1', 'vllm:v0.6.3'), route(100, '1'), other],
      [
        dep('2', 'vllm:v0.6.4', 3),
        route(0, '2'),
        { ...other, metadata: { ...other.metadata, resourceVersion: '2' }, spec: { replicas: 2 } },
      ],
      { models: [{ serviceId: 'llm/Deployment/llama', name: 'llama', namespace: 'llm' }] },
    );
    expect(changes[0]!.object).toBe('Deployment llm/llama');
    expect(changes[0]!.kinds).toEqual(expect.arrayContaining(['image', 'revision', 'replicas']));
    expect(changes[0]!.fields).toContainEqual({
      path: 'containers[c].image',
      before: 'vllm:v0.6.3',
      after: 'vllm:v0.6.4',
    });
    expect(changes[1]!.object).toBe('HTTPRoute llm/chat');
    expect(changes[1]!.fields).toContainEqual({
      path: 'weights',
      before: 'llama=100, small=0',
      after: 'llama=0, small=100',
    });
    expect(changes.at(-1)!.model).toBeNull();
    expect(JSON.stringify(changes)).not.toContain('value');
  });
});

function frame(atMs: number, over: Partial<CaptureFrame> = {}): CaptureFrame {
  return {
    atMs,
    context: 'test',
    mode: 'incident',
    objects: [dep('1', 'vllm:v0.6.3')],
    events: [],
    alerts: [],
    series: [],
    actions: [],
    models: [{ serviceId: 'llm/Deployment/llama', name: 'llama', namespace: 'llm' }],
    ...over,
  };
}

describe('the flight recorder', () => {
  it('keeps one row per Event however often its series is re-sent, with the latest count', () => {
    const store = openStore(':memory:');
    const mem = newMemory();
    const ev = (count: number, lastMs: number) => ({
      uid: 'ev-1',
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      count,
      firstMs: T0,
      lastMs,
      object: 'Pod llm/llama-1',
      namespace: 'llm',
      name: 'llama-1',
    });
    ingest(store, frame(T0, { events: [ev(1, T0)] }), mem);
    ingest(store, frame(T0 + 15_000, { events: [ev(7, T0 + 14_000)] }), mem);
    // the new-style reporter re-PATCHes an open series every 30 minutes with its original eventTime
    ingest(store, frame(T0 + 30 * MIN, { events: [ev(349, T0 + 30 * MIN)] }), mem);
    const rows = store.incidents.timeline({ fromMs: 0, toMs: T0 + 60 * MIN, sources: ['event'] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      count: 349,
      atMs: T0,
      lastMs: T0 + 30 * MIN,
      model: 'llm/Deployment/llama',
    });
  });

  it('records alert transitions once each (firing, silenced, resolved) and watch changes of the objects', () => {
    const store = openStore(':memory:');
    const mem = newMemory();
    const alert = (state: 'firing' | 'silenced') => ({
      fingerprint: 'fp1',
      name: 'HighErrorRate',
      state,
      severity: 'page',
      summary: null,
      labels: {},
      startsMs: T0 + 5_000,
      model: 'llm/Deployment/llama',
    });
    ingest(store, frame(T0), mem);
    ingest(store, frame(T0 + 15_000, { alerts: [alert('firing')], objects: [dep('2', 'vllm:v0.6.4')] }), mem);
    ingest(store, frame(T0 + 30_000, { alerts: [alert('firing')], objects: [dep('2', 'vllm:v0.6.4')] }), mem);
    ingest(
      store,
      frame(T0 + 45_000, { alerts: [alert('silenced')], objects: [dep('2', 'vllm:v0.6.4')] }),
      mem,
    );
    ingest(store, frame(T0 + 60_000, { alerts: null, objects: [dep('2', 'vllm:v0.6.4')] }), mem); // Alertmanager not read
    ingest(store, frame(T0 + 75_000, { alerts: [], objects: [dep('2', 'vllm:v0.6.4')] }), mem);
    const rows = store.incidents.timeline({ fromMs: 0, toMs: T0 + MIN * 10 }).rows;
    expect(rows.filter((r) => r.source === 'alert').map((r) => r.details.transition)).toEqual([
      'firing',
      'silenced',
      'resolved',
    ]);
    expect(rows.filter((r) => r.source === 'alert')[0]!.atMs).toBe(T0 + 5_000); // dated by the alert's own start
    const changes = rows.filter((r) => r.source === 'change');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.summary).toContain('vllm:v0.6.3 → vllm:v0.6.4');
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    // an unchanged object is stored once however many captures hold it
    expect(store.incidents.captures(0, T0 + MIN * 10)).toHaveLength(6);
  });

  it('notes, declare and resolve are audited; resolve is refused while a linked alert fires', () => {
    const store = openStore(':memory:');
    const rec = declareLlama(store, null);
    const mem = newMemory();
    ingest(
      store,
      frame(T0 + 15_000, {
        alerts: [
          {
            fingerprint: 'fp',
            name: 'HighErrorRate',
            state: 'firing',
            severity: 'page',
            summary: null,
            labels: {},
            startsMs: T0,
            model: null,
          },
        ],
      }),
      mem,
    );
    addNote(store, rec.id, 'rolling back', 'ann', T0 + 20_000);
    expect(() => resolve(store, rec.id, false, 'ann', T0 + 30_000)).toThrow(/still firing/);
    resolve(store, rec.id, true, 'ann', T0 + 30_000);
    expect(getRecord(store, rec.id).closedAt).not.toBeNull();
    expect(() => addNote(store, rec.id, 'late', 'ann', T0 + 40_000)).toThrow(/resolved/);
    const actions = store.audit
      .list({ limit: 10 })
      .map((e) => e.action)
      .reverse();
    expect(actions).toEqual(['incident.declare', 'incident.note', 'incident.resolve']);
    expect(store.audit.verify().ok).toBe(true);
    const page = timelinePage(store, getRecord(store, rec.id), T0 + MIN, { offset: 0, limit: 100 });
    expect(page.entries.map((e) => e.source)).toEqual(['alert', 'note']);
    expect(
      view(store, getRecord(store, rec.id), 'store', T0).milestones.find((m) => m.name === 'detected')!.at,
    ).toBe(new Date(T0).toISOString());
  });
});

describe('ring pruning', () => {
  it('keeps a series block that starts before the ring but reaches into it, and incidents whatever their age', () => {
    const store = openStore(':memory:');
    const now = T0 + 5 * 60 * MIN;
    const block = (t0Ms: number, n: number) => ({
      seriesKey: `k${t0Ms}`,
      model: 'm',
      metric: 'errorRatio',
      unit: 'ratio',
      t0Ms,
      stepS: 60,
      values: new Float64Array(n).fill(0.01),
    });
    store.incidents.putSeriesBlock(block(now - 61 * MIN, 61)); // the last hour at 1-minute steps
    store.incidents.putSeriesBlock(block(now - 3 * 60 * MIN, 10)); // old, outside everything
    store.incidents.putSeriesBlock(block(T0, 10)); // old, inside an incident's window
    store.incidents.pruneRing(now - 60 * MIN, [{ fromMs: T0 - MIN, toMs: T0 + 20 * MIN }]);
    const kept = store.incidents.seriesBlocks(0, now).map((b) => b.t0Ms);
    expect(kept.sort()).toEqual([T0, now - 61 * MIN].sort());
  });
});

describe('responses to an incident', () => {
  const rollback = (ns: string, name: string) => ({
    request: { type: 'rollback', target: { kind: 'Deployment', namespace: ns, name } },
  });
  const models = [
    { serviceId: 'llm/Deployment/llama', name: 'llama', namespace: 'llm' },
    { serviceId: 'llm/Deployment/llama-small', name: 'llama-small', namespace: 'llm' },
  ];

  it('say what each audited action was about, from its request', () => {
    expect(actionSubject(rollback('llm', 'llama'), models)).toEqual({
      model: 'llm/Deployment/llama',
      alertNames: [],
    });
    const traffic = {
      request: {
        type: 'traffic',
        route: { kind: 'HTTPRoute', namespace: 'llm', name: 'chat' },
        weights: { 'llama-small': 100, llama: 0 },
      },
    };
    // the incident's own model before its fallback, whichever way the weights go
    expect(actionSubject(traffic, models).model).toBe('llm/Deployment/llama');
    const onlySmall = { request: { ...traffic.request, weights: { 'llama-small': 50, other: 50 } } };
    expect(actionSubject(onlySmall, models).model).toBe('llm/Deployment/llama-small');
    expect(
      actionSubject({ request: { ...traffic.request, route: { namespace: 'other' } } }, models).model,
    ).toBeNull();
    const silence = {
      request: {
        type: 'silence',
        matchers: [
          { name: 'alertname', value: 'HighErrorRate', isEqual: true, isRegex: false },
          { name: 'alertname', value: 'High.*', isEqual: true, isRegex: true },
          { name: 'service', value: 'llama', isEqual: true, isRegex: false },
        ],
      },
    };
    expect(actionSubject(silence, models)).toEqual({ model: null, alertNames: ['HighErrorRate'] });
    expect(actionSubject({}, models)).toEqual({ model: null, alertNames: [] });
    expect(actionSubject({ request: 'x' }, models)).toEqual({ model: null, alertNames: [] });
  });

  it('are the actions about its models or its alerts: work elsewhere in the cluster neither acknowledges nor mitigates it', () => {
    const store = openStore(':memory:');
    const rec = declareLlama(store, 'llm/Deployment/llama-small');
    const act = (seq: number, atMs: number, details: Record<string, unknown>, action = 'rollback') =>
      actionEntry({
        seq,
        atMs,
        action,
        target: 't',
        result: 'done',
        actor: 'bob',
        ...actionSubject(details, models),
      });
    store.incidents.upsertTimeline([
      act(1, T0 + 1 * MIN, rollback('batch', 'embedder')), // another team's model
      act(
        2,
        T0 + 2 * MIN,
        { request: { type: 'silence', matchers: [{ name: 'alertname', value: 'GPUIdle', isEqual: true }] } },
        'silence',
      ),
    ]);
    const at = (name: string) =>
      view(store, getRecord(store, rec.id), 'store', T0 + 20 * MIN).milestones.find((m) => m.name === name)!
        .at;
    expect(at('acknowledged')).toBeNull();
    expect(view(store, getRecord(store, rec.id), 'store', T0 + 20 * MIN).lastActionAt).toBeNull();

    store.incidents.upsertTimeline([
      act(
        3,
        T0 + 3 * MIN,
        {
          request: {
            type: 'silence',
            matchers: [{ name: 'alertname', value: 'HighErrorRate', isEqual: true }],
          },
        },
        'silence',
      ),
    ]);
    expect(at('acknowledged')).toBe(new Date(T0 + 3 * MIN).toISOString());
    store.incidents.upsertTimeline([act(4, T0 + 4 * MIN, rollback('llm', 'llama-small'))]); // its fallback
    expect(view(store, getRecord(store, rec.id), 'store', T0 + 20 * MIN).lastActionAt).toBe(
      new Date(T0 + 4 * MIN).toISOString(),
    );
    store.close();
  });
});
