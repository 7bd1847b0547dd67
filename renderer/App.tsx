import { useEffect } from 'react';
import { ErrorBoundary } from './components/ErrorBoundary';
// first of the views: its stylesheet (actions.css) keeps its place ahead of the views' own
import { ActionDialog } from './views/actions/ActionDialog';
import { NavRail, StatusBar, TopBar, viewTitles } from './components/Shell';
import { viewFromHash, type ViewName } from './state/app';
import { appStore, modelsStore, settingsStore, useApp } from './state';
import { useTimeZone } from './time';
import { AccessScreen } from './views/connections/AccessScreen';
import { AlertsView } from './views/alerts/AlertsView';
import { AlertToasts } from './views/alerts/AlertToasts';
import { AuditView } from './views/audit/AuditView';
import { CostView } from './views/cost/CostView';
import { GpuView } from './views/gpu/GpuView';
import { ModelHealthView } from './views/health/ModelHealthView';
import { ModelsRoute } from './views/models/ModelsRoute';
import { SettingsView } from './views/settings/SettingsView';
import { TrafficView } from './views/traffic/TrafficView';
import { DeclareDialog } from './views/incident/DeclareDialog';
import { useFirstStartSample } from './views/incident/firstStart';
import { IncidentRoute } from './views/incident/IncidentRoute';
import { KeyboardLayer } from './components/KeyboardLayer';

const screens: Record<ViewName, () => React.JSX.Element> = {
  models: ModelsRoute,
  traffic: TrafficView,
  health: ModelHealthView,
  gpus: GpuView,
  cost: CostView,
  alerts: AlertsView,
  incident: IncidentRoute,
  audit: AuditView,
  settings: SettingsView,
};

export function App() {
  const view = useApp((s) => s.view);
  const refused = useApp((s) => s.refused);
  // a UTC / local switch redraws every screen (their times come from renderer/time.ts)
  useTimeZone();

  useEffect(() => {
    void appStore.getState().loadInfo();
    void settingsStore.getState().load();
    modelsStore.getState().start();
    return () => modelsStore.getState().stop();
  }, []);
  // no cluster configured: the first screen is the sample incident's war room
  useFirstStartSample();

  useEffect(() => {
    const onHash = () => appStore.getState().navigate(viewFromHash(window.location.hash) ?? 'models');
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    document.title = `${viewTitles[view]} · Firebreak`;
  }, [view]);

  if (refused) return <AccessScreen error={refused} />;

  const Screen = screens[view];
  return (
    <div className="shell">
      <NavRail />
      <div className="main">
        <TopBar />
        <main className="content" id="content">
          <ErrorBoundary what={`the ${viewTitles[view]} view`} resetKey={view}>
            <Screen />
          </ErrorBoundary>
        </main>
      </div>
      <StatusBar />
      {/* every write goes through this one dialog, whichever screen asked for it */}
      <ActionDialog />
      <DeclareDialog />
      {/* the alert list is read on every screen: the Alerts badge, and a toast when a critical one starts */}
      <AlertToasts />
      {/* Ctrl/Cmd+K, ?, / and g-then-a-letter, wherever the focus is */}
      <KeyboardLayer />
    </div>
  );
}
