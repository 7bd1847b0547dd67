/**
 * Kubernetes Events in the flight recorder: one row per event series across core/v1 and events.k8s.io/v1, across
 * a series' 30-minute re-sends with its first time, and across a re-creation after the API server's 1-hour TTL.
 */
import { describe, expect, it } from 'vitest';
import { eventKey, frameEvents } from '../../../main/incident/events';
import { ingest, newMemory, type CaptureFrame } from '../../../main/incident/recorder';
import { projectEvent, projectEventV1, type KubeEvent } from '../../../main/kube/inventory/objects';
import { openStore } from '../../../main/store';

const T0 = Date.parse('2026-10-14T17:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const micro = (ms: number) => iso(ms).replace(/Z$/, '000Z');

/** a new-style reporter's event (client-go tools/events) as core/v1 shows it */
function core(over: { uid?: string; count?: number; lastMs?: number; created?: number } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: 'llama-1.17c0a1b2c3d4e5f6',
      namespace: 'llm',
      uid: over.uid ?? 'uid-1',
      resourceVersion: '10',
      creationTimestamp: iso(over.created ?? T0),
    },
    involvedObject: { kind: 'Pod', namespace: 'llm', name: 'llama-1', uid: 'pod-uid' },
    reason: 'BackOff',
    message: 'Back-off restarting failed container vllm',
    type: 'Warning',
    eventTime: micro(T0),
    reportingComponent: 'kubelet',
    ...(over.count
      ? { series: { count: over.count, lastObservedTime: micro(over.lastMs ?? T0 + MIN) } }
      : {}),
  };
}

/** the same stored object as events.k8s.io/v1 answers it */
function v1(over: Parameters<typeof core>[0] = {}) {
  const c = core(over);
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: c.metadata,
    eventTime: c.eventTime,
    ...(c.series ? { series: c.series } : {}),
    reportingController: 'kubelet',
    reason: c.reason,
    regarding: c.involvedObject,
    note: c.message,
    type: c.type,
  };
}

const frame = (atMs: number, events: CaptureFrame['events']): CaptureFrame => ({
  atMs,
  context: 'test',
  mode: 'incident',
  objects: [],
  events,
  alerts: [],
  series: [],
  actions: [],
  models: [{ serviceId: 'llm/Deployment/llama', name: 'llama', namespace: 'llm' }],
});

describe('Events through both APIs', () => {
  it('reads events.k8s.io/v1 fields (regarding, note, series) as core/v1 ones', () => {
    const a = projectEvent(core({ count: 7, lastMs: T0 + 5 * MIN }))!;
    const b = projectEventV1(v1({ count: 7, lastMs: T0 + 5 * MIN }))!;
    expect(b).toEqual(a);
    expect(b).toMatchObject({
      reason: 'BackOff',
      message: 'Back-off restarting failed container vllm',
      count: 7,
      involvedObject: { kind: 'Pod', name: 'llama-1', namespace: 'llm' },
    });
    expect(Date.parse(b.firstSeen!)).toBe(T0);
    expect(Date.parse(b.lastSeen!)).toBe(T0 + 5 * MIN);
  });

  it('takes a legacy event’s deprecated count and timestamps through events.k8s.io/v1', () => {
    const e = projectEventV1({
      metadata: { name: 'x.1', namespace: 'llm', uid: 'u', creationTimestamp: iso(T0 + 50 * MIN) },
      eventTime: null,
      regarding: { kind: 'Pod', namespace: 'llm', name: 'x' },
      reason: 'Unhealthy',
      note: 'Readiness probe failed',
      type: 'Warning',
      deprecatedCount: 12,
      deprecatedFirstTimestamp: iso(T0),
      deprecatedLastTimestamp: iso(T0 + 40 * MIN),
    })!;
    expect(e.count).toBe(12);
    // the series began at its first timestamp, not when this copy of the object was created
    expect(Date.parse(e.firstSeen!)).toBe(T0);
    expect(Date.parse(e.lastSeen!)).toBe(T0 + 50 * MIN);
  });

  it('keeps Warnings and the Normal reasons an incident turns on, drops the rest', () => {
    const normal = (reason: string) =>
      projectEventV1({ ...v1(), type: 'Normal', reason, note: `${reason} happened` });
    expect(normal('ScalingReplicaSet')?.type).toBe('Normal');
    expect(normal('Killing')).not.toBeNull();
    expect(normal('NodeNotReady')).not.toBeNull();
    expect(normal('Pulled')).toBeNull();
    expect(normal('Scheduled')).toBeNull();
    expect(normal('Started')).toBeNull();
    expect(projectEvent({ ...core(), type: 'Normal', reason: 'Created' })).toBeNull();
    expect(projectEvent({ ...core(), type: 'Normal', reason: 'SuccessfulRescale' })).not.toBeNull();
  });

  it('merges the same event read through both APIs into one, with the highest count and the latest time', () => {
    const a = projectEvent(core({ count: 3, lastMs: T0 + 2 * MIN }))!;
    const b = projectEventV1(v1({ count: 5, lastMs: T0 + 4 * MIN }))!;
    const out = frameEvents([[a], [b]], T0 + 10 * MIN);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ count: 5, firstMs: T0, lastMs: T0 + 4 * MIN, key: eventKey(a) });
  });

  it('keeps two events about the same object with different reasons apart', () => {
    const a = projectEvent(core())!;
    const b = projectEvent({
      ...core(),
      metadata: { ...core().metadata, name: 'llama-1.17c0a1b2c3d4e5f7', uid: 'uid-2' },
      reason: 'Unhealthy',
    })!;
    expect(frameEvents([[a, b]], T0)).toHaveLength(2);
  });

  it('records one timeline row per series: both APIs, a 30-minute re-send, a re-creation after the TTL', () => {
    const store = openStore(':memory:');
    const mem = newMemory();
    const capture = (atMs: number, raws: { core?: object[]; v1?: object[] }) =>
      ingest(
        store,
        frame(
          atMs,
          frameEvents(
            [
              (raws.core ?? []).map((r) => projectEvent(r)).filter((e): e is KubeEvent => !!e),
              (raws.v1 ?? []).map((r) => projectEventV1(r)).filter((e): e is KubeEvent => !!e),
            ],
            atMs,
          ),
        ),
        mem,
      );
    capture(T0 + MIN, {
      core: [core({ count: 2, lastMs: T0 + MIN })],
      v1: [v1({ count: 2, lastMs: T0 + MIN })],
    });
    // the reporter re-sends the open series 30 minutes later with its original eventTime
    capture(T0 + 31 * MIN, { v1: [v1({ count: 40, lastMs: T0 + 30 * MIN })] });
    // past the TTL the API server deleted it; the reporter creates it again: same name, new uid, original time
    capture(T0 + 75 * MIN, {
      core: [core({ uid: 'uid-1-again', created: T0 + 74 * MIN, count: 55, lastMs: T0 + 74 * MIN })],
    });
    const rows = store.incidents.timeline({ fromMs: 0, toMs: T0 + 90 * MIN, sources: ['event'] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      atMs: T0,
      lastMs: T0 + 74 * MIN,
      count: 55,
      model: 'llm/Deployment/llama',
      object: 'Pod llm/llama-1',
    });
  });
});
