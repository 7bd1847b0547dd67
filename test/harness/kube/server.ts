// A Kubernetes API test server in plain node:http: discovery, list/watch, create/update/patch/delete with
// dry run, subresources, SelfSubjectAccessReview and access rules, server-side tables, and controllers.
// Real kubectl and @kubernetes/client-node work against it. See README.md beside this file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
// fast-json-patch is CommonJS under Node (no "exports" map): use its default export in both Node and Vite
import jsonpatch, { type Operation } from 'fast-json-patch';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { Controllers } from './controllers';
import { ApiError, errors, injectedFailure, statusObject } from './errors';
import { isPlainObject, mergePatch, strategicMergePatch } from './patch';
import {
  apiGroupDoc,
  apiGroupListDoc,
  apiResourceListDoc,
  apiVersionsDoc,
  defForKind,
  defForResource,
  storageDef,
  openApiV3GroupVersion,
  openApiV3Root,
  type ResourceDef,
} from './resources';
import { fieldMatcher, labelMatcher, labelSelectorToString, type Matcher } from './selectors';
import { type Entry, entryJson, Store, type StoreWatcher } from './store';
import { fieldsFromBody } from './strategy';
import { decodeProtobufObject, isProtobuf } from './proto';
import { partialMetadata, tableOf } from './tables';
import { selfSignedCertificate } from './tls';
import { coreEventToV1 } from './eventsV1';
import type {
  AccessRule,
  KubeApiServerOptions,
  KubeObject,
  Obj,
  RecordedRequest,
  WatchEventType,
} from './types';
import { clone, getPath, Rng, setPath } from './util';

export type { AccessRule, KubeApiServerOptions, KubeObject, RecordedRequest } from './types';

export interface KubeconfigOptions {
  contextName?: string;
  namespace?: string;
  token?: string;
  /**
   * 'https' (default): server=httpsUrl with the server's certificate as certificate-authority-data. kubectl (client-go)
   * sends bearer tokens only over TLS, so this is the kubeconfig that works with kubectl and with client-node.
   * 'http': server=url; fine for client-node, but kubectl then sends no token and gets 401.
   */
  scheme?: 'https' | 'http';
}

export interface KubeApiServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** https://127.0.0.1:<port>: the same port also speaks TLS (self-signed certificate `caCert`) */
  httpsUrl: string;
  /** PEM of the self-signed certificate the TLS side presents (valid for 127.0.0.1 and localhost) */
  caCert: string;
  token: string;
  /** YAML text, token auth; see KubeconfigOptions.scheme for the server address */
  kubeconfig(opts?: KubeconfigOptions): string;
  /** writes, returns absolute path */
  writeKubeconfig(path: string, opts?: KubeconfigOptions): string;
  store: {
    list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
    get(
      apiVersion: string,
      kind: string,
      namespace: string | undefined,
      name: string,
    ): KubeObject | undefined;
    /** create or replace as a client would, bumps resourceVersion/generation, notifies watchers, runs controllers */
    apply(obj: KubeObject): KubeObject;
    delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): void;
    onChange(cb: (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject) => void): () => void;
    /** the clock objects are stamped from (a seed sets it to the story's times, then back to Date.now) */
    now: () => number;
  };
  setAccessRules(rules: AccessRule[]): void;
  /** every request except discovery, for tests that compare what a client sent */
  requests: RecordedRequest[];
  clearRequests(): void;
  /** next `count` matching requests answer `status` with a Status body */
  injectFailures(f: {
    status: number;
    count: number;
    match?: (method: string, path: string) => boolean;
  }): void;
  /** every open watch gets an ERROR event with a 410 Expired Status and ends; older resourceVersions are compacted */
  expireWatches(): void;
  stop(): Promise<void>;
}

export const KUBE_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
];
const BOOKMARK_INTERVAL_MS = 5000;
/** API Priority and Fairness headers: with them client-go (kubectl) turns its client-side rate limiter off, as against a real apiserver */
const APF_HEADERS = {
  'X-Kubernetes-Pf-Flowschema-Uid': '7c0ee1a4-0c6f-4f7e-9e0b-5b2c1f1b7c01',
  'X-Kubernetes-Pf-Prioritylevel-Uid': '2f0f5c8e-8a4e-4c5d-9d7a-3e1b6a9c4d02',
};

interface Watch {
  res: ServerResponse;
  bookmarks: boolean;
  def: ResourceDef;
  end(): void;
}

interface ResourceRequest {
  def: ResourceDef;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  watch: boolean;
}

