/**
 * A silence through the action pipeline, against a fake Alertmanager: the preview (covered alerts, warnings,
 * an existing silence that already does the job, a bad regular expression), the write and its check, and the
 * gates and audit entries the pipeline puts around it.
 */
import { describe, expect, it } from 'vitest';
import type { ActionRequest } from '../../../shared/actions';
import { AppError } from '../../../shared/errors';
import { ActionPipeline, type ExternalAction } from '../../../main/actions/pipeline';
import type { AlertmanagerClient, AmAlert, AmSilence, NewSilence } from '../../../main/metrics/alertmanager';
import { applySilence, matcherText, planSilence, type SilenceRequest } from '../../../main/actions/silence';
import { openStore } from '../../../main/store';
import { tempStorePath } from '../../fixtures/store/files';

const NOW = new Date('2026-11-23T10:00:00Z');

const alert = (fingerprint: string, labels: Record<string, string>, silencedBy: string[] = []): AmAlert => ({
  labels,
  annotations: {},
  fingerprint,
  status: { state: silencedBy.length ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] },
});

/** An Alertmanager in memory: silences apply to alerts after `lagReads` reads (as a real one may lag). */
function fakeAlertmanager(alerts: AmAlert[], silences: AmSilence[] = [], opts: { lagReads?: number } = {}) {
  const created: NewSilence[] = [];
  let reads = 0;
  const client = {
    url: 'http://am.test:9093',
    async alerts() {
      reads += 1;
      const applied = reads > (opts.lagReads ?? 0);
      return alerts.map((a) => {
        const by = applied
          ? silences
              .filter((s) => s.status.state === 'active')
              .filter((s) => s.matchers.every((m) => a.labels[m.name] === m.value))
              .map((s) => s.id)
          : [];
        return by.length
          ? { ...a, status: { ...a.status, state: 'suppressed' as const, silencedBy: by } }
          : a;
      });
    },
    async silences() {
      return silences;
    },
    async createSilence(s: NewSilence) {
      created.push(s);
      const id = `sil-${created.length}`;
      silences.push({
        id,
        matchers: s.matchers,
        startsAt: s.startsAt.toISOString(),
        endsAt: s.endsAt.toISOString(),
        createdBy: s.createdBy,
        comment: s.comment,
        status: { state: 'active' },
      });
      return id;
    },
  };
  return { client: client as unknown as AlertmanagerClient, created };
}

const request = (over: Partial<SilenceRequest> = {}): SilenceRequest => ({
  type: 'silence',
  matchers: [
    { name: 'alertname', value: 'GPUIdle', isRegex: false, isEqual: true },
    { name: 'namespace', value: 'ml-batch', isRegex: false, isEqual: true },
  ],
  durationMinutes: 60,
  comment: 'queue empty until Monday',
  ...over,
});

const idleAlerts = () => [
  alert('a1', { alertname: 'GPUIdle', namespace: 'ml-batch', gpu: '0' }),
  alert('a2', { alertname: 'GPUIdle', namespace: 'ml-batch', gpu: '1' }),
  alert('b1', { alertname: 'GPUIdle', namespace: 'llm', gpu: '4' }),
  alert('c1', { alertname: 'ModelHighErrorRate', namespace: 'ml-batch' }),
];

