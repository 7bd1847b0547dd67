import type { WorkloadRef } from '../../../../shared/models';
import { actionsStore, requestFor, type ActionKind } from '../../../state/actions';

/** Opens the action dialog for an action on this workload (the dialog prepares it; nothing is written yet). */
export const openAction = (
  action: ActionKind,
  target: WorkloadRef,
  extra?: { toRevision?: number; replicas?: number },
) => void actionsStore.getState().open(requestFor(action, target, extra));
