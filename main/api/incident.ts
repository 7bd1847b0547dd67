/**
 * Handlers of the incident channels and the war room stream. Incidents live in the profile's store; an opened
 * incident file (or the bundled sample) lives in its own in-memory store beside it and is read by the same code,
 * read-only. The flight recorder runs while a cluster is configured, gathering its frames from the same inventory,
 * alert list and model tiles the other screens read (one number for one thing).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../shared/errors';
import { DEFAULT_SLO } from '../../shared/health';
import type { IncidentModel, WarRoom, incidentChannels, incidentStreams } from '../../shared/incident';
import { ModelServerKind, parseServiceId } from '../../shared/models';
import type { Store } from '../store';
import { FlightRecorder } from '../incident/flightRecorder';
import { exportIncident, loadIncident, type OpenedIncident } from '../incident/incidentFile';
import * as incidents from '../incident/incidents';
import { buildPostmortem, writePostmortem, zipPostmortem } from '../incident/postmortem';
import {
  actionSubject,
  type CaptureFrame,
  type FrameAction,
  type FrameAlert,
  type FrameSeries,
} from '../incident/recorder';
import { frameEvents } from '../incident/events';
import type { CapturedObject, ModelKey } from '../incident/changes';
import { alertsHandlers } from './alerts';
import type { ApiContext } from './context';
import type { HandlersOf, StreamHandlersOf } from './dispatch';
import { healthHandlers, slos } from './health';
import { modelServicesOrNone } from './models';

/** Where the bundled sample incident is (resources/ in a checkout; beside the app when packaged). */
const SAMPLE_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'resources',
  'sample-incident',
  'sample-incident.fbi',
);
const RECORDER_BUDGET_KEY = 'incident.recorderBudgetBytes';
const DEFAULT_BUDGET_BYTES = 2 * 1024 ** 3;

export interface IncidentApi {
  handlers: HandlersOf<typeof incidentChannels>;
  streams: StreamHandlersOf<typeof incidentStreams>;
  recorder: FlightRecorder;
  close(): Promise<void>;
}

export function incidentApi(
  ctx: ApiContext,
  opts: { sampleFile?: string; exportDir?: string } = {},
): IncidentApi {
  const opened = new Map<string, OpenedIncident & { origin: 'file' | 'sample' }>();
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };
  const sampleFile = opts.sampleFile ?? SAMPLE_FILE;
  const exportDir =
    opts.exportDir ??
    path.join(path.dirname(ctx.store.path === ':memory:' ? os.tmpdir() : ctx.store.path), 'exports');

  /** the store an incident is read from, and how it is shown */
  const locate = (
    id: string,
  ): { store: Store; rec: incidents.IncidentRecord; origin: incidents.Origin; opened?: OpenedIncident } => {
    const own = ctx.store.incidents.getIncident(id) as incidents.IncidentRecord | undefined;
    if (own) return { store: ctx.store, rec: own, origin: 'store' };
    const o = opened.get(id);
    if (o) return { store: o.store, rec: o.record, origin: o.origin, opened: o };
    return { store: ctx.store, rec: incidents.getRecord(ctx.store, id), origin: 'store' };
  };
  const writable = (id: string) => {
    const l = locate(id);
    if (l.origin !== 'store')
      throw new AppError(
        'ACTION_REFUSED',
        'This incident is a replay from a file: it is read-only.',
        'Declare a new incident to run one live.',
      );
    return l;
  };
  const openRecords = () =>
    (ctx.store.incidents.listIncidents() as incidents.IncidentRecord[]).filter((r) => r.closedAt === null);

  const recorder = new FlightRecorder({
    store: ctx.store,
    gather: (mode) => gatherFrame(ctx, mode, openRecords()),
    openWindows: () => openRecords().map((r) => incidents.windowOf(ctx.store, r, Date.now())),
    modelNames: () =>
      new Map(openRecords().flatMap((r) => r.models.map((m) => [m.serviceId, m.name] as const))),
    // the open incidents' models and fallbacks: a traffic change is about the first of them it names
    actionsAfter: (seq) => actionsAfter(ctx, seq, openRecords().flatMap(incidents.modelKeys)),
    onCapture: notify,
    budgetBytes: () => {
      const v = ctx.store.settings.get<number>(RECORDER_BUDGET_KEY);
      return typeof v === 'number' && v > 0 ? v : DEFAULT_BUDGET_BYTES;
    },
  });
  // the recorder runs only where there is a cluster to record; with none the console opens the sample
  const maybeStart = () => {
    try {
      // records a cluster the console is connected to; it never connects one by itself
      const current = ctx.connections.current();
      if (!ctx.store.readonly && current !== null && ctx.connections.get(current)) recorder.start();
    } catch {
      // no kubeconfig: nothing to record
    }
  };
  maybeStart();
  // a cluster configured in Settings later starts the recorder (and its pre-roll) without waiting for a declare
  const starter = setInterval(maybeStart, 10_000);
  starter.unref?.();

  const warRoomOf = (id: string, at?: string): WarRoom => {
    const l = locate(id);
    const live = l.origin === 'store' && l.rec.closedAt === null && at === undefined;
    const w = incidents.windowOf(l.store, l.rec, Date.now());
    // a replay with no position shows the end of what was captured, not the empty minutes after it
    const lastCapture = l.store.incidents.captureAt(w.toMs)?.atMs ?? w.toMs;
    const end = Math.min(w.toMs, lastCapture);
    const atMs = at ? Math.min(Math.max(Date.parse(at), w.fromMs), w.toMs) : live ? Date.now() : end;
    const room = incidents.warRoom(l.store, l.rec, l.origin, atMs, live);
    room.capture.recording = live && recorder.state === 'incident';
    return room;
  };

  const openFile = (bytes: Buffer, fileName: string, origin: 'file' | 'sample') => {
    const o = loadIncident(bytes, fileName);
    if (ctx.store.incidents.getIncident(o.record.id)) {
      o.store.close();
      throw new AppError(
        'ACTION_REFUSED',
        `Incident "${o.record.title}" (${o.record.id}) is already in your own store.`,
        'Open it from the incident list; the file was not opened, and your store is unchanged.',
      );
    }
    opened.get(o.record.id)?.store.close();
    opened.set(o.record.id, { ...o, origin });
    return incidents.view(o.store, o.record, origin, Date.now());
  };

  const handlers: HandlersOf<typeof incidentChannels> = {
    'incident.list': () => {
      const now = Date.now();
      const lists = [
        { store: ctx.store, origin: 'store' as const },
        ...[...opened.values()].map((o) => ({ store: o.store, origin: o.origin })),
      ];
      return {
        ...incidents.list(lists, now),
        recorder: {
          state: recorder.state,
          intervalS: recorder.intervalS,
          lastCaptureAt: recorder.lastCaptureAt ? new Date(recorder.lastCaptureAt).toISOString() : null,
          lastError: recorder.lastError,
          bytes: ctx.store.incidents.sizeBytes(),
          budgetBytes: DEFAULT_BUDGET_BYTES,
        },
        sampleAvailable: fs.existsSync(sampleFile),
      };
    },
    'incident.declare': (input) => {
      const saved = slos(ctx);
      const objectives = Object.fromEntries(
        input.models.map((m) => {
          const slo = saved[m.serviceId] ?? DEFAULT_SLO;
          return [m.serviceId, { maxErrorRatio: 1 - slo.availability, maxP95S: slo.latencyThresholdS }];
        }),
      );
      const rec = incidents.declare(ctx.store, input, ctx.actor, Date.now(), objectives);
      maybeStart();
      recorder.captureSoon(0);
      notify();
      return incidents.view(ctx.store, rec, 'store', Date.now());
    },
    'incident.update': (input) => {
      writable(input.id);
      const { id, ...change } = input;
      const rec = incidents.update(ctx.store, id, change, ctx.actor);
      notify();
      return incidents.view(ctx.store, rec, 'store', Date.now());
    },
    'incident.resolve': (input) => {
      writable(input.id);
      const rec = incidents.resolve(ctx.store, input.id, input.force, ctx.actor, Date.now());
      notify();
      return incidents.view(ctx.store, rec, 'store', Date.now());
    },
    'incident.correctMilestone': (input) => {
      writable(input.id);
      const rec = incidents.correctMilestone(
        ctx.store,
        input.id,
        input.milestone,
        input.at,
        input.reason,
        ctx.actor,
        Date.now(),
      );
      notify();
      return incidents.view(ctx.store, rec, 'store', Date.now());
    },
    'incident.note': (input) => {
      writable(input.id);
      const entryId = incidents.addNote(ctx.store, input.id, input.text, ctx.actor, Date.now());
      notify();
      const rec = incidents.getRecord(ctx.store, input.id);
      const page = incidents.timelinePage(ctx.store, rec, Date.now(), {
        sources: ['note'],
        offset: 0,
        limit: 2000,
      });
      const entry = page.entries.find((e) => e.id === entryId);
      if (!entry)
        throw new AppError(
          'INTERNAL',
          'The note was saved but could not be read back.',
          'Reload the war room.',
        );
      return entry;
    },
    'incident.warRoom': (input) => warRoomOf(input.id, input.at),
    'incident.timeline': (input) => {
      const l = locate(input.id);
      return incidents.timelinePage(l.store, l.rec, Date.now(), {
        ...(input.sources ? { sources: input.sources } : {}),
        ...(input.models ? { models: input.models } : {}),
        offset: input.offset,
        limit: input.limit,
      });
    },
    'incident.diff': (input) => {
      const l = locate(input.id);
      return incidents.diffMoments(l.store, l.rec, Date.parse(input.from), Date.parse(input.to), input.model);
    },
    'incident.export': (input) => {
      const l = locate(input.id);
      const file = exportIncident(l.store, input.id, Date.now());
      return { fileName: file.fileName, base64: file.bytes.toString('base64') };
    },
    'incident.open': (input) => openFile(decodeBase64(input.base64), input.fileName, 'file'),
    'incident.openSample': () => {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(sampleFile);
      } catch {
        throw new AppError(
          'NOT_FOUND',
          'The sample incident is not in this build.',
          'Run `npm run sample` to make it.',
        );
      }
      const existing = [...opened.values()].find((o) => o.origin === 'sample');
      if (existing) return incidents.view(existing.store, existing.record, 'sample', Date.now());
      return openFile(bytes, path.basename(sampleFile), 'sample');
    },
    'incident.postmortem': (input) => postmortem(ctx, locate(input.id), warRoomOf(input.id), exportDir),
  };

  const streams: StreamHandlersOf<typeof incidentStreams> = {
    'incident.live': (params, emit, fail) => {
      let last = '';
      const push = () => {
        try {
          const room = warRoomOf(params.id);
          const key = JSON.stringify([
            room.capture.lastCaptureAt,
            room.incident,
            room.alerts.length,
            room.cursorEntryId,
          ]);
          if (key !== last) {
            last = key;
            emit(room);
          }
        } catch (err) {
          fail(err);
        }
      };
      push();
      listeners.add(push);
      return () => listeners.delete(push);
    },
  };

  return {
    handlers,
    streams,
    recorder,
    close: async () => {
      clearInterval(starter);
      await recorder.stop();
      for (const o of opened.values()) o.store.close();
      opened.clear();
    },
  };
}

