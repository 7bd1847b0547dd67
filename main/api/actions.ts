import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import { ActionPipeline } from '../kube/actionPipeline';
import { kubeConfigFor } from '../kube/kubeconfig';
import { ResourceClient } from '../kube/resources';
import { revisionHistory } from '../kube/revisions';
import { listRoutes } from '../kube/routes';
import type { ApiContext } from './context';

/** Revision history, routes, and the one pipeline every cluster write goes through. */
export function actionHandlers(ctx: ApiContext, options: { effectTimeoutMs?: number } = {}) {
  const pipeline = new ActionPipeline({ store: ctx.store, actor: ctx.actor, ...options });
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
    ): Promise<ChannelOutput<'actions.prepare'>> =>
      pipeline.prepare(kubeConfig(input.context), input.request),
    'actions.execute': (
      input: ChannelParsedInput<'actions.execute'>,
    ): Promise<ChannelOutput<'actions.execute'>> => pipeline.execute(input.id, input.confirm),
  };
}
