/**
 * Model services from an inventory: route association (HTTPRoute, Istio VirtualService, KServe traffic block),
 * the owner chain Deployment -> ReplicaSet -> Pod for health and events, the editable mapping rules (defaults =
 * what modelServicesFrom always did), and what the projections keep of untrusted objects.
 */
import { describe, expect, it } from 'vitest';
import { type MappingRules, MappingRules as MappingRulesSchema } from '../../../shared/models';
import { kindSpec, type InventoryKindName, type InventoryObjects } from '../../../main/kube/inventory/kinds';
import { parseListPage } from '../../../main/kube/inventory/listPage';
import { modelViewFrom, type InventorySource } from '../../../main/kube/inventory/modelView';
import { projectPod, projectWorkload } from '../../../main/kube/inventory/objects';
import {
  routeIndex,
  routesFor,
  serviceOfHost,
  servicesSelecting,
  servingTrafficRoute,
} from '../../../main/kube/inventory/routeAssociation';
import {
  DEFAULT_MAPPING_RULES,
  labelSelectorMatcher,
  modelServicesFrom,
} from '../../../main/kube/modelServices';

const NOW = Date.parse('2026-03-01T12:00:00Z');

/** An inventory made of raw objects, projected as the informers project them. */
function fakeInventory(raw: Partial<Record<InventoryKindName, unknown[]>>): InventorySource {
  const projected = new Map<InventoryKindName, unknown[]>();
  for (const [kind, list] of Object.entries(raw) as Array<[InventoryKindName, unknown[]]>) {
    projected.set(kind, list.map((o) => kindSpec(kind).project(o)).filter(Boolean));
  }
  return { list: <K extends InventoryKindName>(k: K) => (projected.get(k) ?? []) as InventoryObjects[K][] };
}

const deployment = (name: string, ns: string, image: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name,
    namespace: ns,
    uid: `dep-${name}`,
    resourceVersion: '1',
    labels: { 'app.kubernetes.io/name': name, ...labels },
    managedFields: [{ manager: 'argocd-controller', fieldsV1: { 'f:spec': {} } }],
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}',
      'kubernetes.io/change-cause': 'bump',
    },
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name: 'server',
            image,
            args: ['--served-model-name', `${name}-model`],
            env: [{ name: 'HF_TOKEN', value: 'secret-value' }],
            resources: { limits: { 'nvidia.com/gpu': '1' } },
          },
        ],
      },
    },
  },
  status: { readyReplicas: 1, replicas: 2 },
});
/** the helper's Deployments request a GPU; this one does not */
const noGpu = (d: ReturnType<typeof deployment>) => {
  (d.spec.template.spec.containers[0] as { resources?: unknown }).resources = {};
};
const replicaSet = (name: string, ns: string, owner: string) => ({
  metadata: {
    name,
    namespace: ns,
    uid: `rs-${name}`,
    resourceVersion: '1',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: `dep-${owner}`, controller: true },
    ],
  },
  spec: { replicas: 2 },
  status: { readyReplicas: 1 },
});
const pod = (name: string, ns: string, rs: string, status: Record<string, unknown>) => ({
  metadata: {
    name,
    namespace: ns,
    uid: `pod-${name}`,
    resourceVersion: '1',
    ownerReferences: [{ kind: 'ReplicaSet', name: rs, uid: `rs-${rs}`, controller: true }],
  },
  spec: { containers: [{ name: 'server' }] },
  status,
});
const service = (name: string, ns: string, selector: Record<string, string>) => ({
  metadata: { name, namespace: ns, resourceVersion: '1' },
  spec: { selector },
});
const warning = (name: string, ns: string, kind: string, obj: string, reason: string) => ({
  metadata: { name, namespace: ns, resourceVersion: '1' },
  type: 'Warning',
  reason,
  message: `${reason} for ${obj}`,
  count: 3,
  lastTimestamp: new Date(NOW - 60_000).toISOString(),
  involvedObject: { kind, name: obj, namespace: ns },
});

