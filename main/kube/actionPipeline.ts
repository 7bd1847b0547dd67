import crypto from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import type { ActionOutcome, ActionRequest, KubeActionRequest, PreparedAction } from '../../shared/actions';
import type { Store } from '../store';
import { objectDiff, redactSecrets } from './actionDiff';
import { planAction, type ActionPlan } from './actionPlans';
import { KINDS, ResourceClient, type KubeObject } from './resources';
import { rolloutStatus } from './rolloutStatus';

export interface PipelineOptions {
  store: Store;
  actor: string;
  /** how long to watch for the change to take effect before reporting `timeout` */
  effectTimeoutMs?: number;
  pollMs?: number;
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

type Entry =
  | { kind: 'kube'; prepared: PreparedAction; request: KubeActionRequest; plan: ActionPlan; kc: KubeConfig }
  | { kind: 'external'; prepared: PreparedAction; action: ExternalAction };

/**
 * Every write goes through here, in this order: plan from what is there now -> permission
 * (SelfSubjectAccessReview) -> server-side dry run -> diff -> the user confirms by typing the target's
 * name -> the write (with a resourceVersion guard and field manager) -> watch until it has taken effect ->
 * an audit entry. A 409 re-reads and re-plans; it never overwrites. Writes outside the cluster (Alertmanager
 * silences) come with their own preview and write (`prepareExternal`) and pass the same confirmation and audit.
 */
export class ActionPipeline {
  private readonly prepared = new Map<string, Entry>();
  private readonly effectTimeoutMs: number;
  private readonly pollMs: number;
  private readonly planTtlMs: number;

  constructor(private readonly options: PipelineOptions) {
    this.effectTimeoutMs = options.effectTimeoutMs ?? 180_000;
    this.pollMs = options.pollMs ?? 500;
    this.planTtlMs = options.planTtlMs ?? 10 * 60_000;
  }

  async prepare(kc: KubeConfig, request: KubeActionRequest): Promise<PreparedAction> {
    this.dropExpired();
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
    this.prepared.set(prepared.id, { kind: 'kube', prepared, request, plan, kc });
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
    const { plan, kc } = entry;
    const client = new ResourceClient(kc);
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
        const replanned = await this.prepare(kc, entry.request);
        const message = `${prepared.target.kind} ${prepared.target.namespace}/${prepared.target.name} changed since the preview (someone else edited it). Nothing was written; review the new preview.`;
        return {
          status: 'conflict',
          message,
          auditSeq: this.audit(entry, 'conflict', { message }),
          replanned,
        };
      }
      const e = err instanceof AppError ? err : new AppError('CLUSTER_ERROR', String(err), 'Retry.');
      this.audit(entry, 'failed', { error: e.message });
      throw e;
    }

    const effect = await this.waitForEffect(client, plan, written);
    const status = effect.ok ? 'done' : effect.failed ? 'failed' : 'timeout';
    const auditSeq = this.audit(entry, status, {
      message: effect.message,
      resourceVersion: written.metadata?.resourceVersion ?? null,
    });
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

  private async waitForEffect(
    client: ResourceClient,
    plan: ActionPlan,
    written: KubeObject,
  ): Promise<{ ok: boolean; failed?: boolean; message: string }> {
    const deadline = Date.now() + this.effectTimeoutMs;
    let last = 'waiting';
    for (;;) {
      const obj = await client.get(plan.kind, plan.namespace, plan.name).catch(() => null);
      if (obj) {
        const state = effectState(plan, obj, written);
        if (state.done || state.failed)
          return { ok: state.done, failed: state.failed, message: state.message };
        last = state.message;
      }
      if (Date.now() > deadline) {
        return {
          ok: false,
          message: `Written, but not yet in effect after ${Math.round(this.effectTimeoutMs / 1000)} s: ${last}`,
        };
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private audit(entry: Entry, result: string, extra: Record<string, unknown>, target?: string): number {
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
    return this.options.store.audit.append({
      actor: this.options.actor,
      action: prepared.request.type,
      target: record.target,
      result,
      details: redactSecrets(record.details),
    }).seq;
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
