/**
 * Incidents: the war room, its clock, the flight recorder's timeline, replay and the incident file.
 * Types and the incident slice of the channel table (merged by contract.ts).
 *
 * Times cross the boundary as ISO strings (UTC); durations as whole seconds.
 */
import { z } from 'zod';

export const Severity = z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
export type Severity = z.infer<typeof Severity>;

export const IncidentStatus = z.enum(['investigating', 'mitigated', 'resolved']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

/** The milestones, in the order they must happen (Rootly's and FireHydrant's definitions). */
export const MILESTONES = ['started', 'detected', 'acknowledged', 'mitigated', 'resolved'] as const;
export const MilestoneName = z.enum(MILESTONES);
export type MilestoneName = z.infer<typeof MilestoneName>;

const serviceId = z.string().min(3).max(600);
const text = (max: number) => z.string().trim().min(1).max(max);

/** A model service involved in an incident, with the fallback its traffic can move to. */
export const IncidentModel = z
  .object({
    /** `<namespace>/<kind>/<name>` */
    serviceId,
    name: text(253),
    /** the model server kind (vllm, triton …) so the SLI catalogue applies without a cluster */
    serverKind: z.string().max(40).default('generic'),
    /** the model name as the server labels its metrics */
    modelName: z.string().max(253).default(''),
    fallbackId: serviceId.nullable().default(null),
  })
  .strict();
export type IncidentModel = z.infer<typeof IncidentModel>;

export const Evidence = z.object({
  /** what the time was read from */
  kind: z.enum(['sli', 'alert', 'action', 'note', 'close', 'manual', 'declared']),
  summary: z.string(),
  /** the timeline entry that shows it, when there is one */
  entryId: z.number().int().nullable(),
});
export type Evidence = z.infer<typeof Evidence>;

export const Milestone = z.object({
  name: MilestoneName,
  /** null: not reached (or no evidence yet) */
  at: z.string().nullable(),
  evidence: Evidence.nullable(),
  /** a hand correction replaces the derived time; the derived one is kept beside it */
  corrected: z.object({ at: z.string(), reason: z.string(), by: z.string() }).nullable(),
  derivedAt: z.string().nullable(),
});
export type Milestone = z.infer<typeof Milestone>;

/** Seconds from *started* (null = one end is missing). "MTTR" is ambiguous, so each interval says its name. */
export const Intervals = z.object({
  timeToDetectS: z.number().int().nullable(),
  timeToAcknowledgeS: z.number().int().nullable(),
  timeToMitigateS: z.number().int().nullable(),
  timeToResolveS: z.number().int().nullable(),
});
export type Intervals = z.infer<typeof Intervals>;

export const Incident = z.object({
  id: z.string(),
  title: z.string(),
  severity: Severity,
  status: IncidentStatus,
  commander: z.string(),
  models: z.array(IncidentModel),
  /** alerts whose labels match one of these (alertname + any of the label values) are this incident's */
  alertNames: z.array(z.string()),
  declaredAt: z.string(),
  closedAt: z.string().nullable(),
  milestones: z.array(Milestone),
  intervals: Intervals,
  /** when the last action of Firebreak on this incident's models happened */
  lastActionAt: z.string().nullable(),
  /** where it is read from: the profile's own store, an opened incident file, or the bundled sample */
  origin: z.enum(['store', 'file', 'sample']),
  readonly: z.boolean(),
});
export type Incident = z.infer<typeof Incident>;

export const TimelineSource = z.enum([
  'change',
  'event',
  'alert',
  'action',
  'note',
  'changepoint',
  'milestone',
]);
export type TimelineSource = z.infer<typeof TimelineSource>;

export const TimelineEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  source: TimelineSource,
  /** the model service it concerns (null = cluster-wide) */
  model: z.string().nullable(),
  tone: z.enum(['info', 'warning', 'critical', 'ok']),
  summary: z.string(),
  /** Events: how many times it was seen and when last (one row per series, kubectl's `(x349 over 115m)`) */
  count: z.number().int(),
  lastAt: z.string().nullable(),
  /** the object it is about, `Kind namespace/name` */
  object: z.string().nullable(),
  /** a change: the captures it sits between, so the diff opens from here */
  diff: z.object({ from: z.string(), to: z.string() }).nullable(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** A stretch with no capture (console closed, cluster unreachable, relist): drawn as a gap, never interpolated. */
export const CaptureGap = z.object({ from: z.string(), to: z.string(), reason: z.string() });
export type CaptureGap = z.infer<typeof CaptureGap>;

export const TimelinePage = z.object({
  /** the whole incident (pre-roll included): the default zoom */
  range: z.object({ from: z.string(), to: z.string() }),
  total: z.number().int(),
  offset: z.number().int(),
  entries: z.array(TimelineEntry),
  gaps: z.array(CaptureGap),
  /** counts per source and model, for the filter chips */
  facets: z.object({
    sources: z.record(z.string(), z.number().int()),
    models: z.record(z.string(), z.number().int()),
  }),
});
export type TimelinePage = z.infer<typeof TimelinePage>;

export const FieldChange = z.object({
  path: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
});
export type FieldChange = z.infer<typeof FieldChange>;

export const ChangeKind = z.enum([
  'image',
  'revision',
  'args',
  'env',
  'resources',
  'replicas',
  'hpa',
  'route',
  'node',
  'other',
]);
export type ChangeKind = z.infer<typeof ChangeKind>;

/** One object that changed between two moments, ranked by how likely it matters to the involved models. */
export const ObjectChange = z.object({
  object: z.string(),
  model: z.string().nullable(),
  kinds: z.array(ChangeKind),
  /** higher = shown first */
  rank: z.number(),
  at: z.string().nullable(),
  summary: z.string(),
  fields: z.array(FieldChange),
  diff: z.object({ from: z.string(), to: z.string() }).nullable(),
});
export type ObjectChange = z.infer<typeof ObjectChange>;

export const MomentDiff = z.object({
  from: z.string(),
  to: z.string(),
  /** the captures actually compared (the newest at or before each moment) */
  fromCapture: z.string().nullable(),
  toCapture: z.string().nullable(),
  changes: z.array(ObjectChange),
  /** objects compared in all */
  compared: z.number().int(),
});
export type MomentDiff = z.infer<typeof MomentDiff>;

/** A series as captured: a regular grid from `t0` every `stepS` (null = no sample). */
export const CapturedSeries = z.object({
  key: z.string(),
  model: z.string().nullable(),
  metric: z.enum(['requests', 'errorRatio', 'p95', 'gpuUtil', 'replicasReady']),
  unit: z.enum(['reqps', 'ratio', 'seconds', 'percent', 'count']),
  t0: z.string(),
  stepS: z.number().int().positive(),
  values: z.array(z.number().nullable()),
});
export type CapturedSeries = z.infer<typeof CapturedSeries>;

export const WarRoomTile = z.object({
  serviceId: z.string(),
  name: z.string(),
  role: z.enum(['involved', 'fallback']),
  requestRate: z.number().nullable(),
  errorRatio: z.number().nullable(),
  p95: z.number().nullable(),
  gpuUtil: z.number().nullable(),
  /** exact decimal string, USD */
  costPer1k: z.string().nullable(),
  replicas: z.object({ ready: z.number().int(), desired: z.number().int() }).nullable(),
  image: z.string().nullable(),
  /** the route weight share this model receives, 0..1 (null: no route) */
  trafficShare: z.number().nullable(),
  breaching: z.boolean(),
  /** what the figures are: "last 5 min at 17:42" */
  asOf: z.string().nullable(),
});
export type WarRoomTile = z.infer<typeof WarRoomTile>;

export const WarRoomAlert = z.object({
  fingerprint: z.string(),
  name: z.string(),
  state: z.enum(['firing', 'resolved', 'silenced']),
  severity: z.string().nullable(),
  summary: z.string().nullable(),
  model: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
});
export type WarRoomAlert = z.infer<typeof WarRoomAlert>;

/** The war room at one moment: live (now) or replayed (any second of the capture). */
export const WarRoom = z.object({
  incident: Incident,
  at: z.string(),
  live: z.boolean(),
  tiles: z.array(WarRoomTile),
  alerts: z.array(WarRoomAlert),
  series: z.array(CapturedSeries),
  /** ranked changes in the 30 minutes before *started* */
  changes: z.array(ObjectChange),
  /** the recorder's state (live) or the capture's extent (replay) */
  capture: z.object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    captures: z.number().int(),
    lastCaptureAt: z.string().nullable(),
    recording: z.boolean(),
  }),
  /** the timeline entry at or before `at` (the cursor) */
  cursorEntryId: z.number().int().nullable(),
});
export type WarRoom = z.infer<typeof WarRoom>;

