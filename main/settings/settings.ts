import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { PrometheusSettingsInput, SettingsUpdate, SettingsView } from '../../shared/settings';
import type { PrometheusAuth, PrometheusConfig } from '../metrics/prometheus';
import type { Store } from '../store';
import type { SecretVault } from './secretVault';
import { originOf, withoutUserinfo } from './urlCredentials';

/** What is saved in the store: no secret ever (the vault holds those). */
const SavedKube = z.object({ kubeconfigPath: z.string().nullable(), context: z.string().nullable() });
const SavedPrometheus = z.object({
  url: z.string().nullable(),
  auth: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('bearer') }),
    z.object({ kind: z.literal('basic'), username: z.string() }),
  ]),
  alertmanagerUrl: z.string().nullable().optional(),
  caCert: z.string().nullable().optional(),
  tenant: z.string().nullable().optional(),
  sigv4: z.object({ region: z.string(), service: z.string() }).nullable().optional(),
});
type SavedKube = z.infer<typeof SavedKube>;
type SavedPrometheus = z.infer<typeof SavedPrometheus>;

const TOKEN = 'prometheus.token';
const PASSWORD = 'prometheus.password';
/** the origins (scheme, host, port) the token or password was entered for: it is sent to no other */
const ORIGINS = 'prometheus.secretOrigins';

export class Settings {
  constructor(
    private readonly store: Store,
    private readonly vault: SecretVault,
  ) {}

  kube(): SavedKube {
    return readSaved(this.store, 'kube', SavedKube, { kubeconfigPath: null, context: null });
  }

  private prometheus(): SavedPrometheus {
    const saved = readSaved(this.store, 'prometheus', SavedPrometheus, { url: null, auth: { kind: 'none' } });
    // an older build may have saved a URL with `user:password@`: never use (or keep) it
    const url = saved.url ? withoutUserinfo(saved.url).url : null;
    const am = saved.alertmanagerUrl ? withoutUserinfo(saved.alertmanagerUrl).url : saved.alertmanagerUrl;
    if (url === saved.url && am === saved.alertmanagerUrl) return saved;
    const clean = { ...saved, url, alertmanagerUrl: am };
    this.store.settings.set('prometheus', clean);
    return clean;
  }

  view(): SettingsView {
    const prom = this.prometheus();
    return {
      kube: this.kube(),
      prometheus: {
        url: prom.url,
        alertmanagerUrl: prom.alertmanagerUrl ?? null,
        hasCaCert: !!prom.caCert,
        tenant: prom.tenant ?? null,
        sigv4: prom.sigv4 ?? null,
        auth:
          prom.auth.kind === 'bearer'
            ? { kind: 'bearer', hasToken: this.secretFor(TOKEN, prom.url) !== undefined }
            : prom.auth.kind === 'basic'
              ? {
                  kind: 'basic',
                  username: prom.auth.username,
                  hasPassword: this.secretFor(PASSWORD, prom.url) !== undefined,
                }
              : { kind: 'none' },
      },
    };
  }

