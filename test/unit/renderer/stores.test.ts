import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Channel } from '../../../shared/contract';
import type { ModelList } from '../../../shared/models';
import type { SettingsView } from '../../../shared/settings';
import type { AppErrorData } from '../../../shared/errors';
import { createAppStore } from '../../../renderer/state/app';
import { createAuditStore } from '../../../renderer/state/audit';
import { createModelsStore } from '../../../renderer/state/models';
import { contextIndicator, isStale, prometheusIndicator } from '../../../renderer/state/selectors';
import {
  createSettingsStore,
  draftFromSettings,
  draftToUpdate,
  fieldErrorsFrom,
  validateDraft,
} from '../../../renderer/state/settings';
import { watchRefusals } from '../../../renderer/client/guard';
import { createIpcTransport } from '../../../renderer/client/ipc';
import { scriptedTransport, type Handler } from './scriptedTransport';

/** The in-memory transport, scripted by the test; an unknown channel answers UNKNOWN_CHANNEL. */
const fakeTransport = (handlers: Partial<Record<Channel, Handler>>) =>
  scriptedTransport(handlers, () => err('UNKNOWN_CHANNEL'));

const err = (code: AppErrorData['code'], message = `${code} happened`): AppErrorData => ({
  code,
  message,
  hint: 'do something',
});

const list = (n: number, metrics: ModelList['metrics'] = { status: 'ok' }): ModelList => ({
  context: 'firebreak-sandbox',
  fetchedAt: new Date(n).toISOString(),
  models: Array.from({ length: n }, (_, i) => ({
    id: `ns/Deployment/m${i}`,
    name: `m${i}`,
    namespace: 'ns',
    workloadKind: 'Deployment' as const,
    serverKind: 'vllm' as const,
    modelName: `m${i}`,
    replicas: { ready: 1, desired: 1 },
    image: 'repo/x:1',
    requestRate: 1,
    errorRatio: 0,
  })),
  metrics,
});

