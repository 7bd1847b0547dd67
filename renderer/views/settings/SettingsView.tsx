import { useEffect } from 'react';
import { ErrorPanel } from '../../components/ErrorPanel';
import { ConnectionsPanel } from '../connections/ConnectionsPanel';
import { Icon } from '../../components/Icon';
import { formatTimestamp } from '../../format';
import { useSettings } from '../../state';

import { settingsActions as actions } from './settingsActions';
import { KubernetesSection } from './KubernetesSection';
import { PrometheusSection } from './PrometheusSection';
import { Form } from '../../components/Form';
import { AppearanceSection } from './AppearanceSection';

export function SettingsView() {
  const settings = useSettings((s) => s.settings);
  const draft = useSettings((s) => s.draft);

  useEffect(() => {
    void actions.load();
  }, []);

  if (!draft) {
    if (settings.status === 'error' && settings.error)
      return (
        <div className="view view-center">
          <ErrorPanel
            title="Could not load settings"
            error={settings.error}
            onRetry={() => void actions.load()}
          />
        </div>
      );
    return (
      <div className="view view-center">
        <div className="loading-line" role="status">
          Loading settings…
        </div>
      </div>
    );
  }

  return (
    <div className="view view-scroll" data-testid="settings-view">
      <Form className="settings" noValidate onSubmit={() => void actions.save()}>
        <KubernetesSection draft={draft} />
        <ConnectionsPanel />
        <PrometheusSection draft={draft} />
        <AppearanceSection />
        <SaveBar />
      </Form>
    </div>
  );
}

function SaveBar() {
  const save = useSettings((s) => s.save);
  const dirty = useSettings((s) => s.dirty);
  const fieldErrors = useSettings((s) => s.fieldErrors);
  const invalid = Object.keys(fieldErrors).length > 0;

  return (
    <div className="savebar">
      <div className="savebar-status">
        {save.status === 'error' && save.error && <ErrorPanel inline error={save.error} />}
        {save.status !== 'error' && invalid && (
          <span className="sev-critical">Fix the highlighted fields, then save.</span>
        )}
        {save.status === 'ready' && !dirty && save.updatedAt && (
          <span className="test-ok" role="status" data-testid="saved">
            <Icon name="check" />
            Saved at {formatTimestamp(new Date(save.updatedAt).toISOString()).slice(11)}
          </span>
        )}
        {dirty && save.status !== 'error' && !invalid && <span className="muted">Unsaved changes</span>}
      </div>
      <button type="button" className="btn btn-ghost" onClick={actions.discard} disabled={!dirty}>
        Discard
      </button>
      <button
        type="submit"
        className="btn btn-primary"
        disabled={save.status === 'loading'}
        data-testid="save-settings"
      >
        {save.status === 'loading' ? 'Saving…' : 'Save'}
      </button>
    </div>
  );
}
