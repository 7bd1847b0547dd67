import { z } from 'zod';

/**
 * Every failure that crosses the main/renderer boundary is one of these codes.
 * A person reads `message` (what happened) and `hint` (what to do about it); nothing crosses as a stack trace.
 */
export const errorCodes = [
  'INVALID_INPUT',
  'UNKNOWN_CHANNEL',
  'UNAUTHORIZED',
  'FORBIDDEN_ORIGIN',
  'NOT_CONFIGURED',
  'KUBECONFIG_MISSING',
  'KUBECONFIG_MALFORMED',
  'CONTEXT_NOT_FOUND',
  'CLUSTER_UNREACHABLE',
  'CLUSTER_AUTH_FAILED',
  'CLUSTER_FORBIDDEN',
  'CLUSTER_ERROR',
  'CONFLICT',
  'ACTION_REFUSED',
  'PERMISSION_DENIED',
  'DRY_RUN_FAILED',
  'ACTION_TIMEOUT',
  'NOT_FOUND',
  'PROMETHEUS_UNREACHABLE',
  'PROMETHEUS_TIMEOUT',
  'PROMETHEUS_AUTH_FAILED',
  'PROMETHEUS_BAD_QUERY',
  'PROMETHEUS_ERROR',
  'ALERTMANAGER_UNREACHABLE',
  'ALERTMANAGER_ERROR',
  'STORE_FROM_NEWER_VERSION',
  'STORE_CORRUPT',
  'STORE_ERROR',
  'AUDIT_CHAIN_BROKEN',
  // cost (issue 5)
  'CURRENCY_MIX',
  'AWS_CREDENTIALS_MISSING',
  'AWS_CREDENTIALS_EXPIRED',
  'AWS_ACCESS_DENIED',
  'AWS_THROTTLED',
  'COST_EXPLORER_ERROR',
  'FOCUS_INVALID',
  // a call that ran out of its time budget (shared/deadlines.ts)
  'DEADLINE_EXCEEDED',
  'INTERNAL',
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const AppErrorSchema = z.object({
  code: ErrorCode,
  message: z.string(),
  hint: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AppErrorData = z.infer<typeof AppErrorSchema>;

/** A typed, user-facing error. Throw it anywhere in main; adapters turn it into `{ok:false, error}`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, hint: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.hint = hint;
    this.details = details;
  }

  toJSON(): AppErrorData {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static from(data: AppErrorData): AppError {
    return new AppError(data.code, data.message, data.hint, data.details);
  }
}

/** Turns anything thrown into the shape that may cross the boundary. Unknown errors never leak their stack. */
export function toAppErrorData(err: unknown): AppErrorData {
  if (err instanceof AppError) return err.toJSON();
  if (err instanceof z.ZodError) {
    return {
      code: 'INVALID_INPUT',
      message: `Invalid input: ${describeZodError(err)}`,
      hint: 'Check the highlighted values and try again.',
      details: {
        issues: err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      },
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 'INTERNAL',
    message: `Unexpected error: ${message}`,
    hint: 'This is a bug in Firebreak. Retry; if it persists, report it with the steps that led here.',
  };
}

export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorData };
