import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppErrorData } from '../../shared/errors';
import type {
  Incident,
  IncidentFile,
  IncidentList,
  MilestoneName,
  MomentDiff,
  PostmortemExport,
  Severity,
  TimelinePage,
  TimelineEntry,
  TimelineSource,
  WarRoom,
} from '../../shared/incident';
import type { Transport } from '../../shared/transport';
import { failed, idle, loading, ready, settle, systemClock, type AsyncState, type Clock } from './async';
import { captureExtent, clampToCapture, initialReplayAt, neighbourEntry } from './incidentReplay';

export {
  captureExtent,
  incidentHash,
  incidentRouteFromHash,
  initialReplayAt,
  isReplay,
  neighbourEntry,
} from './incidentReplay';

/**
 * Incidents: the list, the war room of one incident (followed live over `incident.live`, or replayed at a
 * position of its capture with `incident.warRoom {at}`), its timeline in pages, the replay's scrubber, play
 * speed and bookmarks, the diff of two moments, and the incident's files (export, open, postmortem).
 */
export const SPEEDS = [1, 2, 4, 8, 16, 32] as const;
export type Speed = (typeof SPEEDS)[number];
export const TIMELINE_PAGE = 200;
/** how often a playing replay moves on (ms of wall time) */
export const PLAY_TICK_MS = 500;
/** a scrubber drag asks for the war room this long after it stops moving */
export const SEEK_DEBOUNCE_MS = 150;

export interface Bookmark {
  at: string;
  label: string;
}

export interface TimelineView {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error?: AppErrorData;
  total: number;
  /** loaded rows by their index in the filtered timeline */
  rows: Map<number, TimelineEntry>;
  range: TimelinePage['range'] | null;
  gaps: TimelinePage['gaps'];
  facets: TimelinePage['facets'];
}

export interface Filters {
  sources: TimelineSource[];
  models: string[];
}

export interface DeclarePrefill {
  title?: string;
  serviceIds?: string[];
  alertNames?: string[];
}

export interface IncidentState {
  list: AsyncState<IncidentList>;
  currentId: string | null;
  room: AsyncState<WarRoom>;
  /** `incident.live` for a live incident */
  live: 'off' | 'connecting' | 'live' | 'stopped';
  liveError?: AppErrorData;
  /** replay: the position (ISO) shown by the scrubber, which may be ahead of `room.data.at` while seeking */
  at: string | null;
  playing: boolean;
  speed: Speed;
  bookmarks: Record<string, Bookmark[]>;
  timeline: TimelineView;
  filters: Filters;
  diffA: string | null;
  diffB: string | null;
  diff: AsyncState<MomentDiff>;
  /** the Declare dialog: open with what it was opened from */
  declaring: DeclarePrefill | null;
  /** the last write (declare, note, resolve, correct, open): its error is shown where it was made */
  write: AsyncState<string>;
  /** the last incident file opened (its refusal is shown beside the button) */
  opened: AsyncState<Incident>;
  /** the file each opened incident came from (the replay banner names it) */
  fileNames: Record<string, string>;
  exported: AsyncState<IncidentFile>;
  postmortem: AsyncState<PostmortemExport>;

  loadList(): Promise<void>;
  open(id: string, at?: string | null): Promise<void>;
  close(): void;
  seek(at: string): void;
  play(): void;
  pause(): void;
  setSpeed(speed: Speed): void;
  step(direction: 1 | -1): void;
  addBookmark(label?: string): void;
  removeBookmark(at: string): void;
  setFilters(filters: Partial<Filters>): void;
  /** makes sure rows [from, to) of the filtered timeline are loaded */
  ensureRows(from: number, to: number): Promise<void>;
  /** reads the loaded timeline rows again (after an action from the war room) */
  refreshTimeline(): Promise<void>;
  setDiffPoint(which: 'A' | 'B', at?: string | null): void;
  runDiff(from?: string, to?: string): Promise<void>;
  startDeclare(prefill?: DeclarePrefill): void;
  cancelDeclare(): void;
  declare(input: {
    title: string;
    severity: Severity;
    commander?: string;
    models: Incident['models'];
    alertNames: string[];
  }): Promise<Incident | null>;
  note(text: string): Promise<boolean>;
  resolve(force: boolean): Promise<AppErrorData | null>;
  correctMilestone(milestone: MilestoneName, at: string, reason: string): Promise<boolean>;
  openFile(fileName: string, base64: string): Promise<Incident | null>;
  openSample(): Promise<Incident | null>;
  exportFile(): Promise<IncidentFile | null>;
  makePostmortem(): Promise<PostmortemExport | null>;
}

