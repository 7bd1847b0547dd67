import { describe, expect, it } from 'vitest';
import type { Alert, AlertList } from '../../../shared/alerts';
import { createAlertsStore, firingCount, newCriticalAlerts } from '../../../renderer/state/alerts';
import { scriptedTransport } from '../renderer/scriptedTransport';

const alert = (fingerprint: string, severity: string, state: Alert['state'] = 'firing'): Alert => ({
  fingerprint,
  name: `Alert-${fingerprint}`,
  state,
  severity,
  summary: `summary ${fingerprint}`,
  description: null,
  labels: {},
  annotations: {},
  runbookUrl: null,
  startsAt: null,
  silencedBy: [],
  source: 'alertmanager',
});

const list = (...alerts: Alert[]): AlertList => ({
  fetchedAt: '2026-12-03T10:00:00Z',
  groups: [{ key: 'g', label: 'llama-70b-chat', serviceId: null, alerts }],
  counts: {
    firing: alerts.filter((a) => a.state === 'firing').length,
    pending: alerts.filter((a) => a.state === 'pending').length,
    suppressed: alerts.filter((a) => a.state === 'suppressed').length,
  },
  alertmanager: { status: 'ok' },
  prometheus: { status: 'ok' },
  silences: [],
});

describe('Alerts badge and toasts', () => {
  it('counts the firing alerts for the badge (none before the first answer)', () => {
    expect(firingCount(undefined)).toBeNull();
    expect(
      firingCount(list(alert('a', 'critical'), alert('b', 'warning'), alert('c', 'critical', 'pending'))),
    ).toBe(2);
  });

  it('a critical alert is news once: not on the first look, not again while it keeps firing', () => {
    const first = newCriticalAlerts(null, list(alert('a', 'critical')));
    expect(first.fresh).toEqual([]);
    const second = newCriticalAlerts(
      first.seen,
      list(alert('a', 'critical'), alert('b', 'critical'), alert('w', 'warning')),
    );
    expect(second.fresh.map((t) => t.name)).toEqual(['Alert-b']);
    expect(second.fresh[0]).toMatchObject({ group: 'llama-70b-chat', summary: 'summary b' });
    const third = newCriticalAlerts(second.seen, list(alert('a', 'critical'), alert('b', 'critical')));
    expect(third.fresh).toEqual([]);
    // silenced or pending is not firing: no toast; it resolving and firing again is news again
    const gone = newCriticalAlerts(third.seen, list(alert('a', 'critical', 'suppressed')));
    expect(gone.fresh).toEqual([]);
    expect(newCriticalAlerts(gone.seen, list(alert('b', 'Critical'))).fresh.map((t) => t.name)).toEqual([
      'Alert-b',
    ]);
  });

  it('the store raises one toast per new critical alert, each dismissable', async () => {
    const answers = [
      list(alert('a', 'critical')),
      list(alert('a', 'critical'), alert('b', 'critical'), alert('c', 'critical')),
    ];
    let i = 0;
    const { transport } = scriptedTransport({
      'alerts.list': () => ({ ok: true, value: answers[Math.min(i++, answers.length - 1)] }),
    });
    const store = createAlertsStore(() => transport);
    await store.getState().load();
    expect(store.getState().toasts).toEqual([]);
    await store.getState().load();
    expect(store.getState().toasts.map((t) => t.name)).toEqual(['Alert-b', 'Alert-c']);
    await store.getState().load();
    expect(store.getState().toasts).toHaveLength(2);
    store.getState().dismissToast(store.getState().toasts[0]!.fingerprint);
    expect(store.getState().toasts.map((t) => t.name)).toEqual(['Alert-c']);
  });
});
