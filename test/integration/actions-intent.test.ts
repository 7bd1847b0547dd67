/**
 * The pipeline's audit intent and its effect wait, against the Kubernetes API test server: an action a previous
 * run left started is settled on the next start from what the cluster shows, and a write's effect is seen through
 * the inventory's watch (the pipeline's own polling is set far beyond the test's patience).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi } from '../../main/api';
import { ActionPipeline } from '../../main/actions/pipeline';
import { Connections } from '../../main/kube/connections';
import { openStore } from '../../main/store';
import type { AuditEntry } from '../../shared/audit';
import { seedKube } from '../harness';
import { startKubeApiServer, type KubeApiServer } from '../harness/kube';
import { createScenario } from '../harness/scenario';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-intent-'));
const scenario = createScenario({ historyHours: 1 });
let kube: KubeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  kube = await startKubeApiServer({ readyDelayMs: 30 });
  await seedKube(kube, scenario);
  kubeconfig = kube.writeKubeconfig(path.join(dir, 'kubeconfig'), { contextName: 'sandbox' });
}, 60_000);
afterAll(async () => {
  await kube?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const llama = { kind: 'Deployment', namespace: 'llm', name: 'llama-70b-chat' };
const rvNow = () =>
  kube.store.get('apps/v1', 'Deployment', 'llm', 'llama-70b-chat')?.metadata?.resourceVersion ?? '';

describe('an action left started by a killed process', () => {
  it('is settled on the next start: not-written when the object is as it was, interrupted when it changed', async () => {
    const storePath = path.join(dir, 'store.sqlite');
    const store = openStore(storePath);
    const begin = (resourceVersionBefore: string) =>
      store.audit.begin({
        actor: 'ana@laptop',
        action: 'scale.start',
        target: `Deployment llm/llama-70b-chat uid=x`,
        details: {
          context: 'sandbox',
          summary: 'Scale Deployment llm/llama-70b-chat from 2 to 3 replicas',
          request: { type: 'scale', target: llama, replicas: 3 },
          object: llama,
          resourceVersionBefore,
        },
      });
    const untouched = begin(rvNow());
    const moved = begin('1');
    store.close(); // killed: no outcome

    const api = await createAppApi({
      storePath,
      transport: 'memory',
      version: 'test',
      env: { KUBECONFIG: kubeconfig },
      checkOutputs: true,
    });
    try {
      const list = async () => {
        const r = await api.dispatcher.invoke('audit.list', { limit: 20 });
        if (!r.ok) throw new Error(r.error.message);
        return r.value as AuditEntry[];
      };
      let entries = await list();
      for (let i = 0; i < 100 && entries.length < 4; i++) {
        await new Promise((r) => setTimeout(r, 100));
        entries = await list();
      }
      const outcomeOf = (seq: number) => entries.find((e) => e.details.intent === seq);
      expect(outcomeOf(untouched.seq)).toMatchObject({ action: 'scale', result: 'not-written' });
      expect(outcomeOf(moved.seq)).toMatchObject({ action: 'scale', result: 'interrupted' });
      expect(String(outcomeOf(moved.seq)?.details.message)).toMatch(/the write may have been made/);
      const verify = await api.dispatcher.invoke('audit.verify', {});
      expect(verify).toMatchObject({ ok: true, value: { ok: true, entries: 4 } });
    } finally {
      await api.close();
    }
  }, 30_000);
});

describe('the effect of a write, seen on the inventory’s watch', () => {
  it('a scale is done once the watch sees it ready, without the pipeline polling', async () => {
    const store = openStore(path.join(dir, 'watch.sqlite'));
    const connections = new Connections({ kubeconfig: () => ({ path: kubeconfig, env: {} }) });
    try {
      const conn = connections.connect('sandbox');
      await conn.inventory.whenReady(15_000);
      expect(conn.inventory.kinds()).toContain('Deployment');
      const pipeline = new ActionPipeline({
        store,
        actor: 'ana@laptop',
        pollMs: 600_000,
        watchedPollMs: 600_000,
        effectTimeoutMs: 20_000,
      });
      const target = { kind: 'Deployment' as const, namespace: 'llm', name: 'llama-70b-chat' };
      const prepared = await pipeline.prepare(conn, { type: 'scale', target, replicas: 3 });
      const started = Date.now();
      const outcome = await pipeline.execute(prepared.id, prepared.confirmPhrase);
      expect(outcome).toMatchObject({ status: 'done' });
      expect(Date.now() - started).toBeLessThan(15_000);
      const [entry, intent] = store.audit.list({ limit: 2 });
      expect(intent).toMatchObject({ action: 'scale.start', result: 'started' });
      expect(entry).toMatchObject({ action: 'scale', result: 'done', details: { intent: intent!.seq } });
      expect(store.audit.unfinished()).toEqual([]);
    } finally {
      await connections.close();
      store.close();
    }
  }, 40_000);
});