export const IncidentSummary = z.object({
  id: z.string(),
  title: z.string(),
  severity: Severity,
  status: IncidentStatus,
  models: z.array(z.string()),
  declaredAt: z.string(),
  startedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  intervals: Intervals,
  origin: Incident.shape.origin,
});
export type IncidentSummary = z.infer<typeof IncidentSummary>;

export const Spread = z.object({
  n: z.number().int(),
  medianS: z.number().nullable(),
  p90S: z.number().nullable(),
  minS: z.number().nullable(),
  maxS: z.number().nullable(),
});
export type Spread = z.infer<typeof Spread>;

export const IncidentList = z.object({
  open: z.array(IncidentSummary),
  past: z.array(IncidentSummary),
  /** per-incident intervals' spread across the closed incidents (not only a mean) */
  spread: z.object({ detect: Spread, mitigate: Spread, resolve: Spread }),
  recorder: z.object({
    state: z.enum(['off', 'ring', 'incident']),
    intervalS: z.number().int(),
    lastCaptureAt: z.string().nullable(),
    lastError: z.string().nullable(),
    bytes: z.number().int(),
    budgetBytes: z.number().int(),
  }),
  /** the bundled sample is available (first start with no cluster) */
  sampleAvailable: z.boolean(),
});
export type IncidentList = z.infer<typeof IncidentList>;