function parseResourcePath(segs: string[]): ResourceRequest | undefined {
  let apiVersion: string;
  let rest: string[];
  if (segs[0] === 'api' && segs[1] === 'v1') {
    apiVersion = 'v1';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    apiVersion = `${segs[1]}/${segs[2]}`;
    rest = segs.slice(3);
  } else return undefined;
  let watch = false;
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  let resource: string | undefined;
  let name: string | undefined;
  let subresource: string | undefined;
  const nsSub =
    apiVersion === 'v1' &&
    rest[0] === 'namespaces' &&
    rest.length === 3 &&
    (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !nsSub) {
    if (rest.length > 5) return undefined;
    [, namespace, resource, name, subresource] = rest;
  } else {
    if (rest.length > 3 || rest.length === 0) return undefined;
    [resource, name, subresource] = rest;
  }
  const def = defForResource(apiVersion, resource!);
  if (!def) return undefined;
  if (namespace !== undefined && !def.namespaced) return undefined;
  return { def, namespace, name, subresource, watch };
}

function verbOf(method: string, r: ResourceRequest, query: Record<string, string>): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (r.name) return 'get';
      return r.watch || query.watch === '1' || query.watch === 'true' ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return r.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export function evaluateRules(
  rules: AccessRule[],
  a: {
    verb: string;
    group: string;
    resource: string;
    subresource?: string;
    namespace?: string;
    name?: string;
  },
): { allowed: boolean; denied: boolean; reason: string } {
  if (rules.length === 0)
    return { allowed: true, denied: false, reason: 'no sandbox access rules: everything is allowed' };
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (r.verbs !== '*' && !r.verbs.includes(a.verb) && !r.verbs.includes('*')) continue;
    if (r.apiGroups !== '*' && !r.apiGroups.includes(a.group) && !r.apiGroups.includes('*')) continue;
    if (
      r.resources !== '*' &&
      !r.resources.includes(res) &&
      !r.resources.includes('*') &&
      !(a.subresource && r.resources.includes(`*/${a.subresource}`))
    )
      continue;
    if (r.namespaces && (!a.namespace || !r.namespaces.includes(a.namespace))) continue;
    if (r.names && (!a.name || !r.names.includes(a.name))) continue;
    return r.allow
      ? { allowed: true, denied: false, reason: `allowed by sandbox access rule #${i}` }
      : { allowed: false, denied: true, reason: `denied by sandbox access rule #${i}` };
  }
  return { allowed: false, denied: false, reason: '' };
}

