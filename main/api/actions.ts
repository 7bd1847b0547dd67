/** Actions: every write goes through the one pipeline of main/actions (cluster objects, Alertmanager silences created and expired). */
import type { actionsChannels } from '../../shared/actions';
import { ActionPipeline } from '../actions/pipeline';
import { silenceAction } from '../actions/silence';
import { expireSilenceAction } from '../actions/silenceExpire';
import type { ApiContext } from './context';
import type { HandlersOf } from './dispatch';

export interface ActionsApiOptions {
  /** how long a cluster write is watched for its effect (tests shorten it) */
  effectTimeoutMs?: number;
  /** how long a silence is checked for its effect */
  silenceTimeoutMs?: number;
}

export function actionsHandlers(
  ctx: ApiContext,
  pipeline: ActionPipeline,
  options: ActionsApiOptions = {},
): HandlersOf<typeof actionsChannels> {
  return {
    'actions.prepare': async ({ context, request }) => {
      if (request.type === 'silence') {
        const action = await silenceAction(ctx.settings.alertmanagerConfig(), ctx.actor, request, {
          ...(options.silenceTimeoutMs !== undefined ? { effectTimeoutMs: options.silenceTimeoutMs } : {}),
        });
        return pipeline.prepareExternal(request, action);
      }
      if (request.type === 'expireSilence') {
        const action = await expireSilenceAction(ctx.settings.alertmanagerConfig(), ctx.actor, request, {
          ...(options.silenceTimeoutMs !== undefined ? { effectTimeoutMs: options.silenceTimeoutMs } : {}),
        });
        return pipeline.prepareExternal(request, action);
      }
      // the live connection the screens read from: its kubeconfig, and its inventory to watch the effect on
      return pipeline.prepare(ctx.connections.connect(context ?? null), request);
    },
    'actions.execute': (input) => pipeline.execute(input.id, input.confirm),
  };
}

/** The pipeline of this profile; on start it settles the actions a previous run left started. */
export function actionPipeline(ctx: ApiContext, options: ActionsApiOptions = {}): ActionPipeline {
  const pipeline = new ActionPipeline({
    store: ctx.store,
    actor: ctx.actor,
    ...(options.effectTimeoutMs !== undefined ? { effectTimeoutMs: options.effectTimeoutMs } : {}),
  });
  if (!ctx.store.readonly && ctx.store.audit.unfinished().length > 0) {
    void pipeline
      .reconcile((context) => ctx.connections.connect(context))
      .catch(() => {
        // what cannot be settled now stays started in the audit list, and is tried again on the next start
      });
  }
  return pipeline;
}
