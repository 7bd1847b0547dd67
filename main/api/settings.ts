import fs from 'node:fs';
import type { AppInfo, SettingsUpdate, SettingsView } from '../../shared/settings';
import { kubeconfigSources } from '../kube/kubeconfig';
import type { ApiContext } from './context';

export function appInfo(ctx: ApiContext): AppInfo {
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

/** Saves settings and records the change (never the secret) in the audit log. */
export function updateSettings(ctx: ApiContext, update: SettingsUpdate): SettingsView {
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
}