describe('route association', () => {
  it('an HTTPRoute rule sends traffic to the Services a model service’s pods are selected by', () => {
    const idx = routeIndex(
      [
        {
          kind: 'HTTPRoute',
          apiVersion: 'gateway.networking.k8s.io/v1',
          metadata: { name: 'chat', namespace: 'llm', uid: '', resourceVersion: '7' },
          spec: {
            rules: [
              {
                backendRefs: [
                  { name: 'big', weight: 90 },
                  { name: 'small', weight: 10 },
                  { kind: 'InferencePool', group: 'inference.networking.x-k8s.io', name: 'pool' },
                ],
              },
            ],
          },
          status: {},
        },
      ],
      [],
    );
    const routes = routesFor(idx, 'llm', ['big']);
    expect(routes).toEqual([
      {
        kind: 'HTTPRoute',
        namespace: 'llm',
        name: 'chat',
        rule: 0,
        backend: 'big',
        weight: 90,
        share: 90 / 101,
        backends: [
          { name: 'big', weight: 90, share: 90 / 101 },
          { name: 'small', weight: 10, share: 10 / 101 },
          { name: 'pool', weight: 1, share: 1 / 101 },
        ],
      },
    ]);
    expect(routesFor(idx, 'llm', ['pool'])).toEqual([]); // not a Service backend
    expect(routesFor(idx, 'other', ['big'])).toEqual([]);
  });

  it('Istio hosts name Services in several spellings; external hosts are not Services', () => {
    expect(serviceOfHost('big', 'llm')).toEqual({ namespace: 'llm', name: 'big' });
    expect(serviceOfHost('big.ml', 'llm')).toEqual({ namespace: 'ml', name: 'big' });
    expect(serviceOfHost('big.ml.svc.cluster.local', 'llm')).toEqual({ namespace: 'ml', name: 'big' });
    expect(serviceOfHost('api.example.com', 'llm')).toBeNull();
    const idx = routeIndex(
      [],
      [
        {
          kind: 'VirtualService',
          apiVersion: 'networking.istio.io/v1',
          metadata: { name: 'vs', namespace: 'llm', uid: '', resourceVersion: '3' },
          spec: {
            http: [
              {
                route: [
                  { destination: { host: 'big.llm.svc.cluster.local' }, weight: 75 },
                  { destination: { host: 'small' }, weight: 25 },
                ],
              },
            ],
          },
          status: {},
        },
      ],
    );
    expect(routesFor(idx, 'llm', ['small'])[0]).toMatchObject({
      kind: 'VirtualService',
      name: 'vs',
      rule: 0,
      backend: 'small',
      weight: 25,
      share: 0.25,
    });
  });

  it('a KServe traffic block is the InferenceService’s own route, to its latest revision', () => {
    const isvc = kindSpec('InferenceService').project({
      metadata: { name: 'bert', namespace: 'nlp', resourceVersion: '1' },
      status: {
        components: {
          predictor: {
            traffic: [
              { revisionName: 'bert-predictor-00002', percent: 10, latestRevision: true },
              { revisionName: 'bert-predictor-00001', percent: 90, latestRevision: false, tag: 'prev' },
            ],
          },
        },
      },
    })!;
    expect(servingTrafficRoute(isvc)).toMatchObject({
      kind: 'InferenceService',
      rule: null,
      backend: 'bert-predictor-00002',
      weight: 10,
      share: 0.1,
    });
  });

  it('a Service selects a pod template when every selector label matches', () => {
    const svcs = [
      service('a', 'ns', { app: 'x' }),
      service('b', 'ns', { app: 'x', tier: 'gpu' }),
      service('c', 'ns', {}),
    ].map((s) => kindSpec('Service').project(s)!);
    expect(servicesSelecting(svcs, { app: 'x' })).toEqual(['a']);
    expect(servicesSelecting(svcs, { app: 'x', tier: 'gpu' })).toEqual(['a', 'b']);
    expect(servicesSelecting(svcs, undefined)).toEqual([]);
  });
});

