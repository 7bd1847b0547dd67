import type { Channel } from './contract';
import { AppError } from './errors';

/**
 * How long each channel may take, end to end. Main answers within it (its handler's own deadline, else the
 * dispatcher's typed error); the renderer waits this long plus a little slack for main's answer, so a hung
 * request never leaves a view on "Loading…". The Prometheus-backed views answer well inside theirs: their
 * queries share one deadline of the Prometheus timeout and fall back to the copy saved.
 */
const DEFAULT_DEADLINE_MS = 30_000;

/** Channels that do long work on purpose (imports, exports, a write waiting for its effect). */
const LONG_DEADLINES: Partial<Record<Channel, number>> = {
  'actions.execute': 10 * 60_000,
  'audit.verify': 5 * 60_000,
  'cost.refresh': 5 * 60_000,
  'cost.review': 2 * 60_000,
  'cost.importFocus': 60 * 60_000,
  'cost.export': 2 * 60_000,
  'incident.export': 5 * 60_000,
  'incident.open': 5 * 60_000,
  'incident.openSample': 2 * 60_000,
  'incident.postmortem': 5 * 60_000,
  'incident.warRoom': 60_000,
  'incident.timeline': 60_000,
  'incident.diff': 60_000,
  'kube.connect': 60_000,
  'models.history': 60_000,
  // the heatmap of a big fleet over a week may take Prometheus most of a minute
  'metrics.gpuFleet': 75_000,
};

export function channelDeadlineMs(channel: Channel): number {
  return LONG_DEADLINES[channel] ?? DEFAULT_DEADLINE_MS;
}

/** The renderer's wait: main's deadline plus slack for the answer to travel and be drawn. */
export function clientDeadlineMs(channel: Channel): number {
  return channelDeadlineMs(channel) + 5_000;
}

export function deadlineError(what: string, ms: number, details?: Record<string, unknown>): AppError {
  return new AppError(
    'DEADLINE_EXCEEDED',
    `${what} did not answer within ${Math.round(ms / 1000)} s.`,
    'A source it reads from may be hung or overloaded; Retry, and check the status bar for the source that is down.',
    { deadlineMs: ms, ...details },
  );
}