export const IncidentRef = z.object({ id: z.string().min(1).max(200) }).strict();

export const DeclareInput = z
  .object({
    title: text(200),
    severity: Severity,
    commander: text(120).optional(),
    models: z.array(IncidentModel).min(1).max(20),
    /** the alert names of the group it was declared from */
    alertNames: z.array(text(200)).max(50).default([]),
  })
  .strict();

export const UpdateInput = z
  .object({
    id: IncidentRef.shape.id,
    title: text(200).optional(),
    severity: Severity.optional(),
    status: z.enum(['investigating', 'mitigated']).optional(),
    commander: text(120).optional(),
    models: z.array(IncidentModel).min(1).max(20).optional(),
  })
  .strict();

const isoTime = z.string().datetime({ offset: true });

export const IncidentFile = z.object({
  fileName: z.string().max(255),
  /** the file's bytes, base64 */
  base64: z.string(),
});
export type IncidentFile = z.infer<typeof IncidentFile>;

export const PostmortemExport = z.object({
  /** where it was written (a folder with postmortem.md and assets/) */
  dir: z.string(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int() })),
  markdown: z.string(),
  /** the same folder as one zip, base64, for a browser download */
  zipBase64: z.string(),
});
export type PostmortemExport = z.infer<typeof PostmortemExport>;

export const incidentChannels = {
  /** open and past incidents, the spread of their times, and the recorder's state */
  'incident.list': { input: z.object({}).strict(), output: IncidentList },
  /** declares an incident (by hand or from an alert group); audited */
  'incident.declare': { input: DeclareInput, output: Incident },
  /** title, severity, status, commander, models; audited */
  'incident.update': { input: UpdateInput, output: Incident },
  /** the commander closes it; refused while a linked alert still fires unless `force` */
  'incident.resolve': {
    input: IncidentRef.extend({ force: z.boolean().default(false) }).strict(),
    output: Incident,
  },
  /** corrects a milestone by hand, with a reason; the order of milestones is checked; audited */
  'incident.correctMilestone': {
    input: IncidentRef.extend({ milestone: MilestoneName, at: isoTime, reason: text(500) }).strict(),
    output: Incident,
  },
  /** a commander's note on the timeline; audited */
  'incident.note': { input: IncidentRef.extend({ text: text(4000) }).strict(), output: TimelineEntry },
  /** the war room at a moment (omitted = now, or the end of a replay) */
  'incident.warRoom': { input: IncidentRef.extend({ at: isoTime.optional() }).strict(), output: WarRoom },
  /** a page of the timeline, filtered */
  'incident.timeline': {
    input: IncidentRef.extend({
      sources: z.array(TimelineSource).optional(),
      models: z.array(z.string().max(600)).max(50).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(2000).default(200),
    }).strict(),
    output: TimelinePage,
  },
  /** what changed between two moments of the capture, ranked, field by field (env values never) */
  'incident.diff': {
    input: IncidentRef.extend({ from: isoTime, to: isoTime, model: z.string().max(600).optional() }).strict(),
    output: MomentDiff,
  },
  /** the incident as one self-contained, hash-checked file */
  'incident.export': { input: IncidentRef, output: IncidentFile },
  /** opens an incident file read-only beside the store (never into it) */
  'incident.open': { input: IncidentFile.strict(), output: Incident },
  /** opens the bundled sample incident */
  'incident.openSample': { input: z.object({}).strict(), output: Incident },
  /** writes postmortem.md, its charts, Mermaid timeline and CSVs */
  'incident.postmortem': { input: IncidentRef, output: PostmortemExport },
} as const;

export const incidentStreams = {
  /** the war room, pushed when anything it shows changes (a capture, an action, a note, an alert) */
  'incident.live': { params: IncidentRef, event: WarRoom },
} as const;

/** "1h 04m", "7m 12s", "45s": an interval as people say it. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}
