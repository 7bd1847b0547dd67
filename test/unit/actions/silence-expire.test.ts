/**
 * Expiring a silence through the action pipeline, against a fake Alertmanager: the preview (what notifies
 * again), the typed confirmation, the DELETE and the check that it took effect, the audit entry; the gates
 * around it (an unknown id, one already ended, a path that is not an id).
 */
import { describe, expect, it } from 'vitest';
import { ActionPipeline } from '../../../main/actions/pipeline';
import { expireSilenceAction, planExpire } from '../../../main/actions/silenceExpire';
import { AlertmanagerClient, type AmAlert, type AmSilence } from '../../../main/metrics/alertmanager';
import { openStore } from '../../../main/store';
import { tempStorePath } from '../../fixtures/store/files';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const silence = (id: string, state: AmSilence['status']['state'] = 'active'): AmSilence => ({
  id,
  matchers: [
    { name: 'alertname', value: 'GPUIdle', isRegex: false, isEqual: true },
    { name: 'namespace', value: 'ml-batch', isRegex: false, isEqual: true },
  ],
  startsAt: '2026-12-03T09:00:00.000Z',
  endsAt: '2026-12-03T12:00:00.000Z',
  createdBy: 'ana',
  comment: 'queue empty',
  status: { state },
});
const alert = (fingerprint: string, silencedBy: string[]): AmAlert => ({
  labels: { alertname: 'GPUIdle', namespace: 'ml-batch' },
  annotations: {},
  fingerprint,
  status: { state: silencedBy.length ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] },
});

/** A real HTTP Alertmanager stand-in: the v2 paths the client uses, with the requests it got. */
async function fakeAlertmanager(silences: AmSilence[], alerts: AmAlert[]) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const del = /^\/api\/v2\/silence\/([^/?]+)$/.exec(req.url ?? '');
    if (req.method === 'DELETE' && del) {
      const s = silences.find((x) => x.id === decodeURIComponent(del[1]!));
      if (!s) return json(404, 'silence not found');
      s.status.state = 'expired';
      for (const a of alerts) {
        a.status.silencedBy = (a.status.silencedBy ?? []).filter((id) => id !== s.id);
        if (!a.status.silencedBy.length) a.status.state = 'active';
      }
      res.writeHead(200);
      return res.end();
    }
    if (req.url === '/api/v2/silences') return json(200, silences);
    if (req.url?.startsWith('/api/v2/alerts')) return json(200, alerts);
    json(404, 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('expiring a silence', () => {
  it('previews what notifies again, expires on confirmation, checks it, and audits before and after', async () => {
    const am = await fakeAlertmanager(
      [silence('s-1'), silence('s-2')],
      [alert('a1', ['s-1']), alert('a2', ['s-1', 's-2']), alert('a3', [])],
    );
    const store = openStore(tempStorePath());
    try {
      const config = { url: am.url, auth: { kind: 'none' as const } };
      const request = { type: 'expireSilence' as const, silenceId: 's-1' };
      const pipeline = new ActionPipeline({ store, actor: 'ana@laptop' });
      const prepared = pipeline.prepareExternal(
        request,
        await expireSilenceAction(config, 'ana@laptop', request, { pollMs: 5 }),
      );
      expect(prepared.confirmPhrase).toBe('GPUIdle');
      expect(prepared.target).toMatchObject({ kind: 'Silence', uid: 's-1' });
      expect(prepared.summary).toBe(
        'Expire silence s-1 (alertname="GPUIdle", namespace="ml-batch", by ana) now: 1 alert it silences will notify again',
      );
      expect(prepared.diff.filter((d) => d.before === 'silenced').map((d) => d.after)).toEqual([
        'firing (notifies again)',
        'still silenced by another silence',
      ]);
      expect(prepared.warnings).toEqual(['1 alert will start notifying (paging) again as soon as it ends.']);
      expect(am.requests.some((r) => r.startsWith('DELETE'))).toBe(false);

      await expect(pipeline.execute(prepared.id, 'GPU')).rejects.toMatchObject({ code: 'ACTION_REFUSED' });
      expect(am.requests.some((r) => r.startsWith('DELETE'))).toBe(false);

      const again = pipeline.prepareExternal(
        request,
        await expireSilenceAction(config, 'ana@laptop', request, { pollMs: 5 }),
      );
      const outcome = await pipeline.execute(again.id, 'GPUIdle');
      expect(outcome.status).toBe('done');
      expect(outcome.message).toBe(
        'Silence s-1 has expired; 1 alert it silenced is firing and notifying again.',
      );
      expect(am.requests.filter((r) => r.startsWith('DELETE'))).toEqual(['DELETE /api/v2/silence/s-1']);
      const entry = store.audit.list({ limit: 5 }).find((e) => e.seq === outcome.auditSeq)!;
      expect(entry).toMatchObject({
        action: 'expireSilence',
        result: 'done',
        target: 'Silence alertname="GPUIdle", namespace="ml-batch" id=s-1',
      });
      expect(entry.details.before).toMatchObject({ silence: { id: 's-1', state: 'active' } });
      expect(entry.details.after).toMatchObject({ silenceId: 's-1', state: 'expired' });

      // already ended: nothing to do
      const client = new AlertmanagerClient(config);
      expect((await planExpire(client, request)).noop).toMatch(/^Silence s-1 already ended/);
      await expect(planExpire(client, { ...request, silenceId: 'nope' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(client.expireSilence('../alerts')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(client.expireSilence('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      store.close();
      await am.close();
    }
  });

  it('says so when no Alertmanager is set', async () => {
    await expect(
      expireSilenceAction(null, 'ana', { type: 'expireSilence', silenceId: 's-1' }),
    ).rejects.toMatchObject({ code: 'NOT_CONFIGURED' });
  });
});