const emptyTimeline = (): TimelineView => ({
  status: 'idle',
  total: 0,
  rows: new Map(),
  range: null,
  gaps: [],
  facets: { sources: {}, models: {} },
});

export interface IncidentStoreOptions {
  clock?: Clock;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export function createIncidentStore(
  getTransport: () => Transport,
  options: IncidentStoreOptions = {},
): StoreApi<IncidentState> {
  const clock = options.clock ?? systemClock;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  /** bumped on open/close: answers for another incident are dropped */
  let generation = 0;
  let unsubscribe: (() => void) | null = null;
  let seekTimer: unknown = null;
  let playTimer: unknown = null;
  /** the war room call in flight, and the position asked for after it */
  let fetching = false;
  let wanted: string | null = null;
  const pagesLoading = new Set<number>();
  let timelineGen = 0;

  return createStore<IncidentState>()((set, get) => {
    const invoke = getTransport;
    const id = () => get().currentId;

    const fetchAt = async (gen: number) => {
      const cur = id();
      if (fetching || wanted === null || !cur) return;
      const at = wanted;
      wanted = null;
      fetching = true;
      const r = await invoke().invoke('incident.warRoom', { id: cur, at });
      fetching = false;
      if (gen !== generation) return;
      set({ room: settle(r, get().room, clock()) });
      if (wanted !== null) void fetchAt(gen);
    };

    const stopPlay = () => {
      if (playTimer !== null) clearTimer(playTimer);
      playTimer = null;
    };

    const tick = () => {
      playTimer = null;
      const s = get();
      const room = s.room.data;
      if (!s.playing || !room || !s.at) return;
      const { toMs } = captureExtent(room);
      const next = Math.min(Date.parse(s.at) + (PLAY_TICK_MS / 1000) * s.speed * 1000, toMs);
      const iso = new Date(next).toISOString();
      set({ at: iso, playing: next < toMs });
      wanted = iso;
      void fetchAt(generation);
      if (next < toMs) playTimer = setTimer(tick, PLAY_TICK_MS);
    };

    const follow = (gen: number, incidentId: string) => {
      set({ live: 'connecting' });
      unsubscribe = invoke().subscribe('incident.live', { id: incidentId }, (m) => {
        if (gen !== generation) return;
        if (m.type === 'event') {
          const before = get().room.data;
          set({ room: ready(m.event, clock()), live: 'live', liveError: undefined });
          // what the timeline shows moved: read the loaded rows again
          if (
            !before ||
            before.cursorEntryId !== m.event.cursorEntryId ||
            before.capture.lastCaptureAt !== m.event.capture.lastCaptureAt
          )
            void reloadTimeline();
        } else {
          unsubscribe = null;
          set({ live: 'stopped', liveError: m.error });
        }
      });
    };

    const loadPage = async (page: number, gen: number) => {
      const cur = id();
      if (!cur || pagesLoading.has(page)) return;
      pagesLoading.add(page);
      const f = get().filters;
      const r = await invoke().invoke('incident.timeline', {
        id: cur,
        offset: page * TIMELINE_PAGE,
        limit: TIMELINE_PAGE,
        ...(f.sources.length ? { sources: f.sources } : {}),
        ...(f.models.length ? { models: f.models } : {}),
      });
      pagesLoading.delete(page);
      if (gen !== timelineGen) return;
      const t = get().timeline;
      if (!r.ok) {
        set({ timeline: { ...t, status: 'error', error: r.error } });
        return;
      }
      const rows = new Map(t.rows);
      r.value.entries.forEach((e, i) => rows.set(r.value.offset + i, e));
      set({
        timeline: {
          status: 'ready',
          total: r.value.total,
          rows,
          range: r.value.range,
          gaps: r.value.gaps,
          facets: r.value.facets,
        },
      });
    };

    /** the pages that are loaded now, read again (a live update, a note, a new filter) */
    const reloadTimeline = async (keep = true) => {
      const loaded = keep
        ? [...new Set([...get().timeline.rows.keys()].map((i) => Math.floor(i / TIMELINE_PAGE)))]
        : [];
      const gen = ++timelineGen;
      pagesLoading.clear();
      if (!keep) set({ timeline: { ...emptyTimeline(), status: 'loading' } });
      const pages = loaded.length ? loaded : [0];
      // a live timeline grows at the end: read the last page too
      const last = Math.floor(Math.max(0, get().timeline.total - 1) / TIMELINE_PAGE);
      if (keep && !pages.includes(last)) pages.push(last);
      await Promise.all(pages.map((p) => loadPage(p, gen)));
    };

    const writeDone = <T>(r: { ok: true; value: T } | { ok: false; error: AppErrorData }, what: string) => {
      set({ write: r.ok ? ready(what, clock()) : failed(r.error, idle()) });
      return r.ok;
    };

    return {
      list: idle(),
      currentId: null,
      room: idle(),
      live: 'off',
      liveError: undefined,
      at: null,
      playing: false,
      speed: 4,
      bookmarks: {},
      timeline: emptyTimeline(),
      filters: { sources: [], models: [] },
      diffA: null,
      diffB: null,
      diff: idle(),
      declaring: null,
      write: idle(),
      opened: idle(),
      fileNames: {},
      exported: idle(),
      postmortem: idle(),

      async loadList() {
        set({ list: loading(get().list) });
        const r = await invoke().invoke('incident.list', {});
        set({ list: settle(r, get().list, clock()) });
      },

      async open(incidentId, at) {
        if (get().currentId === incidentId && get().room.data && !at) return;
        get().close();
        const gen = ++generation;
        set({
          currentId: incidentId,
          room: loading(idle()),
          at: null,
          diff: idle(),
          diffA: null,
          diffB: null,
          write: idle(),
          exported: idle(),
          postmortem: idle(),
          filters: { sources: [], models: [] },
        });
        void reloadTimeline(false);
        const r = await invoke().invoke('incident.warRoom', { id: incidentId, ...(at ? { at } : {}) });
        if (gen !== generation) return;
        if (!r.ok) {
          set({ room: failed(r.error, idle()) });
          return;
        }
        if (r.value.live) {
          set({ room: ready(r.value, clock()) });
          follow(gen, incidentId);
          return;
        }
        const start = at ? clampToCapture(r.value, at) : initialReplayAt(r.value);
        set({ room: ready(r.value, clock()), at: start });
        if (start !== r.value.at) {
          wanted = start;
          await fetchAt(gen);
        }
      },

      close() {
        generation += 1;
        unsubscribe?.();
        unsubscribe = null;
        stopPlay();
        if (seekTimer !== null) clearTimer(seekTimer);
        seekTimer = null;
        wanted = null;
        fetching = false;
        timelineGen += 1;
        set({
          currentId: null,
          room: idle(),
          live: 'off',
          liveError: undefined,
          at: null,
          playing: false,
          timeline: emptyTimeline(),
        });
      },

      seek(at) {
        const room = get().room.data;
        if (!room || room.live) return;
        const iso = clampToCapture(room, at);
        set({ at: iso });
        if (seekTimer !== null) clearTimer(seekTimer);
        const gen = generation;
        seekTimer = setTimer(() => {
          seekTimer = null;
          wanted = iso;
          void fetchAt(gen);
        }, SEEK_DEBOUNCE_MS);
      },

      play() {
        const room = get().room.data;
        if (!room || room.live) return;
        const { fromMs, toMs } = captureExtent(room);
        // at the end, play starts again from the beginning
        if (!get().at || Date.parse(get().at!) >= toMs) set({ at: new Date(fromMs).toISOString() });
        set({ playing: true });
        stopPlay();
        playTimer = setTimer(tick, PLAY_TICK_MS);
      },

      pause() {
        stopPlay();
        set({ playing: false });
      },

      setSpeed(speed) {
        set({ speed });
      },

      step(direction) {
        const at = get().at;
        if (!at) return;
        const e = neighbourEntry(get().timeline.rows.values(), Date.parse(at), direction);
        if (e) get().seek(e.at);
      },

      addBookmark(label) {
        const cur = id();
        const at = get().at;
        if (!cur || !at) return;
        const list = get().bookmarks[cur] ?? [];
        if (list.some((b) => b.at === at)) return;
        const next = [...list, { at, label: label?.trim() || `Bookmark ${list.length + 1}` }].sort(
          (a, b) => Date.parse(a.at) - Date.parse(b.at),
        );
        set({ bookmarks: { ...get().bookmarks, [cur]: next } });
      },

      removeBookmark(at) {
        const cur = id();
        if (!cur) return;
        const list = (get().bookmarks[cur] ?? []).filter((b) => b.at !== at);
        set({ bookmarks: { ...get().bookmarks, [cur]: list } });
      },

      setFilters(filters) {
        set({ filters: { ...get().filters, ...filters } });
        void reloadTimeline(false);
      },

      async ensureRows(from, to) {
        const t = get().timeline;
        const gen = timelineGen;
        const first = Math.floor(Math.max(0, from) / TIMELINE_PAGE);
        const last = Math.floor(Math.max(0, Math.min(to, Math.max(t.total, 1)) - 1) / TIMELINE_PAGE);
        const missing: number[] = [];
        for (let p = first; p <= last; p++) if (!t.rows.has(p * TIMELINE_PAGE)) missing.push(p);
        await Promise.all(missing.map((p) => loadPage(p, gen)));
      },

      refreshTimeline() {
        return reloadTimeline();
      },

      setDiffPoint(which, at) {
        const pos = at === undefined ? get().at : at;
        set(which === 'A' ? { diffA: pos } : { diffB: pos });
      },

      async runDiff(from, to) {
        const cur = id();
        const a = from ?? get().diffA;
        const b = to ?? get().diffB;
        if (!cur || !a || !b) return;
        const [x, y] = Date.parse(a) <= Date.parse(b) ? [a, b] : [b, a];
        set({ diff: loading(get().diff), diffA: x, diffB: y });
        const gen = generation;
        const r = await invoke().invoke('incident.diff', { id: cur, from: x, to: y });
        if (gen === generation) set({ diff: settle(r, get().diff, clock()) });
      },

      startDeclare(prefill = {}) {
        set({ declaring: prefill, write: idle() });
      },

      cancelDeclare() {
        set({ declaring: null });
      },

      async declare(input) {
        set({ write: loading(idle()) });
        const r = await invoke().invoke('incident.declare', input);
        if (!writeDone(r, 'declared') || !r.ok) return null;
        set({ declaring: null });
        void get().loadList();
        return r.value;
      },

      async note(text) {
        const cur = id();
        if (!cur) return false;
        set({ write: loading(idle()) });
        const r = await invoke().invoke('incident.note', { id: cur, text });
        if (writeDone(r, 'note')) void reloadTimeline();
        return r.ok;
      },

      async resolve(force) {
        const cur = id();
        if (!cur) return null;
        set({ write: loading(idle()) });
        const r = await invoke().invoke('incident.resolve', { id: cur, force });
        writeDone(r, 'resolved');
        if (!r.ok) return r.error;
        // resolved: the war room is a replay of it now
        unsubscribe?.();
        unsubscribe = null;
        const gen = ++generation;
        set({ live: 'off' });
        const room = await invoke().invoke('incident.warRoom', { id: cur });
        if (gen === generation && room.ok) {
          // the replay opens at the end of what was captured
          const end = clampToCapture(room.value, room.value.at);
          set({ room: ready(room.value, clock()), at: end });
          if (end !== room.value.at) {
            wanted = end;
            await fetchAt(gen);
          }
        }
        void reloadTimeline();
        void get().loadList();
        return null;
      },

      async correctMilestone(milestone, at, reason) {
        const cur = id();
        if (!cur) return false;
        set({ write: loading(idle()) });
        const r = await invoke().invoke('incident.correctMilestone', { id: cur, milestone, at, reason });
        if (!writeDone(r, 'corrected') || !r.ok) return false;
        const room = get().room.data;
        if (room) set({ room: ready({ ...room, incident: r.value }, clock()) });
        return true;
      },

      async openFile(fileName, base64) {
        set({ opened: loading(idle()) });
        const r = await invoke().invoke('incident.open', { fileName, base64 });
        set({ opened: settle(r, idle(), clock()) });
        if (!r.ok) return null;
        set({ fileNames: { ...get().fileNames, [r.value.id]: fileName } });
        if (get().currentId === r.value.id) get().close();
        void get().loadList();
        return r.value;
      },

      async openSample() {
        const r = await invoke().invoke('incident.openSample', {});
        set({ opened: settle(r, idle(), clock()) });
        return r.ok ? r.value : null;
      },

      async exportFile() {
        const cur = id();
        if (!cur) return null;
        set({ exported: loading(idle()) });
        const r = await invoke().invoke('incident.export', { id: cur });
        set({ exported: settle(r, idle(), clock()) });
        return r.ok ? r.value : null;
      },

      async makePostmortem() {
        const cur = id();
        if (!cur) return null;
        set({ postmortem: loading(get().postmortem) });
        const r = await invoke().invoke('incident.postmortem', { id: cur });
        set({ postmortem: settle(r, get().postmortem, clock()) });
        return r.ok ? r.value : null;
      },
    };
  });
}
