import { describe, expect, it } from 'vitest';
import type { RevisionSummary } from '../../../shared/models';
import type { RouteView } from '../../../shared/traffic';
import type { AuditEntry } from '../../../shared/audit';
import type { Channel } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import { revisionDiff as sharedRevisionDiff } from '../../../shared/revisionDiff';
import { revisionDiff as mainRevisionDiff } from '../../../main/kube/revisions';
import {
  trafficPatch,
  httpRouteSplit,
  knativeSplit,
  virtualServiceSplit,
} from '../../../main/kube/trafficSplit';
import { AppError } from '../../../shared/errors';
import {
  createModelDetailStore,
  defaultCompare,
  detailHash,
  detailIdFromHash,
  effectiveCompare,
  revisionDiffRows,
  workloadFromId,
  workloadId,
  argsChange,
} from '../../../renderer/state/modelDetail';
import {
  changeBefore,
  changesOf,
  createTrafficStore,
  describeChange,
  isChangeOf,
  parseWeight,
  presetsFor,
  previousWeights,
  routesFor,
  sharePercents,
  validateSplit,
  weightPathLabels,
} from '../../../renderer/state/traffic';
import { scriptedTransport } from '../renderer/scriptedTransport';

/** The in-memory transport, scripted by the test; it records every call. */
const fakeTransport = (handlers: Partial<Record<Channel, (input: unknown) => Result<unknown>>>) =>
  scriptedTransport(handlers, () => ({ code: 'UNKNOWN_CHANNEL', message: '', hint: '' }));

function revision(
  n: number,
  over: Partial<RevisionSummary> = {},
  image = `vllm/vllm-openai:v0.6.${n + 2}`,
): RevisionSummary {
  return {
    revision: n,
    name: `llama-70b-chat-${n}`,
    uid: `uid-${n}`,
    createdAt: '2026-11-23T14:02:15Z',
    current: false,
    changeCause: `change ${n}`,
    containers: [
      {
        name: 'vllm',
        image,
        args: ['--model=meta-llama/Llama-3.1-70B-Instruct', '--max-model-len=8192'],
        envNames: ['HUGGING_FACE_HUB_TOKEN', 'MODEL_CACHE_DIR'],
        resources: { 'requests.cpu': '16', 'limits.nvidia.com/gpu': '2' },
      },
    ],
    gpus: 2,
    ...over,
  };
}

