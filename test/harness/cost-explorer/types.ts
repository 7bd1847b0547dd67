/** One line of billing data the test server aggregates. */
export interface CostRecord {
  /** YYYY-MM-DD, a UTC day. */
  date: string;
  service: string;
  usageType: string;
  /** e.g. model, team, namespace, cluster; a missing key (or an empty value) = untagged. */
  tags: Record<string, string>;
  /** Decimal string in USD, e.g. "12.34" (negative for credits; up to 15 fraction digits). */
  unblendedCost: string;
  amortizedCost: string;
  usageQuantity: string;
}

export interface CostExplorerServerOptions {
  records: CostRecord[];
  /** 0 / absent = an ephemeral port. */
  port?: number;
  /** Default 'AKIDSANDBOX'. */
  accessKeyId?: string;
  /** Default 'sandbox-secret'. */
  secretAccessKey?: string;
  /** ResultsByTime entries (ungrouped) or groups (grouped) per page; default page size for GetAnomalies/GetTags/GetDimensionValues too. Default 20. */
  pageSize?: number;
  /** YYYY-MM-DD: the server's idea of "today" (forecast, anomalies, 13-month limit, "future" checks). Default: the UTC date now. */
  today?: string;
}

/** A call that passed authentication and was answered 200 — i.e. one the real service would bill ($0.01 each, every page). */
export interface RecordedRequest {
  /** The X-Amz-Target header, e.g. 'AWSInsightsIndexService.GetCostAndUsage'. */
  target: string;
  /** The operation name, e.g. 'GetCostAndUsage'. */
  operation: string;
  /** The parsed JSON request body. */
  body: unknown;
}

/** Every HTTP call the server received, including the ones answered with an error. */
export interface RecordedAttempt {
  target: string;
  operation: string;
  status: number;
  /** The `__type` of the error answer, absent for a 200. */
  errorType?: string;
}

export type ThrottleErrorType = 'ThrottlingException' | 'LimitExceededException';

export interface CostExplorerServer {
  /** http://127.0.0.1:<port> */
  url: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every accepted (billable) call; a paged read adds one entry per page. */
  requests: RecordedRequest[];
  /** Every call received, errors included. */
  attempts: RecordedAttempt[];
  /** The ARN of the sandbox's single anomaly monitor (the `model` cost-allocation-tag monitor). */
  monitorArn: string;
  /**
   * The next `count` authenticated calls answer HTTP 400 with `ThrottlingException` (or, with the second
   * argument, `LimitExceededException`, which is what Cost Explorer itself sends when rate limited).
   * Both are retried by the SDK.
   */
  throttleNext(count: number, errorType?: ThrottleErrorType): void;
  /**
   * The call that asks for page `pageNumber` (1 = the call without NextPageToken, 2 = the call carrying the
   * token returned by page 1, …) of any paged operation answers an error once. Default error:
   * `DataUnavailableException` (HTTP 400, modelled by the SDK, not retried). Pass 'InternalServerException'
   * for a 500 that the SDK retries (so the failure is hidden from the caller if the retry succeeds).
   */
  failPage(
    pageNumber: number,
    errorType?: 'DataUnavailableException' | 'InvalidNextTokenException' | 'InternalServerException',
  ): void;
  /**
   * While true, calls signed with the configured key are refused: with a session token (temporary
   * credentials) -> `ExpiredTokenException`; without (a long-term key that is no longer valid) ->
   * `UnrecognizedClientException`. Both HTTP 400, neither retried.
   */
  expireCredentials(expired: boolean): void;
  stop(): Promise<void>;
}
