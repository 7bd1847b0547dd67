/**
 * Nodes in the flight recorder: the trimmed projection (nothing sensitive), node condition and taint changes on the
 * timeline and in the ranked changes (only nodes that host the involved models' pods rank), and a rollout that
 * happened before the first capture dated by its ReplicaSet.
 */
import { describe, expect, it } from 'vitest';
import { diffObjects, fieldChanges, type CapturedObject } from '../../../main/incident/changes';
import { ingest, newMemory, type CaptureFrame } from '../../../main/incident/recorder';
import { projectNode, projectPod, projectReplicaSet } from '../../../main/kube/inventory/objects';
import { openStore } from '../../../main/store';

const T0 = Date.parse('2026-10-14T17:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const MODELS = [{ serviceId: 'llm/Deployment/llama', name: 'llama', namespace: 'llm' }];

function rawNode(
  name: string,
  over: { ready?: string; reason?: string; taints?: object[]; rv?: string } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: over.rv ?? '1',
      labels: {
        'kubernetes.io/hostname': name,
        'node.kubernetes.io/instance-type': 'p5.48xlarge',
        'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3',
        'nvidia.com/gpu.count': '8',
        'team-secret-label': 'x',
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'csi.volume.kubernetes.io/nodeid': '{"ebs":"i-0abc"}',
      },
    },
    spec: {
      providerID: 'aws:///us-east-1a/i-0abc',
      podCIDR: '10.0.1.0/24',
      taints: over.taints ?? [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
    },
    status: {
      allocatable: { cpu: '192', 'nvidia.com/gpu': '8', memory: '2Ti' },
      addresses: [{ type: 'InternalIP', address: '10.0.1.17' }],
      conditions: [
        {
          type: 'Ready',
          status: over.ready ?? 'True',
          reason: over.reason ?? 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: iso(T0 + Math.random() * MIN),
          lastTransitionTime: iso(T0 - 60 * MIN),
        },
      ],
      nodeInfo: { machineID: 'ec2abc', bootID: 'b007', kubeletVersion: 'v1.30.4' },
      images: [{ names: ['vllm/vllm-openai:v0.6.4'], sizeBytes: 1 }],
    },
  };
}
const node = (name: string, over: Parameters<typeof rawNode>[1] = {}) =>
  projectNode(rawNode(name, over)) as unknown as CapturedObject;

const pod = (name: string, nodeName: string) =>
  projectPod({
    metadata: { name, namespace: 'llm', uid: `uid-${name}`, resourceVersion: '1' },
    spec: { nodeName, containers: [{ name: 'vllm', image: 'vllm:v0.6.4' }] },
    status: { phase: 'Running' },
  }) as unknown as CapturedObject;

describe('the Node projection', () => {
  it('keeps what scheduling and health read, and no address, provider ID, annotation or heartbeat', () => {
    const n = projectNode(rawNode('gpu-a'))!;
    expect(n).toEqual({
      kind: 'Node',
      metadata: {
        name: 'gpu-a',
        namespace: '',
        uid: 'uid-gpu-a',
        resourceVersion: '1',
        labels: {
          'node.kubernetes.io/instance-type': 'p5.48xlarge',
          'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3',
          'nvidia.com/gpu.count': '8',
        },
      },
      spec: { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
      status: {
        allocatableGpus: 8,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', lastTransitionTime: iso(T0 - 60 * MIN) },
        ],
      },
    });
    const text = JSON.stringify(n);
    for (const secret of ['10.0.1.17', 'i-0abc', 'ec2abc', 'b007', 'team-secret-label', 'kubelet is posting'])
      expect(text).not.toContain(secret);
  });

  it('projects a heartbeat-only status update to the same object', () => {
    expect(projectNode(rawNode('gpu-a', { rv: '2' }))!.status).toEqual(projectNode(rawNode('gpu-a'))!.status);
  });
});