/** The incident slice of the handlers (main/api/index.ts merges it like every other capability's). */
export function incidentHandlers(api: IncidentApi): HandlersOf<typeof incidentChannels> {
  return api.handlers;
}

export function incidentStreamHandlers(api: IncidentApi): StreamHandlersOf<typeof incidentStreams> {
  return api.streams;
}

function decodeBase64(b64: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
    throw new AppError(
      'INVALID_INPUT',
      'The file did not arrive intact (not base64).',
      'Pick the file again.',
    );
  return Buffer.from(b64, 'base64');
}

function postmortem(
  ctx: ApiContext,
  l: { store: Store; rec: incidents.IncidentRecord; origin: incidents.Origin; opened?: OpenedIncident },
  room: WarRoom,
  exportDir: string,
) {
  const page = incidents.timelinePage(l.store, l.rec, Date.now(), { offset: 0, limit: 2000 });
  const audit = l.opened ? l.opened.audit : ctx.store.audit.verify();
  const captureName =
    l.origin === 'store'
      ? `profile store ${path.basename(ctx.store.path)}`
      : `incident file ${l.opened?.manifest.incidentId ?? l.rec.id}.fbi`;
  const objectives = new Map(Object.entries(l.rec.objectives ?? {}));
  const { files } = buildPostmortem({
    warRoom: room,
    timeline: page.entries,
    audit,
    captureName,
    objectives,
  });
  const dir = path.join(exportDir, `${l.rec.id}-postmortem`);
  writePostmortem(dir, files);
  const md = files.find((f) => f.name === 'postmortem.md');
  return {
    dir,
    files: files.map((f) => ({ name: f.name, bytes: f.content.length })),
    markdown: md ? md.content.toString('utf8') : '',
    zipBase64: zipPostmortem(files).toString('base64'),
  };
}

