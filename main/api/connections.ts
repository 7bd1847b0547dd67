import type { ChannelOutput, ChannelParsedInput } from '../../shared/contract';
import type { Connections } from '../kube/connections';
import { loadMappingRules, saveMappingRules } from '../kube/inventory/mappingRules';
import type { ApiContext } from './context';
import { updateSettings } from './settings';

/** Cluster connections (every kubeconfig context, several at once) and the model-service mapping rules. */
export function connectionHandlers(ctx: ApiContext, connections: Connections) {
  return {
    'kube.connections': (
      input: ChannelParsedInput<'kube.connections'>,
    ): Promise<ChannelOutput<'kube.connections'>> => connections.list({ probe: input.probe ?? false }),

    'kube.connect': async (
      input: ChannelParsedInput<'kube.connect'>,
    ): Promise<ChannelOutput<'kube.connect'>> => {
      const conn = connections.connect(input.context);
      if (input.makeCurrent) updateSettings(ctx, { kube: { context: input.context } });
      // the first answer (or failure) of discovery, so the caller sees ready / auth-failed / unreachable at once
      await new Promise<void>((resolve) => {
        let off = () => {};
        const timer = setTimeout(() => finish(), 10_000);
        const finish = () => {
          clearTimeout(timer);
          off();
          resolve();
        };
        off = conn.inventory.onChange(() => {
          if (conn.status().status !== 'connecting') finish();
        });
        if (conn.status().status !== 'connecting') finish();
      });
      const list = await connections.list();
      const mine = list.connections.find((c) => c.name === input.context);
      if (!mine) throw new Error(`context ${input.context} vanished from the kubeconfig`);
      return mine;
    },

    'kube.disconnect': async (
      input: ChannelParsedInput<'kube.disconnect'>,
    ): Promise<ChannelOutput<'kube.disconnect'>> => {
      await connections.disconnect(input.context);
      return connections.list();
    },

    'models.mappingRules': (): ChannelOutput<'models.mappingRules'> => loadMappingRules(ctx.store),

    'models.saveMappingRules': (
      input: ChannelParsedInput<'models.saveMappingRules'>,
    ): ChannelOutput<'models.saveMappingRules'> => {
      const view = saveMappingRules(ctx.store, input.rules);
      ctx.store.audit.append({
        actor: ctx.actor,
        action: 'models.saveMappingRules',
        target: 'model-service mapping rules',
        result: 'saved',
        details: { rules: view.rules, defaults: input.rules === null },
      });
      return view;
    },
  };
}
