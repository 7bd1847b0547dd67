// Status objects worded as the real kube-apiserver words them.
import type { ResourceDef } from './resources';
import type { Obj } from './types';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unknown';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

export function statusObject(
  code: number,
  reason: StatusReason,
  message: string,
  details?: StatusDetails,
): Obj {
  const s: Obj = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details) s.details = details;
  s.code = code;
  return s;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
  status(): Obj {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

function gr(def: ResourceDef, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (def.group) d.group = def.group;
  d.kind = def.resource;
  return d;
}

export const errors = {
  notFound(def: ResourceDef, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${def.qualified} "${name}" not found`, gr(def, name));
  },
  namespaceNotFound(ns: string): ApiError {
    return new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
  },
  alreadyExists(def: ResourceDef, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${def.qualified} "${name}" already exists`, gr(def, name));
  },
  conflict(
    def: ResourceDef,
    name: string,
    why = 'the object has been modified; please apply your changes to the latest version and try again',
    causes?: StatusDetails['causes'],
  ): ApiError {
    const d = gr(def, name);
    if (causes) d.causes = causes;
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${def.qualified} "${name}": ${why}`,
      d,
    );
  },
  invalid(
    def: ResourceDef,
    name: string,
    causes: { field: string; message: string; reason?: string }[],
  ): ApiError {
    const kindQ = def.group ? `${def.kind}.${def.group}` : def.kind;
    const msgs = causes.map((c) => `${c.field}: ${c.message}`);
    const message = `${kindQ} "${name}" is invalid: ${msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`}`;
    const details: StatusDetails = {
      name,
      kind: def.kind,
      causes: causes.map((c) => ({
        reason: c.reason ?? 'FieldValueInvalid',
        message: c.message,
        field: c.field,
      })),
    };
    if (def.group) details.group = def.group;
    return new ApiError(422, 'Invalid', message, details);
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  unprocessable(message: string): ApiError {
    return new ApiError(422, 'Invalid', message, {});
  },
  forbidden(
    def: ResourceDef | undefined,
    name: string | undefined,
    user: string,
    verb: string,
    resource: string,
    group: string,
    namespace: string | undefined,
  ): ApiError {
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    const what = def ? `${def.qualified}${name ? ` "${name}"` : ''}` : resource;
    const message = `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`;
    const details: StatusDetails = {};
    if (name) details.name = name;
    if (group) details.group = group;
    details.kind = resource.split('/')[0];
    return new ApiError(403, 'Forbidden', message, details);
  },
  unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  },
  methodNotAllowed(method: string): ApiError {
    return new ApiError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource (${method})`,
    );
  },
  unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      {
        causes: [{ reason: 'UnexpectedServerResponse', message: contentType }],
      },
    );
  },
  expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  pathNotFound(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    });
  },
};

/** the Status an injected failure answers with */
export function injectedFailure(code: number): ApiError {
  switch (code) {
    case 400:
      return new ApiError(400, 'BadRequest', 'injected failure: bad request');
    case 401:
      return errors.unauthorized();
    case 403:
      return new ApiError(403, 'Forbidden', 'injected failure: forbidden');
    case 404:
      return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    case 409:
      return new ApiError(
        409,
        'Conflict',
        'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again',
      );
    case 410:
      return new ApiError(410, 'Expired', 'The resourceVersion for the provided watch is too old.');
    case 422:
      return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request');
    case 429:
      return new ApiError(
        429,
        'TooManyRequests',
        'Too many requests, please try again later.',
        { retryAfterSeconds: 1 },
        { 'Retry-After': '1' },
      );
    case 503:
      return new ApiError(
        503,
        'ServiceUnavailable',
        'the server is currently unable to handle the request',
        { retryAfterSeconds: 1 },
        { 'Retry-After': '1' },
      );
    case 504:
      return new ApiError(
        504,
        'Timeout',
        'the server was unable to return a response in the time allotted, but may still be processing the request',
      );
    default:
      return new ApiError(
        code,
        code >= 500 ? 'InternalError' : 'Unknown',
        code >= 500 ? 'Internal error occurred: injected failure' : `injected failure (${code})`,
      );
  }
}