describe('model detail', () => {
  it('addresses a model service by its list id, in the hash', () => {
    const ref = { kind: 'Deployment' as const, namespace: 'llm', name: 'llama-70b-chat' };
    expect(workloadId(ref)).toBe('llm/Deployment/llama-70b-chat');
    expect(workloadFromId('llm/Deployment/llama-70b-chat')).toEqual(ref);
    expect(workloadFromId('nlp/InferenceService/bert-sentiment')?.kind).toBe('InferenceService');
    for (const bad of ['', 'llm/llama', 'llm/Pod/x', 'llm/Deployment/', '/Deployment/x', 'a/b/c/d'])
      expect(workloadFromId(bad)).toBeNull();
    const hash = detailHash('llm/Deployment/llama-70b-chat');
    expect(hash).toBe('#/models?model=llm%2FDeployment%2Fllama-70b-chat');
    expect(detailIdFromHash(hash)).toBe('llm/Deployment/llama-70b-chat');
    expect(detailIdFromHash('#/models')).toBeNull();
    expect(detailIdFromHash('#/health?model=llm%2FDeployment%2Fx')).toBeNull();
  });

  it('compares the previous revision with the current one by default, and any two on request', () => {
    const revs = [revision(3), revision(2, { current: true }), revision(1)];
    expect(defaultCompare(revs)).toEqual({ from: 1, to: 2 });
    expect(defaultCompare([revision(5, { current: true }), revision(3)])).toEqual({ from: 3, to: 5 });
    // the current one is the oldest (after a rollback to it with a renumbering that left a newer one)
    expect(defaultCompare([revision(4), revision(2, { current: true })])).toEqual({ from: 4, to: 2 });
    expect(defaultCompare([revision(1, { current: true })])).toBeNull();
    expect(defaultCompare([])).toBeNull();
    const history = {
      target: { kind: 'Deployment' as const, namespace: 'llm', name: 'x' },
      revisions: revs,
      note: null,
    };
    expect(effectiveCompare(history, { from: 3, to: 1 })).toEqual({ from: 3, to: 1 });
    expect(effectiveCompare(history, { from: 9, to: 1 })).toEqual({ from: 1, to: 2 });
    expect(effectiveCompare(undefined, null)).toBeNull();
  });

  it('diffs images, args, env var names (never values), resources, GPUs and change-cause, images first', () => {
    const from = revision(1);
    const to = revision(2, {
      changeCause: 'upgrade',
      gpus: 4,
      containers: [
        {
          name: 'vllm',
          image: 'vllm/vllm-openai:v0.6.4',
          args: [
            '--model=meta-llama/Llama-3.1-70B-Instruct',
            '--max-model-len=8192',
            '--enable-chunked-prefill',
          ],
          envNames: ['HUGGING_FACE_HUB_TOKEN', 'VLLM_ATTENTION_BACKEND'],
          resources: { 'requests.cpu': '16', 'limits.nvidia.com/gpu': '4' },
        },
      ],
    });
    const rows = revisionDiffRows(from, to);
    expect(rows.map((r) => r.group)).toEqual(['image', 'args', 'env', 'env', 'gpus', 'gpus', 'change-cause']);
    expect(rows[0]).toMatchObject({
      label: 'image',
      from: 'vllm/vllm-openai:v0.6.3',
      to: 'vllm/vllm-openai:v0.6.4',
    });
    expect(rows.filter((r) => r.group === 'env').map((r) => [r.label, r.from, r.to])).toEqual([
      ['env var removed', 'MODEL_CACHE_DIR', null],
      ['env var added', null, 'VLLM_ATTENTION_BACKEND'],
    ]);
    expect(rows.find((r) => r.label === 'GPUs (total)')).toMatchObject({ from: '2', to: '4' });
    expect(argsChange(rows[1]!.from, rows[1]!.to)).toEqual({
      removed: [],
      added: ['--enable-chunked-prefill'],
    });
    expect(revisionDiffRows(from, from)).toEqual([]);
  });

  it('main re-exports the very diff the renderer uses', () => {
    expect(mainRevisionDiff).toBe(sharedRevisionDiff);
  });

  it('loads the history, and forgets a comparison whose revisions are gone', async () => {
    const target = { kind: 'Deployment' as const, namespace: 'llm', name: 'llama-70b-chat' };
    let revisions = [revision(2, { current: true }), revision(1)];
    const { transport, calls } = fakeTransport({
      'models.history': () => ({ ok: true, value: { target, revisions, note: null } }),
    });
    const store = createModelDetailStore(() => transport, { clock: () => 5 });
    await store.getState().load(target);
    expect(calls[0]).toEqual({ channel: 'models.history', input: { target } });
    expect(store.getState().history.status).toBe('ready');
    store.getState().setCompare({ from: 2, to: 1 });
    // a rollback renumbers: revision 1 becomes 3
    revisions = [revision(3, { current: true }), revision(2)];
    await store.getState().load(target);
    expect(store.getState().compare).toBeNull();
    expect(store.getState().history.updatedAt).toBe(5);
  });
});

const route = (weights: number[], over: Partial<RouteView> = {}): RouteView => {
  const sum = weights.reduce((a, b) => a + b, 0);
  const names = ['llama-70b-chat', 'llama-8b-chat', 'llama-1b-chat'];
  return {
    kind: 'HTTPRoute',
    namespace: 'llm',
    name: 'chat',
    resourceVersion: '72',
    rules: [weights.map((w, i) => ({ name: names[i]!, port: 8000, weight: w, share: sum ? w / sum : 0 }))],
    ownerWarning: null,
    conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
    ...over,
  };
};

