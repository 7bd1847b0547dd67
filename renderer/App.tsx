import { useEffect } from 'react';
import { ErrorBoundary } from './components/ErrorBoundary';
import { NavRail, StatusBar, TopBar, viewTitles } from './components/Shell';
import { viewFromHash, type ViewName } from './state/app';
import { appStore, modelsStore, settingsStore, useApp } from './state';
import { AccessScreen } from './views/AccessScreen';
import { AlertsView } from './views/AlertsView';
import { AuditView } from './views/AuditView';
import { CostView } from './views/CostView';
import { GpuView } from './views/GpuView';
import { ModelHealthView } from './views/ModelHealthView';
import { ModelsRoute } from './views/ModelsRoute';
import { SettingsView } from './views/SettingsView';
import { TrafficView } from './views/TrafficView';

const screens: Record<ViewName, () => React.JSX.Element> = {
  models: ModelsRoute,
  traffic: TrafficView,
  health: ModelHealthView,
  gpus: GpuView,
  cost: CostView,
  alerts: AlertsView,
  audit: AuditView,
  settings: SettingsView,
};

export function App() {
  const view = useApp((s) => s.view);
  const refused = useApp((s) => s.refused);

  useEffect(() => {
    void appStore.getState().loadInfo();
    void settingsStore.getState().load();
    modelsStore.getState().start();
    return () => modelsStore.getState().stop();
  }, []);

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
    </div>
  );
}
