import crypto from 'node:crypto';
import type { AuditEntry, AuditVerification } from '../../shared/audit';
import { AppError } from '../../shared/errors';
import { canonicalJson } from './canonicalJson';
import type { Connection } from './database';
import { settingsTable } from './settings';

/** What a caller records; `at` defaults to now. */
export interface AuditInput {
  actor: string;
  action: string;
  target: string;
  result: string;
  details?: Record<string, unknown>;
  at?: Date;
}

export interface AuditLog {
  /**
   * Appends one entry at the end of the chain. `details` is stored as JSON (a Date becomes its ISO string) and
   * any key matching SECRET_KEY_PATTERN is dropped with its value, at any depth, before it is hashed or written.
   */
  append(entry: AuditInput): AuditEntry;
  /**
   * A write's intent, before the write: appends it (result `started`) and marks it open, in one transaction. A
   * process killed before `finish` leaves it open, so the next start finds it (`unfinished`).
   */
  begin(entry: Omit<AuditInput, 'result'>): AuditEntry;
  /** The outcome of an intent: appends it linked to the intent (`details.intent`) and closes the intent, at once. */
  finish(intentSeq: number, entry: AuditInput): AuditEntry;
  /** Intents without an outcome (the process ended between the two), oldest first. */
  unfinished(): AuditEntry[];
  /** Newest first; `beforeSeq` pages back from an entry already shown. */
  list(opts?: { limit?: number; beforeSeq?: number }): AuditEntry[];
  /**
   * Recomputes the whole chain; `brokenAt` is the first entry whose hash or sequence does not follow. The chain's
   * head (its length and last hash) is kept outside the chain too, so deleting the newest entries is found:
   * `truncated`, with `brokenAt` the first entry missing.
   */
  verify(): AuditVerification;
}

/** The hash the first entry chains from. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Detail keys whose values are never written to the audit log, at any depth (the key is dropped with its value).
 * Deliberately broad: a harmless `maxTokens` is dropped too, which is the price of never keeping a real one.
 */
export const SECRET_KEY_PATTERN = /token|password|secret|authorization|credential/i;

export const AUDIT_LIST_DEFAULT_LIMIT = 100;
export const AUDIT_LIST_MAX_LIMIT = 10_000;

type Chained = Omit<AuditEntry, 'hash'>;

/** The result of an intent written before its write (see `begin`). */
export const AUDIT_STARTED = 'started';
/** Settings keys (store/settings.ts) kept beside the chain: its head, and the intents without an outcome. */
const HEAD_KEY = 'audit.head';
/** set once an append finds the chain shorter than its head: appending again must not hide the truncation */
const TRUNCATED_KEY = 'audit.truncated';
const OPEN_KEY = 'audit.open';
interface Head {
  entries: number;
  hash: string;
}

/** sha256(hash of the previous entry + canonical JSON of this entry's fields), hex. */
export function auditEntryHash(prevHash: string, entry: Chained): string {
  const { seq, at, actor, action, target, result, details } = entry;
  return crypto.hash(
    'sha256',
    prevHash + canonicalJson({ seq, at, actor, action, target, result, details }),
    'hex',
  );
}