  update(raw: SettingsUpdate): SettingsView {
    const update: SettingsUpdate = raw.prometheus
      ? { ...raw, prometheus: credentialsOutOfUrls(raw.prometheus) }
      : raw;
    let origins: Array<string | null> = [];
    this.store.transaction(() => {
      if (update.kube) {
        const current = this.kube();
        this.store.settings.set('kube', {
          kubeconfigPath:
            update.kube.kubeconfigPath === undefined ? current.kubeconfigPath : update.kube.kubeconfigPath,
          context: update.kube.context === undefined ? current.context : update.kube.context,
        } satisfies SavedKube);
      }
      if (update.prometheus) {
        const { url, auth } = update.prometheus;
        const current = this.prometheus();
        const keep = <T>(next: T | undefined, prev: T): T => (next === undefined ? prev : next);
        const saved: SavedPrometheus = {
          url,
          auth: auth.kind === 'basic' ? { kind: 'basic', username: auth.username } : { kind: auth.kind },
          alertmanagerUrl: keep(update.prometheus.alertmanagerUrl, current.alertmanagerUrl ?? null),
          caCert: keep(update.prometheus.caCert, current.caCert ?? null),
          tenant: keep(update.prometheus.tenant, current.tenant ?? null),
          sigv4: keep(update.prometheus.sigv4, current.sigv4 ?? null),
        };
        this.store.settings.set('prometheus', saved);
        origins = [originOf(saved.url), originOf(saved.alertmanagerUrl)];
      }
    });
    // Secrets change only after the store write succeeded; omitted = keep the saved one, for the same origins only.
    const auth = update.prometheus?.auth;
    if (auth) {
      if (auth.kind !== 'bearer') this.vault.set(TOKEN, undefined);
      if (auth.kind !== 'basic') this.vault.set(PASSWORD, undefined);
      const entered =
        (auth.kind === 'bearer' && auth.token !== undefined) ||
        (auth.kind === 'basic' && auth.password !== undefined);
      if (auth.kind === 'bearer' && auth.token !== undefined) this.vault.set(TOKEN, auth.token);
      if (auth.kind === 'basic' && auth.password !== undefined) this.vault.set(PASSWORD, auth.password);
      const now = new Set(origins.filter((o): o is string => o !== null));
      // entered now: for the URLs saved with it; kept: still only for the origins it was entered for
      const bound = entered ? [...now] : this.boundOrigins().filter((o) => now.has(o));
      this.setBoundOrigins(bound);
      if (bound.length === 0) {
        this.vault.set(TOKEN, undefined);
        this.vault.set(PASSWORD, undefined);
      }
    }
    return this.view();
  }

  /** The saved Prometheus connection with its secret, or null when no URL is set. */
  prometheusConfig(): PrometheusConfig | null {
    const prom = this.prometheus();
    if (!prom.url) return null;
    return {
      url: prom.url,
      auth: prom.sigv4 ? { kind: 'sigv4', ...prom.sigv4 } : this.resolveAuth(prom.auth, prom.url),
      caCert: prom.caCert ?? null,
      tenant: prom.tenant ?? null,
    };
  }

  /** The saved Alertmanager connection (same auth and CA as Prometheus), or null when no URL is set. */
  alertmanagerConfig(): PrometheusConfig | null {
    const prom = this.prometheus();
    if (!prom.alertmanagerUrl) return null;
    return {
      url: prom.alertmanagerUrl,
      auth: prom.sigv4 ? { kind: 'sigv4', ...prom.sigv4 } : this.resolveAuth(prom.auth, prom.alertmanagerUrl),
      caCert: prom.caCert ?? null,
      tenant: prom.tenant ?? null,
    };
  }

  /**
   * A proposed (unsaved) connection, with an omitted secret taken from the saved one if it was entered for the
   * same origin; for another origin it refuses (PROMETHEUS_AUTH_FAILED) rather than send it there.
   */
  proposedPrometheusConfig(raw: PrometheusSettingsInput): PrometheusConfig | null {
    const proposed = credentialsOutOfUrls(raw);
    if (!proposed.url) return null;
    const a = proposed.auth;
    const saved = (name: string, what: string): string => {
      const value = this.secretFor(name, proposed.url);
      if (value !== undefined) return value;
      if (this.vault.get(name) !== undefined) {
        const was = this.boundOrigins().join(', ');
        throw new AppError(
          'PROMETHEUS_AUTH_FAILED',
          `The saved ${what} was entered for ${was}; Firebreak does not send it to ${originOf(proposed.url)}.`,
          `Enter the ${what} again for the new URL, then test the connection.`,
          { origin: originOf(proposed.url) },
        );
      }
      return '';
    };
    const auth: PrometheusAuth =
      a.kind === 'bearer'
        ? { kind: 'bearer', token: a.token ?? saved(TOKEN, 'token') }
        : a.kind === 'basic'
          ? { kind: 'basic', username: a.username, password: a.password ?? saved(PASSWORD, 'password') }
          : { kind: 'none' };
    const current = this.prometheus();
    const sigv4 = proposed.sigv4 === undefined ? current.sigv4 : proposed.sigv4;
    const caCert = proposed.caCert === undefined ? current.caCert : proposed.caCert;
    const tenant = proposed.tenant === undefined ? current.tenant : proposed.tenant;
    return {
      url: proposed.url,
      auth: sigv4 ? { kind: 'sigv4', ...sigv4 } : auth,
      caCert: caCert ?? null,
      tenant: tenant ?? null,
    };
  }

