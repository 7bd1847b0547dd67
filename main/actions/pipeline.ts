import crypto from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import type { ActionOutcome, ActionRequest, KubeActionRequest, PreparedAction } from '../../shared/actions';
import type { Inventory } from '../kube/inventory/inventory';
import { KINDS, ResourceClient, type KubeObject } from '../kube/resources';
import { rolloutStatus } from '../kube/rolloutStatus';
import type { Store } from '../store';
import { objectDiff, redactSecrets } from './diff';
import { planAction, type ActionPlan } from './plans';

export interface PipelineOptions {
  store: Store;
  actor: string;
  /** how long to watch for the change to take effect before reporting `timeout` */
  effectTimeoutMs?: number;
  /** how often the object is read again while waiting, for kinds the inventory does not watch */
  pollMs?: number;
  /** for watched kinds, a read at least this often anyway (a watch that is down must not stall the wait) */
  watchedPollMs?: number;
  /** a prepared action must be confirmed within this time */
  planTtlMs?: number;
}

/**
 * A write outside the cluster (an Alertmanager silence) that goes through the same gates: its own preview, the
 * typed confirmation, `apply()` (the write and the check that it took effect), and the audit entry.
 */
export interface ExternalAction {
  preview: Omit<PreparedAction, 'id' | 'request' | 'expiresAt'>;
  /** the audit entry's target; `apply()` may name it better (with the id it created) */
  auditTarget: string;
  /** what was there before, for the audit entry */
  before: Record<string, unknown>;
  apply(): Promise<{
    status: 'done' | 'timeout';
    message: string;
    auditTarget?: string;
    after: Record<string, unknown>;
  }>;
}

/**
 * The cluster a write goes to: the live connection the screens read from (main/kube/connections.ts), its
 * kubeconfig, and its watch-fed inventory, which wakes the check for the write's effect.
 */
export interface ClusterTarget {
  kubeConfig: KubeConfig;
  inventory?: Pick<Inventory, 'kinds' | 'onChange'>;
}

type Entry =
  | {
      kind: 'kube';
      prepared: PreparedAction;
      request: KubeActionRequest;
      plan: ActionPlan;
      cluster: ClusterTarget;
    }
  | { kind: 'external'; prepared: PreparedAction; action: ExternalAction };

/**
 * Every write goes through here, in this order: plan from what is there now -> permission
 * (SelfSubjectAccessReview) -> server-side dry run -> diff -> the user confirms by typing the target's
 * name -> the intent in the audit log (who, what, the diff; marked started) -> the write (with a
 * resourceVersion guard and field manager) -> watch until it has taken effect -> the outcome in the audit log,
 * linked to its intent. A process that dies between the two leaves the intent open: `reconcile` settles it
 * against the cluster on the next start. A 409 re-reads and re-plans; it never overwrites. Writes outside the
 * cluster (Alertmanager silences) come with their own preview and write (`prepareExternal`) and pass the same
 * confirmation and audit.
 */
export class ActionPipeline {
  private readonly prepared = new Map<string, Entry>();
  private readonly effectTimeoutMs: number;
  private readonly pollMs: number;
  private readonly watchedPollMs: number;
  private readonly planTtlMs: number;

  constructor(private readonly options: PipelineOptions) {
    this.effectTimeoutMs = options.effectTimeoutMs ?? 180_000;
    this.pollMs = options.pollMs ?? 500;
    this.watchedPollMs = options.watchedPollMs ?? 5_000;
    this.planTtlMs = options.planTtlMs ?? 10 * 60_000;
  }

  async prepare(cluster: ClusterTarget, request: KubeActionRequest): Promise<PreparedAction> {
    this.dropExpired();
    const kc = cluster.kubeConfig;
    const client = new ResourceClient(kc);
    const plan = await planAction(client, request);
    const permission = await client.canI({
      verb: plan.verb,
      kind: plan.kind,
      namespace: plan.namespace,
      name: plan.name,
      ...(plan.subresource ? { subresource: plan.subresource } : {}),
    });

    let dryRun = { ok: true, message: 'Nothing to change.' };
    let diff: PreparedAction['diff'] = [];
    if (!plan.noop && permission.allowed) {
      try {
        const after = await client.patch(plan.kind, plan.namespace, plan.name, plan.patch, plan.patchType, {
          dryRun: true,
          ...(plan.subresource ? { subresource: plan.subresource } : {}),
        });
        diff =
          plan.subresource === 'scale'
            ? objectDiff({ spec: plan.before.spec }, { spec: after.spec })
            : objectDiff(plan.before, after);
        dryRun = {
          ok: true,
          message: 'The API server accepted the change in a dry run (admission and validation passed).',
        };
      } catch (err) {
        const e =
          err instanceof AppError ? err : new AppError('DRY_RUN_FAILED', String(err), 'Review the change.');
        dryRun = { ok: false, message: `The dry run was rejected: ${e.message}` };
      }
    } else if (!permission.allowed) {
      dryRun = { ok: false, message: 'Not attempted: you lack the permission for this change.' };
    }

    const k = KINDS[plan.kind];
    const prepared: PreparedAction = {
      id: crypto.randomUUID(),
      context: kc.getCurrentContext(),
      request,
      summary: plan.summary,
      target: {
        apiVersion: `${k.group}/${k.version}`,
        kind: plan.kind,
        namespace: plan.namespace,
        name: plan.name,
        uid: plan.before.metadata?.uid ?? '',
        resourceVersion: plan.before.metadata?.resourceVersion ?? '',
      },
      confirmPhrase: plan.name,
      permission,
      dryRun,
      diff,
      warnings: plan.warnings,
      noop: plan.noop,
      expiresAt: new Date(Date.now() + this.planTtlMs).toISOString(),
    };
    this.prepared.set(prepared.id, { kind: 'kube', prepared, request, plan, cluster });
    return prepared;
  }