const flush = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('models store', () => {
  it('idle -> loading -> ready from models.list, then follows models.live every 10 s', async () => {
    let now = 1000;
    const { transport, calls, subs } = fakeTransport({ 'models.list': () => ({ ok: true, value: list(2) }) });
    const store = createModelsStore(() => transport, { clock: () => now });
    expect(store.getState().list.status).toBe('idle');

    store.getState().start();
    expect(store.getState().list.status).toBe('loading');
    await flush();
    expect(store.getState().list).toMatchObject({ status: 'ready', updatedAt: 1000 });
    expect(store.getState().list.data?.models).toHaveLength(2);
    expect(calls.map((c) => c.channel)).toEqual(['models.list']);
    expect(subs).toHaveLength(1);
    expect(subs[0]!.params).toEqual({ intervalS: 10 });
    expect(store.getState().live).toBe('connecting');

    now = 11_000;
    subs[0]!.push({ type: 'event', event: list(3) });
    expect(store.getState().live).toBe('live');
    expect(store.getState().list).toMatchObject({ status: 'ready', updatedAt: 11_000 });
    expect(store.getState().list.data?.models).toHaveLength(3);

    // start is idempotent
    store.getState().start();
    await flush();
    expect(calls).toHaveLength(1);

    store.getState().stop();
    expect(subs[0]!.stopped).toBe(true);
    expect(store.getState().live).toBe('off');
    // late events from a stopped stream are ignored
    subs[0]!.push({ type: 'event', event: list(9) });
    expect(store.getState().list.data?.models).toHaveLength(3);
  });

  it('a not-connected error is final: no subscription, no retry, no stale data', async () => {
    vi.useFakeTimers();
    const { transport, calls, subs } = fakeTransport({
      'models.list': () => ({ ok: false, error: err('KUBECONFIG_MISSING') }),
    });
    const store = createModelsStore(() => transport, { retryDelayMs: 100 });
    store.getState().start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.getState().list).toMatchObject({ status: 'error', error: { code: 'KUBECONFIG_MISSING' } });
    expect(store.getState().list.data).toBeUndefined();
    expect(subs).toHaveLength(0);
    expect(calls).toHaveLength(1);
  });

  it('a failed first load shows the error and retries with backoff', async () => {
    vi.useFakeTimers();
    let fail = true;
    const { transport, calls } = fakeTransport({
      'models.list': () =>
        fail ? { ok: false, error: err('CLUSTER_UNREACHABLE') } : { ok: true, value: list(1) },
    });
    const store = createModelsStore(() => transport, { retryDelayMs: 100 });
    store.getState().start();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().list.status).toBe('error');
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(2);
    fail = false;
    await vi.advanceTimersByTimeAsync(199);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    expect(store.getState().list.status).toBe('ready');
    store.getState().stop();
  });

  it('a stream error keeps the last good list and says live updates stopped', async () => {
    const { transport, subs } = fakeTransport({ 'models.list': () => ({ ok: true, value: list(2) }) });
    const store = createModelsStore(() => transport, { retryDelayMs: 60_000 });
    store.getState().start();
    await flush();
    subs[0]!.push({ type: 'error', error: err('CLUSTER_UNREACHABLE') });
    expect(store.getState().live).toBe('stopped');
    expect(store.getState().liveError?.code).toBe('CLUSTER_UNREACHABLE');
    expect(store.getState().list.status).toBe('ready');
    expect(store.getState().list.data?.models).toHaveLength(2);
    store.getState().stop();
  });

  it('refresh keeps the data while loading, drops the old subscription and ignores stale answers', async () => {
    let answer = list(1);
    let release: (() => void) | null = null;
    const { transport, subs } = fakeTransport({
      'models.list': () => {
        const value = answer;
        return new Promise((resolve) => {
          release = () => resolve({ ok: true, value });
        });
      },
    });
    const store = createModelsStore(() => transport);
    store.getState().start();
    release!();
    await flush();
    expect(store.getState().list.data?.models).toHaveLength(1);

    answer = list(4);
    const pending = store.getState().refresh();
    expect(store.getState().list.status).toBe('loading');
    expect(store.getState().list.data?.models).toHaveLength(1);
    expect(subs[0]!.stopped).toBe(true);
    release!();
    await pending;
    expect(store.getState().list.data?.models).toHaveLength(4);
    expect(subs).toHaveLength(2);
    store.getState().stop();
  });

  it('sort toggles and filter is view state', () => {
    const { transport } = fakeTransport({});
    const store = createModelsStore(() => transport);
    expect(store.getState().sort).toEqual({ key: 'errorRatio', dir: 'desc' });
    store.getState().setSort('errorRatio');
    expect(store.getState().sort).toEqual({ key: 'errorRatio', dir: 'asc' });
    store.getState().setSort('name');
    expect(store.getState().sort).toEqual({ key: 'name', dir: 'asc' });
    store.getState().setFilter('llama');
    expect(store.getState().filter).toBe('llama');
  });
});

const savedView: SettingsView = {
  kube: { kubeconfigPath: null, context: null },
  prometheus: { url: null, auth: { kind: 'none' } },
};

