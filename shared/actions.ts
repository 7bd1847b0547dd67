/**
 * Actions: what a user can ask Firebreak to change (in a cluster or in Alertmanager), the preview a write is
 * confirmed from and its outcome; its slice of the channel table. Every write goes through main/actions.
 */
import { z } from 'zod';
import { isSpecificSilence, notSpecificSilence, SilenceId, silenceFields } from './alerts';
import { WorkloadRef } from './models';
import { RouteRef } from './traffic';

/** What a user can ask Firebreak to change, in a cluster or in Alertmanager. All go through one pipeline. */
export const ActionRequest = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('rollback'),
    target: WorkloadRef,
    toRevision: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal('scale'), target: WorkloadRef, replicas: z.number().int().min(0).max(10_000) }),
  z.object({ type: z.literal('pause'), target: WorkloadRef }),
  z.object({ type: z.literal('resume'), target: WorkloadRef }),
  z.object({ type: z.literal('restart'), target: WorkloadRef }),
  z.object({ type: z.literal('abort'), target: WorkloadRef }),
  z.object({ type: z.literal('retry'), target: WorkloadRef }),
  z.object({
    type: z.literal('traffic'),
    route: RouteRef,
    rule: z.number().int().min(0).max(100),
    weights: z.record(z.string().min(1).max(253), z.number().int().min(0).max(1_000_000)),
  }),
  z.object({
    type: z.literal('canary'),
    target: WorkloadRef,
    /** KServe canaryTrafficPercent: 0 = all traffic back to the previous revision; null = promote */
    percent: z.number().int().min(0).max(100).nullable(),
  }),
  /** an Alertmanager silence: the same preview, confirmation and audit as a cluster write */
  z
    .object({ type: z.literal('silence'), ...silenceFields })
    .strict()
    .refine(isSpecificSilence, notSpecificSilence),
  /** end an Alertmanager silence now (DELETE /api/v2/silence/{id}); its alerts notify again */
  z.object({ type: z.literal('expireSilence'), silenceId: SilenceId }).strict(),
]);
export type ActionRequest = z.infer<typeof ActionRequest>;
/** The requests that write to Alertmanager, not to a cluster. */
export type AlertmanagerActionRequest = Extract<ActionRequest, { type: 'silence' | 'expireSilence' }>;
/** The requests that write to a cluster (all but the Alertmanager ones). */
export type KubeActionRequest = Exclude<ActionRequest, AlertmanagerActionRequest>;

export const DiffLine = z.object({
  path: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
});
export type DiffLine = z.infer<typeof DiffLine>;

export const PreparedAction = z.object({
  id: z.string(),
  context: z.string(),
  request: ActionRequest,
  /** one sentence in the user's words: "Roll back Deployment llm/llama-70b-chat from revision 2 to 1" */
  summary: z.string(),
  target: z.object({
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    resourceVersion: z.string(),
  }),
  /** the user types this to confirm */
  confirmPhrase: z.string(),
  permission: z.object({ allowed: z.boolean(), reason: z.string() }),
  dryRun: z.object({ ok: z.boolean(), message: z.string() }),
  diff: z.array(DiffLine),
  warnings: z.array(z.string()),
  /** set when there is nothing to do ("already at that revision") */
  noop: z.string().nullable(),
  expiresAt: z.string(),
});
export type PreparedAction = z.infer<typeof PreparedAction>;

export const ActionOutcome = z.object({
  status: z.enum(['done', 'noop', 'conflict', 'failed', 'timeout']),
  message: z.string(),
  auditSeq: z.number().int().nullable(),
  /** after a conflict: the action planned again against what is there now, to review and confirm */
  replanned: PreparedAction.nullable(),
});
export type ActionOutcome = z.infer<typeof ActionOutcome>;

// ---------- channels (spread into contract.ts) ----------

export const actionsChannels = {
  /** plan, permission check, server dry run and diff: nothing is written */
  'actions.prepare': {
    input: z.object({ context: z.string().min(1).max(512).optional(), request: ActionRequest }).strict(),
    output: PreparedAction,
  },
  /** the write, after the user typed the confirmation phrase; then watch until in effect, then audit */
  'actions.execute': {
    input: z.object({ id: z.string().uuid(), confirm: z.string().max(300) }).strict(),
    output: ActionOutcome,
  },
} as const;
