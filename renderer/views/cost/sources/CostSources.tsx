import { ErrorPanel } from '../../../components/ErrorPanel';
import { costStore, useCost } from '../../../state/cost';
import { CostSettingsForm } from './CostSettingsForm';
import { FocusImports } from './FocusImports';
import { PriceTableEditor } from './PriceTable';

const actions = () => costStore.getState();

/** The Sources tab: where cost comes from (settings, FOCUS imports, the price table). */
export function CostSources() {
  const settings = useCost((s) => s.settings);
  if (!settings.data) {
    if (settings.status === 'error' && settings.error)
      return (
        <ErrorPanel
          title="Could not load the cost settings"
          error={settings.error}
          onRetry={() => void actions().loadSources()}
        />
      );
    return <div className="loading-line">Loading the cost settings…</div>;
  }
  return (
    <div className="cost-sources-tab" data-testid="cost-sources-tab">
      <CostSettingsForm key={JSON.stringify(settings.data)} saved={settings.data} />
      <FocusImports />
      <PriceTableEditor />
    </div>
  );
}