describe('settings store', () => {
  it('loads settings and contexts, builds a draft, tests and saves', async () => {
    const onSaved = vi.fn();
    let saved = savedView;
    const { transport, calls } = fakeTransport({
      'settings.get': () => ({ ok: true, value: saved }),
      'kube.contexts': () => ({
        ok: true,
        value: {
          sources: ['/tmp/kc'],
          current: 'firebreak-sandbox',
          contexts: [
            {
              name: 'firebreak-sandbox',
              cluster: 'sandbox',
              server: 'https://127.0.0.1:6443',
              namespace: 'llm',
              user: 'u',
            },
          ],
        },
      }),
      'prometheus.check': () => ({
        ok: true,
        value: { url: 'http://p:9090', version: '2.42.0', seriesCount: 1234 },
      }),
      'settings.update': (input) => {
        const u = input as ReturnType<typeof draftToUpdate>;
        saved = {
          kube: { kubeconfigPath: u.kube?.kubeconfigPath ?? null, context: u.kube?.context ?? null },
          prometheus: { url: u.prometheus?.url ?? null, auth: { kind: 'bearer', hasToken: true } },
        };
        return { ok: true, value: saved };
      },
    });
    const store = createSettingsStore(() => transport, { onSaved, clock: () => 5 });
    await store.getState().load();
    expect(store.getState().settings.status).toBe('ready');
    expect(store.getState().contexts.data?.contexts).toHaveLength(1);
    expect(store.getState().draft).toEqual(draftFromSettings(savedView));
    expect(store.getState().dirty).toBe(false);

    store
      .getState()
      .edit({ kubeconfigPath: '/tmp/kc', context: 'firebreak-sandbox', prometheusUrl: 'http://p:9090' });
    expect(store.getState().dirty).toBe(true);
    await store.getState().testPrometheus();
    expect(store.getState().check).toMatchObject({ status: 'ready', data: { version: '2.42.0' } });
    expect(calls.find((c) => c.channel === 'prometheus.check')?.input).toEqual({
      proposed: {
        url: 'http://p:9090',
        alertmanagerUrl: null,
        tenant: null,
        sigv4: null,
        auth: { kind: 'none' },
      },
    });

    store.getState().edit({ authKind: 'bearer', token: 's3cret' });
    expect(store.getState().check.status).toBe('idle');
    expect(await store.getState().saveDraft()).toBe(true);
    expect(calls.find((c) => c.channel === 'settings.update')?.input).toEqual({
      kube: { kubeconfigPath: '/tmp/kc', context: 'firebreak-sandbox' },
      prometheus: {
        url: 'http://p:9090',
        alertmanagerUrl: null,
        tenant: null,
        sigv4: null,
        auth: { kind: 'bearer', token: 's3cret' },
      },
    });
    expect(store.getState().save.status).toBe('ready');
    expect(store.getState().dirty).toBe(false);
    // the typed secret is gone from the draft once saved; only "hasToken" is known
    expect(store.getState().draft?.token).toBe('');
    expect(onSaved).toHaveBeenCalledTimes(1);
  });

  it('maps INVALID_INPUT issues to their fields and does not call onSaved', async () => {
    const onSaved = vi.fn();
    const invalid: AppErrorData = {
      code: 'INVALID_INPUT',
      message: 'Invalid input: prometheus.url: must be an http:// or https:// URL',
      hint: 'Check the highlighted values and try again.',
      details: {
        issues: [
          { path: 'prometheus.url', message: 'must be an http:// or https:// URL' },
          { path: 'kube.context', message: 'Too small' },
          { path: 'something.else', message: 'odd' },
        ],
      },
    };
    const { transport } = fakeTransport({
      'settings.get': () => ({ ok: true, value: savedView }),
      'kube.contexts': () => ({ ok: false, error: err('KUBECONFIG_MISSING') }),
      'settings.update': () => ({ ok: false, error: invalid }),
    });
    const store = createSettingsStore(() => transport, { onSaved });
    await store.getState().load();
    expect(store.getState().contexts).toMatchObject({
      status: 'error',
      error: { code: 'KUBECONFIG_MISSING' },
    });
    store.getState().edit({ prometheusUrl: 'http://ok:9090' });
    expect(await store.getState().saveDraft()).toBe(false);
    expect(store.getState().fieldErrors).toEqual({
      prometheusUrl: 'must be an http:// or https:// URL',
      context: 'Too small',
    });
    expect(store.getState().save).toMatchObject({ status: 'error', error: { code: 'INVALID_INPUT' } });
    expect(onSaved).not.toHaveBeenCalled();
    expect(fieldErrorsFrom(invalid).other).toEqual(['something.else: odd']);

    // editing a field clears its error
    store.getState().edit({ prometheusUrl: 'http://x:9090' });
    expect(store.getState().fieldErrors.prometheusUrl).toBeUndefined();
    expect(store.getState().fieldErrors.context).toBe('Too small');
  });

  it('validates locally before asking main', async () => {
    const { transport, calls } = fakeTransport({
      'settings.get': () => ({ ok: true, value: savedView }),
      'kube.contexts': () => ({ ok: true, value: { sources: [], current: null, contexts: [] } }),
    });
    const store = createSettingsStore(() => transport);
    await store.getState().load();
    store.getState().edit({ prometheusUrl: 'prometheus:9090', authKind: 'bearer' });
    expect(await store.getState().saveDraft()).toBe(false);
    expect(store.getState().fieldErrors.prometheusUrl).toMatch(/http/);
    expect(store.getState().fieldErrors.token).toMatch(/token/);
    expect(calls.some((c) => c.channel === 'settings.update')).toBe(false);

    // a saved token may be kept by leaving the field empty
    const withToken: SettingsView = {
      ...savedView,
      prometheus: { url: 'http://p', auth: { kind: 'bearer', hasToken: true } },
    };
    expect(validateDraft(draftFromSettings(withToken), withToken)).toEqual({});
    expect(draftToUpdate(draftFromSettings(withToken)).prometheus).toEqual({
      url: 'http://p',
      alertmanagerUrl: null,
      tenant: null,
      sigv4: null,
      auth: { kind: 'bearer' },
    });
  });

  it('SigV4, a tenant and a CA certificate: what the form sends, keeps and clears', () => {
    const amp: SettingsView = {
      ...savedView,
      prometheus: {
        url: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
        auth: { kind: 'none' },
        sigv4: { region: 'eu-west-1', service: 'aps' },
        tenant: 'team-a',
        hasCaCert: true,
      },
    };
    const draft = draftFromSettings(amp);
    expect(draft).toMatchObject({ authKind: 'sigv4', awsRegion: 'eu-west-1', tenant: 'team-a', caCert: '' });
    expect(validateDraft(draft, amp)).toEqual({});
    // the saved certificate is kept when nothing is pasted (the field is left out)
    expect(draftToUpdate(draft).prometheus).toEqual({
      url: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
      alertmanagerUrl: null,
      tenant: 'team-a',
      sigv4: { region: 'eu-west-1', service: 'aps' },
      auth: { kind: 'none' },
    });
    // removed, replaced, or another auth (which turns SigV4 off) and no tenant
    expect(draftToUpdate({ ...draft, removeCaCert: true }).prometheus?.caCert).toBeNull();
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(draftToUpdate({ ...draft, caCert: pem }).prometheus?.caCert).toBe(pem.trim());
    expect(draftToUpdate({ ...draft, authKind: 'none', tenant: ' ' }).prometheus).toMatchObject({
      tenant: null,
      sigv4: null,
    });
    expect(
      validateDraft({ ...draft, awsRegion: 'Ireland', tenant: 'a b', caCert: 'not a cert' }, amp),
    ).toEqual({
      awsRegion: expect.stringMatching(/region/),
      tenant: expect.stringMatching(/Letters/),
      caCert: expect.stringMatching(/PEM/),
    });
    expect(
      fieldErrorsFrom({
        code: 'INVALID_INPUT',
        message: 'x',
        hint: 'y',
        details: { issues: [{ path: 'prometheus.sigv4.region', message: 'must be an AWS region' }] },
      }).fields,
    ).toEqual({ awsRegion: 'must be an AWS region' });
  });

  it('"Load contexts" lists the typed file\'s contexts without saving it (Save does)', async () => {
    const onSaved = vi.fn();
    const { transport, calls } = fakeTransport({
      'settings.get': () => ({
        ok: true,
        value: { ...savedView, kube: { kubeconfigPath: null, context: 'old' } },
      }),
      'kube.contexts': () => ({
        ok: true,
        value: {
          sources: ['/k'],
          current: 'a',
          contexts: [{ name: 'a', cluster: 'c', server: 'https://s', namespace: null, user: 'u' }],
        },
      }),
    });
    const store = createSettingsStore(() => transport, { onSaved });
    await store.getState().load();
    store.getState().edit({ kubeconfigPath: ' /k ' });
    await store.getState().loadDraftContexts();
    // nothing saved behind the form's back: only a preview of that file
    expect(calls.some((c) => c.channel === 'settings.update')).toBe(false);
    expect(calls.filter((c) => c.channel === 'kube.contexts').at(-1)?.input).toEqual({
      kubeconfigPath: '/k',
    });
    expect(onSaved).not.toHaveBeenCalled();
    expect(store.getState().contexts.status).toBe('ready');
    expect(store.getState().contexts.data?.sources).toEqual(['/k']);
    // the form still holds the change, unsaved
    expect(store.getState().dirty).toBe(true);
    expect(store.getState().draft?.kubeconfigPath).toBe(' /k ');
    // "old" is not in /k: the draft falls back to the file's current context rather than keeping it silently
    expect(store.getState().draft?.context).toBe('');
    // an empty path previews the default chain ($KUBECONFIG, ~/.kube/config), not the saved file
    store.getState().edit({ kubeconfigPath: '' });
    await store.getState().loadDraftContexts();
    expect(calls.filter((c) => c.channel === 'kube.contexts').at(-1)?.input).toEqual({
      kubeconfigPath: null,
    });
  });
});

