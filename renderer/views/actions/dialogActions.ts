import { actionsStore } from '../../state/actions';

/** The dialog's buttons: stable references to the store's actions. */
export const dialogActions = {
  close: () => actionsStore.getState().close(),
  confirm: () => void actionsStore.getState().confirm(),
  again: () => void actionsStore.getState().again(),
  setTyped: (t: string) => actionsStore.getState().setTyped(t),
};
