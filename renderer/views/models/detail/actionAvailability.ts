import type { ModelService } from '../../../../shared/models';
import type { ActionKind } from '../../../state/actions';

/**
 * Why an action does not apply to the model as it is now (its button is then disabled with this reason), or
 * null. Only what the inventory knows for sure: an unknown state leaves the action to the dry run.
 */
export function notApplicable(
  action: ActionKind,
  model: Pick<ModelService, 'paused' | 'replicas'>,
): string | null {
  if (action === 'resume' && model.paused === false)
    return 'Not paused: the rollout is running, there is nothing to resume.';
  if (action === 'pause' && model.paused === true) return 'Already paused: Resume lets the rollout go on.';
  return null;
}
