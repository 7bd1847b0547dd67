/** Settings: what the app reports about itself, the saved settings (audited), and the Prometheus check. */
import fs from 'node:fs';
import { AppError } from '../../shared/errors';
import type {
  AppInfo,
  PrometheusCheck,
  SettingsUpdate,
  SettingsView,
  settingsChannels,
} from '../../shared/settings';
import type { ChannelParsedInput } from '../../shared/contract';
import { kubeconfigSources } from '../kube/kubeconfig';
import { PrometheusClient } from '../metrics/prometheus';
import type { ApiContext } from './context';
import type { HandlersOf } from './dispatch';

export function settingsHandlers(ctx: ApiContext): HandlersOf<typeof settingsChannels> {
  return {
    'app.info': () => appInfo(ctx),
    'settings.get': () => ctx.settings.view(),
    'settings.update': (input) => updateSettings(ctx, input),
    'prometheus.check': (input) => checkPrometheus(ctx, input),
  };
}

function appInfo(ctx: ApiContext): AppInfo {
  const kube = ctx.settings.kube();
  return {
    version: ctx.version,
    transport: ctx.transport,
    storePath: ctx.store.path,
    configured: {
      kube: kubeconfigSources(kube.kubeconfigPath, ctx.env).some((f) => fs.existsSync(f)),
      prometheus: ctx.settings.prometheusConfig() !== null,
    },
  };
}

/** Saves settings and records the change (never the secret) in the audit log, in one transaction. */
export function updateSettings(ctx: ApiContext, update: SettingsUpdate): SettingsView {
  return ctx.store.transaction(() => {
    const view = ctx.settings.update(update);
    ctx.store.audit.append({
      actor: ctx.actor,
      action: 'settings.update',
      target: [update.kube ? 'kubernetes' : null, update.prometheus ? 'prometheus' : null]
        .filter(Boolean)
        .join(', '),
      result: 'saved',
      details: {
        ...(update.kube ? { kube: view.kube } : {}),
        ...(update.prometheus
          ? { prometheus: { url: view.prometheus.url, auth: view.prometheus.auth.kind } }
          : {}),
      },
    });
    return view;
  });
}

/** "Test connection": proves the URL answers the Prometheus API with these credentials, before or after saving. */
async function checkPrometheus(
  ctx: ApiContext,
  input: ChannelParsedInput<'prometheus.check'>,
): Promise<PrometheusCheck> {
  const config = input.proposed
    ? ctx.settings.proposedPrometheusConfig(input.proposed)
    : ctx.settings.prometheusConfig();
  if (!config) {
    throw new AppError(
      'NOT_CONFIGURED',
      'No Prometheus URL is set.',
      'Enter the Prometheus URL in Settings.',
    );
  }
  const client = new PrometheusClient({ ...config, timeoutMs: 8000 });
  // A query proves the API answers with these credentials; build info and TSDB stats are best-effort extras.
  await client.query('vector(1)');
  const [version, seriesCount] = await Promise.all([client.buildVersion(), client.headSeries()]);
  return { url: client.url, version, seriesCount };
}