  /** The saved auth for a request to `url`: a secret goes only to the origins it was entered for. */
  private resolveAuth(auth: SavedPrometheus['auth'], url: string | null | undefined): PrometheusAuth {
    if (auth.kind === 'bearer') return { kind: 'bearer', token: this.secretFor(TOKEN, url) ?? '' };
    if (auth.kind === 'basic')
      return { kind: 'basic', username: auth.username, password: this.secretFor(PASSWORD, url) ?? '' };
    return { kind: 'none' };
  }

  private secretFor(name: string, url: string | null | undefined): string | undefined {
    const origin = originOf(url);
    if (!origin || !this.boundOrigins().includes(origin)) return undefined;
    return this.vault.get(name);
  }

  private boundOrigins(): string[] {
    try {
      const parsed: unknown = JSON.parse(this.vault.get(ORIGINS) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((o): o is string => typeof o === 'string') : [];
    } catch {
      return [];
    }
  }

  private setBoundOrigins(origins: string[]): void {
    this.vault.set(ORIGINS, origins.length ? JSON.stringify(origins) : undefined);
  }
}

/**
 * Takes `user:password@` out of the Prometheus and Alertmanager URLs: into basic auth, or refused when it
 * conflicts with the auth chosen. The messages never repeat the password.
 */
function credentialsOutOfUrls(input: PrometheusSettingsInput): PrometheusSettingsInput {
  const prom = input.url ? withoutUserinfo(input.url) : null;
  const am = input.alertmanagerUrl ? withoutUserinfo(input.alertmanagerUrl) : null;
  let auth = input.auth;
  const refuse = (message: string, hint: string) => new AppError('INVALID_INPUT', message, hint);
  if (prom?.username || prom?.password) {
    if (auth.kind === 'bearer' || input.sigv4)
      throw refuse(
        'The Prometheus URL carries a user name and password, but the authentication chosen is not basic.',
        'Remove `user:password@` from the URL, or choose Basic authentication and enter them there.',
      );
    if (!prom.username)
      throw refuse(
        'The Prometheus URL carries a password without a user name.',
        'Remove it from the URL and enter the credentials under Basic authentication.',
      );
    if (auth.kind === 'basic' && auth.username !== prom.username)
      throw refuse(
        'The Prometheus URL names another user than the one entered for basic authentication.',
        'Remove `user:password@` from the URL and keep the credentials in Basic authentication.',
      );
    auth = {
      kind: 'basic',
      username: prom.username,
      ...(prom.password !== null
        ? { password: prom.password }
        : auth.kind === 'basic' && auth.password !== undefined
          ? { password: auth.password }
          : {}),
    };
  }
  if (am?.username || am?.password) {
    const sameUser = auth.kind === 'basic' && auth.username === am.username;
    const samePassword = am.password === null || (auth.kind === 'basic' && auth.password === am.password);
    if (!sameUser || !samePassword)
      throw refuse(
        'The Alertmanager URL carries a user name and password; Alertmanager uses the credentials of Prometheus.',
        'Remove `user:password@` from the Alertmanager URL and enter the credentials under the Prometheus authentication.',
      );
  }
  return {
    ...input,
    url: prom ? prom.url : input.url,
    ...(input.alertmanagerUrl !== undefined ? { alertmanagerUrl: am ? am.url : input.alertmanagerUrl } : {}),
    auth,
  };
}

/** A saved value that no longer parses (edited by hand, older build) falls back to the default: settings never crash. */
function readSaved<T>(store: Store, key: string, schema: z.ZodType<T>, fallback: T): T {
  const parsed = schema.safeParse(store.settings.get(key));
  return parsed.success ? parsed.data : fallback;
}