// ---------- frames from the live console ----------

function actionsAfter(ctx: ApiContext, seq: number, models: readonly ModelKey[]): FrameAction[] {
  const entries = ctx.store.audit.list({ limit: 200 }).filter((e) => e.seq > seq);
  return entries
    .filter((e) => !e.action.startsWith('incident.') && !e.action.startsWith('settings'))
    .map((e) => ({
      seq: e.seq,
      atMs: Date.parse(e.at),
      action: e.action,
      target: e.target,
      result: e.result,
      actor: e.actor,
      ...actionSubject(e.details, models),
    }))
    .sort((a, b) => a.seq - b.seq);
}

async function gatherFrame(
  ctx: ApiContext,
  mode: 'ring' | 'incident',
  open: incidents.IncidentRecord[],
): Promise<CaptureFrame | null> {
  const context = ctx.connections.current();
  const conn = context ? ctx.connections.get(context) : undefined;
  if (!context || !conn) return null;
  await conn.inventory.whenReady(10_000);
  const inv = conn.inventory;
  const objects: CapturedObject[] = [];
  for (const kind of inv.kinds())
    if (kind !== 'Event' && kind !== 'EventV1')
      objects.push(...(inv.list(kind) as unknown as CapturedObject[]));
  const events = frameEvents([inv.map('Event').values(), inv.map('EventV1').values()], Date.now());
  const services = await modelServicesOrNone(ctx, context);
  const models = services.map((s) => ({
    serviceId: s.id,
    name: parseServiceId(s.id).name,
    namespace: s.namespace,
  }));

  let alerts: FrameAlert[] | null = null;
  try {
    const list = await alertsHandlers(ctx)['alerts.list']({});
    if (list.alertmanager.status === 'ok' || list.prometheus.status === 'ok') {
      alerts = list.groups.flatMap((g) =>
        g.alerts
          .filter((a) => a.state !== 'pending')
          .map((a) => ({
            fingerprint: a.fingerprint,
            name: a.name,
            state: a.state === 'suppressed' ? ('silenced' as const) : ('firing' as const),
            severity: a.severity,
            summary: a.summary,
            labels: a.labels,
            startsMs: Date.parse(a.startsAt ?? '') || Date.now(),
            model: g.serviceId,
          })),
      );
    }
  } catch {
    alerts = null; // Alertmanager down: no transitions inferred from its silence
  }

  const involved = new Map<string, IncidentModel>();
  for (const r of open)
    for (const m of r.models) {
      involved.set(m.serviceId, m);
      if (m.fallbackId) {
        const s = services.find((x) => x.id === m.fallbackId);
        involved.set(m.fallbackId, {
          serviceId: m.fallbackId,
          name: s?.name ?? parseServiceId(m.fallbackId).name,
          serverKind: s?.serverKind ?? m.serverKind,
          modelName: s?.modelName ?? '',
          fallbackId: null,
        });
      }
    }
  const series: FrameSeries[] = [];
  if (involved.size > 0 && ctx.settings.prometheusConfig()) {
    const refs = [...involved.values()].map((m) => {
      const s = services.find((x) => x.id === m.serviceId);
      const kind = ModelServerKind.safeParse(s?.serverKind ?? m.serverKind);
      return {
        id: m.serviceId,
        serverKind: kind.success ? kind.data : ('generic' as const),
        modelName: s?.modelName ?? (m.modelName || m.name),
      };
    });
    const overview = await healthHandlers(ctx)['metrics.modelOverview']({ services: refs });
    const end = Math.floor(Date.parse(overview.fetchedAt) / 60_000) * 60_000;
    for (const tile of overview.tiles) {
      const add = (
        metric: FrameSeries['metric'],
        unit: FrameSeries['unit'],
        values: Array<number | null>,
      ) => {
        if (values.length === 0) return;
        series.push({
          key: `${tile.service.id}:${metric}`,
          model: tile.service.id,
          metric,
          unit,
          t0Ms: end - (values.length - 1) * 60_000,
          stepS: 60,
          values,
        });
      };
      add('requests', 'reqps', tile.spark.requests);
      add('errorRatio', 'ratio', tile.spark.errorRatio);
      add('p95', 'seconds', tile.spark.p95);
    }
  }
  return { atMs: Date.now(), context, mode, objects, events, alerts, series, actions: [], models };
}
