/**
 * The incident clock, derived from evidence rather than typed in:
 *   started      the first sample of the SLI breach (error ratio or p95 over the model's objective) that led to the
 *                incident, found by walking back from detection through the recorder's pre-roll;
 *   detected     the first matching alert's start;
 *   acknowledged the first action or note in Firebreak after it started;
 *   mitigated    the start of the first 5 minutes with every involved model within objective after the last action;
 *   resolved     the commander closed it (with the linked alerts resolved).
 * A hand correction (with a reason) replaces a derived time; the order is checked.
 */
import { AppError } from '../../shared/errors';
import { MILESTONES, type Intervals, type Milestone, type MilestoneName } from '../../shared/incident';

export interface SliSeries {
  model: string;
  metric: 'errorRatio' | 'p95';
  t0Ms: number;
  stepS: number;
  values: ArrayLike<number | null>;
}

export interface Objective {
  /** max error ratio (1 - availability) */
  maxErrorRatio: number;
  /** p95 latency threshold in seconds */
  maxP95S: number;
}

export interface ClockEvidence {
  declaredMs: number;
  closedMs: number | null;
  series: readonly SliSeries[];
  objectives: ReadonlyMap<string, Objective>;
  /** firing starts of the incident's alerts */
  alerts: ReadonlyArray<{ startsMs: number; summary: string; entryId: number | null }>;
  /** Firebreak actions and notes */
  responses: ReadonlyArray<{
    atMs: number;
    kind: 'action' | 'note';
    summary: string;
    entryId: number | null;
  }>;
  corrections: Partial<Record<MilestoneName, { at: string; reason: string; by: string }>>;
}

export const MITIGATION_HOLD_MS = 5 * 60_000;

type Derived = { atMs: number; evidence: Milestone['evidence'] } | null;

/** Breach per sample time across every involved model (true = some model over objective; null = no data). */
function breachGrid(ev: ClockEvidence): Map<number, boolean> {
  const grid = new Map<number, boolean>();
  for (const s of ev.series) {
    const obj = ev.objectives.get(s.model);
    if (!obj) continue;
    const limit = s.metric === 'errorRatio' ? obj.maxErrorRatio : obj.maxP95S;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      const t = s.t0Ms + i * s.stepS * 1000;
      grid.set(t, (grid.get(t) ?? false) || v > limit);
    }
  }
  return new Map([...grid.entries()].sort((a, b) => a[0] - b[0]));
}

export function deriveStarted(ev: ClockEvidence, referenceMs: number): Derived {
  // walk back on the error ratio when it breaches: a model whose normal p95 sits over a default latency objective
  // would otherwise date the start to the beginning of the capture
  const errors = { ...ev, series: ev.series.filter((s) => s.metric === 'errorRatio') };
  return walkBack(errors, referenceMs) ?? walkBack(ev, referenceMs);
}

function walkBack(ev: ClockEvidence, referenceMs: number): Derived {
  const grid = [...breachGrid(ev).entries()];
  // the last breaching sample at or before the reference (or the first after it, when detection came early)
  let idx = -1;
  for (let i = 0; i < grid.length; i++) if (grid[i]![0] <= referenceMs && grid[i]![1]) idx = i;
  if (idx < 0) idx = grid.findIndex(([t, b]) => b && t > referenceMs);
  if (idx < 0) return null;
  while (idx > 0 && grid[idx - 1]![1]) idx--;
  const atMs = grid[idx]![0];
  const first = ev.series.find((s) => {
    const obj = ev.objectives.get(s.model);
    const i = Math.round((atMs - s.t0Ms) / (s.stepS * 1000));
    const v = s.values[i];
    return (
      obj &&
      v !== null &&
      v !== undefined &&
      v > (s.metric === 'errorRatio' ? obj.maxErrorRatio : obj.maxP95S)
    );
  });
  const what = first?.metric === 'p95' ? 'p95 latency' : 'error ratio';
  return {
    atMs,
    evidence: {
      kind: 'sli',
      summary: `first ${what} sample over objective${first ? ` (${first.model})` : ''}`,
      entryId: null,
    },
  };
}