describe('planning a silence', () => {
  it('lists the alerts it covers now as they will change, and the silence itself', async () => {
    const { client, created } = fakeAlertmanager(idleAlerts());
    const plan = await planSilence(client, request(), NOW);
    expect(plan.name).toBe('GPUIdle');
    expect(plan.covered.map((a) => a.fingerprint)).toEqual(['a1', 'a2']);
    expect(plan.diff.slice(0, 3)).toEqual([
      { path: 'Silence matchers', before: null, after: 'alertname="GPUIdle", namespace="ml-batch"' },
      {
        path: 'Silence runs',
        before: null,
        after: '1 h, from confirmation (until about 2026-11-23 11:00 UTC)',
      },
      { path: 'Comment', before: null, after: 'queue empty until Monday' },
    ]);
    expect(plan.diff.slice(3)).toEqual([
      // each alert by what tells it apart from the others
      { path: 'GPUIdle {gpu="0"}', before: 'firing', after: 'silenced' },
      { path: 'GPUIdle {gpu="1"}', before: 'firing', after: 'silenced' },
    ]);
    // one alert: by its telling labels; alerts nothing tells apart: numbered
    const one = await planSilence(
      client,
      request({
        matchers: [{ name: 'alertname', value: 'ModelHighErrorRate', isRegex: false, isEqual: true }],
      }),
      NOW,
    );
    expect(one.diff.slice(3).map((d) => d.path)).toEqual(['ModelHighErrorRate {namespace="ml-batch"}']);
    const twins = fakeAlertmanager([
      alert('t1', { alertname: 'X', job: 'a' }),
      alert('t2', { alertname: 'X', job: 'a' }),
    ]);
    const plan2 = await planSilence(
      twins.client,
      request({ matchers: [{ name: 'alertname', value: 'X', isRegex: false, isEqual: true }] }),
      NOW,
    );
    expect(plan2.diff.slice(3).map((d) => d.path)).toEqual(['X', 'X (2)']);
    expect(plan.summary).toBe(
      'Silence alertname="GPUIdle", namespace="ml-batch" for 1 h: it covers 2 alerts active now',
    );
    expect(plan.warnings).toEqual([]);
    expect(plan.noop).toBeNull();
    expect(plan.dryRun.ok).toBe(true);
    expect(created).toEqual([]);
  });

  it('warns when it covers nothing active, or several different alerts', async () => {
    const { client } = fakeAlertmanager(idleAlerts());
    const none = await planSilence(
      client,
      request({ matchers: [{ name: 'alertname', value: 'Nope', isRegex: false, isEqual: true }] }),
      NOW,
    );
    expect(none.warnings[0]).toMatch(/matches no alert active now/);
    const wide = await planSilence(
      client,
      request({ matchers: [{ name: 'namespace', value: 'ml-batch', isRegex: false, isEqual: true }] }),
      NOW,
    );
    expect(wide.name).toBe('ml-batch');
    expect(wide.warnings[0]).toMatch(/covers 2 different alerts: GPUIdle, ModelHighErrorRate/);
  });

  it('is nothing to do when an active silence with the same matchers already runs as long', async () => {
    const existing: AmSilence = {
      id: 'old-1',
      matchers: [
        { name: 'namespace', value: 'ml-batch', isRegex: false, isEqual: true },
        { name: 'alertname', value: 'GPUIdle', isRegex: false, isEqual: true },
      ],
      startsAt: '2026-11-23T09:30:00Z',
      endsAt: '2026-11-23T10:59:00Z',
      createdBy: 'ana',
      comment: 'x',
      status: { state: 'active' },
    };
    const { client } = fakeAlertmanager(idleAlerts(), [existing]);
    const plan = await planSilence(client, request(), NOW);
    expect(plan.noop).toBe(
      'Silence old-1 by ana already has these matchers and runs until 2026-11-23 10:59 UTC.',
    );
    // for longer than that one runs: created, with a warning naming it
    const longer = await planSilence(client, request({ durationMinutes: 240 }), NOW);
    expect(longer.noop).toBeNull();
    expect(longer.warnings.join(' ')).toMatch(
      /Silence old-1 by ana has the same matchers and ends at 2026-11-23 10:59 UTC/,
    );
    // an expired one, or other matchers, do not count
    existing.status.state = 'expired';
    expect((await planSilence(client, request(), NOW)).noop).toBeNull();
  });

  it('refuses a regular expression that does not compile, in the preview', async () => {
    const { client } = fakeAlertmanager(idleAlerts());
    const plan = await planSilence(
      client,
      request({
        matchers: [
          { name: 'alertname', value: 'GPUIdle', isRegex: false, isEqual: true },
          { name: 'gpu', value: '[0-', isRegex: true, isEqual: true },
        ],
      }),
      NOW,
    );
    expect(plan.dryRun).toEqual({ ok: false, message: 'gpu=~"[0-" is not a valid regular expression.' });
  });

  it('writes matchers the way Alertmanager and amtool do', () => {
    expect(
      matcherText([
        { name: 'a', value: 'x', isRegex: false, isEqual: true },
        { name: 'b', value: 'y.*', isRegex: true, isEqual: true },
        { name: 'c', value: 'z', isRegex: false, isEqual: false },
        { name: 'd', value: 'w|v', isRegex: true, isEqual: false },
      ]),
    ).toBe('a="x", b=~"y.*", c!="z", d!~"w|v"');
  });
});

describe('applying a silence', () => {
  it('creates it from now, then waits until the covered alerts show as silenced by it', async () => {
    const { client, created } = fakeAlertmanager(idleAlerts(), [], { lagReads: 2 });
    const plan = await planSilence(client, request(), NOW);
    const t = Date.parse('2026-11-23T10:05:00Z');
    const effect = await applySilence(client, plan, {
      createdBy: 'ana',
      timeoutMs: 5000,
      pollMs: 1,
      now: () => t,
    });
    expect(created).toHaveLength(1);
    expect(created[0]!.startsAt.toISOString()).toBe('2026-11-23T10:05:00.000Z');
    expect(created[0]!.endsAt.toISOString()).toBe('2026-11-23T11:05:00.000Z');
    expect(created[0]!.createdBy).toBe('ana');
    expect(effect.status).toBe('done');
    expect(effect.message).toBe(
      'Silence sil-1 is active until 2026-11-23 11:05 UTC; 2 alerts now show as silenced.',
    );
  });

  it('reports a timeout, not success, when the alerts never show as silenced', async () => {
    const { client } = fakeAlertmanager(idleAlerts(), [], { lagReads: 1_000_000 });
    const plan = await planSilence(client, request(), NOW);
    let t = NOW.getTime();
    const effect = await applySilence(client, plan, {
      createdBy: 'ana',
      timeoutMs: 3000,
      pollMs: 1,
      now: () => (t += 1000),
    });
    expect(effect.status).toBe('timeout');
    expect(effect.message).toMatch(
      /Silence sil-1 was created, but after 3 s: 2 of 2 covered alerts not yet shown as silenced/,
    );
  });
});

