import { describe, expect, it } from 'vitest';
import type { Incident, TimelineEntry, WarRoom } from '../../../shared/incident';
import type { Result } from '../../../shared/errors';
import type { StreamMessage } from '../../../shared/transport';
import type { Stream } from '../../../shared/contract';
import { createMemoryTransport, type Dispatcher } from '../../../shared/transport';
import {
  captureExtent,
  createIncidentStore,
  incidentHash,
  incidentRouteFromHash,
  initialReplayAt,
  isReplay,
  neighbourEntry,
  PLAY_TICK_MS,
  SEEK_DEBOUNCE_MS,
} from '../../../renderer/state/incident';

const T0 = Date.parse('2026-10-14T17:00:00Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1',
    title: 'llama-70b-chat failing',
    severity: 'SEV2',
    status: 'resolved',
    commander: 'dana',
    models: [
      {
        serviceId: 'llm/Deployment/llama-70b-chat',
        name: 'llama-70b-chat',
        serverKind: 'vllm',
        modelName: 'llama-70b-chat',
        fallbackId: 'llm/Deployment/llama-8b-chat',
      },
    ],
    alertNames: ['ModelHighErrorRate'],
    declaredAt: iso(19),
    closedAt: iso(41),
    milestones: [
      { name: 'started', at: iso(16), evidence: null, corrected: null, derivedAt: iso(16) },
      { name: 'detected', at: iso(17), evidence: null, corrected: null, derivedAt: iso(17) },
      { name: 'acknowledged', at: iso(20), evidence: null, corrected: null, derivedAt: iso(20) },
      { name: 'mitigated', at: iso(28), evidence: null, corrected: null, derivedAt: iso(28) },
      { name: 'resolved', at: iso(41), evidence: null, corrected: null, derivedAt: iso(41) },
    ],
    intervals: { timeToDetectS: 60, timeToAcknowledgeS: 240, timeToMitigateS: 720, timeToResolveS: 1500 },
    lastActionAt: iso(28),
    origin: 'sample',
    readonly: true,
    ...over,
  };
}

/** The war room the fake backend answers at `atMs`: the error ratio is high between minutes 16 and 28. */
function room(atMs: number, inc: Incident, live = false): WarRoom {
  const m = (atMs - T0) / 60_000;
  return {
    incident: inc,
    at: new Date(atMs).toISOString(),
    live,
    tiles: [
      {
        serviceId: 'llm/Deployment/llama-70b-chat',
        name: 'llama-70b-chat',
        role: 'involved',
        requestRate: 36,
        errorRatio: m >= 16 && m < 28 ? 0.23 : 0.002,
        p95: 6,
        gpuUtil: 70,
        costPer1k: null,
        replicas: { ready: 4, desired: 4 },
        image: 'vllm/vllm-openai:v0.6.4',
        trafficShare: 1,
        breaching: m >= 16 && m < 28,
        asOf: new Date(atMs).toISOString(),
      },
    ],
    alerts: [],
    series: [],
    changes: [],
    capture: { from: iso(-15), to: iso(45), captures: 200, lastCaptureAt: iso(45), recording: live },
    cursorEntryId: null,
  };
}

const entry = (id: number, minutes: number, over: Partial<TimelineEntry> = {}): TimelineEntry => ({
  id,
  at: iso(minutes),
  source: 'change',
  model: 'llm/Deployment/llama-70b-chat',
  tone: 'info',
  summary: `entry ${id}`,
  count: 1,
  lastAt: null,
  object: null,
  diff: null,
  ...over,
});

