import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ActionOutcome,
  ActionRequest,
  AlertmanagerActionRequest,
  PreparedAction,
} from '../../shared/actions';
import type { WorkloadRef, WorkloadKind } from '../../shared/models';
import type { AppErrorData } from '../../shared/errors';
import { formatMinutes, silenceName } from '../../shared/alerts';
import type { Transport } from '../../shared/transport';
import { getTransport } from '../client/current';
import { systemClock, type Clock } from './async';

/**
 * The one dialog every cluster write goes through: prepare (plan, permission, dry run, diff) -> the user
 * reads it and types the target's name -> execute (write, watch, audit) -> the outcome. Nothing is written
 * before `confirm()`, and `confirm()` does nothing unless the typed text matches the confirmation phrase.
 */
export type ActionDialog =
  | { phase: 'closed' }
  | { phase: 'preparing'; request: ActionRequest }
  /** prepare was refused (ACTION_REFUSED: paused, no history, all-zero split …) or failed */
  | { phase: 'refused'; request: ActionRequest; error: AppErrorData }
  | {
      phase: 'review';
      request: ActionRequest;
      prepared: PreparedAction;
      typed: string;
      /** set after a 409: the target moved; this is the new preview to review again */
      conflict: string | null;
    }
  | { phase: 'executing'; request: ActionRequest; prepared: PreparedAction }
  /** execute answered with an error (permission, dry run, expired preview, the write itself) */
  | { phase: 'failed'; request: ActionRequest; prepared: PreparedAction; error: AppErrorData }
  | { phase: 'outcome'; request: ActionRequest; prepared: PreparedAction; outcome: ActionOutcome };

/** What the last action came to, kept after the dialog closes (the views show it as a line). */
export interface LastAction {
  request: ActionRequest;
  summary: string;
  at: number;
  outcome?: ActionOutcome;
  error?: AppErrorData;
}

/**
 * Readable names for diff paths (`/spec/rules/0/backendRefs/1/weight` -> `weight of llama-8b-chat`), valid only
 * for the resourceVersion the caller read them at: a preview planned against anything else shows raw paths.
 */
export interface PathLabels {
  resourceVersion: string;
  paths: Record<string, string>;
  /** what the opener knows about the change's effect (the traffic view: the load a fallback will get) */
  notes?: Array<{ tone: 'info' | 'warning'; text: string }>;
}

export interface ActionsState {
  dialog: ActionDialog;
  labels: PathLabels | null;
  /** the dialog was hidden while the write is being watched: the outcome lands in `last` */
  background: boolean;
  last: LastAction | null;
  open(request: ActionRequest, labels?: PathLabels): Promise<void>;
  setTyped(text: string): void;
  confirm(): Promise<void>;
  /** prepare the same request again (after an expired preview or a failure) */
  again(): Promise<void>;
  /** Cancel / Escape: closes without writing; while a write is watched, hides the dialog instead */
  close(): void;
}

export type ActionSettledListener = (request: ActionRequest, outcome: ActionOutcome | null) => void;

export interface ActionsStoreOptions {
  clock?: Clock;
  /** called after every execute that may have changed the cluster (done, timeout, failed, noop) */
  onSettled?: ActionSettledListener;
}