describe('the pipeline around a silence', () => {
  const withPipeline = async (
    fn: (
      p: ActionPipeline,
      audit: () => ReturnType<ReturnType<typeof openStore>['audit']['list']>,
    ) => Promise<void>,
  ) => {
    const store = openStore(tempStorePath());
    try {
      await fn(new ActionPipeline({ store, actor: 'ana@laptop' }), () => store.audit.list({ limit: 10 }));
    } finally {
      store.close();
    }
  };
  const action = (
    apply: ExternalAction['apply'],
    over: Partial<ExternalAction['preview']> = {},
  ): ExternalAction => ({
    preview: {
      context: 'http://am.test:9093',
      summary: 'Silence alertname="GPUIdle" for 1 h',
      target: {
        apiVersion: 'alertmanager/v2',
        kind: 'Silence',
        namespace: '',
        name: 'GPUIdle',
        uid: '',
        resourceVersion: '',
      },
      confirmPhrase: 'GPUIdle',
      permission: { allowed: true, reason: 'no per-user permissions' },
      dryRun: { ok: true, message: 'checked' },
      diff: [],
      warnings: [],
      noop: null,
      ...over,
    },
    auditTarget: 'Silence alertname="GPUIdle"',
    before: { matchingAlerts: [] },
    apply,
  });
  const req = request() as ActionRequest;

  it('writes nothing without the typed confirmation, then audits the write with its id', async () => {
    await withPipeline(async (pipeline, audit) => {
      let applied = 0;
      const prepared = pipeline.prepareExternal(
        req,
        action(async () => {
          applied += 1;
          return {
            status: 'done',
            message: 'Silence s1 is active',
            auditTarget: 'Silence alertname="GPUIdle" id=s1',
            after: { silenceId: 's1' },
          };
        }),
      );
      await expect(pipeline.execute(prepared.id, 'GPU')).rejects.toMatchObject({ code: 'ACTION_REFUSED' });
      expect(applied).toBe(0);
      const outcome = await pipeline.execute(prepared.id, ' GPUIdle ');
      expect(outcome).toMatchObject({ status: 'done', message: 'Silence s1 is active', replanned: null });
      expect(applied).toBe(1);
      const [entry] = audit();
      expect(entry).toMatchObject({
        seq: outcome.auditSeq,
        actor: 'ana@laptop',
        action: 'silence',
        target: 'Silence alertname="GPUIdle" id=s1',
        result: 'done',
      });
      expect(entry!.details).toMatchObject({ before: { matchingAlerts: [] }, after: { silenceId: 's1' } });
      // a preview is used once
      await expect(pipeline.execute(prepared.id, 'GPUIdle')).rejects.toMatchObject({
        code: 'ACTION_REFUSED',
      });
    });
  });

  it('a failed dry run or a noop never applies; a failed write is audited and its error passed on', async () => {
    await withPipeline(async (pipeline, audit) => {
      const never = async () => {
        throw new Error('must not be called');
      };
      const bad = pipeline.prepareExternal(
        req,
        action(never, { dryRun: { ok: false, message: 'bad regex' } }),
      );
      await expect(pipeline.execute(bad.id, 'GPUIdle')).rejects.toMatchObject({ code: 'DRY_RUN_FAILED' });
      const noop = pipeline.prepareExternal(req, action(never, { noop: 'already silenced' }));
      expect(await pipeline.execute(noop.id, 'GPUIdle')).toMatchObject({
        status: 'noop',
        message: 'already silenced',
      });
      const failing = pipeline.prepareExternal(
        req,
        action(async () => {
          throw new AppError('ALERTMANAGER_UNREACHABLE', 'Alertmanager did not answer', 'Check it');
        }),
      );
      await expect(pipeline.execute(failing.id, 'GPUIdle')).rejects.toMatchObject({
        code: 'ALERTMANAGER_UNREACHABLE',
      });
      expect(audit().map((e) => [e.action, e.result, e.target])).toEqual([
        ['silence', 'failed', 'Silence alertname="GPUIdle"'],
        ['silence', 'noop', 'Silence alertname="GPUIdle"'],
      ]);
    });
  });
});