describe('model services from the inventory', () => {
  it('joins health (through Deployment -> ReplicaSet -> Pod), warning events and the route', () => {
    const web = deployment('web', 'shop', 'nginx:1.27');
    noGpu(web);
    const inv = fakeInventory({
      Deployment: [deployment('llama', 'llm', 'vllm/vllm-openai:v0.6.3'), web],
      ReplicaSet: [replicaSet('llama-abc', 'llm', 'llama')],
      Pod: [
        pod('llama-abc-1', 'llm', 'llama-abc', {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'server', ready: true, restartCount: 1 }],
        }),
        pod('llama-abc-2', 'llm', 'llama-abc', {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'server',
              ready: false,
              restartCount: 9,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
            },
          ],
        }),
        pod('other', 'llm', 'nope', {
          phase: 'Running',
          containerStatuses: [{ name: 'x', ready: true, restartCount: 100 }],
        }),
      ],
      Event: [
        warning('e1', 'llm', 'Pod', 'llama-abc-2', 'BackOff'),
        warning('e2', 'llm', 'ReplicaSet', 'llama-abc', 'FailedCreate'),
        warning('e3', 'llm', 'Deployment', 'llama', 'ProgressDeadlineExceeded'),
        warning('e4', 'llm', 'Pod', 'other', 'Unrelated'),
      ],
      Service: [service('llama-svc', 'llm', { app: 'llama' })],
      HTTPRoute: [
        {
          metadata: { name: 'chat', namespace: 'llm', resourceVersion: '1' },
          spec: {
            rules: [
              {
                backendRefs: [
                  { name: 'llama-svc', weight: 3 },
                  { name: 'fallback', weight: 1 },
                ],
              },
            ],
          },
        },
      ],
    });
    const [llama, ...rest] = modelViewFrom(inv, DEFAULT_MAPPING_RULES, NOW);
    expect(rest).toEqual([]); // nginx is not a model server
    expect(llama).toMatchObject({
      id: 'llm/Deployment/llama',
      serverKind: 'vllm',
      modelName: 'llama-model',
      replicas: { ready: 1, desired: 2 },
      // not paused: the model detail disables Resume with that reason
      paused: false,
    });
    expect(llama!.health).toMatchObject({ ready: 1, desired: 2, restarts: 10, pods: 2 });
    expect(llama!.health.failingPods).toEqual([
      { name: 'llama-abc-2', reason: 'CrashLoopBackOff', message: null, since: null },
    ]);
    expect(llama!.health.warningEvents.map((e) => `${e.object}:${e.reason}`).sort()).toEqual([
      'Deployment/llama:ProgressDeadlineExceeded',
      'Pod/llama-abc-2:BackOff',
      'ReplicaSet/llama-abc:FailedCreate',
    ]);
    expect(llama!.route).toMatchObject({
      kind: 'HTTPRoute',
      name: 'chat',
      rule: 0,
      backend: 'llama-svc',
      share: 0.75,
    });
  });
});

