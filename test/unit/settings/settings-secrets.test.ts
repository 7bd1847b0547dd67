/**
 * Secrets never follow a change of host: a token or password saved for one Prometheus (or Alertmanager) origin
 * is not sent to another, on "Test connection" of a proposed URL or after saving, unless entered again; a
 * password in the URL's userinfo is moved into basic auth (or refused), never stored, shown or printed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { SettingsUpdate } from '../../../shared/settings';
import { PrometheusClient } from '../../../main/metrics/prometheus';
import { memoryVault } from '../../../main/settings/secretVault';
import { Settings } from '../../../main/settings/settings';
import { openStore, type Store } from '../../../main/store';
import { tempStorePath } from '../../fixtures/store/files';

/** Two stand-in Prometheus servers on two ports, recording the Authorization header of every request. */
const servers: http.Server[] = [];
const seen: { a: Array<string | undefined>; b: Array<string | undefined> } = { a: [], b: [] };
let A = '';
let B = '';

async function fakePrometheus(name: 'a' | 'b'): Promise<string> {
  const server = http.createServer((req, res) => {
    seen[name].push(req.headers.authorization);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  A = await fakePrometheus('a');
  B = await fakePrometheus('b');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

let store: Store;
let settings: Settings;
beforeEach(() => {
  store?.close();
  store = openStore(tempStorePath());
  settings = new Settings(store, memoryVault());
  seen.a = [];
  seen.b = [];
});
afterAll(() => store?.close());

const update = (prometheus: unknown) => SettingsUpdate.parse({ prometheus });
const proposed = (prometheus: unknown) => SettingsUpdate.parse({ prometheus }).prometheus!;
const query = (config: ReturnType<Settings['prometheusConfig']>) =>
  new PrometheusClient(config!).query('vector(1)');

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('a saved secret stays with its origin', () => {
  it('a bearer token is not sent to another port on "Test connection", and the check says why', async () => {
    settings.update(update({ url: A, auth: { kind: 'bearer', token: 'TOKEN-FOR-A' } }));
    await query(settings.proposedPrometheusConfig(proposed({ url: `${A}/`, auth: { kind: 'bearer' } })));
    expect(seen.a).toEqual(['Bearer TOKEN-FOR-A']); // same origin: kept

    const err = caught(() =>
      settings.proposedPrometheusConfig(proposed({ url: B, auth: { kind: 'bearer' } })),
    );
    expect(err.code).toBe('PROMETHEUS_AUTH_FAILED');
    expect(err.message).toBe(`The saved token was entered for ${A}; Firebreak does not send it to ${B}.`);
    expect(err.hint).toContain('Enter the token again');
    expect(JSON.stringify(err.toJSON())).not.toContain('TOKEN-FOR-A');
    // entered again for the new URL: used
    await query(
      settings.proposedPrometheusConfig(proposed({ url: B, auth: { kind: 'bearer', token: 'NEW' } })),
    );
    expect(seen.b).toEqual(['Bearer NEW']);
  });

  it('after saving another host with the secret omitted, the secret is dropped, not sent', async () => {
    settings.update(update({ url: A, auth: { kind: 'bearer', token: 'TOKEN-FOR-A' } }));
    const view = settings.update(update({ url: B, auth: { kind: 'bearer' } }));
    expect(view.prometheus.auth).toEqual({ kind: 'bearer', hasToken: false });
    await query(settings.prometheusConfig());
    expect(seen.b.some((h) => h?.includes('TOKEN-FOR-A'))).toBe(false);
    // and going back to the first host does not bring it back
    settings.update(update({ url: A, auth: { kind: 'bearer' } }));
    expect(settings.view().prometheus.auth).toEqual({ kind: 'bearer', hasToken: false });
  });

  it('a change of scheme or port is a change of origin; a change of path is not', () => {
    settings.update(
      update({ url: 'http://prom.example:9090', auth: { kind: 'basic', username: 'u', password: 'PW' } }),
    );
    settings.update(
      update({ url: 'http://prom.example:9090/prometheus', auth: { kind: 'basic', username: 'u' } }),
    );
    expect(settings.view().prometheus.auth).toMatchObject({ hasPassword: true });
    expect(settings.prometheusConfig()!.auth).toEqual({ kind: 'basic', username: 'u', password: 'PW' });
    settings.update(
      update({ url: 'https://prom.example:9090/prometheus', auth: { kind: 'basic', username: 'u' } }),
    );
    expect(settings.view().prometheus.auth).toMatchObject({ hasPassword: false });
    expect(settings.prometheusConfig()!.auth).toEqual({ kind: 'basic', username: 'u', password: '' });
  });

  it('a new secret entered with the new URL is kept for it', () => {
    settings.update(update({ url: A, auth: { kind: 'bearer', token: 'OLD' } }));
    settings.update(update({ url: B, auth: { kind: 'bearer', token: 'NEW' } }));
    expect(settings.prometheusConfig()!.auth).toEqual({ kind: 'bearer', token: 'NEW' });
  });

  it('Alertmanager alike: a moved Alertmanager gets no secret, Prometheus keeps it', async () => {
    settings.update(
      update({ url: A, alertmanagerUrl: `${A}/am`, auth: { kind: 'bearer', token: 'TOKEN-FOR-A' } }),
    );
    expect(settings.alertmanagerConfig()!.auth).toEqual({ kind: 'bearer', token: 'TOKEN-FOR-A' });
    settings.update(update({ url: A, alertmanagerUrl: B, auth: { kind: 'bearer' } }));
    expect(settings.alertmanagerConfig()!.auth).toEqual({ kind: 'bearer', token: '' });
    expect(settings.prometheusConfig()!.auth).toEqual({ kind: 'bearer', token: 'TOKEN-FOR-A' });
    await query(settings.alertmanagerConfig());
    expect(seen.b.some((h) => h?.includes('TOKEN-FOR-A'))).toBe(false);
  });
});

describe('a password in the URL', () => {
  it('is moved into basic auth: not stored, not in the view, sent only as the Authorization header', async () => {
    const withPassword = A.replace('http://', 'http://alice:S3CRET-PW@');
    const view = settings.update(update({ url: withPassword, auth: { kind: 'none' } }));
    expect(view.prometheus.url).toBe(A);
    expect(view.prometheus.auth).toEqual({ kind: 'basic', username: 'alice', hasPassword: true });
    expect(JSON.stringify(view)).not.toContain('S3CRET');
    expect(JSON.stringify(store.settings.get('prometheus'))).not.toContain('S3CRET');
    expect(JSON.stringify(store.audit.list({ limit: 10 }))).not.toContain('S3CRET');
    await query(settings.prometheusConfig());
    expect(seen.a).toEqual([`Basic ${Buffer.from('alice:S3CRET-PW').toString('base64')}`]);
  });

  it('of a proposed URL is used as basic auth for the test and not printed in its messages', async () => {
    const config = settings.proposedPrometheusConfig(
      proposed({ url: 'http://bob:S3CRET-PW@127.0.0.1:1/', auth: { kind: 'none' } }),
    )!;
    expect(config.url).toBe('http://127.0.0.1:1/');
    expect(config.auth).toEqual({ kind: 'basic', username: 'bob', password: 'S3CRET-PW' });
    const err = await new PrometheusClient({ ...config, timeoutMs: 2000 }).query('vector(1)').catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(JSON.stringify((err as AppError).toJSON())).not.toContain('S3CRET');
  });

  it('is refused with a hint when it conflicts with the chosen auth', () => {
    const withPassword = 'http://alice:S3CRET-PW@prom.example:9090';
    for (const auth of [
      { kind: 'bearer', token: 't' },
      { kind: 'basic', username: 'carol', password: 'x' },
    ]) {
      const err = caught(() => settings.update(update({ url: withPassword, auth })));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.hint).toContain('user:password@');
      expect(JSON.stringify(err.toJSON())).not.toContain('S3CRET');
    }
    const am = caught(() =>
      settings.update(
        update({
          url: 'http://prom.example:9090',
          alertmanagerUrl: 'http://x:S3CRET-PW@am:9093',
          auth: { kind: 'none' },
        }),
      ),
    );
    expect(am.message).toContain('Alertmanager');
    expect(settings.view().prometheus.url).toBeNull(); // nothing saved
  });

  it('saved by an older build is never used, shown or kept', () => {
    store.settings.set('prometheus', {
      url: 'http://old:S3CRET-PW@prom.example:9090',
      auth: { kind: 'none' },
    });
    expect(settings.view().prometheus.url).toBe('http://prom.example:9090');
    expect(JSON.stringify(store.settings.get('prometheus'))).not.toContain('S3CRET');
  });

  it('is never printed by a client handed one directly', async () => {
    const err = await new PrometheusClient({
      url: 'http://eve:S3CRET-PW@127.0.0.1:1',
      auth: { kind: 'none' },
      timeoutMs: 2000,
    })
      .query('vector(1)')
      .catch((e) => e);
    expect((err as AppError).message).toContain('http://127.0.0.1:1');
    expect(JSON.stringify((err as AppError).toJSON())).not.toContain('S3CRET');
  });
});