/** A copy of JSON data without the keys that name secrets (see SECRET_KEY_PATTERN), at every depth. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!SECRET_KEY_PATTERN.test(key)) out[key] = withoutSecrets(item);
  }
  return out;
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  result: string;
  details: string;
  hash: string;
}

export function auditLog(conn: Connection): AuditLog {
  const { db } = conn;
  const last = db.prepare<[], { seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  const insert = db.prepare<[number, string, string, string, string, string, string, string]>(
    'INSERT INTO audit_log (seq, at, actor, action, target, result, details, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const page = db.prepare<[number, number], AuditRow>(
    'SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?',
  );
  const all = db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY seq');
  const one = db.prepare<[number], AuditRow>('SELECT * FROM audit_log WHERE seq = ?');
  const settings = settingsTable(conn);
  const openSeqs = (): number[] => {
    const v = settings.get<unknown>(OPEN_KEY);
    return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : [];
  };

  const log: AuditLog = {
    append(input: AuditInput): AuditEntry {
      for (const field of ['actor', 'action', 'target', 'result'] as const) {
        if (typeof input[field] !== 'string')
          throw new AppError(
            'INVALID_INPUT',
            `An audit entry's ${field} must be a string.`,
            'This is a bug in the caller.',
          );
      }
      const at = input.at ?? new Date();
      if (!(at instanceof Date) || Number.isNaN(at.getTime()))
        throw new AppError(
          'INVALID_INPUT',
          "An audit entry's time must be a valid Date.",
          'This is a bug in the caller.',
        );
      const details = auditDetails(input.details);
      const detailsJson = canonicalJson(details);
      return conn.transaction(() => {
        const prev = last.get();
        const head = settings.get<Head>(HEAD_KEY);
        if (head && head.entries > (prev?.seq ?? 0) && settings.get(TRUNCATED_KEY) === undefined)
          settings.set(TRUNCATED_KEY, { expectedEntries: head.entries, foundEntries: prev?.seq ?? 0 });
        const entry: Chained = {
          seq: (prev?.seq ?? 0) + 1,
          at: at.toISOString(),
          actor: input.actor,
          action: input.action,
          target: input.target,
          result: input.result,
          details,
        };
        const hash = auditEntryHash(prev?.hash ?? GENESIS_HASH, entry);
        insert.run(
          entry.seq,
          entry.at,
          entry.actor,
          entry.action,
          entry.target,
          entry.result,
          detailsJson,
          hash,
        );
        settings.set(HEAD_KEY, { entries: entry.seq, hash } satisfies Head);
        return { ...entry, hash };
      });
    },

    begin(input) {
      return conn.transaction(() => {
        const intent = log.append({ ...input, result: AUDIT_STARTED });
        settings.set(OPEN_KEY, [...openSeqs(), intent.seq]);
        return intent;
      });
    },

    finish(intentSeq, input) {
      return conn.transaction(() => {
        const outcome = log.append({ ...input, details: { ...input.details, intent: intentSeq } });
        const open = openSeqs().filter((s) => s !== intentSeq);
        if (open.length) settings.set(OPEN_KEY, open);
        else settings.delete(OPEN_KEY);
        return outcome;
      });
    },

    unfinished() {
      return openSeqs()
        .sort((a, b) => a - b)
        .map((s) => one.get(s))
        .filter((r): r is AuditRow => r !== undefined)
        .map(toEntry);
    },

    list(opts = {}): AuditEntry[] {
      const limit = opts.limit ?? AUDIT_LIST_DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1)
        throw new AppError(
          'INVALID_INPUT',
          'The audit list limit must be a positive whole number.',
          'This is a bug in the caller.',
        );
      const before = opts.beforeSeq ?? Number.MAX_SAFE_INTEGER;
      return page.all(before, Math.min(limit, AUDIT_LIST_MAX_LIMIT)).map(toEntry);
    },

    verify(): AuditVerification {
      let entries = 0;
      let brokenAt: number | null = null;
      let prevHash = GENESIS_HASH;
      for (const row of all.iterate()) {
        entries++;
        if (brokenAt !== null) continue;
        if (row.seq !== entries || !rowHashMatches(prevHash, row)) brokenAt = row.seq;
        prevHash = row.hash;
      }
      // the newest entries deleted: the head kept outside the chain is past its end (or no longer in it)
      const earlier = settings.get<{ expectedEntries: number; foundEntries: number }>(TRUNCATED_KEY);
      if (earlier && Number.isInteger(earlier.expectedEntries) && earlier.expectedEntries > 0) {
        return {
          ok: false,
          entries,
          brokenAt: brokenAt ?? earlier.foundEntries + 1,
          truncated: { expectedEntries: earlier.expectedEntries },
        };
      }
      const head = settings.get<Head>(HEAD_KEY);
      if (head && Number.isInteger(head.entries) && head.entries > 0) {
        const kept = one.get(head.entries);
        // a head entry whose hash differs with the chain intact: rewritten from there (a tampered one breaks above)
        if (!kept || (kept.hash !== head.hash && brokenAt === null)) {
          return {
            ok: false,
            entries,
            brokenAt: brokenAt ?? Math.min(entries + 1, head.entries),
            truncated: { expectedEntries: head.entries },
          };
        }
      }
      return { ok: brokenAt === null, entries, brokenAt };
    },
  };
  return log;
}

/**
 * Details as they are stored and hashed: plain JSON (a Date becomes its ISO string, undefined is dropped),
 * a JSON object at the top, and no key that names a secret.
 */
function auditDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (details === undefined) return {};
  const json: unknown = JSON.parse(canonicalJson(details));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new AppError(
      'INVALID_INPUT',
      "An audit entry's details must be a JSON object.",
      'This is a bug in the caller.',
    );
  }
  return withoutSecrets(json) as Record<string, unknown>;
}

function rowHashMatches(prevHash: string, row: AuditRow): boolean {
  try {
    return auditEntryHash(prevHash, toEntry(row)) === row.hash;
  } catch {
    return false; // details that no longer parse were tampered with
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    result: row.result,
    details: JSON.parse(row.details) as Record<string, unknown>,
    hash: row.hash,
  };
}