describe('mapping rules', () => {
  const objects = (deployments: unknown[]) =>
    ({
      deployments,
      statefulSets: [],
      rollouts: [],
      inferenceServices: [],
      inferencePods: [],
    }) as unknown as Parameters<typeof modelServicesFrom>[0];

  it('the defaults are valid rules and give what modelServicesFrom always gave', () => {
    expect(MappingRulesSchema.parse(DEFAULT_MAPPING_RULES)).toEqual(DEFAULT_MAPPING_RULES);
    const ds = [
      deployment('a', 'x', 'nvcr.io/nvidia/tritonserver:24.08'),
      deployment('b', 'x', 'registry/custom:1'),
    ];
    expect(modelServicesFrom(objects(ds), DEFAULT_MAPPING_RULES)).toEqual(modelServicesFrom(objects(ds)));
  });

  it('labels, image patterns, GPU workloads and ignored namespaces can be changed', () => {
    const rules: MappingRules = {
      ...DEFAULT_MAPPING_RULES,
      serviceSelectors: ['team=ml,tier!=batch'],
      nameLabel: 'app',
      serverKindLabel: 'example.com/server',
      modelNameLabel: 'example.com/model',
      imageRules: [{ pattern: '^registry/llm-', serverKind: 'vllm' }],
      gpuWorkloads: false,
      ignoreNamespaces: ['scratch'],
    };
    const plain = deployment('plain', 'x', 'registry/plain:1');
    noGpu(plain);
    const labelled = {
      ...deployment('labelled', 'x', 'registry/other:1', {
        team: 'ml',
        app: 'Labelled',
        'example.com/model': 'm1',
      }),
    };
    const batch = deployment('batch', 'x', 'registry/other:1', { team: 'ml', tier: 'batch' });
    const llm = deployment('custom', 'x', 'registry/llm-server:2', { 'example.com/server': 'triton' });
    const ignored = deployment('ign', 'scratch', 'registry/llm-server:2');
    const gpuOnly = deployment('gpu', 'x', 'registry/other:1'); // requests a GPU, but gpuWorkloads is off
    noGpu(batch);
    noGpu(labelled);
    const found = modelServicesFrom(objects([plain, labelled, batch, llm, ignored, gpuOnly]), rules);
    expect(found.map((m) => [m.id, m.name, m.serverKind, m.modelName])).toEqual([
      ['x/Deployment/custom', 'custom', 'triton', 'custom-model'],
      ['x/Deployment/labelled', 'Labelled', 'generic', 'm1'],
    ]);
  });

  it('label selectors: key, !key, key=value, key!=value', () => {
    expect(labelSelectorMatcher('a')({ a: '1' })).toBe(true);
    expect(labelSelectorMatcher('!a')({ a: '1' })).toBe(false);
    expect(labelSelectorMatcher('a=1, b==2')({ a: '1', b: '2' })).toBe(true);
    expect(labelSelectorMatcher('a!=1')({})).toBe(true);
    expect(labelSelectorMatcher('a in (x)')({ a: 'x' })).toBe(false); // not supported: matches nothing
  });

  it('rules are validated: label keys, regular expressions, server kinds', () => {
    const bad = (patch: Partial<MappingRules>) =>
      MappingRulesSchema.safeParse({ ...DEFAULT_MAPPING_RULES, ...patch }).success;
    expect(bad({ nameLabel: 'has spaces' })).toBe(false);
    expect(bad({ imageRules: [{ pattern: '(unclosed', serverKind: 'vllm' }] })).toBe(false);
    expect(bad({ imageRules: [{ pattern: 'ok', serverKind: 'nope' as 'vllm' }] })).toBe(false);
    expect(bad({ nameLabel: 'example.com/name' })).toBe(true);
  });
});

describe('what the inventory keeps of an object', () => {
  it('drops managedFields (manager names only on workloads), last-applied and env values; wrong types are left out', () => {
    const d = projectWorkload('Deployment')(deployment('llama', 'llm', 'vllm/vllm-openai:1'))!;
    expect(d.metadata.managedFields).toEqual([{ manager: 'argocd-controller' }]);
    expect(d.metadata.annotations).toEqual({ 'kubernetes.io/change-cause': 'bump' });
    expect(JSON.stringify(d)).not.toContain('secret-value');
    expect(JSON.stringify(d)).not.toContain('HF_TOKEN');
    const hostile = projectPod({
      metadata: {
        name: 'p',
        namespace: 'n',
        labels: { ok: 'yes', bad: { nested: 1 } },
        ownerReferences: 'nope',
      },
      spec: { containers: { not: 'an array' }, nodeName: 42 },
      status: {
        phase: 7,
        conditions: [{ type: 'Ready', status: true }, 'junk'],
        containerStatuses: [{ name: 'c', restartCount: 'many' }],
      },
    })!;
    expect(hostile).toEqual({
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'n', uid: '', resourceVersion: '', labels: { ok: 'yes' } },
      spec: { gpus: 0 },
      status: { conditions: [], containerStatuses: [{ name: 'c', ready: false, restartCount: 0 }] },
    });
    expect(projectPod({ metadata: { namespace: 'n' } })).toBeNull(); // no name
    expect(projectPod('not an object')).toBeNull();
  });

  it('a list page: items projected, continue and resourceVersion read; a page that is not a list is refused', () => {
    const page = parseListPage(
      'Pod',
      Buffer.from(
        JSON.stringify({
          kind: 'PodList',
          metadata: { resourceVersion: '9', continue: 'c1' },
          items: [{ metadata: { name: 'a', namespace: 'n' } }, { junk: true }],
        }),
      ),
    );
    expect(page.items.map((p) => p.metadata.name)).toEqual(['a']);
    expect(page).toMatchObject({ continue: 'c1', resourceVersion: '9' });
    expect(() => parseListPage('Pod', '{"items": 3}')).toThrow(/not a list/);
    expect(() => parseListPage('Pod', '<html>')).toThrow(/not JSON/);
  });
});
