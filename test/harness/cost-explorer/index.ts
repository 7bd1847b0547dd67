/**
 * Cost Explorer test server: a local awsJson1_1 endpoint for the real @aws-sdk/client-cost-explorer.
 * See README.md in this folder for the behaviour, the forecast / anomaly models and the fault switches.
 */
export { startCostExplorerServer, TARGET_PREFIX } from './server';
export type {
  CostExplorerServer,
  CostExplorerServerOptions,
  CostRecord,
  RecordedAttempt,
  RecordedRequest,
  ThrottleErrorType,
} from './types';
export { formatCost, formatQuantity, parseDecimal, SCALE } from './decimal';
export {
  BASELINE_DAYS,
  MIN_IMPACT_USD,
  MONITORED_TAG,
  SANDBOX_ACCOUNT_ID,
  SIGMA_THRESHOLD,
} from './anomalies';
export { ANOMALY_RETENTION_DAYS, FORECAST_HISTORY_DAYS } from './operations';
