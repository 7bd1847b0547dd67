import { z } from 'zod';
import type { PrometheusSettingsInput, SettingsUpdate, SettingsView } from '../../shared/settings';
import type { PrometheusAuth, PrometheusConfig } from '../metrics/prometheus';
import type { Store } from '../store';
import type { SecretVault } from './secretVault';

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

export class Settings {
  constructor(
    private readonly store: Store,
    private readonly vault: SecretVault,
  ) {}

  kube(): SavedKube {
    return readSaved(this.store, 'kube', SavedKube, { kubeconfigPath: null, context: null });
  }

  private prometheus(): SavedPrometheus {
    return readSaved(this.store, 'prometheus', SavedPrometheus, { url: null, auth: { kind: 'none' } });
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
            ? { kind: 'bearer', hasToken: this.vault.get(TOKEN) !== undefined }
            : prom.auth.kind === 'basic'
              ? {
                  kind: 'basic',
                  username: prom.auth.username,
                  hasPassword: this.vault.get(PASSWORD) !== undefined,
                }
              : { kind: 'none' },
      },
    };
  }

  update(update: SettingsUpdate): SettingsView {
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
      }
    });
    // Secrets change only after the store write succeeded; omitted = keep the saved one.
    const auth = update.prometheus?.auth;
    if (auth) {
      if (auth.kind !== 'bearer') this.vault.set(TOKEN, undefined);
      if (auth.kind !== 'basic') this.vault.set(PASSWORD, undefined);
      if (auth.kind === 'bearer' && auth.token !== undefined) this.vault.set(TOKEN, auth.token);
      if (auth.kind === 'basic' && auth.password !== undefined) this.vault.set(PASSWORD, auth.password);
    }
    return this.view();
  }

  /** The saved Prometheus connection with its secret, or null when no URL is set. */
  prometheusConfig(): PrometheusConfig | null {
    const prom = this.prometheus();
    if (!prom.url) return null;
    return {
      url: prom.url,
      auth: prom.sigv4 ? { kind: 'sigv4', ...prom.sigv4 } : this.resolveAuth(prom.auth),
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
      auth: prom.sigv4 ? { kind: 'sigv4', ...prom.sigv4 } : this.resolveAuth(prom.auth),
      caCert: prom.caCert ?? null,
      tenant: prom.tenant ?? null,
    };
  }

  /** A proposed (unsaved) connection, with an omitted secret taken from the saved one. */
  proposedPrometheusConfig(proposed: PrometheusSettingsInput): PrometheusConfig | null {
    if (!proposed.url) return null;
    const a = proposed.auth;
    const auth: PrometheusAuth =
      a.kind === 'bearer'
        ? { kind: 'bearer', token: a.token ?? this.vault.get(TOKEN) ?? '' }
        : a.kind === 'basic'
          ? { kind: 'basic', username: a.username, password: a.password ?? this.vault.get(PASSWORD) ?? '' }
          : { kind: 'none' };
    const saved = this.prometheus();
    const sigv4 = proposed.sigv4 === undefined ? saved.sigv4 : proposed.sigv4;
    const caCert = proposed.caCert === undefined ? saved.caCert : proposed.caCert;
    const tenant = proposed.tenant === undefined ? saved.tenant : proposed.tenant;
    return {
      url: proposed.url,
      auth: sigv4 ? { kind: 'sigv4', ...sigv4 } : auth,
      caCert: caCert ?? null,
      tenant: tenant ?? null,
    };
  }

  private resolveAuth(auth: SavedPrometheus['auth']): PrometheusAuth {
    if (auth.kind === 'bearer') return { kind: 'bearer', token: this.vault.get(TOKEN) ?? '' };
    if (auth.kind === 'basic')
      return { kind: 'basic', username: auth.username, password: this.vault.get(PASSWORD) ?? '' };
    return { kind: 'none' };
  }
}

/** A saved value that no longer parses (edited by hand, older build) falls back to the default: settings never crash. */
function readSaved<T>(store: Store, key: string, schema: z.ZodType<T>, fallback: T): T {
  const parsed = schema.safeParse(store.settings.get(key));
  return parsed.success ? parsed.data : fallback;
}
