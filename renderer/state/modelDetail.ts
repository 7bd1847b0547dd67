import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  RevisionDiffLine,
  RevisionHistory,
  RevisionSummary,
  WorkloadRef,
  WorkloadKind,
} from '../../shared/models';
import type { Transport } from '../../shared/transport';
import { revisionDiff } from '../../shared/revisionDiff';
import { getTransport } from '../client/current';
import { failed, idle, loading, ready, systemClock, type AsyncState, type Clock } from './async';

/** The detail of one model service: its revision history, and which two revisions are compared. */
export interface ModelDetailState {
  /** `<namespace>/<kind>/<name>` the history is for */
  historyFor: string | null;
  history: AsyncState<RevisionHistory>;
  /** revisions compared (null = the default: previous -> current) */
  compare: { from: number; to: number } | null;
  load(target: WorkloadRef): Promise<void>;
  setCompare(compare: { from: number; to: number } | null): void;
}

export function createModelDetailStore(
  transport: () => Transport,
  options: { clock?: Clock } = {},
): StoreApi<ModelDetailState> {
  const clock = options.clock ?? systemClock;
  let generation = 0;
  return createStore<ModelDetailState>()((set, get) => ({
    historyFor: null,
    history: idle(),
    compare: null,

    async load(target) {
      const gen = ++generation;
      const key = workloadId(target);
      const same = get().historyFor === key;
      set({
        historyFor: key,
        history: same ? loading(get().history) : loading(idle()),
        ...(same ? {} : { compare: null }),
      });
      const r = await transport().invoke('models.history', { target });
      if (gen !== generation) return;
      set({ history: r.ok ? ready(r.value, clock()) : failed(r.error, get().history) });
      // a compared revision that is gone (rolled back: kubectl renumbers) falls back to the default
      const c = get().compare;
      if (r.ok && c && !(hasRevision(r.value, c.from) && hasRevision(r.value, c.to))) set({ compare: null });
    },

    setCompare(compare) {
      set({ compare });
    },
  }));
}

const hasRevision = (h: RevisionHistory, n: number) => h.revisions.some((r) => r.revision === n);

const workloadKinds: readonly WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Rollout',
  'InferenceService',
];
const isWorkloadKind = (k: string): k is WorkloadKind => (workloadKinds as readonly string[]).includes(k);

/** `llm/Deployment/llama-70b-chat` (the model list's id) */
export function workloadId(ref: WorkloadRef): string {
  return `${ref.namespace}/${ref.kind}/${ref.name}`;
}

/** The model list's id back to a workload reference; null when it is not one. */
export function workloadFromId(id: string): WorkloadRef | null {
  const parts = id.split('/');
  if (parts.length !== 3) return null;
  const [namespace, kind, name] = parts as [string, string, string];
  if (!isWorkloadKind(kind) || !namespace || !name) return null;
  return { kind, namespace, name };
}

/** Where the detail of a model lives: `#/models?model=<id>`. */
export function detailHash(id: string): string {
  return `#/models?model=${encodeURIComponent(id)}`;
}

/** `#/models?model=llm%2FDeployment%2Fllama-70b-chat` -> the id; null on the list. */
export function detailIdFromHash(hash: string): string | null {
  const [path, query] = hash.replace(/^#\/?/, '').split('?');
  if (path !== 'models' || !query) return null;
  const id = new URLSearchParams(query).get('model');
  return id && id.trim() ? id : null;
}

/** The current revision, and the one before it (the default comparison: what the last change did). */
export function defaultCompare(revisions: readonly RevisionSummary[]): { from: number; to: number } | null {
  const sorted = [...revisions].sort((a, b) => b.revision - a.revision);
  const current = sorted.find((r) => r.current) ?? sorted[0];
  if (!current) return null;
  const previous = sorted.find((r) => r.revision < current.revision) ?? sorted.find((r) => r !== current);
  if (!previous) return null;
  return { from: previous.revision, to: current.revision };
}

/** The comparison in effect: the chosen one if both revisions still exist, else the default. */
export function effectiveCompare(
  history: RevisionHistory | undefined,
  chosen: { from: number; to: number } | null,
): { from: number; to: number } | null {
  if (!history) return null;
  if (chosen && hasRevision(history, chosen.from) && hasRevision(history, chosen.to)) return chosen;
  return defaultCompare(history.revisions);
}

export interface DiffRow {
  /** the group it belongs to, for the table: Image, Args, Env var names, Resources, GPUs, Change-cause */
  group: 'container' | 'image' | 'args' | 'env' | 'resources' | 'gpus' | 'change-cause';
  container: string | null;
  label: string;
  from: string | null;
  to: string | null;
}

/**
 * What changed from one revision to another, as rows to read top-down: images first, then args, env var
 * names (names only: values never reach the renderer), resources, GPUs, change-cause.
 */
export function revisionDiffRows(from: RevisionSummary, to: RevisionSummary): DiffRow[] {
  const rows = revisionDiff(from, to).map(toRow);
  if (from.gpus !== to.gpus)
    rows.push({
      group: 'gpus',
      container: null,
      label: 'GPUs (total)',
      from: String(from.gpus),
      to: String(to.gpus),
    });
  const order: DiffRow['group'][] = [
    'container',
    'image',
    'args',
    'env',
    'resources',
    'gpus',
    'change-cause',
  ];
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => order.indexOf(a.r.group) - order.indexOf(b.r.group) || a.i - b.i)
    .map(({ r }) => r);
}

function toRow(line: RevisionDiffLine): DiffRow {
  const base = { container: line.container, from: line.from, to: line.to };
  switch (line.field) {
    case 'container':
      return {
        ...base,
        group: 'container',
        label: line.from === null ? 'container added' : 'container removed',
      };
    case 'image':
      return { ...base, group: 'image', label: 'image' };
    case 'args':
      return { ...base, group: 'args', label: 'command and args' };
    case 'env':
      return { ...base, group: 'env', label: line.from === null ? 'env var added' : 'env var removed' };
    case 'change-cause':
      return { ...base, group: 'change-cause', label: 'change-cause' };
    default:
      return {
        ...base,
        group: /\/gpu$/.test(line.field) ? 'gpus' : 'resources',
        label: line.field,
      };
  }
}

/** Args as the two revisions differ: which were removed and which added (order kept). */
export function argsChange(from: string | null, to: string | null): { removed: string[]; added: string[] } {
  const a = (from ?? '').split(' ').filter(Boolean);
  const b = (to ?? '').split(' ').filter(Boolean);
  return { removed: a.filter((x) => !b.includes(x)), added: b.filter((x) => !a.includes(x)) };
}

export const modelDetailStore = createModelDetailStore(getTransport);
export const useModelDetail = <T>(selector: (s: ModelDetailState) => T): T =>
  useStore(modelDetailStore, selector);
