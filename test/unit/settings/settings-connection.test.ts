/**
 * The Prometheus connection settings beyond URL and auth: SigV4 region, Mimir tenant, CA certificate. What is
 * saved, what the view shows, what omitted and null mean, and what reaches the clients.
 */
import { describe, expect, it } from 'vitest';
import { SettingsUpdate } from '../../../shared/settings';
import { memoryVault } from '../../../main/settings/secretVault';
import { Settings } from '../../../main/settings/settings';
import { openStore } from '../../../main/store';
import { tempStorePath } from '../../fixtures/store/files';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
const URL_AMP = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1';

function withSettings(fn: (s: Settings) => void) {
  const store = openStore(tempStorePath());
  try {
    fn(new Settings(store, memoryVault()));
  } finally {
    store.close();
  }
}
const update = (prometheus: unknown) => SettingsUpdate.parse({ prometheus });

describe('connection settings', () => {
  it('saves SigV4, a tenant and a CA; the view says what is set; the clients get all three', () => {
    withSettings((settings) => {
      const view = settings.update(
        update({
          url: URL_AMP,
          auth: { kind: 'none' },
          alertmanagerUrl: 'https://am.example:9093',
          sigv4: { region: 'eu-west-1' },
          tenant: 'team-a',
          caCert: PEM,
        }),
      );
      expect(view.prometheus).toMatchObject({
        url: URL_AMP,
        sigv4: { region: 'eu-west-1', service: 'aps' },
        tenant: 'team-a',
        hasCaCert: true,
      });
      expect(JSON.stringify(view)).not.toContain('MIIB');
      for (const config of [settings.prometheusConfig(), settings.alertmanagerConfig()])
        expect(config).toMatchObject({
          auth: { kind: 'sigv4', region: 'eu-west-1', service: 'aps' },
          tenant: 'team-a',
          caCert: PEM,
        });
    });
  });

  it('omitted keeps what is saved, null clears it', () => {
    withSettings((settings) => {
      settings.update(
        update({
          url: URL_AMP,
          auth: { kind: 'none' },
          sigv4: { region: 'eu-west-1' },
          tenant: 't',
          caCert: PEM,
        }),
      );
      settings.update(update({ url: URL_AMP, auth: { kind: 'none' } }));
      expect(settings.prometheusConfig()).toMatchObject({
        tenant: 't',
        caCert: PEM,
        auth: { kind: 'sigv4' },
      });
      settings.update(
        update({ url: URL_AMP, auth: { kind: 'none' }, sigv4: null, tenant: null, caCert: null }),
      );
      expect(settings.prometheusConfig()).toEqual({
        url: URL_AMP,
        auth: { kind: 'none' },
        caCert: null,
        tenant: null,
      });
      expect(settings.view().prometheus).toMatchObject({ hasCaCert: false, tenant: null, sigv4: null });
    });
  });

  it('a proposed connection (Test before saving) uses what is typed, else what is saved', () => {
    withSettings((settings) => {
      settings.update(update({ url: URL_AMP, auth: { kind: 'none' }, tenant: 'saved', caCert: PEM }));
      const proposed = SettingsUpdate.parse({
        prometheus: { url: 'https://mimir.example/prometheus', auth: { kind: 'none' }, tenant: 'typed' },
      }).prometheus!;
      expect(settings.proposedPrometheusConfig(proposed)).toEqual({
        url: 'https://mimir.example/prometheus',
        auth: { kind: 'none' },
        tenant: 'typed',
        caCert: PEM,
      });
    });
  });

  it('refuses what is not a region, a tenant ID or a PEM certificate', () => {
    const ok = (p: Record<string, unknown>) =>
      SettingsUpdate.safeParse({ prometheus: { url: URL_AMP, auth: { kind: 'none' }, ...p } }).success;
    expect(ok({ sigv4: { region: 'Ireland' } })).toBe(false);
    expect(ok({ tenant: 'team a' })).toBe(false);
    expect(ok({ tenant: 'x'.repeat(151) })).toBe(false);
    expect(ok({ tenant: 'team-a|team-b' })).toBe(true);
    expect(ok({ caCert: 'not a certificate' })).toBe(false);
    expect(ok({ caCert: PEM })).toBe(true);
  });
});