  /** The preview of a write outside the cluster, kept for `execute` like any other. */
  prepareExternal(request: ActionRequest, action: ExternalAction): PreparedAction {
    this.dropExpired();
    const prepared: PreparedAction = {
      ...action.preview,
      id: crypto.randomUUID(),
      request,
      expiresAt: new Date(Date.now() + this.planTtlMs).toISOString(),
    };
    this.prepared.set(prepared.id, { kind: 'external', prepared, action });
    return prepared;
  }

  async execute(id: string, confirm: string): Promise<ActionOutcome> {
    this.dropExpired();
    const entry = this.prepared.get(id);
    if (!entry) {
      throw new AppError(
        'ACTION_REFUSED',
        'This action was not prepared, or its preview expired.',
        'Prepare it again and review the new preview.',
      );
    }
    const { prepared } = entry;
    if (confirm.trim() !== prepared.confirmPhrase) {
      throw new AppError(
        'ACTION_REFUSED',
        `The confirmation does not match: type "${prepared.confirmPhrase}" to confirm.`,
        'Type the name of the target exactly, to be sure of what you act on.',
      );
    }
    this.prepared.delete(id);
    if (prepared.noop) {
      return {
        status: 'noop',
        message: prepared.noop,
        auditSeq: this.audit(entry, 'noop', { message: prepared.noop }),
        replanned: null,
      };
    }
    if (!prepared.permission.allowed) {
      throw new AppError(
        'PERMISSION_DENIED',
        prepared.permission.reason,
        'Ask a cluster admin for this permission.',
      );
    }
    if (!prepared.dryRun.ok) {
      throw new AppError(
        'DRY_RUN_FAILED',
        prepared.dryRun.message,
        'Fix the cause shown in the preview, then prepare again.',
      );
    }

    if (entry.kind === 'external') return this.executeExternal(entry);
    const { plan, cluster } = entry;
    const client = new ResourceClient(cluster.kubeConfig);
    const intent = this.intent(entry);
    let written: KubeObject;
    try {
      written = await client.patch(plan.kind, plan.namespace, plan.name, plan.patch, plan.patchType, {
        ...(plan.subresource ? { subresource: plan.subresource } : {}),
      });
    } catch (err) {
      // 409, or the 422 a real API server answers when our resourceVersion `test` op fails: re-read to tell.
      if (
        err instanceof AppError &&
        (err.code === 'CONFLICT' || err.details?.status === 422) &&
        (await moved(client, plan, prepared))
      ) {
        const message = `${prepared.target.kind} ${prepared.target.namespace}/${prepared.target.name} changed since the preview (someone else edited it). Nothing was written; review the new preview.`;
        const auditSeq = this.audit(entry, 'conflict', { message }, undefined, intent);
        const replanned = await this.prepare(cluster, entry.request);
        return { status: 'conflict', message, auditSeq, replanned };
      }
      const e = err instanceof AppError ? err : new AppError('CLUSTER_ERROR', String(err), 'Retry.');
      this.audit(entry, 'failed', { error: e.message }, undefined, intent);
      throw e;
    }

    const effect = await this.waitForEffect(client, cluster, plan, written).catch((err: unknown) => ({
      ok: false,
      failed: false,
      message: `Written, but its effect could not be read: ${String(err)}`,
    }));
    const status = effect.ok ? 'done' : effect.failed ? 'failed' : 'timeout';
    const auditSeq = this.audit(
      entry,
      status,
      { message: effect.message, resourceVersion: written.metadata?.resourceVersion ?? null },
      undefined,
      intent,
    );
    return { status, message: effect.message, auditSeq, replanned: null };
  }

