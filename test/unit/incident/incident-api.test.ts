import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppApi } from '../../../main/api';
import type { Channel, ChannelInput, ChannelOutput } from '../../../shared/contract';
import type { AppErrorData } from '../../../shared/errors';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-incident-api-'));
let api: Awaited<ReturnType<typeof createAppApi>>;

async function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const r = await api.dispatcher.invoke(channel, input);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as ChannelOutput<C>;
}
async function refusal(channel: Channel, input: unknown): Promise<AppErrorData> {
  const r = await api.dispatcher.invoke(channel, input);
  if (r.ok) throw new Error(`${channel} was not refused`);
  return r.error;
}

beforeAll(async () => {
  // no kubeconfig anywhere: the first start a newcomer has
  api = await createAppApi({
    storePath: path.join(work, 'store.sqlite'),
    transport: 'memory',
    version: 'test',
    env: { HOME: work },
    checkOutputs: true,
  });
});
afterAll(async () => {
  await api.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('incidents with no cluster: the sample, replay, file and postmortem', () => {
  it('opens the bundled sample read-only, replays any moment and writes the postmortem', async () => {
    const list = await call('incident.list', {});
    expect(list.sampleAvailable).toBe(true);
    expect(list.recorder.state).toBe('off');
    const inc = await call('incident.openSample', {});
    expect(inc).toMatchObject({ origin: 'sample', readonly: true, status: 'resolved' });
    const early = await call('incident.warRoom', { id: inc.id, at: '2026-10-14T17:10:00Z' });
    const during = await call('incident.warRoom', { id: inc.id, at: '2026-10-14T17:22:00Z' });
    const involved = (r: typeof early) => r.tiles.find((t) => t.role === 'involved')!;
    expect(involved(early).image).toBe('vllm/vllm-openai:v0.6.3');
    expect(involved(during).image).toBe('vllm/vllm-openai:v0.6.4');
    expect(involved(during).trafficShare).toBe(0); // the route moved to the fallback
    expect(during.live).toBe(false);
    expect(typeof during.cursorEntryId).toBe('number');
    // with no position, a replay shows the end of the capture, not the minutes after it
    const end = await call('incident.warRoom', { id: inc.id });
    expect(end.at).toBe(end.capture.to);
    const diff = await call('incident.diff', {
      id: inc.id,
      from: '2026-10-14T17:10:00Z',
      to: '2026-10-14T17:22:00Z',
    });
    expect(diff.changes[0]!.object).toBe('Deployment llm/llama-70b-chat');
    const page = await call('incident.timeline', { id: inc.id, sources: ['action'] });
    expect(page.entries.map((e) => e.summary.split(' ')[0])).toEqual(['traffic', 'rollback', 'traffic']);
    expect((await refusal('incident.note', { id: inc.id, text: 'x' })).message).toMatch(/read-only/);

    const pm = await call('incident.postmortem', { id: inc.id });
    for (const h of [
      'Summary',
      'Impact',
      'Trigger',
      'Detection',
      'Response',
      'Recovery',
      'Timeline',
      'Root cause',
      'Action items',
    ])
      expect(pm.markdown).toMatch(new RegExp(`^## ${h}`, 'm'));
    expect(pm.markdown).toContain('```mermaid');
    expect(pm.files.some((f) => f.name.endsWith('.svg'))).toBe(true);
    for (const f of pm.files) expect(fs.existsSync(path.join(pm.dir, f.name))).toBe(true);
    expect(pm.markdown).toMatch(/Audit chain verified/);
  });

  it('exports the incident file and reopens it; a file of an incident in the own store is refused, changing nothing', async () => {
    const file = await call('incident.export', { id: 'inc-2026-10-14-sample' });
    const reopened = await call('incident.open', file);
    expect(reopened).toMatchObject({ id: 'inc-2026-10-14-sample', origin: 'file' });
    const bad = Buffer.from(file.base64, 'base64');
    const cut = { fileName: 'cut.fbi', base64: bad.subarray(0, bad.length - 10).toString('base64') };
    expect((await refusal('incident.open', cut)).message).toMatch(/truncated/);
    expect(
      (await refusal('incident.open', { fileName: 'x.fbi', base64: Buffer.from('hello').toString('base64') }))
        .message,
    ).toMatch(/not a Firebreak incident file/);

    const declared = await call('incident.declare', {
      title: 'mine',
      severity: 'SEV3',
      models: [
        {
          serviceId: 'llm/Deployment/llama-70b-chat',
          name: 'llama-70b-chat',
          serverKind: 'vllm',
          modelName: 'llama-70b-chat',
          fallbackId: null,
        },
      ],
    });
    const mine = await call('incident.export', { id: declared.id });
    const before = await call('audit.list', { limit: 100 });
    const refused = await refusal('incident.open', mine);
    expect(refused.message).toMatch(/already in your own store/);
    expect(await call('audit.list', { limit: 100 })).toEqual(before);
    const { open, past } = await call('incident.list', {});
    expect(open.map((i) => i.id)).toContain(declared.id);
    expect(past.map((i) => i.id)).toContain('inc-2026-10-14-sample');
  });

  it('declare, note, correct a milestone, resolve: every change audited, order checked', async () => {
    const inc = await call('incident.declare', {
      title: 'chat down',
      severity: 'SEV1',
      models: [
        {
          serviceId: 'llm/Deployment/llama-8b-chat',
          name: 'llama-8b-chat',
          serverKind: 'vllm',
          modelName: 'llama-8b-chat',
          fallbackId: null,
        },
      ],
    });
    await call('incident.note', { id: inc.id, text: 'paging the model team' });
    const updated = await call('incident.update', { id: inc.id, severity: 'SEV2' });
    expect(updated.severity).toBe('SEV2');
    const ack = updated.milestones.find((m) => m.name === 'acknowledged')!;
    const t = new Date(Date.parse(inc.declaredAt) - 60_000).toISOString();
    const corrected = await call('incident.correctMilestone', {
      id: inc.id,
      milestone: 'started',
      at: t,
      reason: 'users reported it a minute earlier',
    });
    expect(corrected.milestones.find((m) => m.name === 'started')).toMatchObject({
      at: t,
      corrected: { reason: 'users reported it a minute earlier' },
    });
    if (ack.at) {
      const late = new Date(Date.parse(ack.at) + 3600_000).toISOString();
      expect(
        (
          await refusal('incident.correctMilestone', {
            id: inc.id,
            milestone: 'started',
            at: late,
            reason: 'x',
          })
        ).message,
      ).toMatch(/would come after/);
    }
    const closed = await call('incident.resolve', { id: inc.id });
    expect(closed.status).toBe('resolved');
    const actions = (await call('audit.list', { limit: 10 })).map((e) => e.action);
    expect(actions.slice(0, 5)).toEqual([
      'incident.resolve',
      'incident.correctMilestone',
      'incident.update',
      'incident.note',
      'incident.declare',
    ]);
    expect((await call('audit.verify', {})).ok).toBe(true);
  });
});
