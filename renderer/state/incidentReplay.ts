import type { Incident, MilestoneName, TimelineEntry, WarRoom } from '../../shared/incident';

/** Pure helpers of the incident store: the replay's extent and start, its neighbours, the hash. */
/** A replay starts where the commander was paged (detected), else where it started, else at the end. */
export function initialReplayAt(room: WarRoom): string {
  const ms = (name: MilestoneName) => room.incident.milestones.find((m) => m.name === name)?.at ?? null;
  const pick = ms('detected') ?? ms('started') ?? room.capture.to ?? room.at;
  return clampToCapture(room, pick);
}

export function captureExtent(room: WarRoom): { fromMs: number; toMs: number } {
  const at = Date.parse(room.at);
  const from = room.capture.from ? Date.parse(room.capture.from) : at;
  const to = room.capture.to ? Date.parse(room.capture.to) : at;
  return { fromMs: Math.min(from, to), toMs: Math.max(from, to) };
}

export function clampToCapture(room: WarRoom, iso: string): string {
  const { fromMs, toMs } = captureExtent(room);
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return new Date(toMs).toISOString();
  return new Date(Math.min(Math.max(t, fromMs), toMs)).toISOString();
}

/** Read-only replay: an opened file, the sample, or an incident that is over. */
export function isReplay(incident: Incident): boolean {
  return incident.origin !== 'store' || incident.readonly || incident.status === 'resolved';
}

/** The next (or previous) loaded timeline entry strictly after (before) `atMs`, by time. */
export function neighbourEntry(
  rows: Iterable<TimelineEntry>,
  atMs: number,
  direction: 1 | -1,
): TimelineEntry | null {
  let best: TimelineEntry | null = null;
  let bestMs = direction === 1 ? Infinity : -Infinity;
  for (const e of rows) {
    const t = Date.parse(e.at);
    if (direction === 1 ? t > atMs && t < bestMs : t < atMs && t > bestMs) {
      best = e;
      bestMs = t;
    }
  }
  return best;
}

/** `#/incident` is the list; `#/incident/<id>` the war room; `?at=<iso>` a replay position. */
export function incidentRouteFromHash(hash: string): { id: string | null; at: string | null } {
  const m = /^#\/?incident\/([^?&#]+)(?:\?(.*))?$/.exec(hash);
  if (!m) return { id: null, at: null };
  let id: string;
  try {
    id = decodeURIComponent(m[1]!);
  } catch {
    return { id: null, at: null };
  }
  const at = new URLSearchParams(m[2] ?? '').get('at');
  return { id, at: at && Number.isFinite(Date.parse(at)) ? at : null };
}

export function incidentHash(id: string, at?: string | null): string {
  return `#/incident/${encodeURIComponent(id)}${at ? `?at=${encodeURIComponent(at)}` : ''}`;
}
