import { describe, expect, it, vi } from 'vitest';
import type { ActionOutcome, ActionRequest, PreparedAction } from '../../../shared/actions';
import type { Channel } from '../../../shared/contract';
import type { AppErrorData, Result } from '../../../shared/errors';
import {
  actionsForKind,
  actionTitle,
  canConfirm,
  confirmBlocker,
  confirmLabel,
  createActionsStore,
  formatDiffPath,
  outcomeTone,
  parseReplicas,
  pathLabel,
  requestFor,
  requestTarget,
  requestWorkload,
  targetLabel,
} from '../../../renderer/state/actions';
import { scriptedTransport, type Handler } from '../renderer/scriptedTransport';

/** The in-memory transport, scripted by the test; it records every call. */
const fakeTransport = (handlers: Partial<Record<Channel, Handler>>) =>
  scriptedTransport(handlers, () => err('UNKNOWN_CHANNEL'));

const err = (
  code: AppErrorData['code'],
  message = `${code} happened`,
  hint = 'do something',
): AppErrorData => ({
  code,
  message,
  hint,
});

const target = { kind: 'Deployment' as const, namespace: 'llm', name: 'llama-70b-chat' };
const rollback: ActionRequest = { type: 'rollback', target };

function prepared(over: Partial<PreparedAction> = {}): PreparedAction {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    context: 'firebreak-sandbox',
    request: rollback,
    summary: 'Roll back Deployment llm/llama-70b-chat from revision 2 to revision 1',
    target: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'llm',
      name: 'llama-70b-chat',
      uid: 'ec6549a8-5ae3-4c29-a5a2-7b8d7642e7c6',
      resourceVersion: '125',
    },
    confirmPhrase: 'llama-70b-chat',
    permission: { allowed: true, reason: 'You may patch deployments in namespace llm.' },
    dryRun: { ok: true, message: 'accepted' },
    diff: [{ path: '/spec/template/spec/containers/0/image', before: 'vllm:v0.6.4', after: 'vllm:v0.6.3' }],
    warnings: [],
    noop: null,
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
    ...over,
  };
}