describe('audit and app stores', () => {
  it('lists newest first and verifies', async () => {
    const entry = (seq: number) => ({
      seq,
      at: '2025-01-01T00:00:00Z',
      actor: 'me',
      action: 'settings.update',
      target: 'kubernetes',
      result: 'saved',
      details: {},
      hash: 'h',
    });
    const { transport, calls } = fakeTransport({
      'audit.list': () => ({ ok: true, value: [entry(1), entry(3), entry(2)] }),
      'audit.verify': () => ({ ok: true, value: { ok: false, entries: 3, brokenAt: 2 } }),
    });
    const store = createAuditStore(() => transport);
    await store.getState().load();
    expect(store.getState().entries.data?.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(calls[0]!.input).toEqual({ limit: 200 });
    await store.getState().verify();
    expect(store.getState().verification.data).toEqual({ ok: false, entries: 3, brokenAt: 2 });
  });

  it('app store loads info and records a refusal once', async () => {
    const { transport } = fakeTransport({
      'app.info': () => ({
        ok: true,
        value: {
          version: '0.1.0',
          transport: 'serve',
          storePath: '/s',
          configured: { kube: false, prometheus: false },
        },
      }),
    });
    const store = createAppStore(() => transport);
    await store.getState().loadInfo();
    expect(store.getState().info.data?.version).toBe('0.1.0');
    store.getState().refuse(err('UNAUTHORIZED', 'first'));
    store.getState().refuse(err('UNAUTHORIZED', 'second'));
    expect(store.getState().refused?.message).toBe('first');
  });

  it('watchRefusals reports UNAUTHORIZED from calls and streams, and passes everything through', async () => {
    const { transport, subs } = fakeTransport({
      'app.info': () => ({ ok: false, error: err('UNAUTHORIZED') }),
    });
    const refused = vi.fn();
    const guarded = watchRefusals(transport, refused);
    const r = await guarded.invoke('app.info', {});
    expect(r.ok).toBe(false);
    const got = vi.fn();
    guarded.subscribe('models.live', {}, got);
    subs[0]!.push({ type: 'error', error: err('FORBIDDEN_ORIGIN') });
    expect(refused).toHaveBeenCalledTimes(2);
    expect(got).toHaveBeenCalledTimes(1);
  });
});

describe('selectors', () => {
  it('derive the top bar from the latest list, else from settings', () => {
    const settings = { status: 'ready' as const, data: savedView };
    expect(prometheusIndicator({ status: 'idle' }, settings)).toEqual({ status: 'not_configured' });
    expect(prometheusIndicator({ status: 'idle' }, { status: 'loading' })).toEqual({ status: 'unknown' });
    const e = err('PROMETHEUS_UNREACHABLE');
    expect(
      prometheusIndicator({ status: 'ready', data: list(1, { status: 'error', error: e }) }, settings),
    ).toEqual({
      status: 'error',
      error: e,
    });
    expect(contextIndicator({ status: 'ready', data: list(1) }, settings, { status: 'idle' })).toEqual({
      status: 'connected',
      name: 'firebreak-sandbox',
    });
    expect(
      contextIndicator({ status: 'error', error: err('KUBECONFIG_MISSING') }, settings, { status: 'idle' })
        .status,
    ).toBe('not_connected');
    expect(isStale(undefined, 0, 10)).toBe(true);
    expect(isStale(0, 25_000, 10)).toBe(false);
    expect(isStale(0, 25_001, 10)).toBe(true);
  });
});

describe('ipc transport', () => {
  it('passes results through, and turns a dead bridge or a non-result into typed errors', async () => {
    const ok = createIpcTransport({
      invoke: async () => ({ ok: true, value: 1 }),
      subscribe: (_s, _p, cb) => {
        cb({ type: 'event', event: list(0) });
        cb({ nonsense: true });
        return () => {};
      },
    });
    expect(ok.kind).toBe('electron');
    expect(await ok.invoke('app.info', {})).toEqual({ ok: true, value: 1 });
    const got = vi.fn();
    ok.subscribe('models.live', {}, got);
    expect(got).toHaveBeenCalledTimes(1);

    const broken = createIpcTransport({
      invoke: async () => {
        throw new Error('Error invoking remote method: boom');
      },
      subscribe: () => {
        throw new Error('no');
      },
    });
    const r = await broken.invoke('app.info', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const got2 = vi.fn();
    broken.subscribe('models.live', {}, got2);
    expect(got2.mock.calls[0]![0]).toMatchObject({ type: 'error', error: { code: 'INTERNAL' } });

    const odd = createIpcTransport({ invoke: async () => 'hello', subscribe: () => () => {} });
    expect(await odd.invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