function auditEntry(
  seq: number,
  before: [number, number],
  after: [number, number],
  result = 'done',
): AuditEntry {
  return {
    seq,
    at: '2026-11-23T14:02:24.603Z',
    actor: 'root@vm',
    action: 'traffic',
    target: 'HTTPRoute llm/chat uid=cab63578-2f14-4f63-8fee-3f04beb9bbef',
    result,
    details: {
      changes: [
        { after: String(after[1]), before: String(before[1]), path: '/spec/rules/0/backendRefs/1/weight' },
        { after: String(after[0]), before: String(before[0]), path: '/spec/rules/0/backendRefs/0/weight' },
      ],
      request: {
        route: { kind: 'HTTPRoute', name: 'chat', namespace: 'llm' },
        rule: 0,
        type: 'traffic',
        weights: { 'llama-70b-chat': after[0], 'llama-8b-chat': after[1] },
      },
      summary: 'Route HTTPRoute llm/chat: …',
    },
    hash: 'x',
  };
}

describe('traffic', () => {
  const names = ['llama-70b-chat', 'llama-8b-chat'];

  it('turns weights into whole-percent shares that add up to 100', () => {
    expect(sharePercents(names, { 'llama-70b-chat': 100, 'llama-8b-chat': 0 })).toEqual([100, 0]);
    expect(sharePercents(names, { 'llama-70b-chat': 1, 'llama-8b-chat': 2 })).toEqual([33, 67]);
    expect(sharePercents(['a', 'b', 'c'], { a: 1, b: 1, c: 1 })).toEqual([34, 33, 33]);
    expect(sharePercents(names, { 'llama-70b-chat': 0, 'llama-8b-chat': 0 })).toEqual([0, 0]);
    expect(sharePercents(names, { 'llama-70b-chat': 999_999, 'llama-8b-chat': 1 })).toEqual([100, 0]);
  });

  it('refuses what main refuses, with the same words', () => {
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        if (e instanceof AppError) return { message: e.message, hint: e.hint };
      }
      return null;
    };
    const http = httpRouteSplit({
      metadata: { name: 'chat', namespace: 'llm', resourceVersion: '1' },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'llama-70b-chat', weight: 100 },
              { name: 'llama-8b-chat', weight: 0 },
            ],
          },
        ],
      },
    });
    const zero = { 'llama-70b-chat': 0, 'llama-8b-chat': 0 };
    expect(validateSplit('HTTPRoute', names, zero)).toEqual(refusal(() => trafficPatch(http, 0, zero)));
    expect(validateSplit('HTTPRoute', names, zero)?.message).toMatch(/^Every backend would get weight 0/);
    const big = { 'llama-70b-chat': 2_000_000, 'llama-8b-chat': 0 };
    expect(validateSplit('HTTPRoute', names, big)).toEqual(refusal(() => trafficPatch(http, 0, big)));
    const vs = virtualServiceSplit({
      metadata: { name: 'chat', namespace: 'llm', resourceVersion: '1' },
      spec: {
        http: [
          {
            route: [
              { destination: { host: 'llama-70b-chat' }, weight: 100 },
              { destination: { host: 'llama-8b-chat' }, weight: 0 },
            ],
          },
        ],
      },
    });
    const ninety = { 'llama-70b-chat': 90, 'llama-8b-chat': 5 };
    expect(validateSplit('VirtualService', names, ninety)).toEqual(
      refusal(() => trafficPatch(vs, 0, ninety)),
    );
    expect(validateSplit('HTTPRoute', names, ninety)).toBeNull();
    expect(
      validateSplit('HTTPRoute', names, { 'llama-70b-chat': parseWeight('1.5'), 'llama-8b-chat': 1 })
        ?.message,
    ).toMatch(/whole numbers/);
    const ksvc = knativeSplit({
      metadata: { name: 'chat', namespace: 'llm', resourceVersion: '1' },
      spec: {
        traffic: [
          { revisionName: 'llama-70b-chat', percent: 100 },
          { revisionName: 'llama-8b-chat', percent: 0 },
        ],
      },
    });
    expect(validateSplit('KnativeService', names, ninety)).toEqual(
      refusal(() => trafficPatch(ksvc, 0, ninety)),
    );
    expect(validateSplit('KnativeService', names, ninety)?.message).toMatch(/^Knative traffic percents/);
    expect(parseWeight('')).toBeNaN();
    expect(parseWeight(' 10 ')).toBe(10);
    expect(parseWeight('-1')).toBeNaN();
  });

  it('offers all-to-each, 90/10 to each fallback, and restore when there is something to restore', () => {
    const p = presetsFor(route([100, 0]), 0, null);
    expect(p.map((x) => [x.id, x.label, x.weights])).toEqual([
      ['all:llama-70b-chat', 'All to llama-70b-chat', { 'llama-70b-chat': 100, 'llama-8b-chat': 0 }],
      ['all:llama-8b-chat', 'All to llama-8b-chat', { 'llama-70b-chat': 0, 'llama-8b-chat': 100 }],
      ['split:llama-8b-chat', 'Split 90/10', { 'llama-70b-chat': 90, 'llama-8b-chat': 10 }],
    ]);
    const three = presetsFor(route([80, 10, 10]), 0, {
      'llama-70b-chat': 1,
      'llama-8b-chat': 1,
      'llama-1b-chat': 1,
    });
    expect(three.map((x) => x.label)).toEqual([
      'All to llama-70b-chat',
      'All to llama-8b-chat',
      'All to llama-1b-chat',
      'Split 90/10 → llama-8b-chat',
      'Split 90/10 → llama-1b-chat',
      'Restore previous',
    ]);
    expect(three.at(-1)?.weights).toEqual({ 'llama-70b-chat': 1, 'llama-8b-chat': 1, 'llama-1b-chat': 1 });
  });

  it('finds the weights before the last change in the audit log (details.changes), else in memory', () => {
    const entries = [
      auditEntry(2, [100, 0], [0, 100]),
      auditEntry(5, [0, 100], [90, 10]),
      auditEntry(6, [90, 10], [90, 10], 'noop'),
    ];
    const other = { ...auditEntry(9, [1, 1], [2, 2]), target: 'HTTPRoute llm/chat-other uid=1' };
    const all = [...entries, other];
    expect(changesOf(all, route([90, 10])).map((e) => e.seq)).toEqual([6, 5, 2]);
    expect(changeBefore(entries[0]!, 'HTTPRoute', names)).toEqual({
      'llama-70b-chat': 100,
      'llama-8b-chat': 0,
    });
    // newest done change of this route: seq 5, which came from 0/100
    expect(previousWeights(route([90, 10]), 0, all, {})).toEqual({
      'llama-70b-chat': 0,
      'llama-8b-chat': 100,
    });
    // nothing to restore when the route already has those weights
    expect(previousWeights(route([0, 100]), 0, all, {})).toBeNull();
    // no audit: what this session remembered
    const remembered = { 'HTTPRoute llm/chat#0': { 'llama-70b-chat': 100, 'llama-8b-chat': 0 } };
    expect(previousWeights(route([0, 100]), 0, [], remembered)).toEqual({
      'llama-70b-chat': 100,
      'llama-8b-chat': 0,
    });
    expect(previousWeights(route([100, 0]), 0, undefined, {})).toBeNull();
    expect(describeChange(entries[0]!, 'HTTPRoute', names)).toBe(
      'llama-70b-chat 100% → 0%, llama-8b-chat 0% → 100%',
    );
  });

  it('reads a Knative change by its percent paths, and names them for the dialog', () => {
    const knative: RouteView = { ...route([100, 0]), kind: 'KnativeService' };
    const entry = {
      ...auditEntry(4, [100, 0], [0, 100]),
      target: 'KnativeService llm/chat uid=1',
      details: {
        request: {
          type: 'traffic',
          route: { kind: 'KnativeService', namespace: 'llm', name: 'chat' },
          rule: 0,
          weights: { 'llama-70b-chat': 0, 'llama-8b-chat': 100 },
        },
        changes: [
          { path: '/spec/traffic/0/percent', before: '100', after: '0' },
          { path: '/spec/traffic/1/percent', before: null, after: '100' },
        ],
      },
    };
    // a percent that was not set was 0
    expect(changeBefore(entry, 'KnativeService', names)).toEqual({
      'llama-70b-chat': 100,
      'llama-8b-chat': 0,
    });
    expect(isChangeOf(entry, knative)).toBe(true);
    expect(isChangeOf(entry, route([100, 0]))).toBe(false);
    expect(weightPathLabels(knative, 0).paths).toEqual({
      '/spec/traffic/0/percent': 'percent of llama-70b-chat',
      '/spec/traffic/1/percent': 'percent of llama-8b-chat',
    });
  });

  it('reads a weight that was not set as the default (Gateway API: 1)', () => {
    const e = auditEntry(3, [1, 1], [100, 0]);
    (e.details.changes as Array<{ before: string | null }>)[0]!.before = null;
    expect(changeBefore(e, 'HTTPRoute', names)).toEqual({ 'llama-70b-chat': 1, 'llama-8b-chat': 1 });
  });

  it('names the weight paths for the dialog, and finds the routes of a model', () => {
    expect(weightPathLabels(route([100, 0]), 0)).toEqual({
      resourceVersion: '72',
      paths: {
        '/spec/rules/0/backendRefs/0/weight': 'weight of llama-70b-chat',
        '/spec/rules/0/backendRefs/1/weight': 'weight of llama-8b-chat',
      },
    });
    expect(Object.keys(weightPathLabels(route([100, 0], { kind: 'VirtualService' }), 0).paths)[0]).toBe(
      '/spec/http/0/route/0/weight',
    );
    expect(routesFor([route([75, 25])], { name: 'llama-8b-chat', namespace: 'llm' })).toEqual([
      { route: route([75, 25]), rule: 0, share: 0.25 },
    ]);
    expect(routesFor([route([75, 25])], { name: 'llama-8b-chat', namespace: 'other' })).toEqual([]);
  });

  it('the store keeps only traffic changes from the audit log, newest first', async () => {
    const settings: AuditEntry = {
      ...auditEntry(1, [0, 0], [0, 0]),
      action: 'settings.update',
      target: 'kubernetes',
    };
    const { transport, calls } = fakeTransport({
      'traffic.routes': () => ({ ok: true, value: [route([100, 0])] }),
      'audit.list': () => ({
        ok: true,
        value: [auditEntry(2, [100, 0], [0, 100]), settings, auditEntry(4, [0, 100], [100, 0])],
      }),
    });
    const store = createTrafficStore(() => transport, { clock: () => 9 });
    await Promise.all([store.getState().load(), store.getState().loadChanges()]);
    expect(store.getState().routes.data).toHaveLength(1);
    expect(store.getState().changes.data?.map((e) => e.seq)).toEqual([4, 2]);
    expect(calls.find((c) => c.channel === 'audit.list')?.input).toEqual({ limit: 1000 });
    store.getState().remember({ kind: 'HTTPRoute', namespace: 'llm', name: 'chat' }, 0, { a: 1 });
    expect(store.getState().remembered).toEqual({ 'HTTPRoute llm/chat#0': { a: 1 } });
  });
});
