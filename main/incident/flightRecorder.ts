/**
 * The recorder's schedule: a capture every 60 s while connected (the ring, pruned to its last 60 minutes outside any
 * incident), every 15 s while an incident is open, and soon after the cluster changes while one is open, so a change
 * reaches the timeline within about 2 s. Firebreak's own actions are tailed from the audit log every second (one
 * cheap query) so they appear on the timeline within a second of their audit entry. A capture that fails is a gap,
 * recorded once per outage so the timeline draws it. Nothing here waits forever: each capture has a deadline.
 */
import type { Store } from '../store';
import {
  actionEntry,
  ingest,
  newMemory,
  recordGap,
  updateChangePoints,
  type CaptureFrame,
  type FrameAction,
} from './recorder';
import { PRE_ROLL_MS } from './incidents';

export interface RecorderOptions {
  store: Store;
  /** gathers one frame; null = nothing to record (no cluster configured) */
  gather: (mode: 'ring' | 'incident') => Promise<CaptureFrame | null>;
  /** the incidents open now: their windows are kept and their models' series captured */
  openWindows: () => Array<{ fromMs: number; toMs: number }>;
  /** service id -> name, for change-point wording */
  modelNames: () => ReadonlyMap<string, string>;
  /** audit entries after `seq` that belong on the timeline */
  actionsAfter: (seq: number) => FrameAction[];
  onCapture?: () => void;
  ringIntervalS?: number;
  incidentIntervalS?: number;
  ringKeepMs?: number;
  /** disk budget for ring data; incidents' data is never pruned for it */
  budgetBytes?: () => number;
  captureTimeoutMs?: number;
  now?: () => number;
}

export class FlightRecorder {
  private readonly memory = newMemory();
  private timer: NodeJS.Timeout | undefined;
  private tail: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = true;
  private lastSeq: number;
  private inGap = false;
  lastCaptureAt: number | null = null;
  lastError: string | null = null;

  constructor(private readonly opts: RecorderOptions) {
    this.lastSeq = opts.store.audit.list({ limit: 1 })[0]?.seq ?? 0;
  }

  private now() {
    return (this.opts.now ?? Date.now)();
  }

  get intervalS(): number {
    return this.opts.openWindows().length > 0
      ? (this.opts.incidentIntervalS ?? 15)
      : (this.opts.ringIntervalS ?? 60);
  }

  get state(): 'off' | 'ring' | 'incident' {
    if (this.stopped) return 'off';
    return this.opts.openWindows().length > 0 ? 'incident' : 'ring';
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
    this.tail = setInterval(() => this.tailActions(), 1000);
    this.tail.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.soon);
    clearInterval(this.tail);
    await this.running;
  }

  /** Capture within about a second (the cluster changed, an incident was declared). */
  captureSoon(delayMs = 1000): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.captureNow();
    }, delayMs);
    this.soon.unref?.();
  }

  private schedule(delayMs: number) {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.captureNow().finally(() => this.schedule(this.intervalS * 1000));
    }, delayMs);
    this.timer.unref?.();
  }

  /** One capture now (tests and the schedule); concurrent calls share the one in flight. */
  captureNow(): Promise<void> {
    this.running ??= this.capture().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private tailActions(): void {
    try {
      const actions = this.opts.actionsAfter(this.lastSeq);
      if (actions.length === 0) return;
      this.lastSeq = Math.max(...actions.map((a) => a.seq));
      this.opts.store.incidents.upsertTimeline(actions.map(actionEntry));
      this.opts.onCapture?.();
      this.captureSoon();
    } catch (err) {
      this.lastError = (err as Error).message;
    }
  }

  private async capture(): Promise<void> {
    const mode = this.opts.openWindows().length > 0 ? 'incident' : 'ring';
    const timeoutMs = this.opts.captureTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const frame = await Promise.race([
        this.opts.gather(mode),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the capture did not finish in ${timeoutMs / 1000} s`)),
            timeoutMs,
          );
        }),
      ]);
      if (!frame) return;
      ingest(this.opts.store, { ...frame, actions: [] }, this.memory);
      this.lastCaptureAt = frame.atMs;
      this.lastError = null;
      this.inGap = false;
      this.housekeeping(frame.atMs);
      this.opts.onCapture?.();
    } catch (err) {
      this.lastError = (err as Error).message;
      if (!this.inGap) {
        this.inGap = true;
        try {
          recordGap(this.opts.store, 'recorder', this.now(), this.lastError);
        } catch {
          // a store that cannot take a gap row cannot take a capture either; the error is shown
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private housekeeping(atMs: number): void {
    const windows = this.opts.openWindows();
    for (const w of windows) updateChangePoints(this.opts.store, w.fromMs, atMs, this.opts.modelNames());
    const keep = [
      ...windows,
      ...(
        this.opts.store.incidents.listIncidents() as Array<{ declaredAt: string; closedAt: string | null }>
      ).map((r) => ({
        fromMs: Date.parse(r.declaredAt) - PRE_ROLL_MS,
        toMs: r.closedAt ? Date.parse(r.closedAt) + 10 * 60_000 : atMs,
      })),
    ];
    let before = atMs - (this.opts.ringKeepMs ?? 60 * 60_000);
    const budget = this.opts.budgetBytes?.();
    // over budget: prune ring data harder, oldest first (incidents' windows are kept whatever the budget)
    if (budget && this.opts.store.incidents.sizeBytes() > budget) before = atMs - 10 * 60_000;
    this.opts.store.incidents.pruneRing(before, keep);
  }
}

export type { CaptureFrame };
