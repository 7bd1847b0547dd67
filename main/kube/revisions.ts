import type { V1Container, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { RevisionHistory, RevisionSummary, WorkloadRef } from '../../shared/models';
import type { KubeObject, ResourceClient } from './resources';

const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const REVISION_ANNOTATION: Record<string, string> = {
  Deployment: 'deployment.kubernetes.io/revision',
  Rollout: 'rollout.argoproj.io/revision',
};

/** The revision history of a workload, newest first: ReplicaSets for Deployments and Rollouts, ControllerRevisions for StatefulSets and DaemonSets. */
export async function revisionHistory(client: ResourceClient, target: WorkloadRef): Promise<RevisionHistory> {
  if (target.kind === 'InferenceService') {
    return {
      target,
      revisions: [],
      note: 'KServe keeps revisions in Knative (serverless mode): roll back with the canary split (0% to the latest revision). In RawDeployment mode there is no previous revision to go back to.',
    };
  }
  const workload = await client.get(target.kind, target.namespace, target.name);
  const uid = workload.metadata?.uid;
  const owned = (o: KubeObject) =>
    o.metadata?.ownerReferences?.some((r) => r.controller && r.uid === uid) ?? false;

  let revisions: RevisionSummary[];
  if (target.kind === 'Deployment' || target.kind === 'Rollout') {
    const selector =
      target.kind === 'Deployment'
        ? labelSelector((workload.spec?.selector as { matchLabels?: Record<string, string> })?.matchLabels)
        : undefined;
    const replicaSets = (await client.list('ReplicaSet', target.namespace, selector)).filter(owned);
    const key = REVISION_ANNOTATION[target.kind] as string;
    const currentRevision = workload.metadata?.annotations?.[key];
    revisions = replicaSets
      .map((rs) => {
        const revision = Number(rs.metadata?.annotations?.[key]);
        const template = (rs.spec?.template ?? {}) as V1PodTemplateSpec;
        return summarize(
          rs,
          revision,
          template,
          rs.metadata?.annotations?.[CHANGE_CAUSE] ?? null,
          String(revision) === currentRevision,
        );
      })
      .filter((r) => Number.isInteger(r.revision));
  } else {
    const crs = (await client.list('ControllerRevision', target.namespace)).filter(owned);
    const currentName = (workload.status?.updateRevision ?? workload.status?.currentRevision) as
      string | undefined;
    revisions = crs
      .map((cr) => {
        const data = (cr.data ?? {}) as { spec?: { template?: V1PodTemplateSpec } };
        return summarize(
          cr,
          Number(cr.revision),
          data.spec?.template ?? {},
          cr.metadata?.annotations?.[CHANGE_CAUSE] ?? null,
          cr.metadata?.name === currentName,
        );
      })
      .filter((r) => Number.isInteger(r.revision));
    if (!revisions.some((r) => r.current) && revisions.length) {
      revisions.sort((a, b) => b.revision - a.revision);
      (revisions[0] as RevisionSummary).current = true;
    }
  }
  revisions.sort((a, b) => b.revision - a.revision);
  return { target, revisions, note: revisions.length ? null : 'No revisions recorded yet.' };
}

function summarize(
  obj: KubeObject,
  revision: number,
  template: V1PodTemplateSpec,
  changeCause: string | null,
  current: boolean,
): RevisionSummary {
  const containers = (template.spec?.containers ?? []).map((c: V1Container) => ({
    name: c.name,
    image: c.image ?? '',
    args: [...(c.command ?? []), ...(c.args ?? [])],
    envNames: (c.env ?? []).map((e) => e.name).sort(),
    resources: Object.fromEntries([
      ...Object.entries(c.resources?.requests ?? {}).map(([k, v]) => [`requests.${k}`, String(v)]),
      ...Object.entries(c.resources?.limits ?? {}).map(([k, v]) => [`limits.${k}`, String(v)]),
    ]),
  }));
  const gpus = containers.reduce((sum, c) => {
    const g = Object.entries(c.resources).find(([k]) => /^limits\..*\/gpu$/.test(k));
    return sum + (g ? Number(g[1]) || 0 : 0);
  }, 0);
  return {
    revision,
    name: obj.metadata?.name ?? '',
    uid: obj.metadata?.uid ?? '',
    createdAt: (obj.metadata as { creationTimestamp?: string } | undefined)?.creationTimestamp ?? null,
    current,
    changeCause,
    containers,
    gpus,
  };
}

/** What changed between two revisions: pure, shared with the renderer (which shows the diff). */
export { revisionDiff } from '../../shared/revisionDiff';

/** `app=x,tier=y` from a workload's matchLabels (undefined: no selector). */
export function labelSelector(matchLabels: Record<string, string> | undefined): string | undefined {
  if (!matchLabels) return undefined;
  return Object.entries(matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
