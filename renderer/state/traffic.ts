import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { weightPath, weightsArePercents, type RouteRef, type RouteView } from '../../shared/traffic';
import { type ActionRequest, type DiffLine } from '../../shared/actions';
import type { PathLabels } from './actions';
import type { AuditEntry } from '../../shared/audit';
import type { ServiceRef } from '../../shared/models';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';
import { failed, idle, loading, ready, systemClock, type AsyncState, type Clock } from './async';

/** How many audit entries are read to find each route's changes. */
export const TRAFFIC_AUDIT_LIMIT = 1000;

/** Gateway API weights are relative, 0..1,000,000; Istio's sum to 100 (as main checks them). */
export const GATEWAY_MAX_WEIGHT = 1_000_000;

export type Weights = Record<string, number>;

export interface TrafficState {
  routes: AsyncState<RouteView[]>;
  /** audit entries of traffic changes, newest first */
  changes: AsyncState<AuditEntry[]>;
  /** per route and rule: the weights before the last change made from this console in this session */
  remembered: Record<string, Weights>;
  /** per model service id: the most it served over the last day (for the dialog's load note) */
  peaks: Record<string, number | null>;
  load(): Promise<void>;
  /** reads the peaks of these backends (a failure leaves them unknown: the note then says less) */
  loadPeaks(services: ServiceRef[]): Promise<void>;
  loadChanges(): Promise<void>;
  /** before a traffic change is confirmed: what there was, for "Restore previous" */
  remember(route: RouteRef, rule: number, weights: Weights): void;
}

export function createTrafficStore(
  transport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<TrafficState> {
  const clock = options.clock ?? systemClock;
  let gr = 0;
  let gc = 0;
  return createStore<TrafficState>()((set, get) => ({
    routes: idle(),
    changes: idle(),
    remembered: {},
    peaks: {},

    async load() {
      const gen = ++gr;
      set({ routes: loading(get().routes) });
      const r = await transport().invoke('traffic.routes', {});
      if (gen !== gr) return;
      set({ routes: r.ok ? ready(r.value, clock()) : failed(r.error, get().routes) });
    },

    async loadChanges() {
      const gen = ++gc;
      set({ changes: loading(get().changes) });
      const r = await transport().invoke('audit.list', { limit: TRAFFIC_AUDIT_LIMIT });
      if (gen !== gc) return;
      set({
        changes: r.ok
          ? ready(
              r.value.filter((e) => e.action === 'traffic').sort((a, b) => b.seq - a.seq),
              clock(),
            )
          : failed(r.error, get().changes),
      });
    },

    async loadPeaks(services) {
      if (services.length === 0) return;
      const r = await transport().invoke('traffic.peaks', { services });
      if (r.ok) set({ peaks: { ...get().peaks, ...Object.fromEntries(r.value.map((p) => [p.id, p.peak])) } });
    },

    remember(route, rule, weights) {
      set({ remembered: { ...get().remembered, [ruleKey(route, rule)]: { ...weights } } });
    },
  }));
}

// ---------------------------------------------------------------------------------------------------------
// pure: shares, presets, validation, history (unit-tested)
// ---------------------------------------------------------------------------------------------------------

/** `HTTPRoute llm/chat` */
export function routeKey(route: RouteRef | RouteView): string {
  return `${route.kind} ${route.namespace}/${route.name}`;
}

export function ruleKey(route: RouteRef | RouteView, rule: number): string {
  return `${routeKey(route)}#${rule}`;
}

export function routeRef(route: RouteView): RouteRef {
  return { kind: route.kind, namespace: route.namespace, name: route.name };
}

/** The weights of one rule as a record, backend name -> weight. */
export function ruleWeights(route: RouteView, rule: number): Weights {
  return Object.fromEntries((route.rules[rule] ?? []).map((b) => [b.name, b.weight]));
}

/**
 * Whole-percent shares of `weights` (largest remainder, so they always add up to 100); all zero when
 * nothing gets traffic. Order follows `names`.
 */
export function sharePercents(names: readonly string[], weights: Weights): number[] {
  const w = names.map((n) => Math.max(0, weights[n] ?? 0));
  const sum = w.reduce((a, b) => a + b, 0);
  if (sum <= 0) return names.map(() => 0);
  const exact = w.map((x) => (x / sum) * 100);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, frac: x - Math.floor(x) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] as number) + 1;
    left -= 1;
  }
  return floors;
}

/** The same message and hint main answers with (trafficSplit.ts): refused here before anything is sent. */
export interface SplitProblem {
  message: string;
  hint: string;
}