describe('node changes', () => {
  it('names the condition and taint that changed', () => {
    const f = fieldChanges(
      node('gpu-a'),
      node('gpu-a', {
        ready: 'False',
        reason: 'KubeletNotReady',
        rv: '2',
        taints: [
          { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
        ],
      }),
    );
    expect(f).toEqual([
      {
        kind: 'node',
        path: 'conditions[Ready]',
        before: 'True (KubeletReady)',
        after: 'False (KubeletNotReady)',
      },
      {
        kind: 'node',
        path: 'taints',
        before: 'nvidia.com/gpu=present:NoSchedule',
        after: 'node.kubernetes.io/not-ready:NoExecute, nvidia.com/gpu=present:NoSchedule',
      },
    ]);
  });

  it('ranks a node change only for the node that hosts the involved models’ pods', () => {
    const before = [node('gpu-a'), node('gpu-b'), pod('llama-1', 'gpu-a'), pod('other-1', 'gpu-b')];
    const after = [
      node('gpu-a', { ready: 'False', reason: 'KubeletNotReady', rv: '2' }),
      node('gpu-b', { ready: 'False', reason: 'KubeletNotReady', rv: '2' }),
      pod('llama-1', 'gpu-a'),
      pod('other-1', 'gpu-b'),
    ];
    const changes = diffObjects(before, after, { models: MODELS });
    const a = changes.find((c) => c.object === 'Node /gpu-a')!;
    const b = changes.find((c) => c.object === 'Node /gpu-b')!;
    expect(a.model).toBe('llm/Deployment/llama');
    expect(a.kinds).toEqual(['node']);
    expect(b.model).toBeNull();
    expect(a.rank).toBeGreaterThan(b.rank);
  });
});

const frame = (atMs: number, objects: CapturedObject[]): CaptureFrame => ({
  atMs,
  context: 'test',
  mode: 'incident',
  objects,
  events: [],
  alerts: [],
  series: [],
  actions: [],
  models: MODELS,
});

describe('the recorder and nodes', () => {
  it('puts a node condition change on the timeline, as a change of the model it hosts', () => {
    const store = openStore(':memory:');
    const mem = newMemory();
    const p = pod('llama-1', 'gpu-a');
    ingest(store, frame(T0, [node('gpu-a'), p]), mem);
    ingest(
      store,
      frame(T0 + 15_000, [node('gpu-a', { ready: 'Unknown', reason: 'NodeStatusUnknown', rv: '2' }), p]),
      mem,
    );
    const rows = store.incidents.timeline({ fromMs: 0, toMs: T0 + MIN, sources: ['change'] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      object: 'Node /gpu-a',
      model: 'llm/Deployment/llama',
      atMs: T0 + 15_000,
      summary: 'Node /gpu-a: conditions[Ready] True (KubeletReady) → Unknown (NodeStatusUnknown)',
    });
  });

  it('dates a node condition that changed in the hour before the first capture when it changed, once', () => {
    const store = openStore(':memory:');
    const raw = rawNode('gpu-a', { ready: 'False', reason: 'KubeletNotReady' });
    const down = T0 - 10 * MIN;
    raw.status.conditions[0]!.lastTransitionTime = iso(down);
    const old = rawNode('gpu-b', { ready: 'False', reason: 'KubeletNotReady' }); // since 60 min: before the pre-roll
    const objects = [
      projectNode(raw),
      projectNode(old),
      pod('llama-1', 'gpu-a'),
    ] as unknown as CapturedObject[];
    ingest(store, frame(T0, objects), newMemory());
    ingest(store, frame(T0 + 15_000, objects), newMemory()); // a restart: a first capture again
    const rows = store.incidents.timeline({ fromMs: 0, toMs: T0 + MIN, sources: ['change'] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      atMs: down,
      object: 'Node /gpu-a',
      model: 'llm/Deployment/llama',
      tone: 'warning',
      summary: 'Node /gpu-a: conditions[Ready] → False (KubeletNotReady) (before the first capture)',
    });
  });

  it('gives an event about a node to the model it hosts, and an event about a pod to the pod’s model', () => {
    const store = openStore(':memory:');
    const ev = (kind: string, namespace: string, name: string, reason: string) => ({
      uid: `ev-${name}`,
      type: 'Warning',
      reason,
      message: `${reason} on ${name}`,
      count: 1,
      firstMs: T0,
      lastMs: T0,
      object: `${kind} ${namespace}/${name}`,
      namespace,
      name,
    });
    ingest(
      store,
      {
        ...frame(T0, [node('gpu-a'), node('gpu-b'), pod('llama-1', 'gpu-a')]),
        events: [
          ev('Node', '', 'gpu-a', 'NodeNotReady'),
          ev('Node', '', 'gpu-b', 'NodeNotReady'), // hosts none of the models
          ev('Pod', 'llm', 'llama-1', 'BackOff'),
        ],
      },
      newMemory(),
    );
    const rows = store.incidents.timeline({ fromMs: 0, toMs: T0 + MIN, sources: ['event'] }).rows;
    expect(rows.map((r) => [r.object, r.model]).sort()).toEqual([
      ['Node /gpu-a', 'llm/Deployment/llama'],
      ['Node /gpu-b', null],
      ['Pod llm/llama-1', 'llm/Deployment/llama'],
    ]);
  });

  it('dates a ReplicaSet made before the first capture (a rollout in the pre-roll) when it was created', () => {
    const store = openStore(':memory:');
    const mem = newMemory();
    const rs = (name: string, revision: string, image: string, createdMs: number) =>
      projectReplicaSet({
        metadata: {
          name,
          namespace: 'llm',
          uid: `uid-${name}`,
          resourceVersion: revision,
          creationTimestamp: iso(createdMs),
          annotations: { 'deployment.kubernetes.io/revision': revision },
        },
        spec: { replicas: 4, template: { spec: { containers: [{ name: 'vllm', image }] } } },
        status: {},
      }) as unknown as CapturedObject;
    const objects = [
      rs('llama-aaa', '1', 'vllm:v0.6.3', T0 - 30 * 24 * 60 * MIN),
      rs('llama-bbb', '2', 'vllm:v0.6.4', T0 - 45 * MIN),
    ];
    ingest(store, frame(T0, objects), mem);
    // a restart of the console captures the same objects first again: still one row
    ingest(store, frame(T0 + 5 * MIN, objects), newMemory());
    const rows = store.incidents.timeline({ fromMs: 0, toMs: T0 + MIN, sources: ['change'] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      atMs: T0 - 45 * MIN,
      model: 'llm/Deployment/llama',
      object: 'ReplicaSet llm/llama-bbb',
      summary: 'ReplicaSet llm/llama-bbb: created (revision 2, vllm:v0.6.4)',
    });
  });
});
