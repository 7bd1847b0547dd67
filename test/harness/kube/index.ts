export { startKubeApiServer, KUBE_VERSION, type KubeApiServer, type KubeconfigOptions } from './server';
export type { AccessRule, KubeApiServerOptions, KubeObject, RecordedRequest } from './types';