export function validateSplit(
  kind: RouteView['kind'],
  names: readonly string[],
  weights: Weights,
): SplitProblem | null {
  const next = names.map((n) => weights[n]);
  for (const w of next) {
    if (w === undefined || !Number.isInteger(w) || w < 0)
      return {
        message: `Weights must be whole numbers ≥ 0 (got ${w === undefined || Number.isNaN(w) ? 'nothing' : w}).`,
        hint: 'Fix the weight.',
      };
    if (kind === 'HTTPRoute' && w > GATEWAY_MAX_WEIGHT)
      return {
        message: `Gateway API weights are at most ${GATEWAY_MAX_WEIGHT} (got ${w}).`,
        hint: 'Use smaller weights.',
      };
  }
  const sum = (next as number[]).reduce((a, b) => a + b, 0);
  if (sum === 0)
    return {
      message:
        'Every backend would get weight 0: that sends traffic nowhere (and is undefined across Gateway implementations).',
      hint: 'Give at least one backend a weight above 0.',
    };
  if (weightsArePercents(kind) && sum !== 100)
    return {
      message: `${kind === 'KnativeService' ? 'Knative traffic percents' : 'Istio route weights'} must sum to 100 (these sum to ${sum}).`,
      hint: 'Adjust the weights to total 100.',
    };
  return null;
}

/** A weight field's text as a number: whole numbers only; anything else is NaN (and refused). */
export function parseWeight(text: string): number {
  return /^\s*\d{1,7}\s*$/.test(text) ? Number(text) : Number.NaN;
}

export interface Preset {
  id: string;
  label: string;
  /** what it does, for the title attribute */
  title: string;
  weights: Weights;
}

/**
 * The presets of one rule: all to each backend; 90/10 to each backend after the first (the first backend
 * of a rule is its primary, the others fallbacks); restore what was there before the last change.
 */
export function presetsFor(route: RouteView, rule: number, previous: Weights | null): Preset[] {
  const backends = route.rules[rule] ?? [];
  const names = backends.map((b) => b.name);
  const out: Preset[] = names.map((name) => ({
    id: `all:${name}`,
    label: `All to ${name}`,
    title: `100% of this rule's traffic to ${name}, 0% to the others`,
    weights: Object.fromEntries(names.map((n) => [n, n === name ? 100 : 0])),
  }));
  const primary = names[0];
  if (primary && names.length >= 2) {
    for (const fallback of names.slice(1)) {
      const weights = splitTo(names, fallback, 10, primary);
      out.push({
        id: `split:${fallback}`,
        label: names.length === 2 ? 'Split 90/10' : `Split 90/10 → ${fallback}`,
        title: `90% to ${primary}, 10% to ${fallback}`,
        weights,
      });
    }
  }
  if (previous && names.every((n) => previous[n] !== undefined)) {
    out.push({
      id: 'restore',
      label: 'Restore previous',
      title: `Back to the weights before the last change from this console: ${names.map((n) => `${n} ${previous[n]}`).join(', ')}`,
      weights: Object.fromEntries(names.map((n) => [n, previous[n] as number])),
    });
  }
  return out;
}

/** `percent` to `backend`, the rest to `primary`, 0 to any other. */
function splitTo(names: readonly string[], backend: string, percent: number, primary: string): Weights {
  return Object.fromEntries(
    names.map((n) => [n, n === backend ? percent : n === primary ? 100 - percent : 0]),
  );
}

/** Same weights for every backend of the rule? (a preset that would change nothing) */
export function sameWeights(names: readonly string[], a: Weights, b: Weights): boolean {
  return names.every((n) => (a[n] ?? 0) === (b[n] ?? 0));
}

/** `HTTPRoute llm/chat uid=…` is a change of this route. */
export function isChangeOf(entry: AuditEntry, route: RouteRef | RouteView): boolean {
  return entry.action === 'traffic' && entry.target.startsWith(`${routeKey(route)} `);
}

export function changesOf(entries: readonly AuditEntry[], route: RouteRef | RouteView): AuditEntry[] {
  return entries.filter((e) => isChangeOf(e, route)).sort((a, b) => b.seq - a.seq);
}

interface TrafficDetails {
  request?: Extract<ActionRequest, { type: 'traffic' }>;
  changes?: DiffLine[];
}

/** The rule an audited traffic change was for. */
export function changeRule(entry: AuditEntry): number | null {
  const rule = (entry.details as TrafficDetails).request?.rule;
  return typeof rule === 'number' ? rule : null;
}

/** The weights an audited traffic change set (`details.request.weights`). */
export function changeAfter(entry: AuditEntry): Weights | null {
  const w = (entry.details as TrafficDetails).request?.weights;
  return w && typeof w === 'object' ? { ...w } : null;
}

/**
 * The weights a route's rule had before an audited change: the diff's `before` of each backend's weight
 * (`/spec/rules/0/backendRefs/1/weight`, `/spec/http/0/route/1/weight`), by position in `names`; backends the
 * change did not touch kept the weight it set. Null when the entry cannot tell.
 */
