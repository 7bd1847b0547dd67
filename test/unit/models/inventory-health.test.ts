/**
 * Health of a model service from its pods and events: failing reasons (CrashLoopBackOff, ImagePullBackOff,
 * OOMKilled, Unschedulable, not Ready for over 2 minutes), restarts, recent Warning events.
 */
import { describe, expect, it } from 'vitest';
import { healthOf, podProblem, recentWarnings } from '../../../main/kube/health';
import {
  projectEvent,
  projectEventV1,
  projectPod,
  type KubeEvent,
  type Pod,
} from '../../../main/kube/inventory/objects';
import { warningEvents } from '../../../main/kube/inventory/modelView';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function pod(name: string, status: Record<string, unknown>, meta: Record<string, unknown> = {}): Pod {
  return projectPod({
    metadata: {
      name,
      namespace: 'llm',
      uid: `u-${name}`,
      resourceVersion: '1',
      creationTimestamp: ago(3_600_000),
      ...meta,
    },
    spec: { containers: [{ name: 'vllm' }] },
    status,
  })!;
}
const readyCond = (status: 'True' | 'False', since = ago(3_600_000)) => ({
  type: 'Ready',
  status,
  lastTransitionTime: since,
  ...(status === 'False'
    ? { reason: 'ContainersNotReady', message: 'containers with unready status: [vllm]' }
    : {}),
});
const running = (restartCount = 0, extra: Record<string, unknown> = {}) => ({
  name: 'vllm',
  ready: true,
  restartCount,
  state: { running: { startedAt: ago(60_000) } },
  ...extra,
});

describe('pod problems', () => {
  it('a healthy pod, a terminating pod and a finished pod are not failing', () => {
    expect(
      podProblem(
        pod('ok', { phase: 'Running', conditions: [readyCond('True')], containerStatuses: [running()] }),
        NOW,
      ),
    ).toBeNull();
    const terminating = pod(
      'bye',
      { phase: 'Running', conditions: [readyCond('False', ago(600_000))] },
      { deletionTimestamp: ago(5000) },
    );
    expect(podProblem(terminating, NOW)).toBeNull();
    expect(podProblem(pod('job', { phase: 'Succeeded' }), NOW)).toBeNull();
  });

  it('CrashLoopBackOff, with the last exit reason', () => {
    const p = pod('crash', {
      phase: 'Running',
      conditions: [readyCond('False', ago(30_000))],
      containerStatuses: [
        {
          name: 'vllm',
          ready: false,
          restartCount: 7,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: 'back-off 5m0s restarting failed container=vllm',
            },
          },
          lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(20_000) } },
        },
      ],
    });
    expect(podProblem(p, NOW)).toEqual({
      name: 'crash',
      reason: 'CrashLoopBackOff',
      message: 'vllm: back-off 5m0s restarting failed container=vllm; last exit: Error (exit 1)',
      since: null,
    });
  });

  it('ImagePullBackOff / ErrImagePull, also in an init container', () => {
    const p = pod('pull', {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'storage-initializer',
          ready: false,
          restartCount: 0,
          state: {
            waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "kserve/storage:bad"' },
          },
        },
      ],
    });
    expect(podProblem(p, NOW)?.reason).toBe('ImagePullBackOff');
    expect(podProblem(p, NOW)?.message).toContain('storage-initializer');
    const p2 = pod('pull2', {
      phase: 'Pending',
      containerStatuses: [
        { name: 'vllm', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } },
      ],
    });
    expect(podProblem(p2, NOW)?.reason).toBe('ErrImagePull');
  });

  it('OOMKilled: killed now, or killed recently and running again', () => {
    const now = pod('oom', {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'vllm',
          ready: false,
          restartCount: 1,
          state: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
        },
      ],
    });
    expect(podProblem(now, NOW)?.reason).toBe('OOMKilled');
    const recent = pod('oom2', {
      phase: 'Running',
      conditions: [readyCond('True')],
      containerStatuses: [
        running(3, {
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(120_000) } },
        }),
      ],
    });
    expect(podProblem(recent, NOW)).toMatchObject({ reason: 'OOMKilled', since: ago(120_000) });
    const old = pod('oom3', {
      phase: 'Running',
      conditions: [readyCond('True')],
      containerStatuses: [
        running(3, {
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(3_600_000) } },
        }),
      ],
    });
    expect(podProblem(old, NOW)).toBeNull();
  });

  it('not Ready counts after 2 minutes, not before; Pending and Unschedulable say so', () => {
    const fresh = pod('new', {
      phase: 'Running',
      conditions: [readyCond('False', ago(30_000))],
      containerStatuses: [running()],
    });
    expect(podProblem(fresh, NOW)).toBeNull();
    const stuck = pod('stuck', {
      phase: 'Running',
      conditions: [readyCond('False', ago(5 * 60_000))],
      containerStatuses: [running()],
    });
    expect(podProblem(stuck, NOW)).toMatchObject({
      reason: 'NotReady',
      message: 'containers with unready status: [vllm]',
      since: ago(5 * 60_000),
    });
    const pending = pod('pending', { phase: 'Pending', conditions: [readyCond('False', ago(10 * 60_000))] });
    expect(podProblem(pending, NOW)?.reason).toBe('Pending');
    const unschedulable = pod('nogpu', {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/8 nodes are available: 8 Insufficient nvidia.com/gpu.',
          lastTransitionTime: ago(4 * 60_000),
        },
      ],
    });
    expect(podProblem(unschedulable, NOW)).toMatchObject({
      reason: 'Unschedulable',
      message: '0/8 nodes are available: 8 Insufficient nvidia.com/gpu.',
    });
    const evicted = pod('evicted', { phase: 'Failed', reason: 'Evicted' });
    expect(podProblem(evicted, NOW)?.reason).toBe('Evicted');
  });
});

