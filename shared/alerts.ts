/**
 * Alerts: firing, pending and suppressed alerts grouped by model service, and what a silence is made of; its
 * slice of the channel table. A silence itself is an action (shared/actions.ts, main/actions).
 */
import { z } from 'zod';

export const AlertState = z.enum(['firing', 'pending', 'suppressed']);

export const Alert = z.object({
  fingerprint: z.string(),
  name: z.string(),
  state: AlertState,
  severity: z.string().nullable(),
  summary: z.string().nullable(),
  description: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  /** only http(s) URLs; anything else is dropped (and kept as text in annotations) */
  runbookUrl: z.string().nullable(),
  startsAt: z.string().nullable(),
  silencedBy: z.array(z.string()),
  source: z.enum(['alertmanager', 'prometheus']),
  /** what its value (in the summary) is: "at last evaluation, 2-min rate", from its rule's PromQL */
  valueNote: z.string().optional(),
});
export type Alert = z.infer<typeof Alert>;

export const AlertGroup = z.object({
  /** the model service id, or `label:<namespace>/<name>` when only the labels say which model */
  key: z.string(),
  label: z.string(),
  serviceId: z.string().nullable(),
  alerts: z.array(Alert),
});
export type AlertGroup = z.infer<typeof AlertGroup>;

const SourceStatus = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok') }),
  z.object({ status: z.literal('not_configured') }),
  z.object({
    status: z.literal('error'),
    error: z.object({ code: z.string(), message: z.string(), hint: z.string() }),
  }),
]);

/** Alertmanager's silence ids are UUIDs; anything else never reaches its URL path. */
export const SilenceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, 'must be an Alertmanager silence id');

/** A silence that is running or scheduled (expired ones are left out of the list). */
export const Silence = z.object({
  id: z.string(),
  state: z.enum(['active', 'pending']),
  /** `alertname="GPUIdle", namespace="ml-batch"` */
  matchers: z.string(),
  /** what it is called where one name is needed: its alert's name, else its most specific value */
  name: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
  /** active alerts it silences now */
  silencing: z.number().int().nonnegative(),
});
export type Silence = z.infer<typeof Silence>;

export const AlertList = z.object({
  fetchedAt: z.string(),
  groups: z.array(AlertGroup),
  counts: z.object({ firing: z.number().int(), pending: z.number().int(), suppressed: z.number().int() }),
  alertmanager: SourceStatus,
  prometheus: SourceStatus,
  /** Alertmanager's running and scheduled silences, the soonest to end first (empty without Alertmanager) */
  silences: z.array(Silence).default([]),
});
export type AlertList = z.infer<typeof AlertList>;

export const SilenceMatcher = z
  .object({
    name: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name'),
    value: z.string().max(1024),
    isRegex: z.boolean().default(false),
    isEqual: z.boolean().default(true),
  })
  .strict();

export type SilenceMatcher = z.infer<typeof SilenceMatcher>;

/** What a silence is made of (the `silence` action request adds its type to these). */
export const silenceFields = {
  matchers: z.array(SilenceMatcher).min(1).max(20),
  durationMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60),
  comment: z.string().trim().min(3).max(2000),
};

/** A silence must select something: one equality matcher with a value that is not `.*` or `.+`. */
export function isSpecificSilence(s: {
  matchers: ReadonlyArray<{ value: string; isRegex: boolean; isEqual: boolean }>;
}): boolean {
  return s.matchers.some((m) => m.isEqual && m.value !== '' && !(m.isRegex && /^(\.\*|\.\+)$/.test(m.value)));
}
/** What a silence is called where one name is needed (and typed to confirm it): its alert's name, else its most specific value. */
export function silenceName(
  matchers: ReadonlyArray<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>,
): string {
  const named =
    matchers.find((m) => m.name === 'alertname' && m.isEqual && !m.isRegex && m.value !== '') ??
    matchers.find((m) => m.isEqual && !m.isRegex && m.value !== '');
  return named?.value ?? 'silence';
}
/** 90 -> `1 h 30 min`, 1440 -> `1 d` */
export function formatMinutes(minutes: number): string {
  if (minutes >= 1440 && minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes >= 60)
    return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes / 60} h`;
  return `${minutes} min`;
}

export const notSpecificSilence = {
  message: 'at least one matcher must select something specific (a silence matching everything is refused)',
  path: ['matchers'],
};

/** Safe external link: only http(s) URLs (no javascript:, data:, file: …); null otherwise. */
export function safeHttpUrl(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (text.length === 0 || text.length > 2048) return null;
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.username || u.password) return null;
    return u.toString();
  } catch {
    return null;
  }
}

// ---------- channels (spread into contract.ts) ----------

export const alertsChannels = {
  /** firing and suppressed alerts (Alertmanager) plus pending ones (Prometheus), grouped by model service */
  'alerts.list': {
    input: z.object({ context: z.string().min(1).max(512).optional() }).strict(),
    output: AlertList,
  },
} as const;