/** A dispatcher with the incident channels over a fixed incident; records every call; the test drives streams. */
function backend(inc: Incident, entries: TimelineEntry[] = [], live = false) {
  const calls: Array<{ channel: string; input: Record<string, unknown> }> = [];
  const streams: Array<{ params: unknown; push: (m: StreamMessage<Stream>) => void; stopped: boolean }> = [];
  let resolveRefusals = 1;
  const answer = (channel: string, input: Record<string, unknown>): Result<unknown> => {
    switch (channel) {
      case 'incident.warRoom': {
        const at = typeof input.at === 'string' ? Date.parse(input.at) : T0 + 51 * 60_000;
        return { ok: true, value: room(at, inc, live && input.at === undefined) };
      }
      case 'incident.timeline': {
        const sources = input.sources as string[] | undefined;
        const rows = entries.filter((e) => !sources || sources.includes(e.source));
        const offset = input.offset as number;
        const limit = input.limit as number;
        return {
          ok: true,
          value: {
            range: { from: iso(-30), to: iso(51) },
            total: rows.length,
            offset,
            entries: rows.slice(offset, offset + limit),
            gaps: [],
            facets: { sources: { change: rows.length }, models: {} },
          },
        };
      }
      case 'incident.diff':
        return {
          ok: true,
          value: {
            from: input.from,
            to: input.to,
            fromCapture: null,
            toCapture: null,
            changes: [],
            compared: 3,
          },
        };
      case 'incident.resolve':
        if (!input.force && resolveRefusals-- > 0)
          return {
            ok: false,
            error: {
              code: 'ACTION_REFUSED',
              message: '1 linked alert is still firing',
              hint: 'close anyway',
            },
          };
        inc = { ...inc, status: 'resolved' };
        return { ok: true, value: inc };
      case 'incident.open':
        if (input.fileName === 'bad.fbi')
          return {
            ok: false,
            error: {
              code: 'INVALID_INPUT',
              message: 'This is not a Firebreak incident file.',
              hint: 'Pick a .fbi file',
            },
          };
        return { ok: true, value: { ...inc, origin: 'file' } };
      case 'incident.note':
        return { ok: true, value: entry(99, 30, { source: 'note', summary: String(input.text) }) };
      default:
        return { ok: false, error: { code: 'INTERNAL', message: `no ${channel}`, hint: '' } };
    }
  };
  const dispatcher: Dispatcher = {
    invoke: async (channel, input) => {
      calls.push({ channel, input: input as Record<string, unknown> });
      return answer(channel, input as Record<string, unknown>);
    },
    subscribe: (_stream, params, push) => {
      const s = { params, push, stopped: false };
      streams.push(s);
      return () => {
        s.stopped = true;
      };
    },
  };
  return { transport: createMemoryTransport(dispatcher), calls, streams };
}

/** Timers the test runs by hand. */
function manualTimers() {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  return {
    setTimer: (fn: () => void, ms: number) => {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (id: unknown) => void timers.delete(id as number),
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await flush();
      }
      now = end;
      await flush();
    },
  };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setup(inc = incident(), entries: TimelineEntry[] = [], live = false) {
  const b = backend(inc, entries, live);
  const timers = manualTimers();
  const store = createIncidentStore(() => b.transport, {
    clock: () => 1,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });
  return { ...b, timers, store };
}