  private async executeExternal(entry: Extract<Entry, { kind: 'external' }>): Promise<ActionOutcome> {
    let result: Awaited<ReturnType<ExternalAction['apply']>>;
    try {
      result = await entry.action.apply();
    } catch (err) {
      const e =
        err instanceof AppError
          ? err
          : new AppError('INTERNAL', String(err), 'Retry; if it persists, report it.');
      this.audit(entry, 'failed', { error: e.message });
      throw e;
    }
    const auditSeq = this.audit(
      entry,
      result.status,
      { message: result.message, after: result.after },
      result.auditTarget,
    );
    return { status: result.status, message: result.message, auditSeq, replanned: null };
  }

  /**
   * Reads the object until the change has taken effect. Where the inventory watches the kind, each change the
   * watch sees wakes a read (and one every `watchedPollMs` anyway); for the kinds it does not watch (DaemonSet,
   * a kind not served or forbidden to list) the object is read every `pollMs`.
   */
  private async waitForEffect(
    client: ResourceClient,
    cluster: ClusterTarget,
    plan: ActionPlan,
    written: KubeObject,
  ): Promise<{ ok: boolean; failed?: boolean; message: string }> {
    const deadline = Date.now() + this.effectTimeoutMs;
    const inventory = cluster.inventory;
    const watched = inventory?.kinds().some((k) => k === plan.kind) ?? false;
    let changed = false;
    let wake: (() => void) | undefined;
    const off = watched
      ? inventory!.onChange((kind) => {
          if (kind !== plan.kind) return;
          changed = true;
          wake?.();
        })
      : () => {};
    let last = 'waiting';
    try {
      for (;;) {
        changed = false;
        const obj = await client.get(plan.kind, plan.namespace, plan.name).catch(() => null);
        if (obj) {
          const state = effectState(plan, obj, written);
          if (state.done || state.failed)
            return { ok: state.done, failed: state.failed, message: state.message };
          last = state.message;
        }
        const left = deadline - Date.now();
        if (left < 0) {
          return {
            ok: false,
            message: `Written, but not yet in effect after ${Math.round(this.effectTimeoutMs / 1000)} s: ${last}`,
          };
        }
        if (changed) continue; // the watch saw a change while the object was read: read again
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(watched ? this.watchedPollMs : this.pollMs, left + 1));
          function done() {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          }
          wake = done;
        });
      }
    } finally {
      off();
    }
  }

  /** The intent of a cluster write, before the write: who, what, the diff; marked started in the same transaction. */
  private intent(entry: Extract<Entry, { kind: 'kube' }>): number {
    const { prepared } = entry;
    const t = prepared.target;
    return this.options.store.audit.begin({
      actor: this.options.actor,
      action: `${prepared.request.type}.start`,
      target: `${t.kind} ${t.namespace}/${t.name} uid=${t.uid}`,
      details: redactSecrets({
        context: prepared.context,
        summary: prepared.summary,
        request: prepared.request,
        changes: prepared.diff,
        object: { kind: t.kind, namespace: t.namespace, name: t.name, uid: t.uid },
        resourceVersionBefore: t.resourceVersion,
        plan: entry.plan.details,
      }),
    }).seq;
  }

  /**
   * Settles the intents a previous run left open (it ended between the intent and its outcome): each gets an
   * outcome from what the cluster shows now, `not-written` when the object is as it was before, `interrupted`
   * when it changed since (the write may have been made). An intent whose cluster cannot be read stays open, shown
   * as started in the audit list, and is tried again on the next start.
   */
  async reconcile(connect: (context: string) => ClusterTarget): Promise<number> {
    let settled = 0;
    for (const intent of this.options.store.audit.unfinished()) {
      const d = intent.details as {
        context?: string;
        object?: { kind?: string; namespace?: string; name?: string };
        resourceVersionBefore?: string;
        request?: unknown;
        summary?: string;
        changes?: unknown;
      };
      const kind = d.object?.kind;
      if (!d.context || !kind || !(kind in KINDS) || !d.object?.namespace || !d.object.name) continue;
      let now: KubeObject | null;
      try {
        const client = new ResourceClient(connect(d.context).kubeConfig);
        now = await client
          .get(kind as keyof typeof KINDS, d.object.namespace, d.object.name)
          .catch((err: unknown) => {
            if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
            throw err;
          });
      } catch {
        continue;
      }
      const rv = now?.metadata?.resourceVersion ?? null;
      const unchanged = rv !== null && rv === d.resourceVersionBefore;
      const message = !now
        ? `Firebreak stopped during this action; ${kind} ${d.object.namespace}/${d.object.name} is gone now.`
        : unchanged
          ? 'Firebreak stopped before the write: the object is as it was before.'
          : `Firebreak stopped during this action; the object changed since (resourceVersion ${d.resourceVersionBefore ?? '?'} -> ${rv ?? '?'}): the write may have been made. Check it.`;
      this.options.store.audit.finish(intent.seq, {
        actor: this.options.actor,
        action: intent.action.replace(/\.start$/, ''),
        target: intent.target,
        result: unchanged ? 'not-written' : 'interrupted',
        details: {
          context: d.context,
          summary: d.summary,
          request: d.request,
          changes: d.changes,
          message,
          resourceVersion: rv,
        },
      });
      settled++;
    }
    return settled;
  }

  private audit(
    entry: Entry,
    result: string,
    extra: Record<string, unknown>,
    target?: string,
    intent?: number,
  ): number {
    const { prepared } = entry;
    const t = prepared.target;
    const common = {
      context: prepared.context,
      summary: prepared.summary,
      request: prepared.request,
      changes: prepared.diff,
    };
    const record =
      entry.kind === 'kube'
        ? {
            target: `${t.kind} ${t.namespace}/${t.name} uid=${t.uid}`,
            details: {
              ...common,
              resourceVersionBefore: t.resourceVersion,
              plan: entry.plan.details,
              ...extra,
            },
          }
        : {
            target: target ?? entry.action.auditTarget,
            details: { ...common, before: entry.action.before, ...extra },
          };
    const outcome = {
      actor: this.options.actor,
      action: prepared.request.type,
      target: record.target,
      result,
      details: redactSecrets(record.details),
    };
    const { audit } = this.options.store;
    return (intent === undefined ? audit.append(outcome) : audit.finish(intent, outcome)).seq;
  }

  private dropExpired() {
    const now = Date.now();
    for (const [id, e] of this.prepared) if (Date.parse(e.prepared.expiresAt) < now) this.prepared.delete(id);
  }
}

