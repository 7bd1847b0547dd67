import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import type { ActionRequest, KubeActionRequest } from '../../shared/actions';
import type { WorkloadRef } from '../../shared/models';
import { labelSelector } from '../kube/revisions';
import { deploymentRollbackPlan, type JsonPatchOp } from '../kube/rollbackPlan';
import { type KindName, type KubeObject, type PatchType, type ResourceClient } from '../kube/resources';
import { owningController, routeSplit, trafficPatch } from '../kube/trafficSplit';

/** What the pipeline needs to carry out one request: the write, who may do it, and how to tell it worked. */
export interface ActionPlan {
  kind: KindName;
  namespace: string;
  name: string;
  before: KubeObject;
  summary: string;
  patch: unknown;
  patchType: PatchType;
  subresource?: 'status' | 'scale';
  verb: 'patch';
  warnings: string[];
  /** nothing to do, and why */
  noop: string | null;
  /** how the pipeline knows the change has taken effect */
  /** `knative`: the Service is Ready at the written generation (its routes serve the new split) */
  effect: 'rollout' | 'route' | 'scale' | 'knative' | 'observed';
  details: Record<string, unknown>;
}

const ARGO_REVISION = 'rollout.argoproj.io/revision';
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** Builds the plan for a request from what is in the cluster now. Throws ACTION_REFUSED for impossible requests. */
export async function planAction(client: ResourceClient, request: KubeActionRequest): Promise<ActionPlan> {
  if (request.type === 'traffic') return planTraffic(client, request);
  const { target } = request;
  const kind = target.kind as KindName;
  const before = await client.get(kind, target.namespace, target.name);
  const label = `${target.kind} ${target.namespace}/${target.name}`;
  const base = {
    kind,
    namespace: target.namespace,
    name: target.name,
    before,
    verb: 'patch' as const,
    warnings: ownerWarnings(before),
    noop: null,
    details: {},
  };
  const rv = before.metadata?.resourceVersion;
  // Merge patches carry resourceVersion as a precondition: the API server answers 409 if it moved.
  const guarded = (body: Record<string, unknown>) => ({ metadata: { resourceVersion: rv }, ...body });

  switch (request.type) {
    case 'rollback':
      return planRollback(client, request.target, before, request.toRevision, base);
    case 'scale': {
      supports(target, ['Deployment', 'StatefulSet', 'Rollout'], 'scaled');
      const current = (before.spec?.replicas as number | undefined) ?? 1;
      return {
        ...base,
        summary: `Scale ${label} from ${current} to ${request.replicas} replicas`,
        patch: guarded({ spec: { replicas: request.replicas } }),
        patchType: 'merge',
        noop: current === request.replicas ? `${label} already has ${current} replicas.` : null,
        effect: 'scale',
        details: { from: current, to: request.replicas },
      };
    }
    case 'pause':
    case 'resume': {
      supports(target, ['Deployment', 'Rollout'], request.type === 'pause' ? 'paused' : 'resumed');
      const paused = before.spec?.paused === true;
      const want = request.type === 'pause';
      return {
        ...base,
        summary: `${want ? 'Pause' : 'Resume'} the rollout of ${label}`,
        patch: guarded({ spec: { paused: want } }),
        patchType: 'merge',
        noop: paused === want ? `${label} is already ${want ? 'paused' : 'running'}.` : null,
        effect: 'observed',
      };
    }
    case 'restart': {
      supports(target, ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'], 'restarted');
      const now = new Date().toISOString();
      return {
        ...base,
        summary: `Restart every pod of ${label} (rolling)`,
        patch: guarded(
          target.kind === 'Rollout'
            ? { spec: { restartAt: now } }
            : { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: now } } } } },
        ),
        patchType: 'merge',
        effect: target.kind === 'Rollout' ? 'observed' : 'rollout',
      };
    }
    case 'abort':
    case 'retry': {
      supports(target, ['Rollout'], request.type === 'abort' ? 'aborted' : 'retried');
      const abort = request.type === 'abort';
      return {
        ...base,
        summary: abort
          ? `Abort the rollout of ${label}: traffic goes back to the stable version at once`
          : `Retry the aborted rollout of ${label}`,
        patch: { status: { abort } },
        patchType: 'merge',
        subresource: 'status',
        noop:
          (before.status?.abort === true) === abort
            ? `${label} is already ${abort ? 'aborted' : 'not aborted'}.`
            : null,
        effect: 'observed',
      };
    }
    case 'canary': {
      supports(target, ['InferenceService'], 'given a canary split');
      refuseRawDeployment(before, label);
      const predictor = (before.spec?.predictor ?? {}) as Record<string, unknown>;
      const current = (predictor.canaryTrafficPercent as number | undefined) ?? null;
      return {
        ...base,
        summary:
          request.percent === null
            ? `Promote the latest revision of ${label} to 100% of traffic`
            : `Send ${request.percent}% of ${label}'s traffic to its latest revision, ${100 - request.percent}% to the previous one`,
        patch: guarded({ spec: { predictor: { canaryTrafficPercent: request.percent } } }),
        patchType: 'merge',
        noop:
          current === request.percent
            ? `${label} already sends ${current ?? 100}% to its latest revision.`
            : null,
        effect: 'observed',
      };
    }
  }
}