export function deriveMitigated(ev: ClockEvidence, afterMs: number): Derived {
  const grid = [...breachGrid(ev).entries()].filter(([t]) => t >= afterMs);
  let runStart: number | null = null;
  for (const [t, breach] of grid) {
    if (breach) runStart = null;
    else {
      runStart ??= t;
      if (t - runStart >= MITIGATION_HOLD_MS)
        return {
          atMs: runStart,
          evidence: {
            kind: 'sli',
            summary: 'every involved model within objective for 5 minutes',
            entryId: null,
          },
        };
    }
  }
  return null;
}

export function deriveMilestones(ev: ClockEvidence): Milestone[] {
  const firstAlert = [...ev.alerts].sort((a, b) => a.startsMs - b.startsMs)[0];
  const started = deriveStarted(ev, firstAlert?.startsMs ?? ev.declaredMs);
  const detected: Derived = firstAlert
    ? {
        atMs: firstAlert.startsMs,
        evidence: { kind: 'alert', summary: firstAlert.summary, entryId: firstAlert.entryId },
      }
    : null;
  const startMs = started?.atMs ?? ev.declaredMs;
  const responses = [...ev.responses].filter((r) => r.atMs >= startMs).sort((a, b) => a.atMs - b.atMs);
  const ack = responses[0];
  const acknowledged: Derived = ack
    ? { atMs: ack.atMs, evidence: { kind: ack.kind, summary: ack.summary, entryId: ack.entryId } }
    : null;
  const lastAction = responses.filter((r) => r.kind === 'action').at(-1);
  const mitigated = lastAction ? deriveMitigated(ev, lastAction.atMs) : null;
  const resolved: Derived =
    ev.closedMs !== null
      ? { atMs: ev.closedMs, evidence: { kind: 'close', summary: 'closed by the commander', entryId: null } }
      : null;
  const derived: Record<MilestoneName, Derived> = { started, detected, acknowledged, mitigated, resolved };
  return MILESTONES.map((name) => {
    const d = derived[name];
    const c = ev.corrections[name] ?? null;
    const derivedAt = d ? new Date(d.atMs).toISOString() : null;
    return {
      name,
      at: c ? c.at : derivedAt,
      evidence: c ? { kind: 'manual', summary: c.reason, entryId: null } : (d?.evidence ?? null),
      corrected: c,
      derivedAt,
    };
  });
}

export function intervals(milestones: readonly Milestone[]): Intervals {
  const at = (n: MilestoneName) => {
    const m = milestones.find((x) => x.name === n)?.at;
    return m ? Date.parse(m) : null;
  };
  const started = at('started');
  const since = (n: MilestoneName) => {
    const t = at(n);
    return started === null || t === null ? null : Math.round((t - started) / 1000);
  };
  return {
    timeToDetectS: since('detected'),
    timeToAcknowledgeS: since('acknowledged'),
    timeToMitigateS: since('mitigated'),
    timeToResolveS: since('resolved'),
  };
}

/** Refuses a correction that would put the milestones out of order (started <= detected <= … <= resolved). */
export function checkOrder(milestones: readonly Milestone[], name: MilestoneName, atIso: string): void {
  const t = Date.parse(atIso);
  const i = MILESTONES.indexOf(name);
  for (const m of milestones) {
    if (!m.at || m.name === name) continue;
    const j = MILESTONES.indexOf(m.name);
    const mt = Date.parse(m.at);
    if ((j < i && mt > t) || (j > i && mt < t)) {
      throw new AppError(
        'INVALID_INPUT',
        `"${name}" at ${atIso} would come ${j < i ? 'before' : 'after'} "${m.name}" (${m.at}).`,
        `Milestones go in this order: ${MILESTONES.join(' → ')}. Correct "${m.name}" first, or pick another time.`,
      );
    }
  }
}