export function createActionsStore(
  transport: () => Transport,
  options: ActionsStoreOptions = {},
): StoreApi<ActionsState> & { onSettled(listener: ActionSettledListener): () => void } {
  const clock = options.clock ?? systemClock;
  const listeners = new Set<ActionSettledListener>();
  if (options.onSettled) listeners.add(options.onSettled);
  const settled = (request: ActionRequest, outcome: ActionOutcome | null) => {
    for (const l of listeners) l(request, outcome);
  };
  /** bumped on every open/close: a late prepare answer for a dialog the user closed is dropped */
  let generation = 0;

  const store = createStore<ActionsState>()((set, get) => {
    const prepare = async (request: ActionRequest, conflict: string | null = null) => {
      const gen = ++generation;
      set({ dialog: { phase: 'preparing', request }, background: false });
      const r = await transport().invoke('actions.prepare', { request });
      if (gen !== generation) return;
      if (!r.ok) {
        set({ dialog: { phase: 'refused', request, error: r.error } });
        return;
      }
      set({ dialog: { phase: 'review', request, prepared: r.value, typed: '', conflict } });
    };

    return {
      dialog: { phase: 'closed' },
      labels: null,
      background: false,
      last: null,

      open(request, labels) {
        set({ labels: labels ?? null });
        return prepare(request);
      },

      setTyped(text) {
        const d = get().dialog;
        if (d.phase === 'review') set({ dialog: { ...d, typed: text } });
      },

      async confirm() {
        const d = get().dialog;
        if (d.phase !== 'review' || !canConfirm(d.prepared, d.typed)) return;
        const gen = generation;
        const { request, prepared } = d;
        set({ dialog: { phase: 'executing', request, prepared } });
        const r = await transport().invoke('actions.execute', { id: prepared.id, confirm: d.typed.trim() });
        const visible = gen === generation;
        if (!r.ok) {
          set({ last: { request, summary: prepared.summary, at: clock(), error: r.error } });
          if (visible) set({ dialog: { phase: 'failed', request, prepared, error: r.error } });
          else set({ background: false });
          settled(request, null);
          return;
        }
        const outcome = r.value;
        if (outcome.status === 'conflict' && outcome.replanned) {
          set({ last: { request, summary: prepared.summary, at: clock(), outcome } });
          // the target moved: nothing was written; the new preview must be read and confirmed again
          if (visible)
            set({
              dialog: {
                phase: 'review',
                request,
                prepared: outcome.replanned,
                typed: '',
                conflict: outcome.message,
              },
              background: false,
            });
          else set({ background: false });
          return;
        }
        set({ last: { request, summary: prepared.summary, at: clock(), outcome } });
        if (visible) set({ dialog: { phase: 'outcome', request, prepared, outcome } });
        else set({ background: false });
        settled(request, outcome);
      },

      again() {
        const d = get().dialog;
        if (d.phase === 'closed') return Promise.resolve();
        return prepare(d.request);
      },

      close() {
        const d = get().dialog;
        if (d.phase === 'executing') {
          // the write is on its way: hide the dialog, keep watching; the outcome goes to `last`
          generation += 1;
          set({ dialog: { phase: 'closed' }, background: true });
          return;
        }
        generation += 1;
        set({ dialog: { phase: 'closed' }, background: false });
      },
    };
  });

  return Object.assign(store, {
    onSettled(listener: ActionSettledListener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// pure rules the dialog follows (unit-tested)
// ---------------------------------------------------------------------------------------------------------

/** Confirm is possible only with permission, a passed dry run, something to do, and the exact phrase typed. */
export function canConfirm(prepared: PreparedAction, typed: string): boolean {
  return confirmBlocker(prepared, typed) === null;
}

/** Why Confirm is disabled, in words (null = it is enabled). */
export function confirmBlocker(prepared: PreparedAction, typed: string): string | null {
  if (prepared.noop) return 'Nothing to do.';
  if (!prepared.permission.allowed) return `Not allowed: ${prepared.permission.reason}`;
  if (!prepared.dryRun.ok) return 'The dry run was rejected: fix the cause first.';
  if (typed.trim() !== prepared.confirmPhrase) return `Type ${prepared.confirmPhrase} to confirm.`;
  return null;
}

/** The dialog's title: what the user asked for, in their words. */
export function actionTitle(request: ActionRequest): string {
  switch (request.type) {
    case 'rollback':
      return request.toRevision
        ? `Roll back to revision ${request.toRevision}`
        : 'Roll back to the previous revision';
    case 'scale':
      return `Scale to ${request.replicas} ${request.replicas === 1 ? 'replica' : 'replicas'}`;
    case 'pause':
      return 'Pause the rollout';
    case 'resume':
      return 'Resume the rollout';
    case 'restart':
      return 'Restart (rolling)';
    case 'abort':
      return 'Abort the rollout';
    case 'retry':
      return 'Retry the rollout';
    case 'traffic':
      return 'Change the traffic split';
    case 'canary':
      return request.percent === null
        ? 'Promote the latest revision'
        : request.percent === 0
          ? 'Canary to 0% (roll back)'
          : `Canary to ${request.percent}%`;
    case 'silence':
      return `Silence alerts for ${formatMinutes(request.durationMinutes)}`;
    case 'expireSilence':
      return 'Expire the silence now';
  }
}

/** The Confirm button's label: the verb and the target's name. */
export function confirmLabel(request: ActionRequest, name: string): string {
  const verb: Record<ActionRequest['type'], string> = {
    rollback: 'Roll back',
    scale: 'Scale',
    pause: 'Pause',
    resume: 'Resume',
    restart: 'Restart',
    abort: 'Abort',
    retry: 'Retry',
    traffic: 'Apply the split to',
    canary: request.type === 'canary' && request.percent === null ? 'Promote' : 'Set canary of',
    silence: 'Silence',
    expireSilence: 'Expire the silence of',
  };
  return `${verb[request.type]} ${name}`;
}

/** `Deployment llm/llama-70b-chat`, `Silence GPUIdle` */
export function targetLabel(target: { kind: string; namespace: string; name: string }): string {
  return `${target.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}`;
}

/** The name of what the request acts on (a workload, a route, or a silence). */
export function requestTarget(request: ActionRequest): { kind: string; namespace: string; name: string } {
  if (request.type === 'traffic') return request.route;
  if (request.type === 'silence')
    return { kind: 'Silence', namespace: '', name: silenceName(request.matchers) };
  // the preview names it properly once Alertmanager was read
  if (request.type === 'expireSilence')
    return { kind: 'Silence', namespace: '', name: request.silenceId.slice(0, 8) };
  return request.target;
}

/** The workload a request acts on (null for a route or a silence). */
export function requestWorkload(request: ActionRequest): WorkloadRef | null {
  return request.type === 'traffic' || isAlertmanagerRequest(request) ? null : request.target;
}

/** A write to Alertmanager (a silence created or expired), not to a cluster. */
export function isAlertmanagerRequest(request: ActionRequest): request is AlertmanagerActionRequest {
  return request.type === 'silence' || request.type === 'expireSilence';
}

/**
 * `/spec/template/spec/containers/0/image` -> `spec.template.spec.containers[0].image`;
 * `/metadata/annotations/kubernetes.io~1change-cause` -> `metadata.annotations["kubernetes.io/change-cause"]`.
 */
export function formatDiffPath(pointer: string): string {
  // lines that are not JSON pointers (a silence's "Silence matchers", an alert) are already words
  if (pointer && !pointer.startsWith('/')) return pointer;
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out || '/';
}

/** The label of a diff path, when the caller named it for exactly this version of the target. */
export function pathLabel(labels: PathLabels | null, prepared: PreparedAction, path: string): string | null {
  if (!labels || labels.resourceVersion !== prepared.target.resourceVersion) return null;
  return labels.paths[path] ?? null;
}

export type ActionKind =
  'rollback' | 'pause' | 'resume' | 'restart' | 'scale' | 'abort' | 'retry' | 'canary-zero' | 'promote';

/** Which actions a workload kind offers (what the pipeline supports for it). */
export function actionsForKind(kind: WorkloadKind): ActionKind[] {
  switch (kind) {
    case 'Deployment':
      return ['rollback', 'pause', 'resume', 'restart', 'scale'];
    case 'StatefulSet':
      return ['rollback', 'restart', 'scale'];
    case 'DaemonSet':
      return ['rollback', 'restart'];
    case 'Rollout':
      return ['rollback', 'abort', 'retry', 'pause', 'resume', 'restart', 'scale'];
    case 'InferenceService':
      return ['canary-zero', 'promote'];
  }
}

/** The request an action button sends. */
export function requestFor(
  action: ActionKind,
  target: WorkloadRef,
  extra: { toRevision?: number; replicas?: number } = {},
): ActionRequest {
  switch (action) {
    case 'rollback':
      return extra.toRevision
        ? { type: 'rollback', target, toRevision: extra.toRevision }
        : { type: 'rollback', target };
    case 'scale':
      return { type: 'scale', target, replicas: extra.replicas ?? 1 };
    case 'canary-zero':
      return { type: 'canary', target, percent: 0 };
    case 'promote':
      return { type: 'canary', target, percent: null };
    default:
      return { type: action, target };
  }
}

/** A replicas field's text as a count: whole numbers 0..10,000, else null. */
export function parseReplicas(text: string): number | null {
  if (!/^\s*\d{1,5}\s*$/.test(text)) return null;
  const n = Number(text);
  return n >= 0 && n <= 10_000 ? n : null;
}

export function outcomeTone(status: ActionOutcome['status']): 'ok' | 'warning' | 'critical' | 'muted' {
  switch (status) {
    case 'done':
      return 'ok';
    case 'timeout':
    case 'conflict':
      return 'warning';
    case 'failed':
      return 'critical';
    case 'noop':
      return 'muted';
  }
}

export function outcomeTitle(status: ActionOutcome['status']): string {
  switch (status) {
    case 'done':
      return 'Done: in effect';
    case 'timeout':
      return 'Written, not yet in effect';
    case 'failed':
      return 'Written, but it did not take effect';
    case 'noop':
      return 'Nothing to do';
    case 'conflict':
      return 'Not written: the target changed';
  }
}

export const actionsStore = createActionsStore(getTransport);
export const useActions = <T>(selector: (s: ActionsState) => T): T => useStore(actionsStore, selector);
