/** Traffic: the routes that split traffic, read from the live connection. A change of split is an action. */
import type { trafficChannels } from '../../shared/traffic';
import { listRoutes } from '../kube/routes';
import type { ApiContext } from './context';
import type { HandlersOf } from './dispatch';

export function trafficHandlers(ctx: ApiContext): HandlersOf<typeof trafficChannels> {
  return {
    'traffic.routes': (input) => listRoutes(ctx.connections.connect(input.context ?? null).kubeConfig),
  };
}
