import { useStore } from 'zustand';
import { getTransport } from '../client/current';
import { createAppStore, viewFromHash, type AppState } from './app';
import { createAuditStore, type AuditState } from './audit';
import { createIncidentStore, type IncidentState } from './incident';
import { createModelsStore, type ModelsState } from './models';
import { createSettingsStore, type SettingsState } from './settings';

/** The app's store instances. They reach main through `getTransport()`, set before the first render. */
export const appStore = createAppStore(getTransport, {
  initialView: typeof window !== 'undefined' ? (viewFromHash(window.location.hash) ?? 'models') : 'models',
});
export const modelsStore = createModelsStore(getTransport);
export const auditStore = createAuditStore(getTransport);
export const incidentStore = createIncidentStore(getTransport);
export const settingsStore = createSettingsStore(getTransport, {
  onSaved: () => {
    // what depends on settings: the model list (context, Prometheus) and what the top bar shows
    void modelsStore.getState().refresh();
    void appStore.getState().loadInfo();
    if (auditStore.getState().entries.status !== 'idle') void auditStore.getState().load();
  },
});

export const useApp = <T>(selector: (state: AppState) => T): T => useStore(appStore, selector);
export const useModels = <T>(selector: (state: ModelsState) => T): T => useStore(modelsStore, selector);
export const useSettings = <T>(selector: (state: SettingsState) => T): T => useStore(settingsStore, selector);
export const useAudit = <T>(selector: (state: AuditState) => T): T => useStore(auditStore, selector);
export const useIncident = <T>(selector: (state: IncidentState) => T): T => useStore(incidentStore, selector);
