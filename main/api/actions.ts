import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { ActionPipeline } from '../kube/actionPipeline';
import { kubeConfigFor } from '../kube/kubeconfig';
import { ResourceClient } from '../kube/resources';
import { revisionHistory } from '../kube/revisions';
import { listRoutes } from '../kube/routes';
import { silenceAction } from './alerts';
import type { ApiContext } from './context';

/** Revision history, routes, and the one pipeline every write goes through (cluster and Alertmanager). */
export function actionHandlers(
  ctx: ApiContext,
  options: { effectTimeoutMs?: number; silenceTimeoutMs?: number } = {},
) {
  const pipeline = new ActionPipeline({
    store: ctx.store,
    actor: ctx.actor,
    ...(options.effectTimeoutMs !== undefined ? { effectTimeoutMs: options.effectTimeoutMs } : {}),
  });
  const kubeConfig = (context?: string) => {
    const saved = ctx.settings.kube();
    return kubeConfigFor(saved.kubeconfigPath, context ?? saved.context, ctx.env);
  };
  return {
    'models.history': (
      input: ChannelParsedInput<'models.history'>,
    ): Promise<ChannelOutput<'models.history'>> =>
      revisionHistory(new ResourceClient(kubeConfig(input.context)), input.target),
    'traffic.routes': (
      input: ChannelParsedInput<'traffic.routes'>,
    ): Promise<ChannelOutput<'traffic.routes'>> => listRoutes(kubeConfig(input.context)),
    'actions.prepare': (
      input: ChannelParsedInput<'actions.prepare'>,
    ): Promise<ChannelOutput<'actions.prepare'>> => {
      const { request } = input;
      if (request.type === 'silence')
        return silenceAction(ctx, request, {
          ...(options.silenceTimeoutMs !== undefined ? { effectTimeoutMs: options.silenceTimeoutMs } : {}),
        }).then((action) => pipeline.prepareExternal(request, action));
      return pipeline.prepare(kubeConfig(input.context), request);
    },
    'actions.execute': (
      input: ChannelParsedInput<'actions.execute'>,
    ): Promise<ChannelOutput<'actions.execute'>> => pipeline.execute(input.id, input.confirm),
  };
}