const done: ActionOutcome = {
  status: 'done',
  message: 'deployment "llama-70b-chat" successfully rolled out',
  auditSeq: 7,
  replanned: null,
};

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the action dialog store', () => {
  it('prepares, then writes nothing until the target name is typed exactly', async () => {
    const { transport, calls } = fakeTransport({
      'actions.prepare': () => ({ ok: true, value: prepared() }),
      'actions.execute': () => ({ ok: true, value: done }),
    });
    const store = createActionsStore(() => transport, { clock: () => 1000 });
    const opening = store.getState().open(rollback);
    expect(store.getState().dialog.phase).toBe('preparing');
    await opening;
    const d = store.getState().dialog;
    expect(d.phase).toBe('review');
    expect(calls).toEqual([{ channel: 'actions.prepare', input: { request: rollback } }]);

    // wrong or partial names: confirm() is a no-op
    for (const typed of ['', 'llama-70b', 'llama-8b-chat', 'LLAMA-70B-CHAT', 'llm/llama-70b-chat']) {
      store.getState().setTyped(typed);
      await store.getState().confirm();
      expect(store.getState().dialog.phase).toBe('review');
    }
    expect(calls.filter((c) => c.channel === 'actions.execute')).toHaveLength(0);

    store.getState().setTyped(' llama-70b-chat ');
    await store.getState().confirm();
    expect(calls.at(-1)).toEqual({
      channel: 'actions.execute',
      input: { id: prepared().id, confirm: 'llama-70b-chat' },
    });
    const after = store.getState().dialog;
    expect(after.phase).toBe('outcome');
    if (after.phase === 'outcome') expect(after.outcome.status).toBe('done');
    expect(store.getState().last).toMatchObject({ summary: prepared().summary, at: 1000, outcome: done });
  });

  it('shows "Writing…" while execute runs, and tells listeners when it settled', async () => {
    let finish: (r: Result<ActionOutcome>) => void = () => {};
    const { transport } = fakeTransport({
      'actions.prepare': () => ({ ok: true, value: prepared() }),
      'actions.execute': () => new Promise((r) => (finish = r as typeof finish)),
    });
    const settled = vi.fn();
    const store = createActionsStore(() => transport, { onSettled: settled });
    const extra = vi.fn();
    const off = store.onSettled(extra);
    await store.getState().open(rollback);
    store.getState().setTyped('llama-70b-chat');
    const confirming = store.getState().confirm();
    expect(store.getState().dialog.phase).toBe('executing');
    // Escape while writing does not pretend to cancel: the dialog hides, the watch goes on
    store.getState().close();
    expect(store.getState().dialog.phase).toBe('closed');
    expect(store.getState().background).toBe(true);
    finish({ ok: true, value: done });
    await confirming;
    expect(store.getState().dialog.phase).toBe('closed');
    expect(store.getState().background).toBe(false);
    expect(store.getState().last?.outcome?.status).toBe('done');
    expect(settled).toHaveBeenCalledWith(rollback, done);
    expect(extra).toHaveBeenCalledTimes(1);
    off();
  });

  it('after a conflict shows the re-planned preview, to be read and confirmed again', async () => {
    const replanned = prepared({
      id: '22222222-2222-4222-8222-222222222222',
      target: { ...prepared().target, resourceVersion: '130' },
      summary: 'Roll back Deployment llm/llama-70b-chat from revision 3 to revision 2',
    });
    const conflict: ActionOutcome = {
      status: 'conflict',
      message:
        'Deployment llm/llama-70b-chat changed since the preview (someone else edited it). Nothing was written; review the new preview.',
      auditSeq: 8,
      replanned,
    };
    const outcomes = [conflict, done];
    const { transport, calls } = fakeTransport({
      'actions.prepare': () => ({ ok: true, value: prepared() }),
      'actions.execute': () => ({ ok: true, value: outcomes.shift() as ActionOutcome }),
    });
    const settled = vi.fn();
    const store = createActionsStore(() => transport, { onSettled: settled });
    await store.getState().open(rollback);
    store.getState().setTyped('llama-70b-chat');
    await store.getState().confirm();
    const d = store.getState().dialog;
    expect(d.phase).toBe('review');
    if (d.phase !== 'review') return;
    expect(d.prepared).toBe(replanned);
    expect(d.typed).toBe('');
    expect(d.conflict).toContain('changed since the preview');
    expect(settled).not.toHaveBeenCalled();
    // the new preview must be confirmed by typing again
    await store.getState().confirm();
    expect(calls.filter((c) => c.channel === 'actions.execute')).toHaveLength(1);
    store.getState().setTyped('llama-70b-chat');
    await store.getState().confirm();
    expect(calls.at(-1)?.input).toEqual({ id: replanned.id, confirm: 'llama-70b-chat' });
    expect(store.getState().dialog.phase).toBe('outcome');
  });

  it('a refusal (paused, no history, all-zero split) is a plain answer, with its hint', async () => {
    const refusal = err(
      'ACTION_REFUSED',
      'no rollout history found for Deployment llm/x',
      'Pick a revision.',
    );
    const { transport } = fakeTransport({ 'actions.prepare': () => ({ ok: false, error: refusal }) });
    const store = createActionsStore(() => transport);
    await store.getState().open(rollback);
    expect(store.getState().dialog).toEqual({ phase: 'refused', request: rollback, error: refusal });
    store.getState().close();
    expect(store.getState().dialog.phase).toBe('closed');
  });

  it('an error from execute leaves the preview and offers to prepare again', async () => {
    const expired = err('ACTION_REFUSED', 'This action was not prepared, or its preview expired.');
    let n = 0;
    const { transport, calls } = fakeTransport({
      'actions.prepare': () => ({
        ok: true,
        value: prepared({ id: `00000000-0000-4000-8000-00000000000${++n}` }),
      }),
      'actions.execute': () => ({ ok: false, error: expired }),
    });
    const settled = vi.fn();
    const store = createActionsStore(() => transport, { onSettled: settled });
    await store.getState().open(rollback);
    store.getState().setTyped('llama-70b-chat');
    await store.getState().confirm();
    const d = store.getState().dialog;
    expect(d.phase).toBe('failed');
    if (d.phase === 'failed') expect(d.error).toBe(expired);
    expect(store.getState().last?.error).toBe(expired);
    expect(settled).toHaveBeenCalledWith(rollback, null);
    await store.getState().again();
    expect(store.getState().dialog.phase).toBe('review');
    expect(calls.filter((c) => c.channel === 'actions.prepare')).toHaveLength(2);
  });

  it('Cancel while preparing drops the late answer', async () => {
    let answer: (r: Result<PreparedAction>) => void = () => {};
    const { transport } = fakeTransport({
      'actions.prepare': () => new Promise((r) => (answer = r as typeof answer)),
    });
    const store = createActionsStore(() => transport);
    const opening = store.getState().open(rollback);
    store.getState().close();
    answer({ ok: true, value: prepared() });
    await opening;
    await flush();
    expect(store.getState().dialog.phase).toBe('closed');
  });

  it('never confirms a noop, a denied permission or a failed dry run', async () => {
    for (const p of [
      prepared({ noop: 'Deployment llm/llama-70b-chat is already running.' }),
      prepared({
        permission: { allowed: false, reason: 'User "dev" cannot patch deployments in namespace "llm".' },
      }),
      prepared({ dryRun: { ok: false, message: 'The dry run was rejected: admission webhook denied' } }),
    ]) {
      const { transport, calls } = fakeTransport({ 'actions.prepare': () => ({ ok: true, value: p }) });
      const store = createActionsStore(() => transport);
      await store.getState().open(rollback);
      store.getState().setTyped('llama-70b-chat');
      await store.getState().confirm();
      expect(store.getState().dialog.phase).toBe('review');
      expect(calls.some((c) => c.channel === 'actions.execute')).toBe(false);
    }
  });
});