describe('the incident store: replay', () => {
  it('opens a replay where the commander was paged (detected), inside the capture', async () => {
    const { store, calls } = setup();
    await store.getState().open('inc-1');
    expect(store.getState().at).toBe(iso(17));
    expect(store.getState().room.data?.at).toBe(iso(17));
    expect(store.getState().room.data?.tiles[0]?.breaching).toBe(true);
    expect(calls.filter((c) => c.channel === 'incident.warRoom').map((c) => c.input.at)).toEqual([
      undefined,
      iso(17),
    ]);
  });

  it('a position from the URL is used, clamped to the capture', async () => {
    const { store } = setup();
    await store.getState().open('inc-1', iso(500));
    expect(store.getState().at).toBe(iso(45));
  });

  it('debounces seeks: a drag asks for the war room once, at the last position', async () => {
    const { store, calls, timers } = setup();
    await store.getState().open('inc-1');
    const before = calls.length;
    for (const m of [30, 31, 32, 33]) store.getState().seek(iso(m));
    expect(store.getState().at).toBe(iso(33));
    expect(calls.length).toBe(before);
    await timers.advance(SEEK_DEBOUNCE_MS);
    const asked = calls.slice(before).filter((c) => c.channel === 'incident.warRoom');
    expect(asked.map((c) => c.input.at)).toEqual([iso(33)]);
    expect(store.getState().room.data?.tiles[0]?.breaching).toBe(false);
  });

  it('plays at the chosen speed and stops at the end of the capture', async () => {
    const { store, timers } = setup();
    await store.getState().open('inc-1');
    store.getState().seek(iso(44));
    store.getState().setSpeed(32);
    store.getState().play();
    await timers.advance(PLAY_TICK_MS);
    // 0.5 s of wall time at 32x = 16 s of the capture
    expect(store.getState().at).toBe(new Date(Date.parse(iso(44)) + 16_000).toISOString());
    await timers.advance(PLAY_TICK_MS * 10);
    expect(store.getState().at).toBe(iso(45));
    expect(store.getState().playing).toBe(false);
  });

  it('steps to the next and previous timeline entry', async () => {
    const { store, timers } = setup(incident(), [entry(1, 15), entry(2, 17), entry(3, 21), entry(4, 24)]);
    await store.getState().open('inc-1');
    await flush();
    store.getState().step(1);
    expect(store.getState().at).toBe(iso(21));
    store.getState().step(-1);
    store.getState().step(-1);
    expect(store.getState().at).toBe(iso(15));
    await timers.advance(SEEK_DEBOUNCE_MS);
  });

  it('keeps bookmarks per incident, sorted, without duplicates', async () => {
    const { store } = setup();
    await store.getState().open('inc-1');
    store.getState().seek(iso(30));
    store.getState().addBookmark('rollback');
    store.getState().addBookmark('again');
    store.getState().seek(iso(20));
    store.getState().addBookmark('');
    expect(store.getState().bookmarks['inc-1']).toEqual([
      { at: iso(20), label: 'Bookmark 2' },
      { at: iso(30), label: 'rollback' },
    ]);
    store.getState().removeBookmark(iso(30));
    expect(store.getState().bookmarks['inc-1']).toHaveLength(1);
  });

  it('diffs two moments in time order, whichever was set first', async () => {
    const { store, calls } = setup();
    await store.getState().open('inc-1');
    store.getState().setDiffPoint('A', iso(40));
    store.getState().setDiffPoint('B', iso(10));
    await store.getState().runDiff();
    const c = calls.find((x) => x.channel === 'incident.diff')!;
    expect(c.input).toEqual({ id: 'inc-1', from: iso(10), to: iso(40) });
    expect(store.getState().diff.data?.compared).toBe(3);
  });
});

