import { z } from 'zod';
import type { PrometheusSettingsInput, SettingsUpdate, SettingsView } from '../../shared/domain';
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
        const saved: SavedPrometheus = {
          url,
          auth: auth.kind === 'basic' ? { kind: 'basic', username: auth.username } : { kind: auth.kind },
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
    return { url: prom.url, auth: this.resolveAuth(prom.auth) };
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
    return { url: proposed.url, auth };
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
