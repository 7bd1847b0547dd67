/** Connections: the kubeconfig's contexts, and cluster connections (every context, several at once). */
import type { connectionsChannels } from '../../shared/connections';
import { listContexts } from '../kube/kubeconfig';
import type { ApiContext } from './context';
import type { HandlersOf } from './dispatch';
import { updateSettings } from './settings';

export function connectionsHandlers(ctx: ApiContext): HandlersOf<typeof connectionsChannels> {
  const { connections } = ctx;
  return {
    'kube.contexts': (input) =>
      listContexts(
        input.kubeconfigPath === undefined ? ctx.settings.kube().kubeconfigPath : input.kubeconfigPath,
        ctx.env,
      ),

    'kube.connections': (input) => connections.list({ probe: input.probe ?? false }),

    'kube.connect': async (input) => {
      // asking to connect is the "Retry" of a failed connection (and of a credential plugin that timed out)
      const conn = connections.connect(input.context, { retry: true });
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

    'kube.disconnect': async (input) => {
      await connections.disconnect(input.context);
      return connections.list();
    },
  };
}
