// Public types of the Kubernetes API test server, plus the loose JSON type used inside it.

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ownerReferences?: any[];
    creationTimestamp?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

/** First match wins; with no rules at all every request is allowed; with rules, an unmatched request is denied. */
export interface AccessRule {
  allow: boolean;
  verbs: string[] | '*';
  apiGroups: string[] | '*';
  resources: string[] | '*';
  namespaces?: string[];
  names?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
  status: number;
}

export interface KubeApiServerOptions {
  port?: number;
  objects?: KubeObject[];
  rules?: AccessRule[];
  /** default 'sandbox-token' */
  token?: string;
  /** default 'sandbox-admin' */
  userName?: string;
  /** default true */
  controllers?: boolean;
  /** how long new pods take to become ready, default 300 */
  readyDelayMs?: number;
  /**
   * Status of a JSON Patch whose failing `test` op tests /metadata/resourceVersion.
   * Default 409 (Conflict). A real kube-apiserver answers 422 (Invalid, "the server rejected our
   * request due to an error in our request") for every failed `test` op: pass 422 to test that path.
   */
  jsonPatchTestFailureStatus?: 409 | 422;
  /** seed of the deterministic generator used for uids and pod names, default 42 */
  seed?: number;
}

// Loose JSON object used internally: Kubernetes objects are open-ended documents.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