describe('dialog rules', () => {
  it('says why Confirm is disabled', () => {
    expect(confirmBlocker(prepared(), '')).toBe('Type llama-70b-chat to confirm.');
    expect(confirmBlocker(prepared(), 'llama-70b-chat')).toBeNull();
    expect(canConfirm(prepared(), 'llama-70b-chat')).toBe(true);
    expect(
      confirmBlocker(
        prepared({ permission: { allowed: false, reason: 'User "dev" cannot patch' } }),
        'llama-70b-chat',
      ),
    ).toBe('Not allowed: User "dev" cannot patch');
    expect(confirmBlocker(prepared({ noop: 'already' }), 'llama-70b-chat')).toBe('Nothing to do.');
    expect(confirmBlocker(prepared({ dryRun: { ok: false, message: 'x' } }), 'llama-70b-chat')).toMatch(
      /dry run/,
    );
  });

  it('names actions and their buttons in the user’s words', () => {
    expect(actionTitle(rollback)).toBe('Roll back to the previous revision');
    expect(actionTitle({ type: 'rollback', target, toRevision: 1 })).toBe('Roll back to revision 1');
    expect(actionTitle({ type: 'scale', target, replicas: 1 })).toBe('Scale to 1 replica');
    expect(actionTitle({ type: 'canary', target, percent: 0 })).toBe('Canary to 0% (roll back)');
    expect(actionTitle({ type: 'canary', target, percent: null })).toBe('Promote the latest revision');
    expect(confirmLabel(rollback, 'llama-70b-chat')).toBe('Roll back llama-70b-chat');
    expect(
      confirmLabel(
        {
          type: 'traffic',
          route: { kind: 'HTTPRoute', namespace: 'llm', name: 'chat' },
          rule: 0,
          weights: {},
        },
        'chat',
      ),
    ).toBe('Apply the split to chat');
    const silence: ActionRequest = {
      type: 'silence',
      matchers: [
        { name: 'namespace', value: 'ml-batch', isRegex: false, isEqual: true },
        { name: 'alertname', value: 'GPUIdle', isRegex: false, isEqual: true },
      ],
      durationMinutes: 90,
      comment: 'queue empty',
    };
    expect(actionTitle(silence)).toBe('Silence alerts for 1 h 30 min');
    expect(actionTitle({ ...silence, durationMinutes: 1440 })).toBe('Silence alerts for 1 d');
    expect(actionTitle({ ...silence, durationMinutes: 30 })).toBe('Silence alerts for 30 min');
    expect(requestTarget(silence)).toEqual({ kind: 'Silence', namespace: '', name: 'GPUIdle' });
    expect(targetLabel(requestTarget(silence))).toBe('Silence GPUIdle');
    expect(targetLabel(target)).toBe('Deployment llm/llama-70b-chat');
    expect(confirmLabel(silence, 'GPUIdle')).toBe('Silence GPUIdle');
    expect(requestWorkload(silence)).toBeNull();
    expect(requestWorkload(rollback)).toEqual(target);
    expect(outcomeTone('done')).toBe('ok');
    expect(outcomeTone('timeout')).toBe('warning');
    expect(outcomeTone('failed')).toBe('critical');
  });

  it('reads JSON pointers as field paths', () => {
    expect(formatDiffPath('/spec/template/spec/containers/0/image')).toBe(
      'spec.template.spec.containers[0].image',
    );
    expect(formatDiffPath('/metadata/annotations/kubernetes.io~1change-cause')).toBe(
      'metadata.annotations["kubernetes.io/change-cause"]',
    );
    expect(formatDiffPath('/spec/rules/0/backendRefs/1/weight')).toBe('spec.rules[0].backendRefs[1].weight');
    expect(formatDiffPath('/a~0b')).toBe('["a~b"]');
    expect(formatDiffPath('')).toBe('/');
    // a silence's lines are words already
    expect(formatDiffPath('GPUIdle {namespace="ml-batch"}')).toBe('GPUIdle {namespace="ml-batch"}');
  });

  it('offers per workload kind only what the pipeline supports', () => {
    expect(actionsForKind('Deployment')).toEqual(['rollback', 'pause', 'resume', 'restart', 'scale']);
    expect(actionsForKind('Rollout')).toEqual(expect.arrayContaining(['abort', 'retry', 'rollback']));
    expect(actionsForKind('InferenceService')).toEqual(['canary-zero', 'promote']);
    expect(actionsForKind('DaemonSet')).not.toContain('scale');
    expect(requestFor('rollback', target)).toEqual({ type: 'rollback', target });
    expect(requestFor('rollback', target, { toRevision: 3 })).toEqual({
      type: 'rollback',
      target,
      toRevision: 3,
    });
    expect(requestFor('scale', target, { replicas: 0 })).toEqual({ type: 'scale', target, replicas: 0 });
    expect(requestFor('canary-zero', target)).toEqual({ type: 'canary', target, percent: 0 });
    expect(requestFor('promote', target)).toEqual({ type: 'canary', target, percent: null });
    expect(requestFor('pause', target)).toEqual({ type: 'pause', target });
  });

  it('reads a replicas field strictly', () => {
    expect(parseReplicas('4')).toBe(4);
    expect(parseReplicas(' 0 ')).toBe(0);
    expect(parseReplicas('10000')).toBe(10_000);
    for (const bad of ['', '-1', '1.5', '1e3', '10001', 'four', '0x10'])
      expect(parseReplicas(bad)).toBeNull();
  });

  it('labels diff paths only for the version of the target they were read from', () => {
    const labels = { resourceVersion: '125', paths: { '/spec/replicas': 'replicas' } };
    expect(pathLabel(labels, prepared(), '/spec/replicas')).toBe('replicas');
    expect(pathLabel(labels, prepared(), '/spec/other')).toBeNull();
    expect(
      pathLabel(
        labels,
        prepared({ target: { ...prepared().target, resourceVersion: '126' } }),
        '/spec/replicas',
      ),
    ).toBeNull();
    expect(pathLabel(null, prepared(), '/spec/replicas')).toBeNull();
  });
});