async function planRollback(
  client: ResourceClient,
  target: WorkloadRef,
  before: KubeObject,
  toRevision: number | undefined,
  base: Omit<ActionPlan, 'summary' | 'patch' | 'patchType' | 'effect'>,
): Promise<ActionPlan> {
  const label = `${target.kind} ${target.namespace}/${target.name}`;
  if (target.kind === 'Deployment') {
    const selector = labelSelector(
      (before.spec?.selector as { matchLabels?: Record<string, string> })?.matchLabels,
    );
    const replicaSets = (await client.list('ReplicaSet', target.namespace, selector)) as V1ReplicaSet[];
    const plan = deploymentRollbackPlan(before as V1Deployment, replicaSets, toRevision);
    if (plan.kind === 'skipped') {
      return {
        ...base,
        summary: `Roll back ${label} to revision ${plan.toRevision}`,
        patch: [],
        patchType: 'json',
        noop: plan.message,
        effect: 'rollout',
      };
    }
    return {
      ...base,
      summary: `Roll back ${label} from revision ${plan.fromRevision ?? '?'} to revision ${plan.toRevision}`,
      patch: plan.patch,
      patchType: 'json',
      effect: 'rollout',
      details: { fromRevision: plan.fromRevision, toRevision: plan.toRevision, replicaSet: plan.target },
    };
  }
  if (target.kind === 'StatefulSet' || target.kind === 'DaemonSet') {
    const revisions = (await client.list('ControllerRevision', target.namespace))
      .filter((r) => r.metadata?.ownerReferences?.some((o) => o.controller && o.uid === before.metadata?.uid))
      .map((r) => ({ obj: r, revision: Number(r.revision) }))
      .filter((r) => Number.isInteger(r.revision))
      .sort((a, b) => b.revision - a.revision);
    const chosen = toRevision ? revisions.find((r) => r.revision === toRevision) : revisions[1];
    if (!chosen) throw noHistory(label, toRevision);
    const current = revisions[0];
    if (current && chosen.obj === current.obj) {
      return {
        ...base,
        summary: `Roll back ${label}`,
        patch: {},
        patchType: 'strategic',
        noop: `skipped rollback (current template already matches revision ${chosen.revision})`,
        effect: 'rollout',
      };
    }
    return {
      ...base,
      summary: `Roll back ${label} from revision ${current?.revision ?? '?'} to revision ${chosen.revision}`,
      // kubectl sends the ControllerRevision's stored data as a strategic merge patch
      patch: chosen.obj.data,
      patchType: 'strategic',
      effect: 'rollout',
      details: {
        toRevision: chosen.revision,
        controllerRevision: { name: chosen.obj.metadata?.name, uid: chosen.obj.metadata?.uid },
      },
    };
  }
  if (target.kind === 'Rollout') {
    const replicaSets = (await client.list('ReplicaSet', target.namespace)).filter((rs) =>
      rs.metadata?.ownerReferences?.some((o) => o.controller && o.uid === before.metadata?.uid),
    );
    const byRevision = replicaSets
      .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[ARGO_REVISION]) }))
      .filter((r) => Number.isInteger(r.revision))
      .sort((a, b) => b.revision - a.revision);
    const chosen = toRevision ? byRevision.find((r) => r.revision === toRevision) : byRevision[1];
    if (!chosen) throw noHistory(label, toRevision);
    const template = structuredClone(
      (chosen.rs.spec as { template?: { metadata?: { labels?: Record<string, string> } } })?.template ?? {},
    );
    if (template.metadata?.labels) delete template.metadata.labels['rollouts-pod-template-hash'];
    const patch: JsonPatchOp[] = [
      { op: 'test', path: '/metadata/resourceVersion', value: before.metadata?.resourceVersion },
      { op: 'replace', path: '/spec/template', value: template },
    ];
    return {
      ...base,
      summary: `Roll back ${label} to revision ${chosen.revision} (abort the current rollout first if it is progressing)`,
      patch,
      patchType: 'json',
      effect: 'observed',
      details: {
        toRevision: chosen.revision,
        replicaSet: { name: chosen.rs.metadata?.name, uid: chosen.rs.metadata?.uid },
      },
    };
  }
  // InferenceService: canary percent 0 sends all traffic back to the last fully rolled-out revision.
  refuseRawDeployment(before, label);
  return {
    ...base,
    summary: `Roll back ${label}: send all traffic to its previous revision (canaryTrafficPercent 0)`,
    patch: {
      metadata: { resourceVersion: before.metadata?.resourceVersion },
      spec: { predictor: { canaryTrafficPercent: 0 } },
    },
    patchType: 'merge',
    effect: 'observed',
  };
}