async function moved(client: ResourceClient, plan: ActionPlan, prepared: PreparedAction): Promise<boolean> {
  const now = await client.get(plan.kind, plan.namespace, plan.name).catch(() => null);
  return now?.metadata?.resourceVersion !== prepared.target.resourceVersion;
}

function effectState(
  plan: ActionPlan,
  obj: KubeObject,
  written: KubeObject,
): { done: boolean; failed?: boolean; message: string } {
  const writtenGen = written.metadata?.generation ?? 0;
  const observed = (obj.status?.observedGeneration as number | undefined) ?? 0;
  switch (plan.effect) {
    case 'rollout': {
      const s = rolloutStatus(obj);
      return { done: s.done && observed >= writtenGen, failed: s.failed, message: s.message };
    }
    case 'scale': {
      const want = (obj.spec?.replicas as number | undefined) ?? 0;
      const ready = (obj.status?.readyReplicas as number | undefined) ?? 0;
      return {
        done: observed >= writtenGen && ready === want,
        message: `${ready} of ${want} replicas ready`,
      };
    }
    case 'route': {
      const parents = (obj.status?.parents ?? []) as Array<{
        conditions?: Array<{
          type: string;
          status: string;
          reason?: string;
          message?: string;
          observedGeneration?: number;
        }>;
      }>;
      const conditions = parents.flatMap((p) => p.conditions ?? []);
      const current = (c: { observedGeneration?: number }) =>
        c.observedGeneration === undefined || c.observedGeneration >= writtenGen;
      const accepted = conditions.find((c) => c.type === 'Accepted' && current(c));
      const resolved = conditions.find((c) => c.type === 'ResolvedRefs' && current(c));
      if (accepted?.status === 'False' || resolved?.status === 'False') {
        const bad = accepted?.status === 'False' ? accepted : resolved;
        return {
          done: false,
          failed: true,
          message: `The gateway did not accept the route: ${bad?.reason ?? ''} ${bad?.message ?? ''}`.trim(),
        };
      }
      return {
        done: accepted?.status === 'True' && resolved?.status !== 'False',
        message: accepted ? 'Accepted by the gateway' : 'waiting for the gateway to accept the route',
      };
    }
    case 'knative': {
      const conditions = (obj.status?.conditions ?? []) as Array<{
        type: string;
        status: string;
        reason?: string;
        message?: string;
      }>;
      const ready = conditions.find((c) => c.type === 'Ready');
      if (observed < writtenGen)
        return { done: false, message: `waiting for Knative to observe generation ${writtenGen}` };
      if (ready?.status === 'False')
        return {
          done: false,
          failed: true,
          message:
            `Knative did not make the new split ready: ${ready.reason ?? ''} ${ready.message ?? ''}`.trim(),
        };
      return {
        done: ready?.status === 'True',
        message:
          ready?.status === 'True'
            ? 'Ready: Knative routes the new split'
            : 'waiting for the Service to be Ready',
      };
    }
    case 'observed':
      return {
        done: observed >= writtenGen || writtenGen === 0,
        message: `observed generation ${observed} of ${writtenGen}`,
      };
  }
}
