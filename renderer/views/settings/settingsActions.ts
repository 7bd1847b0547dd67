import { settingsStore } from '../../state';
import type { SettingsDraft } from '../../state/settings';

/** Stable references to the settings store's actions, for event handlers. */
export const settingsActions = {
  edit: (patch: Partial<SettingsDraft>) => settingsStore.getState().edit(patch),
  load: () => settingsStore.getState().load(),
  loadDraftContexts: () => settingsStore.getState().loadDraftContexts(),
  test: () => settingsStore.getState().testPrometheus(),
  save: () => settingsStore.getState().saveDraft(),
  discard: () => settingsStore.getState().discard(),
};
