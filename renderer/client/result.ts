import type { AppErrorData, ErrorCode, Result } from '../../shared/errors';

/** A typed error made on the renderer side (the server could not be asked, or answered nonsense). */
export function clientError(
  code: ErrorCode,
  message: string,
  hint: string,
  details?: Record<string, unknown>,
): AppErrorData {
  return { code, message, hint, ...(details ? { details } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isAppErrorData(value: unknown): value is AppErrorData {
  return (
    isRecord(value) &&
    typeof value.code === 'string' &&
    typeof value.message === 'string' &&
    typeof value.hint === 'string' &&
    (value.details === undefined || isRecord(value.details))
  );
}

/**
 * Checks the envelope only (`{ok:true, value}` or `{ok:false, error}`); the value's own shape is the
 * main process's promise, checked there against the contract.
 */
export function isResult(value: unknown): value is Result<unknown> {
  if (!isRecord(value)) return false;
  if (value.ok === true) return 'value' in value;
  if (value.ok === false) return isAppErrorData(value.error);
  return false;
}

/** A stream message from the wire: an event, or an error after which the stream has ended. */
export function isStreamMessage(
  value: unknown,
): value is { type: 'event'; event: unknown } | { type: 'error'; error: AppErrorData } {
  if (!isRecord(value)) return false;
  if (value.type === 'event') return 'event' in value;
  if (value.type === 'error') return isAppErrorData(value.error);
  return false;
}

/**
 * `run`'s answer, or a typed error once `ms` have passed: the console's own request to its main process or
 * server must not hang a view either (a stuck main, a half-open socket). `run` gets a signal to stop its work.
 */
export async function answerWithin<T>(
  ms: number,
  run: (signal: AbortSignal) => Promise<Result<T>>,
  late: () => AppErrorData,
): Promise<Result<T>> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<Result<T>>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve({ ok: false, error: late() });
    }, ms);
  });
  try {
    return await Promise.race([run(abort.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function lateAnswer(what: string, channel: string, ms: number): AppErrorData {
  return clientError(
    'DEADLINE_EXCEEDED',
    `${what} did not answer "${channel}" within ${Math.round(ms / 1000)} s`,
    'Retry. If it keeps happening, the source behind this view may be hung: the status bar names it.',
    { channel, deadlineMs: ms },
  );
}
