import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { AppError } from '../../shared/errors';

export const REVISION = 'deployment.kubernetes.io/revision';
const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Annotations kubectl keeps from the Deployment instead of copying them from the target ReplicaSet. */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export type JsonPatchOp =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'replace' | 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string };

export type DeploymentRollbackPlan =
  | {
      kind: 'patch';
      fromRevision: number | null;
      toRevision: number;
      target: { name: string; uid: string };
      /** JSON Patch: kubectl's two replace ops, preceded by a test of resourceVersion */
      patch: JsonPatchOp[];
      template: V1PodTemplateSpec;
    }
  | { kind: 'skipped'; toRevision: number; message: string };

export function revisionOf(rs: { metadata?: { annotations?: Record<string, string> } }): number | null {
  const raw = rs.metadata?.annotations?.[REVISION];
  if (raw === undefined || !/^\d+$/.test(raw)) return null;
  return Number(raw);
}

/** The ReplicaSets a Deployment controls: matched by its controller ownerReference UID (as kubectl does). */
export function ownedReplicaSets(deployment: V1Deployment, replicaSets: V1ReplicaSet[]): V1ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  return replicaSets.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.controller && o.uid === uid));
}

/**
 * kubectl's `rollout undo` for a Deployment (pkg/polymorphichelpers/rollback.go), as a plan:
 * previous = the second-highest revision, or exactly `toRevision`; refuse a paused Deployment; skip when the
 * target template already matches; otherwise replace /spec/template and /metadata/annotations. Firebreak
 * adds a `test` of resourceVersion first, so a concurrent edit fails with 409 instead of being overwritten.
 */
export function deploymentRollbackPlan(
  deployment: V1Deployment,
  replicaSets: V1ReplicaSet[],
  toRevision?: number,
): DeploymentRollbackPlan {
  const name = deployment.metadata?.name ?? '';
  if (deployment.spec?.paused) {
    throw new AppError(
      'ACTION_REFUSED',
      `Deployment "${name}" is paused: you cannot roll back a paused deployment.`,
      'Resume it first (the Resume action, or `kubectl rollout resume`), then roll back.',
      { reason: 'paused' },
    );
  }
  const target = revisionReplicaSet(deployment, ownedReplicaSets(deployment, replicaSets), toRevision ?? 0);
  const targetRevision = revisionOf(target) as number;
  const currentTemplate = deployment.spec?.template ?? {};
  const targetTemplate = structuredClone(target.spec?.template ?? {});
  if (templatesEqualIgnoringHash(targetTemplate, currentTemplate)) {
    return {
      kind: 'skipped',
      toRevision: targetRevision,
      message: `skipped rollback (current template already matches revision ${targetRevision})`,
    };
  }
  if (targetTemplate.metadata?.labels) delete targetTemplate.metadata.labels[POD_TEMPLATE_HASH];

  const annotations: Record<string, string> = {};
  const current = deployment.metadata?.annotations ?? {};
  for (const key of ANNOTATIONS_TO_SKIP) if (key in current) annotations[key] = current[key] as string;
  for (const [k, v] of Object.entries(target.metadata?.annotations ?? {}))
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;

  return {
    kind: 'patch',
    fromRevision:
      current[REVISION] !== undefined && /^\d+$/.test(current[REVISION]) ? Number(current[REVISION]) : null,
    toRevision: targetRevision,
    target: { name: target.metadata?.name ?? '', uid: target.metadata?.uid ?? '' },
    template: targetTemplate,
    patch: [
      { op: 'test', path: '/metadata/resourceVersion', value: deployment.metadata?.resourceVersion },
      { op: 'replace', path: '/spec/template', value: targetTemplate },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
  };
}

function revisionReplicaSet(
  deployment: V1Deployment,
  owned: V1ReplicaSet[],
  toRevision: number,
): V1ReplicaSet {
  let latest: V1ReplicaSet | undefined;
  let latestRevision = -1;
  let previous: V1ReplicaSet | undefined;
  let previousRevision = -1;
  for (const rs of owned) {
    const v = revisionOf(rs);
    if (v === null) continue;
    if (toRevision === 0) {
      if (latestRevision < v) {
        previousRevision = latestRevision;
        previous = latest;
        latestRevision = v;
        latest = rs;
      } else if (previousRevision < v) {
        previousRevision = v;
        previous = rs;
      }
    } else if (toRevision === v) {
      return rs;
    }
  }
  if (toRevision > 0) {
    throw new AppError(
      'ACTION_REFUSED',
      `unable to find specified revision ${toRevision} in history`,
      'Pick a revision from the history list.',
      { reason: 'revision-not-found', revision: toRevision },
    );
  }
  if (!previous) {
    throw new AppError(
      'ACTION_REFUSED',
      `no rollout history found for deployment "${deployment.metadata?.name ?? ''}"`,
      'There is no earlier revision to roll back to; route traffic to a fallback instead.',
      { reason: 'no-history' },
    );
  }
  return previous;
}

function templatesEqualIgnoringHash(a: V1PodTemplateSpec, b: V1PodTemplateSpec): boolean {
  const strip = (t: V1PodTemplateSpec) => {
    const c = structuredClone(t);
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH];
    return dropEmpty(JSON.parse(JSON.stringify(c)));
  };
  return isDeepStrictEqual(strip(a), strip(b));
}

/** apimachinery's semantic equality treats a missing map or slice and an empty one as equal. */
function dropEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropEmpty);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const d = dropEmpty(x);
      const empty =
        d === null ||
        (Array.isArray(d) && d.length === 0) ||
        (typeof d === 'object' && d !== null && Object.keys(d).length === 0);
      if (!empty) out[k] = d;
    }
    return out;
  }
  return v;
}