async function planTraffic(
  client: ResourceClient,
  request: Extract<ActionRequest, { type: 'traffic' }>,
): Promise<ActionPlan> {
  const { route } = request;
  const before = await client.get(route.kind, route.namespace, route.name);
  const split = routeSplit(route.kind, before);
  const patch = trafficPatch(split, request.rule, request.weights);
  const backends = split.rules[request.rule] ?? [];
  const next = backends.map((b) => request.weights[b.name] ?? b.weight);
  const sum = next.reduce((a, b) => a + b, 0);
  const shares = backends
    .map((b, i) => `${b.name} ${Math.round(((next[i] as number) / sum) * 100)}%`)
    .join(', ');
  return {
    kind: route.kind,
    namespace: route.namespace,
    name: route.name,
    before,
    summary: `Route ${route.kind} ${route.namespace}/${route.name}: ${shares}`,
    patch,
    patchType: 'json',
    verb: 'patch',
    warnings: ownerWarnings(before),
    noop: backends.every((b, i) => b.weight === next[i]) ? 'The route already has these weights.' : null,
    effect: route.kind === 'HTTPRoute' ? 'route' : route.kind === 'KnativeService' ? 'knative' : 'observed',
    details: {
      rule: request.rule,
      before: Object.fromEntries(backends.map((b) => [b.name, b.weight])),
      after: request.weights,
    },
  };
}

function ownerWarnings(obj: KubeObject): string[] {
  const owner = owningController(obj);
  return owner ? [owner.advice] : [];
}

function supports(target: WorkloadRef, kinds: WorkloadRef['kind'][], what: string) {
  if (!kinds.includes(target.kind)) {
    throw new AppError(
      'ACTION_REFUSED',
      `A ${target.kind} cannot be ${what} from Firebreak.`,
      `This action works on: ${kinds.join(', ')}.`,
    );
  }
}

function refuseRawDeployment(isvc: KubeObject, label: string) {
  const mode = isvc.metadata?.annotations?.['serving.kserve.io/deploymentMode'];
  if (mode === 'RawDeployment') {
    throw new AppError(
      'ACTION_REFUSED',
      `${label} runs in RawDeployment mode, where KServe ignores canaryTrafficPercent: there is no previous revision to send traffic to.`,
      'Roll back the underlying Deployment (its revision history) or route traffic to a fallback model instead.',
      { reason: 'raw-deployment' },
    );
  }
}

function noHistory(label: string, toRevision?: number) {
  return new AppError(
    'ACTION_REFUSED',
    toRevision
      ? `unable to find specified revision ${toRevision} in history`
      : `no rollout history found for ${label}`,
    'Pick a revision from the history, or route traffic to a fallback instead.',
    { reason: toRevision ? 'revision-not-found' : 'no-history' },
  );
}