export function changeBefore(
  entry: AuditEntry,
  kind: RouteView['kind'],
  names: readonly string[],
): Weights | null {
  const details = entry.details as TrafficDetails;
  const rule = details.request?.rule;
  const after = details.request?.weights ?? {};
  const changes = Array.isArray(details.changes) ? details.changes : [];
  if (typeof rule !== 'number') return null;
  const paths = new Map(names.map((n, i) => [weightPath(kind, rule, i), n]));
  const out: Weights = {};
  names.forEach((n) => {
    if (after[n] !== undefined) out[n] = after[n] as number;
  });
  for (const c of changes) {
    const name = paths.get(c.path);
    if (name === undefined) continue;
    // a weight that was not there: Gateway API's default weight is 1; Istio's lone route 100; Knative's 0
    const before =
      c.before === null
        ? kind === 'HTTPRoute'
          ? 1
          : kind === 'VirtualService' && names.length === 1
            ? 100
            : 0
        : Number(c.before);
    if (!Number.isFinite(before)) return null;
    out[name] = before;
  }
  return names.every((n) => out[n] !== undefined) ? out : null;
}

/**
 * "Restore previous": the weights before the last change of this route's rule made from this console
 * (newest `done` traffic change in the audit log; else what this session remembered). Null when there is
 * none, or when it is what the route has now.
 */
export function previousWeights(
  route: RouteView,
  rule: number,
  changes: readonly AuditEntry[] | undefined,
  remembered: Record<string, Weights>,
): Weights | null {
  const names = (route.rules[rule] ?? []).map((b) => b.name);
  const now = ruleWeights(route, rule);
  let prev: Weights | null = null;
  const last = changesOf(changes ?? [], route).find((e) => e.result === 'done' && changeRule(e) === rule);
  if (last) prev = changeBefore(last, route.kind, names);
  if (!prev) prev = remembered[ruleKey(route, rule)] ?? null;
  if (!prev || sameWeights(names, prev, now)) return null;
  return prev;
}

/** `llama-70b-chat 0 → 100, llama-8b-chat 100 → 0` for the history list. */
export function describeChange(entry: AuditEntry, kind: RouteView['kind'], names: readonly string[]): string {
  const rows = changeShares(entry, kind, names);
  if (!rows) return typeof entry.details.summary === 'string' ? entry.details.summary : '';
  return rows
    .map((r) => (r.before !== null ? `${r.name} ${r.before}% → ${r.after}%` : `${r.name} ${r.after}%`))
    .join(', ');
}

/** Per backend, the share before and after an audited change (whole percent); null when it cannot tell. */
export function changeShares(
  entry: AuditEntry,
  kind: RouteView['kind'],
  names: readonly string[],
): Array<{ name: string; before: number | null; after: number }> | null {
  const after = changeAfter(entry);
  if (!after) return null;
  const shown = names.length ? names : Object.keys(after);
  const before = changeBefore(entry, kind, shown);
  const sb = before ? sharePercents(shown, before) : null;
  const sa = sharePercents(shown, after);
  return shown.map((name, i) => ({ name, before: sb ? (sb[i] as number) : null, after: sa[i] as number }));
}

/** Names the weight paths of a rule's backends for the dialog's diff (`weight of llama-8b-chat`). */
export function weightPathLabels(route: RouteView, rule: number): PathLabels {
  const what = route.kind === 'KnativeService' ? 'percent' : 'weight';
  return {
    resourceVersion: route.resourceVersion,
    paths: Object.fromEntries(
      (route.rules[rule] ?? []).map((b, i) => [weightPath(route.kind, rule, i), `${what} of ${b.name}`]),
    ),
  };
}

/** A route condition as the status line shows it. */
export function conditionTone(c: { type: string; status: string }): 'ok' | 'critical' | 'muted' {
  if (c.status === 'True') return 'ok';
  if (c.status === 'False') return 'critical';
  return 'muted';
}

/** The routes that send traffic to a model service (a backend of the same name, in the same namespace). */
export function routesFor(
  routes: readonly RouteView[],
  model: { name: string; namespace: string },
): Array<{ route: RouteView; rule: number; share: number }> {
  const out: Array<{ route: RouteView; rule: number; share: number }> = [];
  for (const route of routes) {
    if (route.namespace !== model.namespace) continue;
    route.rules.forEach((backends, rule) => {
      const b = backends.find((x) => x.name === model.name);
      if (b) out.push({ route, rule, share: b.share });
    });
  }
  return out;
}

export const trafficStore = createTrafficStore(getTransport);
export const useTraffic = <T>(selector: (s: TrafficState) => T): T => useStore(trafficStore, selector);
