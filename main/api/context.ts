import type { Connections } from '../kube/connections';
import type { KubeEnv } from '../kube/kubeconfig';
import type { Settings } from '../settings/settings';
import type { Store } from '../store';

/** What every handler module gets: the profile's store, settings and cluster connections, and where it runs. */
export interface ApiContext {
  store: Store;
  settings: Settings;
  env: KubeEnv;
  version: string;
  transport: 'electron' | 'serve' | 'memory';
  /** who performs actions, for the audit log */
  actor: string;
  /** the clusters of the kubeconfig, each with its watch-fed inventory (started on first use) */
  connections: Connections;
}
