/**
 * The incident capability against the sandbox (test API server, real Prometheus and Alertmanager), through the
 * dispatcher: declare from the llama-70b-chat alert, watch the flight recorder fill the war room, act, resolve.
 * Times are checked against the scenario's own timestamps and Alertmanager's own answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, ChannelInput } from '../../shared/contract';
import { startSandbox, type Sandbox } from '../harness';
import { sandboxConsole, type SandboxConsole } from '../fixtures/sandboxConsole';

let sandbox: Sandbox;
let fb: SandboxConsole;

const call = <C extends Channel>(channel: C, input: ChannelInput<C>) => fb.call(channel, input);

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ alertFor: '20s' });
  fb = await sandboxConsole(sandbox, {
    folderPrefix: 'fb-incident-',
    alertmanager: true,
    effectTimeoutMs: 30_000,
  });
}, 180_000);

afterAll(async () => {
  await fb?.close();
  await sandbox?.stop();
});

describe('an incident run from the war room, against the sandbox', () => {
  it('declared from the llama-70b-chat alert: clock, timeline, actions as they happen, resolve', async () => {
    const group = await until('the ModelHighErrorRate alert of llama-70b-chat', async () => {
      const list = await call('alerts.list', {});
      return list.groups.find(
        (g) =>
          g.serviceId?.endsWith('/llama-70b-chat') &&
          g.alerts.some((a) => a.name === 'ModelHighErrorRate' && a.state === 'firing'),
      );
    });
    const alert = group.alerts.find((a) => a.name === 'ModelHighErrorRate')!;
    const inc = await call('incident.declare', {
      title: 'llama-70b-chat errors',
      severity: 'SEV2',
      models: [
        {
          serviceId: group.serviceId!,
          name: 'llama-70b-chat',
          serverKind: 'vllm',
          modelName: 'llama-70b-chat',
          fallbackId: 'llm/Deployment/llama-8b-chat',
        },
      ],
      alertNames: ['ModelHighErrorRate'],
    });
    const room = await until('a first capture', async () => {
      const r = await call('incident.warRoom', { id: inc.id });
      if (r.capture.captures > 0 && r.series.length > 0) return r;
      const { recorder } = await call('incident.list', {});
      if (recorder.lastError) throw new Error(`the recorder failed: ${recorder.lastError}`);
      return null;
    }).catch(async (err: unknown) => {
      const { recorder } = await call('incident.list', {});
      throw new Error(`${(err as Error).message} (recorder: ${JSON.stringify(recorder)})`);
    });
    // started: the first 1-minute sample whose 5-minute error ratio is over 0.5 %, after the scenario's rollout
    const R = sandbox.scenario.incident.startsAt.getTime();
    const started = Date.parse(room.incident.milestones.find((m) => m.name === 'started')!.at!);
    expect(started).toBeGreaterThanOrEqual(R);
    expect(started).toBeLessThanOrEqual(R + 3 * 60_000);
    // detected: the alert's own start, as Alertmanager reports it
    const am = (await (await fetch(`${sandbox.alertmanagerUrl}/api/v2/alerts`)).json()) as Array<{
      labels: Record<string, string>;
      startsAt: string;
      fingerprint: string;
    }>;
    const amStart = Date.parse(am.find((a) => a.fingerprint === alert.fingerprint)!.startsAt);
    expect(Date.parse(room.incident.milestones.find((m) => m.name === 'detected')!.at!)).toBe(amStart);
    expect(room.incident.intervals.timeToDetectS).toBe(Math.round((amStart - started) / 1000));
    // one timeline, on one clock: the revision-2 rollout (its ReplicaSet, stamped by the API server when the
    // scenario rolled it out, before the console ran) precedes the error rise, its change-point and the alert
    const story = await until('the rollout, the change-point and the alert on the timeline', async () => {
      const page = await call('incident.timeline', { id: inc.id, limit: 2000 });
      const rollout = page.entries.find(
        (e) =>
          e.source === 'change' &&
          e.object?.startsWith('ReplicaSet llm/llama-70b-chat-') &&
          e.summary.includes('created (revision 2'),
      );
      const rise = page.entries.find(
        (e) => e.source === 'changepoint' && e.summary.startsWith('error ratio of llama-70b-chat rose'),
      );
      const firing = page.entries.find(
        (e) => e.source === 'alert' && e.summary.startsWith('ModelHighErrorRate firing'),
      );
      return rollout && rise && firing ? { rollout, rise, firing } : null;
    }).catch(async (err: unknown) => {
      const page = await call('incident.timeline', { id: inc.id, limit: 2000 });
      const seen = page.entries
        .filter((e) => e.source !== 'change' || e.object?.startsWith('ReplicaSet'))
        .map((e) => `${e.at} ${e.source} ${e.summary}`);
      throw new Error(`${(err as Error).message}; the timeline has: ${seen.slice(0, 40).join(' | ')}`);
    });
    const at = (e: { at: string }) => Date.parse(e.at);
    expect(at(story.rollout)).toBeGreaterThanOrEqual(R);
    expect(at(story.rollout)).toBeLessThan(R + 60_000);
    expect(story.rollout.model).toBe(group.serviceId);
    expect(at(story.rollout)).toBeLessThanOrEqual(started);
    expect(at(story.rollout)).toBeLessThan(at(story.rise));
    expect(at(story.rise)).toBeLessThan(at(story.firing));
    expect(at(story.firing)).toBe(amStart);
    const tile = room.tiles.find((t) => t.role === 'involved')!;
    expect(tile.image).toBe(sandbox.scenario.incident.badImage);
    expect(tile.errorRatio).toBeGreaterThan(0.15);
    expect(room.alerts.some((a) => a.state === 'firing')).toBe(true);

    // the commander moves the route to the fallback: on the timeline within seconds of its audit entry
    const prepared = await call('actions.prepare', {
      request: {
        type: 'traffic',
        route: { kind: 'HTTPRoute', namespace: 'llm', name: 'chat' },
        rule: 0,
        weights: { 'llama-70b-chat': 0, 'llama-8b-chat': 100 },
      },
    });
    await call('actions.execute', { id: prepared.id, confirm: prepared.confirmPhrase });
    const note = await call('incident.note', { id: inc.id, text: 'moved chat to llama-8b-chat' });
    expect(note.source).toBe('note');
    const tl = await until(
      'the traffic action and the route change on the timeline',
      async () => {
        const page = await call('incident.timeline', { id: inc.id, limit: 2000 });
        const action = page.entries.find((e) => e.source === 'action' && e.summary.startsWith('traffic'));
        const change = page.entries.find((e) => e.source === 'change' && e.object === 'HTTPRoute llm/chat');
        return action && change ? page : null;
      },
      30_000,
    );
    expect(new Set(tl.entries.map((e) => e.id)).size).toBe(tl.entries.length);
    const acked = await call('incident.warRoom', { id: inc.id });
    expect(acked.incident.milestones.find((m) => m.name === 'acknowledged')!.at).not.toBeNull();
    expect(acked.tiles.find((t) => t.role === 'fallback')!.trafficShare).toBe(1);

    // resolving while the alert still fires needs the commander's word
    const refused = await fb.api.dispatcher.invoke('incident.resolve', { id: inc.id });
    expect(refused.ok).toBe(false);
    const closed = await call('incident.resolve', { id: inc.id, force: true });
    expect(closed.status).toBe('resolved');
    const audit = await call('audit.list', { limit: 50 });
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['incident.declare', 'incident.note', 'incident.resolve']),
    );
    expect((await call('audit.verify', {})).ok).toBe(true);
  }, 240_000);
});