function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` })).toString(
    'base64',
  );
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string')
      throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw errors.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function wantsPartial(accept: string | undefined): boolean {
  return !!accept && /as=PartialObjectMetadata/.test(accept);
}

function managerFrom(req: IncomingMessage, query: Record<string, string>): string {
  if (query.fieldManager) return query.fieldManager;
  const ua = req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0] || 'unknown';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res(Buffer.concat(chunks)));
    req.on('error', rej);
  });
}

export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const token = opts.token ?? 'sandbox-token';
  const userName = opts.userName ?? 'sandbox-admin';
  const testFailureStatus = opts.jsonPatchTestFailureStatus ?? 409;
  let rules: AccessRule[] = opts.rules ?? [];
  const store = new Store(new Rng(opts.seed ?? 42));
  for (const ns of ['default', 'kube-system', 'kube-public']) store.loadNamespace(ns);
  const controllers = new Controllers(store, {
    enabled: opts.controllers ?? true,
    readyDelayMs: opts.readyDelayMs ?? 300,
  });
  const seen = store.load((opts.objects ?? []) as Obj[]);
  controllers.enqueueAll(seen);
  controllers.drain();

  const requests: RecordedRequest[] = [];
  const failures: { status: number; count: number; match?: (method: string, path: string) => boolean }[] = [];
  const watches = new Set<Watch>();
  let stopped = false;
  let url = '';

  const bookmarkTimer = setInterval(() => {
    for (const w of watches) {
      if (!w.bookmarks) continue;
      w.res.write(
        `{"type":"BOOKMARK","object":${JSON.stringify({ kind: w.def.kind, apiVersion: w.def.apiVersion, metadata: { resourceVersion: String(store.rv) } })}}\n`,
      );
    }
  }, BOOKMARK_INTERVAL_MS);
  bookmarkTimer.unref();

  // ---- responses ----

  function send(
    res: ServerResponse,
    rec: RecordedRequest | undefined,
    code: number,
    body: string,
    contentType = 'application/json',
    headers: Record<string, string> = {},
  ): void {
    if (rec) rec.status = code;
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(code, {
      'Content-Type': contentType,
      'Cache-Control': 'no-cache, private',
      'Content-Length': Buffer.byteLength(body),
      ...APF_HEADERS,
      ...headers,
    });
    res.end(body);
  }

  function sendError(res: ServerResponse, rec: RecordedRequest | undefined, e: ApiError): void {
    send(res, rec, e.code, JSON.stringify(e.status()), 'application/json', e.headers ?? {});
  }

  function sendObject(
    res: ServerResponse,
    rec: RecordedRequest | undefined,
    code: number,
    def: ResourceDef,
    obj: Obj,
    req: IncomingMessage,
    query: Record<string, string>,
    json?: string,
  ): void {
    const accept = req.headers.accept;
    if (wantsTable(accept)) {
      send(
        res,
        rec,
        code,
        JSON.stringify(
          tableOf(def, [obj], { resourceVersion: obj.metadata.resourceVersion ?? '' }, query.includeObject),
        ),
      );
    } else if (wantsPartial(accept)) {
      send(res, rec, code, JSON.stringify(partialMetadata(obj)));
    } else {
      send(res, rec, code, json ?? JSON.stringify(obj));
    }
  }

  // ---- list and watch ----

  /** stored entries as `def` shows them (another API's view converts each one) */
  function viewOf(def: ResourceDef): (e: Entry) => Entry {
    return def.viewOf ? (e) => ({ obj: coreEventToV1(e.obj) }) : (e) => e;
  }

  function matcherFor(def: ResourceDef, query: Record<string, string>): Matcher {
    const lm = labelMatcher(query.labelSelector);
    const fm = fieldMatcher(query.fieldSelector, def);
    if (lm && fm) return (o) => lm(o) && fm(o);
    return lm ?? fm ?? (() => true);
  }

  function handleList(
    req: IncomingMessage,
    res: ServerResponse,
    rec: RecordedRequest | undefined,
    r: ResourceRequest,
    query: Record<string, string>,
  ): void {
    const { def, namespace } = r;
    const match = matcherFor(def, query);
    const asView = viewOf(def);
    const hasSelector = !!(query.labelSelector?.trim() || query.fieldSelector?.trim());
    const rvParam = query.resourceVersion;
    if (rvParam && rvParam !== '0') {
      const n = Number(rvParam);
      if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid resource version: ${rvParam}`);
      if (n < store.compactedRv)
        throw errors.expired('The resourceVersion for the provided list is too old.');
    }
    let listRv = store.rv;
    let start: string | undefined;
    if (query.continue) {
      const t = decodeContinue(query.continue);
      if (t.rv < store.compactedRv) {
        throw errors.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      listRv = t.rv;
      start = t.start;
    }
    const limit = query.limit ? Number.parseInt(query.limit, 10) : 0;
    const items: Entry[] = [];
    let lastKey = '';
    let more = false;
    let remaining = 0;
    store.scan(storageDef(def), namespace, start, (stored, key) => {
      const e = asView(stored);
      if (limit > 0 && items.length >= limit) {
        if (!hasSelector) {
          remaining++;
          more = true;
          return true;
        }
        if (match(e.obj)) {
          more = true;
          return false;
        }
        return true;
      }
      if (match(e.obj)) {
        items.push(e);
        lastKey = key;
      }
      return true;
    });
    const meta: Obj = { resourceVersion: String(listRv) };
    if (more) {
      meta.continue = encodeContinue(listRv, lastKey);
      if (!hasSelector) meta.remainingItemCount = remaining;
    }
    const accept = req.headers.accept;
    if (wantsTable(accept)) {
      send(
        res,
        rec,
        200,
        JSON.stringify(
          tableOf(
            def,
            items.map((e) => e.obj),
            meta,
            query.includeObject,
          ),
        ),
      );
      return;
    }
    if (wantsPartial(accept)) {
      send(
        res,
        rec,
        200,
        JSON.stringify({
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: meta,
          items: items.map((e) => partialMetadata(e.obj)),
        }),
      );
      return;
    }
    const head = `{"kind":"${def.listKind}","apiVersion":"${def.apiVersion}","metadata":${JSON.stringify(meta)},"items":[`;
    let body = head;
    for (let i = 0; i < items.length; i++) body += (i ? ',' : '') + entryJson(items[i]!);
    body += ']}';
    send(res, rec, 200, body);
  }

  function handleWatch(
    req: IncomingMessage,
    res: ServerResponse,
    rec: RecordedRequest | undefined,
    r: ResourceRequest,
    query: Record<string, string>,
  ): void {
    const { def, namespace } = r;
    const match = matcherFor(def, query);
    const asView = viewOf(def);
    const stored = storageDef(def);
    const table = wantsTable(req.headers.accept);
    const bookmarks = query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1';
    const sendInitial = query.sendInitialEvents === 'true';
    const rvParam = query.resourceVersion;
    let from: number | undefined;
    if (rvParam && rvParam !== '0') {
      from = Number(rvParam);
      if (!Number.isInteger(from) || from < 0)
        throw errors.badRequest(`invalid resource version: ${rvParam}`);
    }
    if (rec) rec.status = 200;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
      ...APF_HEADERS,
    });
    res.flushHeaders();
    const line = (type: string, obj: Obj, entry?: Entry): string => {
      const objectJson = table
        ? JSON.stringify(
            tableOf(
              def,
              [obj],
              { resourceVersion: obj.metadata?.resourceVersion ?? '' },
              query.includeObject,
            ),
          )
        : entry
          ? entryJson(entry)
          : JSON.stringify(obj);
      return `{"type":"${type}","object":${objectJson}}\n`;
    };
    let ended = false;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const w: Watch = {
      res,
      bookmarks,
      def,
      end() {
        if (ended) return;
        ended = true;
        if (timeout) clearTimeout(timeout);
        watches.delete(w);
        store.watchers.get(stored)?.delete(sw);
        res.end();
      },
    };
    const deliver = (type: WatchEventType, storedEntry: Entry, storedPrev: Obj | undefined): void => {
      if (ended) return;
      const entry = asView(storedEntry);
      const prev = storedPrev && def.viewOf ? coreEventToV1(storedPrev) : storedPrev;
      const now = type !== 'DELETED' && match(entry.obj);
      const before = prev !== undefined && match(prev);
      let out: WatchEventType | undefined;
      if (type === 'ADDED') out = now ? 'ADDED' : undefined;
      else if (type === 'DELETED') out = match(entry.obj) ? 'DELETED' : undefined;
      else if (now && before) out = 'MODIFIED';
      else if (now) out = 'ADDED';
      else if (before) out = 'DELETED';
      if (out) res.write(line(out, entry.obj, entry));
    };
    const sw: StoreWatcher = { def: stored, namespace, onEvent: deliver };

    if (from === undefined || sendInitial) {
      const chunks: string[] = [];
      store.scan(stored, namespace, undefined, (storedEntry) => {
        const e = asView(storedEntry);
        if (match(e.obj)) chunks.push(line('ADDED', e.obj, e));
        if (chunks.length >= 500) res.write(chunks.splice(0).join(''));
        return true;
      });
      if (chunks.length) res.write(chunks.join(''));
      if (sendInitial && bookmarks) {
        res.write(
          line('BOOKMARK', {
            kind: def.kind,
            apiVersion: def.apiVersion,
            metadata: {
              resourceVersion: String(store.rv),
              annotations: { 'k8s.io/initial-events-end': 'true' },
            },
          }),
        );
      }
    } else {
      if (from < store.historyFloor || from < store.compactedRv) {
        res.write(
          `{"type":"ERROR","object":${JSON.stringify(statusObject(410, 'Expired', `too old resource version: ${from} (${store.historyFloor + 1})`))}}\n`,
        );
        res.end();
        return;
      }
      for (const ev of store.eventsSince(from)) {
        if (ev.def !== stored) continue;
        if (namespace !== undefined && ev.entry.obj.metadata.namespace !== namespace) continue;
        deliver(ev.type, ev.entry, ev.prev);
      }
    }
    let set = store.watchers.get(stored);
    if (!set) store.watchers.set(stored, (set = new Set()));
    set.add(sw);
    watches.add(w);
    const timeoutSeconds = query.timeoutSeconds ? Number(query.timeoutSeconds) : 0;
    if (timeoutSeconds > 0) timeout = setTimeout(() => w.end(), timeoutSeconds * 1000);
    // (not req 'close': for a request with no body that fires as soon as the request has been read)
    res.on('close', () => w.end());
  }

  // ---- writes ----

  function parseJsonBody(raw: string): unknown {
    if (!raw)
      throw errors.badRequest('the server could not find the requested resource: request body is empty');
    try {
      return JSON.parse(raw);
    } catch (e) {
      throw errors.badRequest(`error decoding request body: ${(e as Error).message}`);
    }
  }

  function checkBodyIdentity(def: ResourceDef, body: Obj, namespace: string | undefined): void {
    if (body.apiVersion !== undefined && body.apiVersion !== def.apiVersion) {
      throw errors.badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${def.apiVersion})`,
      );
    }
    if (body.kind !== undefined && body.kind !== def.kind) {
      throw errors.badRequest(
        `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the kind in the data (${body.kind}) does not match the expected kind (${def.kind})`,
      );
    }
    if (
      def.namespaced &&
      body.metadata?.namespace &&
      namespace !== undefined &&
      body.metadata.namespace !== namespace
    ) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
  }

  function scaleOf(def: ResourceDef, o: Obj): Obj {
    const sc = def.scale!;
    const selector = sc.labelSelectorPath
      ? (getPath(o, sc.labelSelectorPath) as string | undefined)
      : labelSelectorToString(o.spec?.selector);
    const status: Obj = { replicas: (getPath(o, sc.statusReplicasPath) as number | undefined) ?? 0 };
    if (selector) status.selector = selector;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        uid: o.metadata.uid,
        resourceVersion: o.metadata.resourceVersion,
        creationTimestamp: o.metadata.creationTimestamp,
      },
      spec: { replicas: (getPath(o, sc.specReplicasPath) as number | undefined) ?? 0 },
      status,
    };
  }

  function applyPatchDoc(
    def: ResourceDef,
    name: string,
    contentType: string,
    current: Obj,
    raw: string,
    builtinScale = false,
  ): Obj {
    if (contentType === 'application/json-patch+json') {
      const ops = parseJsonBody(raw);
      if (!Array.isArray(ops))
        throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      const doc = clone(current);
      try {
        return jsonpatch.applyPatch(doc, ops as Operation[], true, true).newDocument;
      } catch (e) {
        if (e instanceof jsonpatch.JsonPatchError) {
          const op = e.operation as Operation | undefined;
          const path = op?.path ?? '';
          if (e.name === 'TEST_OPERATION_FAILED') {
            const cause = `testing value ${path} failed: test failed`;
            if (path === '/metadata/resourceVersion' && testFailureStatus === 409)
              throw errors.conflict(def, name, undefined, [
                { reason: 'FieldValueInvalid', message: cause, field: 'metadata.resourceVersion' },
              ]);
            // the real apiserver drops the jsonpatch error text here: details stay empty
            throw errors.unprocessable('the server rejected our request due to an error in our request');
          }
          throw errors.unprocessable('the server rejected our request due to an error in our request');
        }
        throw errors.unprocessable('the server rejected our request due to an error in our request');
      }
    }
    if (contentType === 'application/merge-patch+json') {
      const p = parseJsonBody(raw);
      if (!isPlainObject(p))
        throw errors.badRequest('invalid JSON merge patch: the patch must be a JSON object');
      return mergePatch(current, p) as Obj;
    }
    if (contentType === 'application/strategic-merge-patch+json') {
      if (def.custom && !builtinScale)
        throw errors.unsupportedMediaType(
          contentType,
          PATCH_TYPES.filter((t) => !t.includes('strategic')),
        );
      const p = parseJsonBody(raw);
      if (!isPlainObject(p))
        throw errors.badRequest('invalid strategic merge patch: the patch must be a JSON object');
      return strategicMergePatch(current, p);
    }
    throw errors.unsupportedMediaType(contentType, PATCH_TYPES);
  }

  function handleSSAR(res: ServerResponse, rec: RecordedRequest | undefined, body: Obj): void {
    const spec: Obj = body?.spec ?? {};
    let status: Obj;
    if (spec.resourceAttributes) {
      const ra: Obj = spec.resourceAttributes;
      const d = evaluateRules(rules, {
        verb: ra.verb ?? '',
        group: ra.group ?? '',
        resource: ra.resource ?? '',
        subresource: ra.subresource || undefined,
        namespace: ra.namespace || undefined,
        name: ra.name || undefined,
      });
      status = { allowed: d.allowed };
      if (d.denied) status.denied = true;
      if (d.reason) status.reason = d.reason;
    } else {
      status = { allowed: true, reason: 'non-resource URLs are allowed in the sandbox' };
    }
    const out = {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status,
    };
    send(res, rec, 201, JSON.stringify(out));
  }

  function handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    rec: RecordedRequest | undefined,
    r: ResourceRequest,
    query: Record<string, string>,
    raw: string,
  ): void {
    const { def, namespace, name, subresource } = r;
    const method = req.method ?? 'GET';
    const verb = verbOf(method, r, query);
    if (
      subresource &&
      !(
        (subresource === 'status' && def.status) ||
        (subresource === 'scale' && def.scale) ||
        (subresource === 'log' && def.kind === 'Pod' && def.group === '')
      )
    ) {
      throw errors.pathNotFound();
    }
    if (!def.verbs.includes(verb) && !(subresource && ['get', 'update', 'patch'].includes(verb)))
      throw errors.methodNotAllowed(method);
    if (!def.virtual) {
      const d = evaluateRules(rules, {
        verb,
        group: def.group,
        resource: def.resource,
        subresource,
        namespace,
        name,
      });
      if (!d.allowed)
        throw errors.forbidden(
          def,
          name,
          userName,
          verb,
          subresource ? `${def.resource}/${subresource}` : def.resource,
          def.group,
          namespace,
        );
    }
    if (def.namespaced && namespace === undefined && !['list', 'watch'].includes(verb))
      throw errors.pathNotFound();
    const dryRun = query.dryRun === 'All';
    const manager = managerFrom(req, query);

    switch (verb) {
      case 'get': {
        const found = store.getEntry(storageDef(def), namespace, name!);
        if (!found) throw errors.notFound(def, name!);
        const e = viewOf(def)(found);
        if (subresource === 'scale') {
          send(res, rec, 200, JSON.stringify(scaleOf(def, e.obj)));
          return;
        }
        if (subresource === 'log') {
          const containers: Obj[] = e.obj.spec?.containers ?? [];
          const c = query.container ?? containers[0]?.name ?? '';
          send(
            res,
            rec,
            200,
            `sandbox: container ${c} of pod ${name} is running image ${containers.find((x) => x.name === c)?.image ?? ''}\n`,
            'text/plain',
          );
          return;
        }
        sendObject(res, rec, 200, def, e.obj, req, query, entryJson(e));
        return;
      }
      case 'list':
        handleList(req, res, rec, r, query);
        return;
      case 'watch':
        handleWatch(req, res, rec, r, query);
        return;
      case 'create': {
        const body = parseJsonBody(raw);
        if (!isPlainObject(body)) throw errors.badRequest('the request body must be a JSON object');
        if (def.virtual) {
          handleSSAR(res, rec, body);
          return;
        }
        if (name || subresource) throw errors.methodNotAllowed(method);
        checkBodyIdentity(def, body, namespace);
        const input = { ...body, metadata: { ...(body.metadata ?? {}), namespace } };
        if (!def.namespaced) delete input.metadata.namespace;
        const created = store.create(def, input, { dryRun, manager, fields: fieldsFromBody(body) });
        if (!dryRun) controllers.drain();
        sendObject(res, rec, 201, def, created, req, query);
        return;
      }
      case 'update': {
        const body = parseJsonBody(raw);
        if (!isPlainObject(body)) throw errors.badRequest('the request body must be a JSON object');
        const current = store.get(def, namespace, name!);
        if (!current) throw errors.notFound(def, name!);
        if (subresource === 'scale') {
          if (
            body.metadata?.resourceVersion &&
            body.metadata.resourceVersion !== current.metadata.resourceVersion
          )
            throw errors.conflict(def, name!);
          const next = clone(current);
          setPath(next, def.scale!.specReplicasPath, body.spec?.replicas ?? 0);
          const out = store.update(def, namespace, name!, next, {
            dryRun,
            manager,
            subresource: 'scale',
            fields: { 'f:spec': { 'f:replicas': {} } },
          });
          if (!dryRun) controllers.drain();
          send(res, rec, 200, JSON.stringify(scaleOf(def, out)));
          return;
        }
        if (body.metadata?.name !== undefined && body.metadata.name !== name) {
          throw errors.badRequest(
            `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
          );
        }
        checkBodyIdentity(def, body, namespace);
        const out = store.update(def, namespace, name!, body, {
          dryRun,
          manager,
          checkRv: true,
          subresource: subresource === 'status' ? 'status' : undefined,
          fields: fieldsFromBody(body),
        });
        if (!dryRun) controllers.drain();
        sendObject(res, rec, 200, def, out, req, query);
        return;
      }
      case 'patch': {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (contentType === 'application/apply-patch+yaml') {
          handleApply(req, res, rec, r, query, raw, dryRun);
          return;
        }
        const current = store.get(def, namespace, name!);
        if (!current) throw errors.notFound(def, name!);
        if (subresource === 'scale') {
          const patched = applyPatchDoc(def, name!, contentType, scaleOf(def, current), raw, true);
          if (patched.metadata?.resourceVersion !== current.metadata.resourceVersion)
            throw errors.conflict(def, name!);
          const next = clone(current);
          setPath(next, def.scale!.specReplicasPath, patched.spec?.replicas ?? 0);
          const out = store.update(def, namespace, name!, next, {
            dryRun,
            manager,
            subresource: 'scale',
            fields: { 'f:spec': { 'f:replicas': {} } },
          });
          if (!dryRun) controllers.drain();
          send(res, rec, 200, JSON.stringify(scaleOf(def, out)));
          return;
        }
        const patched = applyPatchDoc(def, name!, contentType, current, raw);
        if (!isPlainObject(patched))
          throw errors.unprocessable('the server rejected our request due to an error in our request');
        if (
          String(patched.metadata?.resourceVersion ?? '') !== current.metadata.resourceVersion &&
          patched.metadata?.resourceVersion !== undefined
        )
          throw errors.conflict(def, name!);
        if (patched.metadata?.name !== name)
          throw errors.badRequest(
            `the name of the object (${patched.metadata?.name}) does not match the name on the URL (${name})`,
          );
        checkBodyIdentity(def, patched, namespace);
        let fields: Obj = {};
        try {
          fields = fieldsFromBody(JSON.parse(raw));
        } catch {
          // fields are a nicety
        }
        const out = store.update(def, namespace, name!, patched, {
          dryRun,
          manager,
          checkRv: true,
          subresource: subresource === 'status' ? 'status' : undefined,
          fields,
        });
        if (!dryRun) controllers.drain();
        sendObject(res, rec, 200, def, out, req, query);
        return;
      }
      case 'delete': {
        let options: Obj = {};
        if (raw.trim()) {
          const b = parseJsonBody(raw);
          if (isPlainObject(b)) options = b;
        }
        const propagationPolicy: string | undefined = query.propagationPolicy ?? options.propagationPolicy;
        const isDry = dryRun || (Array.isArray(options.dryRun) && options.dryRun.includes('All'));
        const gone = store.delete(def, namespace, name!, {
          dryRun: isDry,
          preconditions: options.preconditions,
          propagationPolicy,
        });
        if (!isDry) controllers.drain();
        if (def.kind === 'Pod' && def.group === '') {
          sendObject(res, rec, 200, def, gone, req, query);
          return;
        }
        const details: Obj = { name: gone.metadata.name };
        if (def.group) details.group = def.group;
        details.kind = def.resource;
        details.uid = gone.metadata.uid;
        send(
          res,
          rec,
          200,
          JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details }),
        );
        return;
      }
      case 'deletecollection': {
        const match = matcherFor(def, query);
        const victims: Obj[] = [];
        store.scan(def, namespace, undefined, (e) => {
          if (match(e.obj)) victims.push(e.obj);
          return true;
        });
        const out: Obj[] = [];
        for (const v of victims) {
          try {
            out.push(store.delete(def, v.metadata.namespace, v.metadata.name, { dryRun }));
          } catch {
            // already gone with its owner
          }
        }
        if (!dryRun) controllers.drain();
        send(
          res,
          rec,
          200,
          JSON.stringify({
            kind: def.listKind,
            apiVersion: def.apiVersion,
            metadata: { resourceVersion: String(store.rv) },
            items: out,
          }),
        );
        return;
      }
      default:
        throw errors.methodNotAllowed(method);
    }
  }

  /** server-side apply, approximated: create when missing, else a merge patch; no field ownership conflicts */
  function handleApply(
    req: IncomingMessage,
    res: ServerResponse,
    rec: RecordedRequest | undefined,
    r: ResourceRequest,
    query: Record<string, string>,
    raw: string,
    dryRun: boolean,
  ): void {
    const { def, namespace, name } = r;
    if (!query.fieldManager) throw errors.badRequest('PATCH with apply requires fieldManager to be set');
    let body: unknown;
    try {
      body = parseYaml(raw);
    } catch (e) {
      throw errors.badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (!isPlainObject(body))
      throw errors.badRequest('error decoding YAML: the apply configuration must be an object');
    checkBodyIdentity(def, body, namespace);
    const current = store.get(def, namespace, name!);
    const ctx = {
      dryRun,
      manager: query.fieldManager,
      operation: 'Apply' as const,
      fields: fieldsFromBody(body),
      subresource: r.subresource === 'status' ? ('status' as const) : undefined,
    };
    let out: Obj;
    if (!current) {
      out = store.create(def, { ...body, metadata: { ...(body.metadata ?? {}), name, namespace } }, ctx);
    } else {
      const patched = mergePatch(current, body) as Obj;
      out = store.update(def, namespace, name!, patched, { ...ctx, checkRv: true });
    }
    if (!dryRun) controllers.drain();
    sendObject(res, rec, current ? 200 : 201, def, out, req, query);
  }

  // ---- dispatch ----

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const path = u.pathname.replace(/\/+$/, '') || '/';
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    const method = req.method ?? 'GET';
    const rawBuf = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
    let raw = '';
    let protobufError: string | undefined;
    if (rawBuf.length && isProtobuf(req.headers['content-type'])) {
      try {
        const decoded = decodeProtobufObject(rawBuf);
        if (decoded) raw = JSON.stringify(decoded);
        else protobufError = 'protobuf';
      } catch (e) {
        protobufError = (e as Error).message;
      }
    } else raw = rawBuf.toString('utf8');
    const segs = path.split('/').filter(Boolean);
    const isDiscovery =
      path === '/api' ||
      path === '/apis' ||
      path === '/version' ||
      path === '/api/v1' ||
      path.startsWith('/openapi') ||
      (segs[0] === 'apis' && segs.length <= 3) ||
      ['/healthz', '/readyz', '/livez'].includes(path);
    let rec: RecordedRequest | undefined;
    if (!isDiscovery) {
      let body: unknown = undefined;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      } else if (protobufError) body = rawBuf;
      rec = { method, path, query, contentType: req.headers['content-type'], body, status: 0 };
      requests.push(rec);
    }
    try {
      if (path === '/healthz' || path === '/readyz' || path === '/livez') {
        send(res, rec, 200, 'ok', 'text/plain; charset=utf-8');
        return;
      }
      const auth = req.headers.authorization;
      // like system:public-info-viewer: /version is open to anonymous requests; a wrong token is still refused
      if (path === '/version' && auth === undefined) return send(res, rec, 200, JSON.stringify(KUBE_VERSION));
      if (auth !== `Bearer ${token}`) throw errors.unauthorized();
      if (path === '/version') return send(res, rec, 200, JSON.stringify(KUBE_VERSION));
      if (path === '/api') return send(res, rec, 200, JSON.stringify(apiVersionsDoc(new URL(url).host)));
      if (path === '/apis') return send(res, rec, 200, JSON.stringify(apiGroupListDoc()));
      if (path === '/api/v1') return send(res, rec, 200, JSON.stringify(apiResourceListDoc('v1')));
      if (segs[0] === 'apis' && segs.length === 2) {
        const g = apiGroupDoc(segs[1]!);
        if (!g) throw errors.pathNotFound();
        return send(res, rec, 200, JSON.stringify(g));
      }
      if (segs[0] === 'apis' && segs.length === 3) {
        const doc = apiResourceListDoc(`${segs[1]}/${segs[2]}`);
        if (!doc) throw errors.pathNotFound();
        return send(res, rec, 200, JSON.stringify(doc));
      }
      if (path === '/openapi/v3') return send(res, rec, 200, JSON.stringify(openApiV3Root()));
      if (path.startsWith('/openapi/v3/')) {
        const doc = openApiV3GroupVersion(path.slice('/openapi/v3/'.length));
        if (!doc) throw errors.pathNotFound();
        return send(res, rec, 200, JSON.stringify(doc));
      }
      if (isDiscovery) throw errors.pathNotFound();
      const fi = failures.findIndex((f) => f.count > 0 && (!f.match || f.match(method, path)));
      if (fi >= 0) {
        const f = failures[fi]!;
        f.count--;
        if (f.count <= 0) failures.splice(fi, 1);
        throw injectedFailure(f.status);
      }
      const r = parseResourcePath(segs);
      if (!r) throw errors.pathNotFound();
      if (protobufError) {
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (this test server decodes protobuf only for SelfSubjectAccessReview and ConfigMap)',
        );
      }
      handleResource(req, res, rec, r, query, raw);
    } catch (e) {
      if (e instanceof ApiError) sendError(res, rec, e);
      else {
        console.error('test kube server: internal error', e);
        sendError(res, rec, errors.internal((e as Error).message ?? String(e)));
      }
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((e) => {
      console.error('test kube server: request failed', e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const tls = selfSignedCertificate();
  const httpServer = createServer(onRequest);
  const httpsServer = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, onRequest);
  for (const s of [httpServer, httpsServer] as Server[]) {
    s.keepAliveTimeout = 120_000;
    s.headersTimeout = 125_000;
    s.requestTimeout = 0;
  }
  // one port for both: a TLS ClientHello starts with byte 0x16
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (buf: Buffer) => {
      socket.pause();
      socket.unshift(buf);
      (buf[0] === 0x16 ? httpsServer : httpServer).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, '127.0.0.1', () => res());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  const httpsUrl = `https://127.0.0.1:${port}`;

  const toKube = (o: Obj): KubeObject => JSON.parse(JSON.stringify(o)) as KubeObject;
  const defOrThrow = (apiVersion: string, kind: string): ResourceDef => {
    const d = defForKind(apiVersion, kind);
    if (!d || d.virtual) throw new Error(`test kube server: unknown kind ${apiVersion} ${kind}`);
    return d;
  };

  function kubeconfig(o: KubeconfigOptions = {}): string {
    const ctx = o.contextName ?? 'sandbox';
    const context: Obj = { cluster: ctx, user: `${userName}@${ctx}` };
    if (o.namespace) context.namespace = o.namespace;
    const cluster: Obj =
      o.scheme === 'http'
        ? { server: url }
        : { server: httpsUrl, 'certificate-authority-data': Buffer.from(tls.certPem).toString('base64') };
    return toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: ctx, cluster }],
      contexts: [{ name: ctx, context }],
      'current-context': ctx,
      preferences: {},
      users: [{ name: `${userName}@${ctx}`, user: { token: o.token ?? token } }],
    });
  }

  const api: KubeApiServer = {
    url,
    httpsUrl,
    caCert: tls.certPem,
    token,
    kubeconfig,
    writeKubeconfig(path, o) {
      const abs = resolve(path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, kubeconfig(o), { mode: 0o600 });
      return abs;
    },
    store: {
      get now() {
        return store.now;
      },
      set now(clock: () => number) {
        store.now = clock;
      },
      list(apiVersion, kind, namespace) {
        return store.list(defOrThrow(apiVersion, kind), namespace).map(toKube);
      },
      get(apiVersion, kind, namespace, name) {
        const def = defOrThrow(apiVersion, kind);
        const o = store.get(def, def.namespaced ? (namespace ?? 'default') : undefined, name);
        return o ? toKube(o) : undefined;
      },
      apply(obj) {
        const def = defOrThrow(obj.apiVersion, obj.kind);
        const ns = def.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
        const input: Obj = { ...obj, metadata: { ...obj.metadata, namespace: ns } };
        if (!def.namespaced) delete input.metadata.namespace;
        const existing = store.get(def, ns, obj.metadata.name);
        const out = existing
          ? store.update(def, ns, obj.metadata.name, input, { harness: true })
          : store.create(def, input, { harness: true });
        controllers.drain();
        return toKube(store.get(def, ns, obj.metadata.name) ?? out);
      },
      delete(apiVersion, kind, namespace, name) {
        const def = defOrThrow(apiVersion, kind);
        const ns = def.namespaced ? (namespace ?? 'default') : undefined;
        if (!store.get(def, ns, name)) return;
        store.delete(def, ns, name, { propagationPolicy: 'Background' });
        controllers.drain();
      },
      onChange(cb) {
        const l = (type: WatchEventType, obj: Obj): void => cb(type, obj as KubeObject);
        store.listeners.add(l);
        return () => store.listeners.delete(l);
      },
    },
    setAccessRules(r) {
      rules = [...r];
    },
    requests,
    clearRequests() {
      requests.length = 0;
    },
    injectFailures(f) {
      failures.push({ ...f });
    },
    expireWatches() {
      const err = `{"type":"ERROR","object":${JSON.stringify(statusObject(410, 'Expired', 'The resourceVersion for the provided watch is too old.'))}}\n`;
      for (const w of [...watches]) {
        w.res.write(err);
        w.end();
      }
      store.compact();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      controllers.stop();
      clearInterval(bookmarkTimer);
      for (const w of [...watches]) w.end();
      await new Promise<void>((res) => {
        server.close(() => res());
        httpServer.closeAllConnections();
        httpsServer.closeAllConnections();
        for (const sock of sockets) sock.destroy();
      });
    },
  };
  return api;
}
