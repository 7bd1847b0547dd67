/**
 * A local AWS Cost Explorer endpoint speaking awsJson1_1, for the real @aws-sdk/client-cost-explorer:
 *   new CostExplorerClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials })
 *
 * Request pipeline: POST / -> SigV4 check (region us-east-1, service ce) -> expired-credentials switch ->
 * Content-Type / X-Amz-Target -> throttling switch -> JSON body -> operation (validation, then page fault
 * injection) -> 200, recorded in `requests`. Every call, answered or refused, is recorded in `attempts`.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { detectAnomalies, SANDBOX_ACCOUNT_ID, uuidFrom } from './anomalies';
import type { DetectedAnomaly } from './anomalies';
import { addMonths, monthStart, parseDay, todayDay } from './dates';
import { ApiError } from './errors';
import { OPERATIONS } from './operations';
import type { OpContext } from './operations';
import { verifySigV4 } from './sigv4';
import { loadRecords } from './store';
import type {
  CostExplorerServer,
  CostExplorerServerOptions,
  RecordedAttempt,
  RecordedRequest,
  ThrottleErrorType,
} from './types';
import { isObject } from './validate';

export const TARGET_PREFIX = 'AWSInsightsIndexService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 1024 * 1024;

type FailPageError = 'DataUnavailableException' | 'InvalidNextTokenException' | 'InternalServerException';

function pageFailure(type: FailPageError, page: number): ApiError {
  switch (type) {
    case 'InternalServerException':
      return new ApiError(
        'InternalServerException',
        `Internal failure while reading page ${page}. Please try your request again.`,
        500,
      );
    case 'InvalidNextTokenException':
      return new ApiError(
        'InvalidNextTokenException',
        'The pagination token is invalid. Try again without a pagination token.',
      );
    case 'DataUnavailableException':
      return new ApiError('DataUnavailableException', `The requested data is unavailable (page ${page}).`);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError('SerializationException', 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startCostExplorerServer(opts: CostExplorerServerOptions): Promise<CostExplorerServer> {
  const accessKeyId = opts.accessKeyId ?? 'AKIDSANDBOX';
  const secretAccessKey = opts.secretAccessKey ?? 'sandbox-secret';
  const pageSize = opts.pageSize ?? 20;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new Error(`cost-explorer test server: pageSize must be a positive integer, got ${pageSize}`);
  const today = opts.today === undefined ? todayDay() : parseDay(opts.today);
  if (today === undefined)
    throw new Error(`cost-explorer test server: today must be YYYY-MM-DD, got ${opts.today}`);

  const records = loadRecords(opts.records);
  const anomalies: DetectedAnomaly[] = detectAnomalies(records, today);
  const monitorArn = `arn:aws:ce::${SANDBOX_ACCOUNT_ID}:anomalymonitor/${uuidFrom('monitor|model')}`;
  const earliest = addMonths(monthStart(today), -12);

  const requests: RecordedRequest[] = [];
  const attempts: RecordedAttempt[] = [];
  let throttleRemaining = 0;
  let throttleType: ThrottleErrorType = 'ThrottlingException';
  const failPages = new Map<number, FailPageError>();
  let expired = false;
  const cache = new Map<string, unknown>();

  const send = (
    res: ServerResponse,
    status: number,
    payload: unknown,
    extra: Record<string, string> = {},
  ): void => {
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    res.writeHead(status, {
      'Content-Type': CONTENT_TYPE,
      'Content-Length': String(body.length),
      'x-amzn-RequestId': randomUUID(),
      ...extra,
    });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : '';
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const attempt: RecordedAttempt = { target, operation, status: 0 };
    attempts.push(attempt);
    try {
      if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
        throw new ApiError(
          'UnknownOperationException',
          `No operation at ${req.method ?? ''} ${req.url ?? ''}`,
          404,
        );
      }
      const raw = await readBody(req);
      const identity = await verifySigV4({
        method: req.method,
        url: req.url ?? '/',
        headers: req.headers,
        body: raw,
        accessKeyId,
        secretAccessKey,
      });
      if (expired) {
        throw identity.hasSessionToken
          ? new ApiError('ExpiredTokenException', 'The security token included in the request is expired')
          : new ApiError(
              'UnrecognizedClientException',
              'The security token included in the request is invalid.',
            );
      }
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (contentType !== CONTENT_TYPE) {
        throw new ApiError(
          'UnknownOperationException',
          `Expected Content-Type ${CONTENT_TYPE}, got ${contentType || 'none'}`,
        );
      }
      const op = OPERATIONS[operation];
      if (!op)
        throw new ApiError(
          'UnknownOperationException',
          `Unknown operation: ${target || '(no X-Amz-Target)'}`,
        );
      if (throttleRemaining > 0) {
        throttleRemaining--;
        throw throttleType === 'LimitExceededException'
          ? new ApiError(
              'LimitExceededException',
              'You made too many calls in a short period of time. Try again later.',
            )
          : new ApiError('ThrottlingException', 'Rate exceeded');
      }
      let body: unknown;
      try {
        body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ApiError('SerializationException', 'The request body is not valid JSON');
      }
      if (!isObject(body))
        throw new ApiError('SerializationException', 'The request body must be a JSON object');

      const ctx: OpContext = {
        records,
        today,
        earliest,
        pageSize,
        monitorArn,
        anomalies,
        cache,
        beforePage: (page) => {
          const failure = failPages.get(page);
          if (failure) {
            failPages.delete(page);
            throw pageFailure(failure, page);
          }
        },
      };
      const result = op(ctx, body);
      requests.push({ target, operation, body });
      attempt.status = 200;
      send(res, 200, result);
    } catch (err) {
      const e =
        err instanceof ApiError
          ? err
          : new ApiError(
              'InternalServerException',
              `Internal error in the Cost Explorer test server: ${err instanceof Error ? err.message : String(err)}`,
              500,
            );
      attempt.status = e.status;
      attempt.errorType = e.type;
      if (!res.headersSent && !res.destroyed)
        send(res, e.status, { __type: e.type, message: e.message }, { 'x-amzn-ErrorType': e.type });
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  // Node closes an idle keep-alive socket after 5 s; a retry after a long backoff could then race the close
  // and see ECONNRESET instead of the answer. AWS endpoints keep connections open far longer.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId, secretAccessKey },
    requests,
    attempts,
    monitorArn,
    throttleNext(count: number, errorType: ThrottleErrorType = 'ThrottlingException') {
      throttleRemaining = Math.max(0, Math.floor(count));
      throttleType = errorType;
    },
    failPage(pageNumber: number, errorType: FailPageError = 'DataUnavailableException') {
      if (!Number.isInteger(pageNumber) || pageNumber < 1)
        throw new Error(`failPage: pageNumber must be a positive integer, got ${pageNumber}`);
      failPages.set(pageNumber, errorType);
    },
    expireCredentials(value: boolean) {
      expired = value;
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
