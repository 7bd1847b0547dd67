import { modelsStore } from '../../state';
export { isNotConnected } from '../../state/models';

/** Stable action references for event handlers (the store's actions never change). */
export const modelsActions = {
  setFilter: (filter: string) => modelsStore.getState().setFilter(filter),
  setSort: (...args: Parameters<ReturnType<typeof modelsStore.getState>['setSort']>) =>
    modelsStore.getState().setSort(...args),
  refresh: () => modelsStore.getState().refresh(),
};