describe('the incident store: timeline, live, writes', () => {
  it('loads the timeline by pages as rows come into view, and again when a filter changes', async () => {
    const entries = Array.from({ length: 450 }, (_, i) =>
      entry(i + 1, i / 10, { source: i % 2 ? 'event' : 'change' }),
    );
    const { store, calls } = setup(incident(), entries);
    await store.getState().open('inc-1');
    await flush();
    expect(store.getState().timeline.total).toBe(450);
    expect(store.getState().timeline.rows.size).toBe(200);
    await store.getState().ensureRows(380, 420);
    expect(store.getState().timeline.rows.get(419)?.id).toBe(420);
    const offsets = calls.filter((c) => c.channel === 'incident.timeline').map((c) => c.input.offset);
    expect(offsets).toEqual([0, 200, 400]);
    store.getState().setFilters({ sources: ['event'] });
    await flush();
    expect(store.getState().timeline.total).toBe(225);
    expect(calls.at(-1)?.input.sources).toEqual(['event']);
  });

  it('follows a live incident over incident.live and drops it on close', async () => {
    const { store, streams } = setup(
      incident({ origin: 'store', status: 'investigating', readonly: false, closedAt: null }),
      [],
      true,
    );
    await store.getState().open('inc-1');
    expect(store.getState().live).toBe('connecting');
    expect(streams).toHaveLength(1);
    const inc = incident({ origin: 'store', status: 'mitigated', readonly: false, closedAt: null });
    streams[0]!.push({ type: 'event', event: room(T0 + 30 * 60_000, inc, true) } as StreamMessage<Stream>);
    expect(store.getState().live).toBe('live');
    expect(store.getState().room.data?.incident.status).toBe('mitigated');
    // a live war room does not seek
    store.getState().seek(iso(10));
    expect(store.getState().at).toBeNull();
    store.getState().close();
    expect(streams[0]!.stopped).toBe(true);
  });

  it('resolve: a refusal while alerts fire comes back, and force closes it', async () => {
    const { store, calls } = setup(
      incident({ origin: 'store', status: 'investigating', readonly: false, closedAt: null }),
      [],
      true,
    );
    await store.getState().open('inc-1');
    const refused = await store.getState().resolve(false);
    expect(refused?.code).toBe('ACTION_REFUSED');
    expect(await store.getState().resolve(true)).toBeNull();
    expect(calls.filter((c) => c.channel === 'incident.resolve').map((c) => c.input.force)).toEqual([
      false,
      true,
    ]);
    expect(store.getState().live).toBe('off');
  });

  it('an incident file that is refused keeps its typed message; one that opens is named', async () => {
    const { store } = setup();
    expect(await store.getState().openFile('bad.fbi', 'AAAA')).toBeNull();
    expect(store.getState().opened.error?.message).toBe('This is not a Firebreak incident file.');
    const inc = await store.getState().openFile('inc-1.fbi', 'AAAA');
    expect(inc?.origin).toBe('file');
    expect(store.getState().fileNames['inc-1']).toBe('inc-1.fbi');
  });

  it('a note reloads the timeline', async () => {
    const { store, calls } = setup(
      incident({ origin: 'store', status: 'investigating', readonly: false, closedAt: null }),
      [],
      true,
    );
    await store.getState().open('inc-1');
    const before = calls.filter((c) => c.channel === 'incident.timeline').length;
    expect(await store.getState().note('moving traffic')).toBe(true);
    await flush();
    expect(calls.filter((c) => c.channel === 'incident.timeline').length).toBeGreaterThan(before);
  });
});

describe('incident helpers', () => {
  it('reads and writes the hash', () => {
    expect(incidentRouteFromHash('#/incident')).toEqual({ id: null, at: null });
    expect(incidentRouteFromHash('#/incident/inc-1')).toEqual({ id: 'inc-1', at: null });
    expect(incidentRouteFromHash(incidentHash('inc 1/x', iso(3)))).toEqual({ id: 'inc 1/x', at: iso(3) });
    expect(incidentRouteFromHash('#/incident/inc-1?at=nonsense')).toEqual({ id: 'inc-1', at: null });
  });

  it('knows a replay, its extent and where it starts', () => {
    expect(isReplay(incident())).toBe(true);
    expect(isReplay(incident({ origin: 'store', status: 'investigating', readonly: false }))).toBe(false);
    const r = room(T0, incident({ milestones: [] }));
    expect(captureExtent(r)).toEqual({ fromMs: Date.parse(iso(-15)), toMs: Date.parse(iso(45)) });
    expect(initialReplayAt(r)).toBe(iso(45));
  });

  it('finds the neighbouring entry by time', () => {
    const rows = [entry(1, 5), entry(2, 1), entry(3, 9)];
    expect(neighbourEntry(rows, Date.parse(iso(5)), 1)?.id).toBe(3);
    expect(neighbourEntry(rows, Date.parse(iso(5)), -1)?.id).toBe(2);
    expect(neighbourEntry(rows, Date.parse(iso(9)), 1)).toBeNull();
  });
});
