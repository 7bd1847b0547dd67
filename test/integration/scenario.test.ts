/**
 * One story across the servers: the scenario seeded into the Kubernetes API test server (revisions made by
 * its deployment controller, read back with the real kubectl), the metrics naming the pods that server made,
 * and the Cost Explorer test server's totals matching the GPU-hours x prices behind the OpenCost metrics.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CostExplorerClient, GetCostAndUsageCommand, type ResultByTime } from '@aws-sdk/client-cost-explorer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CONTEXT, seedKube } from '../harness';
import { startCostExplorerServer, type CostExplorerServer } from '../harness/cost-explorer';
import { conditionsFromKube } from '../harness/exporter';
import { startKubeApiServer, type KubeApiServer } from '../harness/kube';
import { createScenario, type Scenario } from '../harness/scenario';

const run = promisify(execFile);
const SEED = 99;
const DAYS = 35;

let kube: KubeApiServer;
let costs: CostExplorerServer;
let scenario: Scenario;
let podNames: Record<string, Record<number, string[]>>;
let work: string;
let kubeconfig: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'firebreak-scenario-'));
  const story = createScenario({ seed: SEED });
  kube = await startKubeApiServer({ seed: SEED });
  ({ podNames } = await seedKube(kube, story));
  scenario = createScenario({ seed: SEED, now: story.now, podNames });
  kubeconfig = kube.writeKubeconfig(join(work, 'kubeconfig'), { contextName: SANDBOX_CONTEXT });
  costs = await startCostExplorerServer({
    records: scenario.dailyCosts({ days: DAYS }),
    today: scenario.now.toISOString().slice(0, 10),
  });
});

afterAll(async () => {
  await costs?.stop();
  await kube?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<string> {
  const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(work, 'kube-cache') };
  const { stdout } = await run('kubectl', ['--context', SANDBOX_CONTEXT, ...args], { env, timeout: 30_000 });
  return stdout;
}

describe('the scenario in the Kubernetes API test server', () => {
  it('has revision 1 (good image) and revision 2 (bad image, live) of llama-70b-chat, as kubectl reads them', async () => {
    const history = await kubectl('-n', 'llm', 'rollout', 'history', 'deployment/llama-70b-chat');
    const rows = history
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^\d+\s/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^1\s+Deploy llama-70b-chat on vllm\/vllm-openai:v0\.6\.3$/);
    expect(rows[1]).toMatch(/^2\s+Upgrade llama-70b-chat to vllm\/vllm-openai:v0\.6\.4/);
    const image = await kubectl(
      '-n',
      'llm',
      'get',
      'deployment',
      'llama-70b-chat',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    );
    expect(image).toBe(scenario.incident.badImage);
    const route = JSON.parse(await kubectl('-n', 'llm', 'get', 'httproute', 'chat', '-o', 'json')) as {
      spec: { rules: Array<{ backendRefs: Array<{ name: string; weight: number }> }> };
    };
    expect(route.spec.rules[0]!.backendRefs.map((b) => `${b.name}=${b.weight}`)).toEqual([
      'llama-70b-chat=100',
      'llama-8b-chat=0',
    ]);
    const isvc = await kubectl(
      '-n',
      'nlp',
      'get',
      'inferenceservice',
      'bert-sentiment',
      '-o',
      'jsonpath={.metadata.annotations}',
    );
    expect(isvc).toContain('Serverless');
  });

  it('names in the metrics the pods its controller made, for both revisions', () => {
    const rev1 = podNames['llama-70b-chat']![1]!;
    const rev2 = podNames['llama-70b-chat']![2]!;
    expect(rev1).toHaveLength(4);
    expect(rev2).toHaveLength(4);
    expect(rev1.some((p) => rev2.includes(p))).toBe(false);
    const live = kube.store
      .list('v1', 'Pod', 'llm')
      .filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'llama-70b-chat')
      .map((p) => p.metadata.name)
      .sort();
    expect(live).toEqual(rev2);

    const b = scenario.backfill();
    const podsInHistory = (t: number) => {
      const k = b.times.indexOf(t);
      return new Set(
        b.defs
          .filter(
            (d) =>
              d.name === 'http_requests_total' &&
              d.labels.pod?.startsWith('llama-70b-chat-') &&
              !Number.isNaN(b.values[d.id]![k]!),
          )
          .map((d) => d.labels.pod),
      );
    };
    const incident = scenario.incident.startsAt.getTime() / 1000;
    expect([...podsInHistory(incident - 60)].sort()).toEqual(rev1);
    expect([...podsInHistory(b.times[b.times.length - 1]!)].sort()).toEqual(rev2);

    // live samples, with the conditions read from the API server: the same pods on the same GPUs
    const conditions = conditionsFromKube(scenario, kube.store)();
    expect(conditions.pods['llama-70b-chat']).toEqual(rev2);
    expect([...conditions.broken]).toEqual(['llama-70b-chat']);
    const samples = scenario.sampleAt(
      scenario.now.getTime() / 1000 + 15,
      scenario.initialLiveState(),
      conditions,
    );
    const gpuPods = new Set(
      samples
        .filter((s) => s.def.name === 'DCGM_FI_DEV_GPU_UTIL' && s.def.labels.Hostname === 'gpu-h100-a')
        .map((s) => s.def.labels.pod),
    );
    expect([...gpuPods].sort()).toEqual(rev2);
  });
});

describe('the scenario in the Cost Explorer test server', () => {
  it("answers GetCostAndUsage by model with the scenario's GPU-hours x prices", async () => {
    const client = new CostExplorerClient({
      endpoint: costs.url,
      region: 'us-east-1',
      credentials: costs.credentials,
    });
    const records = scenario.dailyCosts({ days: DAYS });
    const start = records[0]!.date;
    const today = scenario.now.toISOString().slice(0, 10);
    const results: ResultByTime[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: start, End: today },
          Granularity: 'DAILY',
          Metrics: ['UnblendedCost'],
          GroupBy: [{ Type: 'TAG', Key: 'model' }],
          NextPageToken: token,
        }),
      );
      results.push(...(page.ResultsByTime ?? []));
      token = page.NextPageToken;
    } while (token);

    const cents = (usd: string) => Math.round(Number(usd) * 100);
    const byKey = new Map<string, number>();
    for (const r of results) {
      for (const g of r.Groups ?? []) {
        const key = g.Keys![0]!;
        byKey.set(key, (byKey.get(key) ?? 0) + cents(g.Metrics!.UnblendedCost!.Amount!));
      }
    }
    const expected = new Map<string, number>();
    for (const r of records) {
      const key = `model$${r.tags.model ?? ''}`;
      expected.set(key, (expected.get(key) ?? 0) + cents(r.unblendedCost));
    }
    expect(Object.fromEntries(byKey)).toEqual(Object.fromEntries(expected));
    expect(byKey.get('model$')).toBeGreaterThan(0);

    // the fleet per day: OpenCost's node prices (as the exporter serves them) x 24 h
    const samples = scenario.sampleAt(scenario.now.getTime() / 1000 + 5, scenario.initialLiveState());
    const fleetPerHour = samples
      .filter((s) => s.def.name === 'node_total_hourly_cost')
      .reduce((sum, s) => sum + s.value, 0);
    const total = [...byKey.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(Math.round(fleetPerHour * 24 * 100) * DAYS);
    expect(total).toBe(DAYS * 494016);
  });
});
