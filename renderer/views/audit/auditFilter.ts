import type { AuditEntry } from '../../../shared/audit';
import type { CsvTable } from '../../components/CsvButton';
import { summarizeDetails } from '../../format';

/** What the audit list is narrowed to; '' is "any". */
export interface AuditFilter {
  action: string;
  result: string;
  /** part of the target: a model's name, a namespace, a silence id */
  target: string;
  /** anywhere: actor, action, target, result, details */
  text: string;
}

export const NO_AUDIT_FILTER: AuditFilter = { action: '', result: '', target: '', text: '' };

/** A cluster action's entry reads as its sentence and outcome ("Roll back … · … successfully rolled out"). */
export function actionLine(details: Record<string, unknown>): string | null {
  if (typeof details.summary !== 'string') return null;
  return typeof details.message === 'string' ? `${details.summary} · ${details.message}` : details.summary;
}

export function detailsLine(entry: AuditEntry): string {
  return actionLine(entry.details) ?? summarizeDetails(entry.details);
}

/** The distinct values of a column, for the filter's choices (sorted, so the list does not jump). */
export function auditChoices(entries: readonly AuditEntry[], key: 'action' | 'result'): string[] {
  return [...new Set(entries.map((e) => e[key]))].sort((a, b) => a.localeCompare(b));
}

export function filterAudit(entries: readonly AuditEntry[], f: AuditFilter): AuditEntry[] {
  const target = f.target.trim().toLowerCase();
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((e) => {
    if (f.action && e.action !== f.action) return false;
    if (f.result && e.result !== f.result) return false;
    if (target && !e.target.toLowerCase().includes(target)) return false;
    if (words.length) {
      const hay = [e.actor, e.action, e.target, e.result, JSON.stringify(e.details)].join('\n').toLowerCase();
      if (!words.every((w) => hay.includes(w))) return false;
    }
    return true;
  });
}

export function isFiltered(f: AuditFilter): boolean {
  return !!(f.action || f.result || f.target.trim() || f.text.trim());
}

/** The audit list as CSV: the entries the filter shows, with their hash (a reviewer can check the chain). */
export function auditCsv(entries: readonly AuditEntry[]): CsvTable {
  return {
    header: ['seq', 'time_utc', 'actor', 'action', 'target', 'result', 'summary', 'details_json', 'hash'],
    rows: entries.map((e) => [
      e.seq,
      e.at,
      e.actor,
      e.action,
      e.target,
      e.result,
      detailsLine(e),
      JSON.stringify(e.details),
      e.hash,
    ]),
  };
}