describe('warning events', () => {
  const event = (
    name: string,
    reason: string,
    lastTimestamp: string,
    type = 'Warning',
    count = 1,
  ): KubeEvent | null =>
    projectEvent({
      metadata: { name, namespace: 'llm', resourceVersion: '1' },
      type,
      reason,
      message: `${reason} happened`,
      count,
      lastTimestamp,
      involvedObject: { kind: 'Pod', name: 'llama-0', namespace: 'llm', uid: 'u1' },
    });

  it('keeps Warning events only, as the informer stores them', () => {
    expect(event('n', 'Scheduled', ago(1000), 'Normal')).toBeNull();
    expect(event('w', 'BackOff', ago(1000))).toMatchObject({
      reason: 'BackOff',
      lastSeen: ago(1000),
      involvedObject: { kind: 'Pod', name: 'llama-0' },
    });
  });

  it('recent ones, newest first, at most ten', () => {
    const events = [
      event('a', 'BackOff', ago(60_000), 'Warning', 12)!,
      event('b', 'Unhealthy', ago(10_000))!,
      event('old', 'FailedMount', ago(3 * 3_600_000))!,
      ...Array.from({ length: 12 }, (_, i) => event(`x${i}`, 'FailedScheduling', ago(200_000 + i))!),
    ];
    const out = recentWarnings(events, NOW);
    expect(out).toHaveLength(10);
    expect(out[0]).toEqual({
      object: 'Pod/llama-0',
      reason: 'Unhealthy',
      message: 'Unhealthy happened',
      count: 1,
      lastSeen: ago(10_000),
    });
    expect(out[1]).toMatchObject({ reason: 'BackOff', count: 12 });
    expect(out.some((e) => e.reason === 'FailedMount')).toBe(false);
  });

  it('come from both event APIs, each once, Warnings only', () => {
    const v1 = (uid: string, reason: string, type: string, count: number) =>
      projectEventV1({
        metadata: { name: `e-${uid}`, namespace: 'llm', uid, resourceVersion: '1' },
        type,
        reason,
        note: `${reason} happened`,
        regarding: { kind: 'Pod', name: 'llama-0', namespace: 'llm', uid: 'u1' },
        eventTime: ago(5_000),
        series: { count, lastObservedTime: ago(1_000) },
      })!;
    const core = projectEvent({
      metadata: { name: 'e-a', namespace: 'llm', uid: 'a', resourceVersion: '1' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'BackOff happened',
      count: 3,
      lastTimestamp: ago(2_000),
      involvedObject: { kind: 'Pod', name: 'llama-0', namespace: 'llm', uid: 'u1' },
    })!;
    const merged = warningEvents(
      [core],
      [v1('a', 'BackOff', 'Warning', 5), v1('b', 'Unhealthy', 'Warning', 1), v1('c', 'Killing', 'Normal', 1)],
    );
    expect(merged.map((e) => [e.metadata.uid, e.reason, e.count]).sort()).toEqual([
      ['a', 'BackOff', 5],
      ['b', 'Unhealthy', 1],
    ]);
  });

  it('series.lastObservedTime wins over older timestamps', () => {
    const e = projectEvent({
      metadata: { name: 's', namespace: 'llm' },
      type: 'Warning',
      reason: 'BackOff',
      eventTime: ago(600_000),
      series: { count: 40, lastObservedTime: ago(5_000) },
      involvedObject: { kind: 'Pod', name: 'p' },
    })!;
    expect(e).toMatchObject({ count: 40, lastSeen: ago(5_000) });
  });
});

describe('health of a model service', () => {
  it('sums restarts over its pods and lists the failing ones', () => {
    const pods = [
      pod('llama-a', { phase: 'Running', conditions: [readyCond('True')], containerStatuses: [running(2)] }),
      pod('llama-b', {
        phase: 'Running',
        conditions: [readyCond('False', ago(30_000))],
        containerStatuses: [
          { name: 'vllm', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      }),
      pod(
        'llama-c',
        { phase: 'Running', conditions: [readyCond('True')], containerStatuses: [running(0)] },
        { deletionTimestamp: ago(1000) },
      ),
    ];
    const h = healthOf({ ready: 1, desired: 2, pods, events: [], now: NOW });
    expect(h).toMatchObject({ ready: 1, desired: 2, restarts: 7, pods: 2, warningEvents: [] });
    expect(h.failingPods).toEqual([
      { name: 'llama-b', reason: 'CrashLoopBackOff', message: null, since: null },
    ]);
  });
});
