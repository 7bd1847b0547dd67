/** Audit: the append-only, hash-chained log of every write and settings change; its slice of the channel table. */
import { z } from 'zod';

export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  result: z.string(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  entries: z.number().int().nonnegative(),
  brokenAt: z.number().int().nullable(),
  /** the newest entries were deleted: the chain is shorter than its head, kept outside it, says */
  truncated: z.object({ expectedEntries: z.number().int().positive() }).optional(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

// ---------- channels (spread into contract.ts) ----------

const empty = z.object({}).strict();

export const auditChannels = {
  'audit.list': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    output: z.array(AuditEntry),
  },
  'audit.verify': { input: empty, output: AuditVerification },
} as const;
